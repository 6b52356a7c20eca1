import type { Migration } from 'kysely';
import * as foundation from './2026-11-23-01-foundation.js';
import * as eventStore from './2026-11-23-02-event-store.js';
import * as eventPostings from './2026-11-23-03-event-postings.js';
import * as vocabularyIndexes from './2026-11-23-04-vocabulary-indexes.js';
import * as queryTerms from './2026-11-23-05-query-terms.js';
import * as codeIssuance from './2026-11-23-06-code-issuance.js';
import * as recalls from './2026-11-23-07-recalls.js';
import * as transparencyLog from './2026-11-23-08-transparency-log.js';
import * as witness from './2026-11-23-09-witness.js';
import * as logRecordIndex from './2026-11-23-10-log-record-index.js';
import * as federation from './2026-11-23-11-federation.js';
import * as recallStatusIndex from './2026-11-23-12-recall-status-index.js';
import * as memberEvaluation from './2026-11-23-13-member-evaluation.js';
import * as federationFlows from './2026-11-23-14-federation-flows.js';
import * as resolverDirectory from './2026-11-23-15-resolver-directory.js';
import * as memberMode from './2026-11-23-16-member-mode.js';
import * as userPasswords from './2026-11-23-17-user-passwords.js';
import * as complaints from './2026-11-23-18-complaints.js';
import * as eventTraceFacts from './2026-11-24-19-event-trace-facts.js';
import * as traceFactsColumns from './2026-11-24-20-trace-facts-columns.js';

/** Every migration, in order. Names are date-prefixed and never change once released. */
export const migrations: Record<string, Migration> = {
  '2026-11-23-01-foundation': foundation,
  '2026-11-23-02-event-store': eventStore,
  '2026-11-23-03-event-postings': eventPostings,
  '2026-11-23-04-vocabulary-indexes': vocabularyIndexes,
  '2026-11-23-05-query-terms': queryTerms,
  '2026-11-23-06-code-issuance': codeIssuance,
  '2026-11-23-07-recalls': recalls,
  '2026-11-23-08-transparency-log': transparencyLog,
  '2026-11-23-09-witness': witness,
  '2026-11-23-10-log-record-index': logRecordIndex,
  '2026-11-23-11-federation': federation,
  '2026-11-23-12-recall-status-index': recallStatusIndex,
  '2026-11-23-13-member-evaluation': memberEvaluation,
  '2026-11-23-14-federation-flows': federationFlows,
  '2026-11-23-15-resolver-directory': resolverDirectory,
  '2026-11-23-16-member-mode': memberMode,
  '2026-11-23-17-user-passwords': userPasswords,
  '2026-11-23-18-complaints': complaints,
  '2026-11-24-19-event-trace-facts': eventTraceFacts,
  '2026-11-24-20-trace-facts-columns': traceFactsColumns,
};
