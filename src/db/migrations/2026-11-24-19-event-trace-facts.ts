import type { Kysely } from 'kysely';
import { isPostgres } from '../dialect.js';

/**
 * `event_trace_facts`: what the trace needs of an event (the things it names by role, canonical, with quantities;
 * its ILMD lot; the GLNs of its places), written at capture so that a trace neither parses bodies nor canonicalises
 * identifiers again. A table of its own, not a column of `events`: a column after the body would have SQLite read
 * through a large body's overflow pages to reach it. Events stored before have none and are traced from their bodies.
 *
 * Frozen in time: never edit a migration once released; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('event_trace_facts')
    .addColumn('seq', isPostgres(db) ? 'bigint' : 'integer', (c) => c.primaryKey())
    .addColumn('facts', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('event_trace_facts').execute();
}
