import type { Kysely } from 'kysely';

/**
 * Which form a member's events arrive in (docs/FEDERATION.md, "Summaries"): `full` or `summaries`, as its last
 * accepted batch said. Members registered before are `full`, which is all there was.
 *
 * Frozen in time: never edit a migration once released; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('federation_members').addColumn('mode', 'text', (c) => c.notNull().defaultTo('full')).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('federation_members').dropColumn('mode').execute();
}
