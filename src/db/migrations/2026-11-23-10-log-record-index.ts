import { sql, type Kysely } from 'kysely';

/**
 * Audit and correction leaves found by the record they name: an export that proves a recall's audit entries looks
 * their leaves up by audit id. Event leaves are left out: they are found by seq (log_leaves_record_idx), and they are
 * nearly all the leaves, so the index stays small and a capture's append does not pay for it.
 *
 * A query uses the index only when its WHERE carries the index's own term, `kind <> 'event'`: SQLite does not infer
 * it from `kind = 'audit'`, nor PostgreSQL from a bound parameter.
 *
 * Frozen in time: never edit a migration once released; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('log_leaves_ref_idx').on('log_leaves').column('ref').where(sql.ref('kind'), '<>', 'event').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('log_leaves_ref_idx').execute();
}
