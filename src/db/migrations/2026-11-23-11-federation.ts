import type { Kysely } from 'kysely';

/**
 * Federation (docs/FEDERATION.md): on the upstream, the platforms and systems registered (备案) as members, each with
 * its log and how far its events arrived; on the sender, one row per upstream that is the outbox. Events are durable
 * in the store already, so the outbox is a cursor over the sender's transparency log (leaf index, which follows
 * commit order) rather than a copy of them: what lies after the cursor is the backlog, and the cursor moves only once the upstream has acknowledged a batch.
 *
 * Frozen in time: never edit a migration once released; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('federation_members')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('level', 'text', (c) => c.notNull())
    .addColumn('region_code', 'text')
    .addColumn('log_origin', 'text', (c) => c.notNull().unique())
    .addColumn('log_key', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('registered_at', 'text', (c) => c.notNull())
    .addColumn('registered_by', 'text', (c) => c.notNull())
    .addColumn('position', 'bigint', (c) => c.notNull())
    .addColumn('batches', 'bigint', (c) => c.notNull())
    .addColumn('events_received', 'bigint', (c) => c.notNull())
    .addColumn('resent', 'bigint', (c) => c.notNull())
    .addColumn('last_batch_at', 'text')
    .addColumn('last_lag_ms', 'bigint')
    .execute();
  await db.schema
    .createTable('federation_outbox')
    .addColumn('upstream_url', 'text', (c) => c.primaryKey())
    .addColumn('position', 'bigint', (c) => c.notNull())
    .addColumn('acked_size', 'bigint', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_try_at', 'text')
    .addColumn('last_attempt_at', 'text')
    .addColumn('last_error', 'text')
    .addColumn('last_success_at', 'text')
    .addColumn('cosigned_checkpoint', 'text')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['federation_outbox', 'federation_members']) await db.schema.dropTable(table).execute();
}
