import type { Kysely } from 'kysely';

/**
 * Passwords for the web console and dashboard. Only a salted scrypt hash is kept (`scrypt$N$r$p$salt$hash`); a user
 * without one signs in with API keys only, as before. Signing in issues a short-lived API key, so every request of
 * the web pages is authorised exactly like any other client's.
 *
 * Frozen in time: never edit a migration once released; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').addColumn('password_hash', 'text').execute();
  await db.schema.alterTable('users').addColumn('password_changed_at', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('password_changed_at').execute();
  await db.schema.alterTable('users').dropColumn('password_hash').execute();
}
