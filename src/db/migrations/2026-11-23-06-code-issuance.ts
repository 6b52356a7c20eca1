import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../dialect.js';

/**
 * The code registry: every traceability code the platform minted or registered, for ever. A code's row is never
 * deleted, only marked void, so a code once issued can never be issued again (the primary key refuses it), also
 * after a void or a failed print.
 *
 * Frozen in time: never edit a migration once released; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const keyed = <T extends { modifyEnd(s: unknown): T }>(table: T): T => (isPostgres(db) ? table : table.modifyEnd(sql`without rowid`));
  // One issuance or import request: what was asked, by whom, for which product and lot.
  await db.schema
    .createTable('code_batches')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('subject_id', 'text', (c) => c.notNull().references('subjects.id'))
    .addColumn('product_id', 'text', (c) => c.references('products.id'))
    .addColumn('scheme', 'text', (c) => c.notNull())
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('lot', 'text')
    .addColumn('expiry', 'text')
    .addColumn('quantity', 'integer', (c) => c.notNull())
    // The commissioning events, in order: they list the batch's codes in issue order (10,000 an event), so the
    // registry needs no second index to page through a batch.
    .addColumn('event_ids', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('code_batches_subject_idx').on('code_batches').columns(['subject_id', 'id']).execute();
  // `code` is the identifier the events name (canonical Digital Link, or urn:zhuisu:{scheme}:{code}).
  await keyed(
    db.schema
      .createTable('issued_codes')
      .addColumn('code', 'text', (c) => c.primaryKey())
      .addColumn('batch_id', 'text', (c) => c.notNull())
      .addColumn('voided_at', 'text'),
  ).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('issued_codes').execute();
  await db.schema.dropTable('code_batches').execute();
}
