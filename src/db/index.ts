export { openDatabase, migrate, type Database, type Executor, type Sequence, type SqlDialect } from './database.js';
export { namesThingHeldBy, postedSeqs, type PostingMatch } from './postings.js';
export type * from './schema.js';
