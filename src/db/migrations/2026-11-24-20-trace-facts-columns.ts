import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../dialect.js';

/**
 * `event_trace_facts` gains the event's own columns that a trace reads (its eventID, type, action, business step,
 * disposition and time), copied from `events`, which never change once written. A trace that may read every event
 * then reads one row per event instead of two rows in two tables, and never touches the table of bodies. The table
 * is rebuilt so that the columns are not null and stand before the facts.
 *
 * Frozen in time: never edit a migration once released; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const bigint = isPostgres(db) ? 'bigint' : 'integer';
  await db.schema
    .createTable('event_trace_rows')
    .addColumn('seq', bigint, (c) => c.primaryKey())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('action', 'text')
    .addColumn('biz_step', 'text')
    .addColumn('disposition', 'text')
    .addColumn('event_time_ms', 'bigint', (c) => c.notNull())
    .addColumn('facts', 'text', (c) => c.notNull())
    .execute();
  await sql`
    insert into event_trace_rows (seq, event_id, event_type, action, biz_step, disposition, event_time_ms, facts)
    select f.seq, coalesce(e.event_id, e.event_hash), e.event_type, e.action, e.biz_step, e.disposition, e.event_time_ms, f.facts
    from event_trace_facts f join events e on e.seq = f.seq`.execute(db);
  await db.schema.dropTable('event_trace_facts').execute();
  await db.schema.alterTable('event_trace_rows').renameTo('event_trace_facts').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  const bigint = isPostgres(db) ? 'bigint' : 'integer';
  await db.schema.createTable('event_trace_facts_only').addColumn('seq', bigint, (c) => c.primaryKey()).addColumn('facts', 'text', (c) => c.notNull()).execute();
  await sql`insert into event_trace_facts_only (seq, facts) select seq, facts from event_trace_facts`.execute(db);
  await db.schema.dropTable('event_trace_facts').execute();
  await db.schema.alterTable('event_trace_facts_only').renameTo('event_trace_facts').execute();
}
