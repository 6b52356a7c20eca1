import type { Kysely } from 'kysely';

/**
 * The resolver directory (通查通识, docs/RESOLVER.md): which platform holds which codes. An entry names a kind of key
 * (a GS1 company prefix, a 主体码, a region, a code scheme), its value, and the member holding it or `here`; entries
 * are learned from the events members forward or registered by platform admins. A member says where it answers with
 * its base URL, and the key of the upstream is pinned on first contact, so that answers fetched later are checked
 * against the same key.
 *
 * Frozen in time: never edit a migration once released; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('federation_members').addColumn('url', 'text').execute();
  await db.schema
    .createTable('resolver_entries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('resolver_entries_key').on('resolver_entries').columns(['kind', 'value', 'holder']).unique().execute();
  await db.schema
    .createTable('resolver_upstream_keys')
    .addColumn('upstream_url', 'text', (c) => c.primaryKey())
    .addColumn('verifier_key', 'text', (c) => c.notNull())
    .addColumn('pinned_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('resolver_upstream_keys').execute();
  await db.schema.dropTable('resolver_entries').execute();
  await db.schema.alterTable('federation_members').dropColumn('url').execute();
}
