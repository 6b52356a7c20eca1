import type { Kysely } from 'kysely';

/**
 * Recalls found by status: every trace, registry lookup and event query first asks whether any recall is open, and
 * without an index that question read every recall ever made, each row carrying its whole list of affected parties.
 *
 * Frozen in time: never edit a migration once released; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('recalls_status_idx').on('recalls').column('status').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('recalls_status_idx').execute();
}
