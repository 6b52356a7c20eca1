import type { Kysely } from 'kysely';

/**
 * Witnessing other platforms' logs (C2SP tlog-witness): the logs this platform was told to witness, each with the key
 * its checkpoints must be signed with and the latest checkpoint the witness cosigned (size, root, and the note with the
 * cosignature), and the alarms raised when a log showed two views of its history. A witness only needs the latest
 * state of a log; a later checkpoint is accepted only with a proof that it extends that one, and the update is a
 * compare-and-swap on (size, root), so two submissions at once can never roll the state back.
 *
 * Frozen in time: never edit a migration once released; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('witnessed_logs')
    .addColumn('origin', 'text', (c) => c.primaryKey())
    .addColumn('vkey', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('root_hash', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('cosigned_at', 'text')
    .addColumn('registered_at', 'text', (c) => c.notNull())
    .addColumn('registered_by', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('witness_alarms')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('origin', 'text', (c) => c.notNull().references('witnessed_logs.origin'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('cosigned_note', 'text')
    .addColumn('submitted_note', 'text', (c) => c.notNull())
    .addColumn('old_size', 'bigint', (c) => c.notNull())
    .addColumn('proof', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text')
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  // Alarms are listed newest first (ids are UUIDv7, so in time order), all or those of one log.
  await db.schema.createIndex('witness_alarms_origin_idx').on('witness_alarms').columns(['origin', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['witness_alarms', 'witnessed_logs']) await db.schema.dropTable(table).execute();
}
