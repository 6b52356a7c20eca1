import type { Kysely } from 'kysely';

/**
 * Monitoring and evaluation (docs/EVALUATION.md): one row per batch a federation member posted, accepted or refused,
 * so that its rejection rate, its days of contact and the lag of each batch are measured from what arrived rather
 * than from counters that only ever grow. A refused batch stores nothing else, which is why its outcome has a table
 * of its own. Capture jobs already record each direct connection's submissions; the index on their time lets a
 * period's jobs be read without scanning them all.
 *
 * Frozen in time: never edit a migration once released; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('federation_batch_outcomes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('member_id', 'text', (c) => c.notNull().references('federation_members.id'))
    .addColumn('arrived_at', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('error_code', 'text')
    .addColumn('from_leaf', 'bigint', (c) => c.notNull())
    .addColumn('to_leaf', 'bigint', (c) => c.notNull())
    .addColumn('events', 'integer', (c) => c.notNull())
    .addColumn('stored', 'integer', (c) => c.notNull())
    .addColumn('earliest_event_ms', 'bigint')
    .addColumn('latest_event_ms', 'bigint')
    .addColumn('median_lag_ms', 'bigint')
    .addColumn('max_lag_ms', 'bigint')
    .execute();
  await db.schema.createIndex('federation_batch_outcomes_member_idx').on('federation_batch_outcomes').columns(['member_id', 'arrived_at']).execute();
  await db.schema.createIndex('capture_jobs_created_idx').on('capture_jobs').columns(['created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('capture_jobs_created_idx').execute();
  await db.schema.dropTable('federation_batch_outcomes').execute();
}
