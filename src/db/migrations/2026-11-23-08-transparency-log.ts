import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../dialect.js';

/**
 * The transparency log: every accepted record (captured event, correction, audited change) as a leaf of an RFC 6962
 * Merkle tree. Leaves keep their entry text and hash; the hashes of complete subtrees at levels 8, 16, 24 … are kept
 * too (exactly the tlog tiles), and any other node is recomputed from at most 256 of them. `log_head` holds the size,
 * and updating it is what orders concurrent appends (a row lock on PostgreSQL, the single writer on SQLite). Each
 * append records the root it made; checkpoints are the roots the platform has signed.
 *
 * Frozen in time: never edit a migration once released; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const keyed = <T extends { modifyEnd(s: unknown): T }>(table: T): T => (isPostgres(db) ? table : table.modifyEnd(sql`without rowid`));
  await db.schema
    .createTable('log_head')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .execute();
  await db.insertInto('log_head').values({ id: 1, size: 0 }).execute();
  await db.schema
    .createTable('log_leaves')
    .addColumn('idx', 'bigint', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('ref', 'text', (c) => c.notNull())
    .addColumn('record_seq', 'bigint')
    .addColumn('entry', 'text', (c) => c.notNull())
    .addColumn('leaf_hash', 'text', (c) => c.notNull())
    .execute();
  // A proof is asked for by event, found by its seq: seqs grow as leaves do, so this index is appended to, where one
  // on eventIDs (hashes) would take a random insert per event.
  await db.schema.createIndex('log_leaves_record_idx').on('log_leaves').columns(['record_seq']).execute();
  await keyed(
    db.schema
      .createTable('log_nodes')
      .addColumn('level', 'integer', (c) => c.notNull())
      .addColumn('idx', 'bigint', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('log_nodes_pk', ['level', 'idx']),
  ).execute();
  await db.schema
    .createTable('log_roots')
    .addColumn('size', 'bigint', (c) => c.primaryKey())
    .addColumn('root_hash', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('log_checkpoints')
    .addColumn('size', 'bigint', (c) => c.primaryKey())
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('signed_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['log_checkpoints', 'log_roots', 'log_nodes', 'log_leaves', 'log_head']) await db.schema.dropTable(table).execute();
}
