import { PostgresAdapter, type Kysely } from 'kysely';

/** Whether `db` runs on PostgreSQL (a server or PGlite); for the few places in src/db where the dialects differ. */
export function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}
