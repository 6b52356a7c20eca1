import type { Kysely } from 'kysely';

/**
 * Indexes for the vocabulary filters of a query (EQ_bizStep, EQ_disposition, eventType) in the default order, the order
 * of capture. Without them the database either sorted every event of a common value (a bizStep names a third of a
 * chain's events) or walked the whole store looking for a rare one (a disposition such as `destroyed`), both growing
 * with the store. Keyed by seq, which only grows, each new entry goes at the end of its value's range: a handful of
 * pages take all of a capture's entries.
 *
 * Frozen in time: never edit a migration once released; add a new one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('events_biz_step_seq_idx').on('events').columns(['biz_step', 'seq']).execute();
  await db.schema.createIndex('events_disposition_seq_idx').on('events').columns(['disposition', 'seq']).execute();
  await db.schema.createIndex('events_type_seq_idx').on('events').columns(['event_type', 'seq']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const name of ['events_biz_step_seq_idx', 'events_disposition_seq_idx', 'events_type_seq_idx']) await db.schema.dropIndex(name).execute();
}
