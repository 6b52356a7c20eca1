import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../dialect.js';

/**
 * A leaner event store, for capture throughput. Each B-tree entry costs a page write once the store outgrows the
 * cache, and the first layout wrote about 30 per event (an identifier row per mention, twice indexed, and seven
 * indexes on `events`). This one writes about ten:
 * - `postings` replaces `identifiers` + `event_identifiers`: one row per identifier per capture, listing the events
 *   (and roles) that name it. A chain's item is named by several events of one document, so a capture writes far
 *   fewer rows than mentions. Read points and business locations become postings too (roles `read_point`,
 *   `biz_location`) instead of two indexed columns.
 * - `events.event_id` is kept only when the client's eventID differs from the canonical hash, so the common case
 *   indexes one key instead of two; the document `@context` moves to its capture job instead of every event; the
 *   text copies of the two times go (the millisecond columns carry them).
 * - `events.object_ids` lists the things an event names (EPCs, parents, inputs, outputs, classes): what the tenancy
 *   rule "the history of what a subject has held" follows from an event to the others.
 *
 * Frozen in time: never edit a migration once released; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const postgres = isPostgres(db);
  const key = postgres ? 'bigint' : 'integer';
  const aggregate = postgres
    ? { pairs: sql`json_agg(json_build_array(m.seq, m.role) order by m.role)::text`, distinctTerms: sql`json_agg(distinct m.term)::text` }
    : { pairs: sql`json_group_array(json_array(m.seq, m.role))`, distinctTerms: sql`json_group_array(distinct m.term)` };
  const objectRoles = ['epc', 'parent', 'child', 'input', 'output', 'epc_class', 'child_class', 'input_class', 'output_class'];

  await db.schema.alterTable('capture_jobs').addColumn('context', 'text').execute();
  await sql`update capture_jobs set context = (select e.context from events e where e.capture_id = capture_jobs.id and e.context is not null limit 1)`.execute(db);

  // Every (term, event, role) the old layout knew, locations included.
  await sql`create temporary table migrating_mentions as
    select d.identifier as term, i.seq as seq, i.role as role from event_identifiers i join identifiers d on d.id = i.identifier_id
    union all select read_point, seq, 'read_point' from events where read_point is not null
    union all select biz_location, seq, 'biz_location' from events where biz_location is not null`.execute(db);

  const postings = db.schema
    .createTable('postings')
    // Byte order on PostgreSQL too, so that a prefix query is a range scan of the key.
    .addColumn('term', postgres ? sql`text collate "C"` : 'text', (c) => c.notNull())
    .addColumn('first_seq', 'bigint', (c) => c.notNull())
    .addColumn('entries', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('postings_pkey', ['term', 'first_seq']);
  await (postgres ? postings : postings.modifyEnd(sql`without rowid`)).execute();
  await sql`insert into postings (term, first_seq, entries)
    select m.term, m.seq, ${aggregate.pairs} from migrating_mentions m group by m.term, m.seq`.execute(db);

  await db.schema
    .createTable('events_lean')
    .addColumn('seq', key, (c) => c.primaryKey())
    .addColumn('event_id', 'text')
    .addColumn('event_hash', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('action', 'text')
    .addColumn('biz_step', 'text')
    .addColumn('disposition', 'text')
    .addColumn('event_time_ms', 'bigint', (c) => c.notNull())
    .addColumn('record_time_ms', 'bigint', (c) => c.notNull())
    .addColumn('owner_subject_id', 'text')
    .addColumn('product_class', 'text')
    .addColumn('capture_id', 'text', (c) => c.notNull())
    .addColumn('object_ids', 'text')
    .addColumn('body', 'text', (c) => c.notNull())
    .execute();
  await sql`insert into events_lean
    select e.seq, case when e.event_id = e.event_hash then null else e.event_id end, e.event_hash, e.event_type, e.action,
      e.biz_step, e.disposition, e.event_time_ms, e.record_time_ms, e.owner_subject_id, e.product_class, e.capture_id,
      (select ${aggregate.distinctTerms} from migrating_mentions m where m.seq = e.seq and m.role in (${sql.join(objectRoles)})),
      e.body
    from events e`.execute(db);
  await sql`drop table migrating_mentions`.execute(db);

  await db.schema.dropTable('event_identifiers').execute();
  await db.schema.dropTable('identifiers').execute();
  if (postgres) await sql`drop sequence if exists identifier_seq`.execute(db);
  await db.schema.dropTable('events').execute();
  await db.schema.alterTable('events_lean').renameTo('events').execute();
  await db.schema.createIndex('events_hash_key').on('events').column('event_hash').unique().execute();
  await db.schema.createIndex('events_id_key').on('events').column('event_id').unique().where(sql.ref('event_id'), 'is not', null).execute();
  await db.schema.createIndex('events_time_idx').on('events').column('event_time_ms').execute();
  await db.schema.createIndex('events_record_time_idx').on('events').column('record_time_ms').execute();
  await db.schema.createIndex('events_biz_step_idx').on('events').columns(['biz_step', 'event_time_ms']).execute();
}

export async function down(): Promise<void> {
  throw new Error('the event postings migration is not reversible; restore a backup taken before it');
}
