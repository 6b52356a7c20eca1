import type { Kysely } from 'kysely';

/**
 * What flows between levels besides events (docs/FEDERATION.md). On the upstream, `federation_records` says which
 * member's subject, location or product each local record stands for: the member's id for it, the id it has here, and
 * whether this member's copy is the one applied here (`owned`) or was linked to a record that was here first (the
 * upstream's own, or another member's with the same 主体码, GLN or GTIN), and `federation_member_recalls` the recalls a
 * member started, shown here read-only. On the member, `federation_received_recalls` marks the recalls that came down
 * from the upstream, so that their acknowledgements go back up.
 *
 * Frozen in time: never edit a migration once released; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('federation_records')
    .addColumn('member_id', 'text', (c) => c.notNull().references('federation_members.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('remote_id', 'text', (c) => c.notNull())
    .addColumn('local_id', 'text', (c) => c.notNull())
    .addColumn('owned', 'integer', (c) => c.notNull())
    .addColumn('applied_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('federation_records_pk', ['member_id', 'kind', 'remote_id'])
    .execute();
  await db.schema.createIndex('federation_records_local').on('federation_records').columns(['kind', 'local_id']).execute();
  await db.schema
    .createTable('federation_member_recalls')
    .addColumn('recall_id', 'text', (c) => c.primaryKey().references('recalls.id'))
    .addColumn('member_id', 'text', (c) => c.notNull().references('federation_members.id'))
    .addColumn('received_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('federation_received_recalls')
    .addColumn('recall_id', 'text', (c) => c.primaryKey().references('recalls.id'))
    .addColumn('upstream_url', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['federation_received_recalls', 'federation_member_recalls', 'federation_records']) await db.schema.dropTable(table).execute();
}
