import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../dialect.js';

// Frozen in time: never edit a migration once released; add a new one.
export async function up(db: Kysely<any>): Promise<void> {
  const postgres = isPostgres(db);
  // SQLite: only INTEGER PRIMARY KEY is the row's own key (a BIGINT key would add a second B-tree to every insert);
  // PostgreSQL wants 64 bits.
  const key = postgres ? 'bigint' : 'integer';
  // Link tables are their primary key: on SQLite WITHOUT ROWID stores them once, in key order.
  const keyed = <T extends { modifyEnd(s: unknown): T }>(table: T): T => (postgres ? table : table.modifyEnd(sql`without rowid`));
  // The record of each capture: written in the transaction that stores its events, so it is never half done.
  await db.schema
    .createTable('capture_jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('owner_subject_id', 'text')
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('event_count', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('errors', 'text', (c) => c.notNull())
    .addColumn('warnings', 'text', (c) => c.notNull())
    .addColumn('event_ids', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('capture_jobs_owner_idx').on('capture_jobs').columns(['owner_subject_id', 'id']).execute();

  // seq is allocated in blocks before the insert (db/ knows how: a counter row on SQLite, a sequence on PostgreSQL,
  // which concurrent captures do not queue behind).
  if (postgres) await sql`create sequence if not exists event_seq`.execute(db);
  await db.schema
    .createTable('events')
    .addColumn('seq', key, (c) => c.primaryKey())
    .addColumn('event_id', 'text', (c) => c.notNull().unique())
    .addColumn('event_hash', 'text', (c) => c.notNull().unique())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('action', 'text')
    .addColumn('biz_step', 'text')
    .addColumn('disposition', 'text')
    .addColumn('event_time', 'text', (c) => c.notNull())
    .addColumn('event_time_ms', 'bigint', (c) => c.notNull())
    .addColumn('record_time', 'text', (c) => c.notNull())
    .addColumn('record_time_ms', 'bigint', (c) => c.notNull())
    .addColumn('read_point', 'text')
    .addColumn('biz_location', 'text')
    .addColumn('owner_subject_id', 'text')
    .addColumn('product_class', 'text')
    .addColumn('capture_id', 'text', (c) => c.notNull())
    .addColumn('context', 'text')
    .addColumn('body', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('events_time_idx').on('events').column('event_time_ms').execute();
  await db.schema.createIndex('events_record_time_idx').on('events').column('record_time_ms').execute();
  await db.schema.createIndex('events_biz_step_idx').on('events').columns(['biz_step', 'event_time_ms']).execute();
  await db.schema.createIndex('events_biz_location_idx').on('events').columns(['biz_location', 'event_time_ms']).execute();
  await db.schema.createIndex('events_read_point_idx').on('events').columns(['read_point', 'event_time_ms']).execute();

  // Every identifier once, in canonical form; events refer to it by number. An item is named by several events
  // (commissioned, packed, shipped, received, sold): storing and indexing its URL once keeps writes and joins small.
  await db.schema
    .createTable('identifiers')
    .addColumn('id', key, (c) => c.primaryKey())
    .addColumn('identifier', 'text', (c) => c.notNull().unique())
    .execute();
  if (postgres) await sql`create sequence if not exists identifier_seq`.execute(db);

  // What each event names, with its role: what MATCH_* queries and traces look up.
  await keyed(
    db.schema
      .createTable('event_identifiers')
      .addColumn('identifier_id', 'bigint', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('seq', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('event_identifiers_pkey', ['identifier_id', 'role', 'seq']),
  ).execute();
  await db.schema.createIndex('event_identifiers_seq_idx').on('event_identifiers').column('seq').execute();

  // Top-level ILMD and extension fields, for EQ_/GE_/LT_ queries on them.
  await db.schema
    .createTable('event_fields')
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('text_value', 'text')
    .addColumn('num_value', 'double precision')
    .execute();
  await db.schema.createIndex('event_fields_text_idx').on('event_fields').columns(['scope', 'name', 'text_value']).execute();
  await db.schema.createIndex('event_fields_num_idx').on('event_fields').columns(['scope', 'name', 'num_value']).execute();

  // Subjects an event concerns: its owner, and the registered subjects behind its GLNs (location, parties).
  await keyed(
    db.schema
      .createTable('event_subjects')
      .addColumn('subject_id', 'text', (c) => c.notNull())
      .addColumn('seq', 'bigint', (c) => c.notNull())
      .addColumn('relation', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('event_subjects_pkey', ['subject_id', 'seq']),
  ).execute();
  await db.schema.createIndex('event_subjects_seq_idx').on('event_subjects').column('seq').execute();

  // Namespace prefixes declared by captured documents, so a query may say EQ_ILMD_example:weight as the documents do.
  await db.schema
    .createTable('namespaces')
    .addColumn('prefix', 'text', (c) => c.primaryKey())
    .addColumn('iri', 'text', (c) => c.notNull())
    .execute();

  // Corrections: an event with an errorDeclaration whose canonical hash matches a stored event declares that event
  // in error; its corrective events are listed.
  await db.schema
    .createTable('event_corrections')
    .addColumn('declared_seq', 'bigint', (c) => c.notNull())
    .addColumn('declaration_time', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('corrective_event_ids', 'text', (c) => c.notNull())
    .addColumn('error_declaration', 'text', (c) => c.notNull())
    .addColumn('capture_id', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('event_corrections_declared_idx').on('event_corrections').column('declared_seq').execute();
  await db.schema
    .createTable('event_corrective_ids')
    .addColumn('declared_seq', 'bigint', (c) => c.notNull())
    .addColumn('corrective_event_id', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('event_corrective_ids_idx').on('event_corrective_ids').column('corrective_event_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) {
    await sql`drop sequence if exists event_seq`.execute(db);
    await sql`drop sequence if exists identifier_seq`.execute(db);
  }
  for (const table of ['namespaces', 'event_corrective_ids', 'event_corrections', 'event_subjects', 'event_fields', 'event_identifiers', 'identifiers', 'events', 'capture_jobs']) {
    await db.schema.dropTable(table).execute();
  }
}
