import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../dialect.js';

/**
 * Recalls and stop-trade orders: what was recalled and why, every code the recall reaches (so a code answers
 * "recalled" wherever it is looked up), and a notice per affected subject, which it acknowledges with what it found.
 *
 * Frozen in time: never edit a migration once released; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const keyed = <T extends { modifyEnd(s: unknown): T }>(table: T): T => (isPostgres(db) ? table : table.modifyEnd(sql`without rowid`));
  await db.schema
    .createTable('recalls')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('level', 'integer')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('initiator_subject_id', 'text')
    .addColumn('initiator_region', 'text')
    .addColumn('roots', 'text', (c) => c.notNull())
    .addColumn('affected', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('closed_at', 'text')
    .addColumn('closing_note', 'text')
    .execute();
  await db.schema.createIndex('recalls_initiator_idx').on('recalls').columns(['initiator_subject_id', 'id']).execute();
  // Looked up by code on every trace and lookup: the code leads the key.
  await keyed(
    db.schema
      .createTable('recall_codes')
      .addColumn('code', 'text', (c) => c.notNull())
      .addColumn('recall_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('recall_codes_pk', ['code', 'recall_id']),
  ).execute();
  await db.schema
    .createTable('recall_notices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('recall_id', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('region_code', 'text', (c) => c.notNull())
    .addColumn('holdings', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('acknowledged_at', 'text')
    .addColumn('outcome', 'text')
    .execute();
  await db.schema.createIndex('recall_notices_recall_subject_idx').on('recall_notices').columns(['recall_id', 'subject_id']).unique().execute();
  await db.schema.createIndex('recall_notices_subject_idx').on('recall_notices').columns(['subject_id', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['recall_notices', 'recall_codes', 'recalls']) await db.schema.dropTable(table).execute();
}
