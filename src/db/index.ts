export { openDatabase, migrate, type Database, type Executor, type OpenOptions, type Sequence, type SharedDatabase, type SqlDialect } from './database.js';
export { namesThingHeldBy, postedSeqList, postedSeqs, postedSeqsOfTerms, seqAmong, textAmong, type PostingMatch } from './postings.js';
export { fieldRows, sensorReportRows } from './event-rows.js';
export { compiledOnce, LIST_PLACEHOLDER, rowsWithList } from './statements.js';
export type * from './schema.js';
