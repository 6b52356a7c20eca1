export { openDatabase, migrate, type Database, type Executor, type Sequence, type SqlDialect } from './database.js';
export type * from './schema.js';
