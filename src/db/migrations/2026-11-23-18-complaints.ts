import type { Kysely } from 'kysely';

/**
 * Consumer complaints (投诉举报) made from a code's page: the code, what the page showed of it (product, producer,
 * the producer's region, which decides the regulators who see it), the complaint, and a contact, sealed like every
 * personal datum. Regulators mark them handled.
 *
 * Frozen in time: never edit a migration once released; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('complaints')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('product_name', 'text')
    .addColumn('producer_name', 'text')
    .addColumn('region_code', 'text')
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('contact_sealed', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('handled_at', 'text')
    .addColumn('handled_by', 'text')
    .addColumn('handling_note', 'text')
    .execute();
  await db.schema.createIndex('complaints_region_time').on('complaints').columns(['region_code', 'created_at']).execute();
  await db.schema.createIndex('complaints_code').on('complaints').column('code').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('complaints').execute();
}
