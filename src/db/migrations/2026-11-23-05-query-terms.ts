import { sql, type Kysely } from 'kysely';
import { normaliseErrorReason } from '../../epcis/cbv.js';
import { indexEvent } from '../../epcis/event-index.js';
import { MAX_KEY_LENGTH } from '../../epcis/validation/schemas.js';
import { isPostgres } from '../dialect.js';
import { fieldRows, sensorReportRows } from '../event-rows.js';

/**
 * The rest of the standard query language needs what the store did not keep:
 * - postings for the transformation ID and the persistent dispositions (EQ_transformationID,
 *   EQ_persistentDisposition_set/_unset), which capture now writes; here they are written for the events stored
 *   before, found by their text;
 * - the sensor reports, one row each with its element's metadata (`event_sensor_reports`), for the sensor parameters
 *   (EQ_type, GT_maxValue_CEL, GE_time, EXISTS_sensorElementList, …), likewise filled from the stored events;
 * - the fields nested inside ILMD and extension fields (EQ_INNER_…, scopes `ilmd_inner` and `ext_inner` of
 *   `event_fields`): nothing in an event's text tells cheaply whether it has any, so every stored event is read once;
 * - error reasons in canonical form (`incorrect_data` however it was spelt), so that EQ_errorReason compares one
 *   spelling.
 * It reads the stored events through today's indexer, which is what capture runs, so the terms are the ones a query
 * looks for.
 *
 * Frozen in time: never edit a migration once released; add a new one.
 */
const BATCH = 500;
const NEW_ROLES = new Set(['transformation_id', 'persistent_disposition_set', 'persistent_disposition_unset']);

export async function up(db: Kysely<any>): Promise<void> {
  const number = 'double precision';
  let table = db.schema
    .createTable('event_sensor_reports')
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('ordinal', 'integer', (c) => c.notNull());
  for (const column of ['type', 'device_id']) table = table.addColumn(column, 'text');
  for (const column of ['time_ms', 'start_time_ms', 'end_time_ms']) table = table.addColumn(column, 'bigint');
  table = table.addColumn('uom', 'text');
  for (const column of ['value', 'min_value', 'max_value', 'mean_value', 's_dev', 'perc_rank', 'perc_value']) table = table.addColumn(column, number);
  for (const column of ['string_value', 'boolean_value', 'hex_binary_value', 'uri_value', 'data_processing_method', 'microorganism', 'chemical_substance', 'biz_rules']) {
    table = table.addColumn(column, 'text');
  }
  table = table.addPrimaryKeyConstraint('event_sensor_reports_pkey', ['seq', 'ordinal']);
  await (isPostgres(db) ? table : table.modifyEnd(sql`without rowid`)).execute();
  // Queries start from the reports of one measurement type (temperature, humidity) more than from anything else.
  await db.schema.createIndex('event_sensor_reports_type_idx').on('event_sensor_reports').columns(['type', 'seq']).execute();

  let after = 0;
  for (;;) {
    const events: { seq: number | string; body: string; context: string | null }[] = await db
      .selectFrom('events as e')
      .leftJoin('capture_jobs as c', 'c.id', 'e.capture_id')
      .select(['e.seq', 'e.body', 'c.context'])
      .where('e.seq', '>', after)
      .orderBy('e.seq')
      .limit(BATCH)
      .execute();
    if (events.length === 0) break;
    for (const event of events) {
      const seq = Number(event.seq);
      const index = indexEvent(JSON.parse(event.body) as Record<string, unknown>, event.context === null ? undefined : JSON.parse(event.context));
      // Stored before identifiers and vocabulary values had a length bound: a longer one is left out of the indexes,
      // whose entries could not hold it.
      const sensorRows = sensorReportRows(seq, index.sensorReports).map((r) => (r.type !== null && r.type.length > MAX_KEY_LENGTH ? { ...r, type: null } : r));
      if (sensorRows.length) await db.insertInto('event_sensor_reports').values(sensorRows).execute();
      const innerRows = fieldRows(
        seq,
        index.fields.filter((f) => f.scope === 'ilmd_inner' || f.scope === 'ext_inner'),
      );
      if (innerRows.length) await db.insertInto('event_fields').values(innerRows).execute();
      const roles = new Map<string, string[]>();
      for (const { role, identifier } of index.identifiers) {
        if (NEW_ROLES.has(role) && identifier.length <= MAX_KEY_LENGTH) roles.set(identifier, [...(roles.get(identifier) ?? []), role]);
      }
      for (const [term, termRoles] of roles) {
        const added = termRoles.map((role) => [seq, role]);
        // The event may already start a posting of this term under another role: its entries take the new ones too.
        const existing = await db.selectFrom('postings').select('entries').where('term', '=', term).where('first_seq', '=', seq).executeTakeFirst();
        if (existing) {
          const entries = JSON.stringify([...(JSON.parse(existing.entries) as unknown[]), ...added]);
          await db.updateTable('postings').set({ entries }).where('term', '=', term).where('first_seq', '=', seq).execute();
        } else {
          await db.insertInto('postings').values({ term, first_seq: seq, entries: JSON.stringify(added) }).execute();
        }
      }
    }
    after = Number(events[events.length - 1]!.seq);
  }

  const reasons: { declared_seq: number | string; declaration_time: string; reason: string }[] = await db
    .selectFrom('event_corrections')
    .select(['declared_seq', 'declaration_time', 'reason'])
    .where('reason', 'is not', null)
    .execute();
  for (const row of reasons) {
    const normalised = normaliseErrorReason(row.reason);
    const canonical = normalised.ok && normalised.canonical ? normalised.canonical : row.reason;
    if (canonical === row.reason) continue;
    await db
      .updateTable('event_corrections')
      .set({ reason: canonical })
      .where('declared_seq', '=', row.declared_seq)
      .where('declaration_time', '=', row.declaration_time)
      .execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  // The postings and reasons it wrote are what capture writes now; only the new table goes.
  await db.schema.dropTable('event_sensor_reports').execute();
}
