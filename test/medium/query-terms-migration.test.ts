import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Kysely } from 'kysely';
import { storedEventRow } from '../builders/stored-rows.js';
import { openMigratedFrom, TEST_DIALECTS } from '../support/databases.js';

/**
 * Events stored before the transformation ID and persistent dispositions were indexed, and a correction whose reason
 * was kept as spelt, are found by the query parameters that need them once the query-terms migration has run.
 */
const TRANSFORMATION = 'urn:uuid:0c5e8d1a-0000-4000-8000-00000000a001';
const LOT = 'https://id.gs1.org/01/06901234000023/10/L-9';
const LONG_TRANSFORMATION = `urn:example:${randomBytes(1500).toString('hex')}`;

const eventRow = (seq: number, body: Record<string, unknown>) => storedEventRow(seq, body);

async function writeBeforeMigration(db: Kysely<any>): Promise<void> {
  await db.insertInto('capture_jobs').values({ id: 'cap-old', owner_subject_id: null, actor: 'test', status: 'succeeded', event_count: 6, created_at: '2026-04-02T00:00:00.000Z', errors: '[]', warnings: '[]', event_ids: '[]', context: JSON.stringify(['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { ex: 'https://example.com/ns/' }]) }).execute();
  await db
    .insertInto('events')
    .values([
      // The business transaction and the transformation are one document here, so the event already starts a posting
      // of that term, under its transaction role.
      eventRow(1, { type: 'TransformationEvent', eventTime: '2026-04-01T08:00:00+08:00', outputQuantityList: [{ epcClass: LOT }], transformationID: TRANSFORMATION, bizTransactionList: [{ type: 'po', bizTransaction: TRANSFORMATION }] }),
      eventRow(2, { type: 'ObjectEvent', eventTime: '2026-04-01T08:00:00+08:00', action: 'OBSERVE', epcList: [], persistentDisposition: { set: ['urn:epcglobal:cbv:disp:completeness_verified'] } }),
      eventRow(3, { type: 'ObjectEvent', eventTime: '2026-04-01T08:00:00+08:00', action: 'OBSERVE', epcList: [], comment: 'transformationID and persistentDisposition only in words' }),
      eventRow(4, {
        type: 'ObjectEvent',
        eventTime: '2026-04-01T08:00:00+08:00',
        action: 'OBSERVE',
        epcList: [],
        sensorElementList: [{ sensorMetadata: { deviceID: 'urn:epc:id:giai:6901234.LOGGER1' }, sensorReport: [{ type: 'gs1:Temperature', maxValue: 9, uom: 'CEL' }, { type: 'Humidity', value: 70, uom: 'P1' }] }],
      }),
      // A prefix declared by its capture document (kept on the job), used inside a nested extension.
      eventRow(5, { type: 'ObjectEvent', eventTime: '2026-04-01T08:00:00+08:00', action: 'OBSERVE', epcList: [], 'ex:inspection': { 'ex:result': 'pass' } }),
      // Stored before identifiers had a length bound: too long for an index entry, random so it does not compress.
      eventRow(6, { type: 'TransformationEvent', eventTime: '2026-04-01T08:00:00+08:00', outputQuantityList: [{ epcClass: LOT }], transformationID: LONG_TRANSFORMATION }),
    ])
    .execute();
  await db.insertInto('postings').values({ term: TRANSFORMATION, first_seq: 1, entries: JSON.stringify([[1, 'biz_transaction:po']]) }).execute();
  await db
    .insertInto('event_corrections')
    .values({ declared_seq: 2, declaration_time: '2026-04-03T00:00:00.000Z', reason: 'https://ref.gs1.org/cbv/ER-incorrect_data', corrective_event_ids: '[]', error_declaration: '{}', capture_id: 'cap-old', recorded_at: '2026-04-03T00:00:00.000Z' })
    .execute();
}

for (const dialect of TEST_DIALECTS) {
  describe(`query-terms migration on ${dialect}`, () => {
    let opened: Awaited<ReturnType<typeof openMigratedFrom>>;
    before(async () => {
      opened = await openMigratedFrom(dialect, '2026-11-23-04-vocabulary-indexes', writeBeforeMigration);
      assert.equal(opened.migrated[0], '2026-11-23-05-query-terms');
    });
    after(() => opened.close());

    const seqsOf = (params: Record<string, string>) => opened.seqsOf(params);

    test('the transformation ID of an event stored before is found, and the posting it shared keeps its old entry', async () => {
      assert.deepEqual(await seqsOf({ EQ_transformationID: TRANSFORMATION }), [1]);
      assert.deepEqual(await seqsOf({ EQ_bizTransaction_po: TRANSFORMATION }), [1]);
    });

    test('persistent dispositions of events stored before are found by their canonical word', async () => {
      assert.deepEqual(await seqsOf({ EQ_persistentDisposition_set: 'completeness_verified' }), [2]);
      assert.deepEqual(await seqsOf({ EQ_persistentDisposition_unset: 'completeness_verified' }), []);
    });

    test('an error reason kept as spelt is found under any spelling', async () => {
      assert.deepEqual(await seqsOf({ EQ_errorReason: 'incorrect_data' }), [2]);
      assert.deepEqual(await seqsOf({ EQ_errorReason: 'urn:epcglobal:cbv:er:incorrect_data' }), [2]);
    });

    test('the sensor reports of events stored before answer the sensor parameters', async () => {
      assert.deepEqual(await seqsOf({ EQ_type: 'Temperature', GT_maxValue_CEL: '8' }), [4]);
      assert.deepEqual(await seqsOf({ EQ_type: 'Temperature', GT_value_P1: '50' }), []);
      assert.deepEqual(await seqsOf({ EQ_deviceID: 'https://id.gs1.org/8004/6901234LOGGER1' }), [4]);
      assert.deepEqual(await seqsOf({ EXISTS_sensorElementList: '' }), [4]);
    });

    test('fields nested in the extensions of events stored before are found as inner fields', async () => {
      assert.deepEqual(await seqsOf({ 'EQ_INNER_https://example.com/ns/result': 'pass' }), [5]);
      assert.deepEqual(await seqsOf({ 'EQ_https://example.com/ns/result': 'pass' }), []);
    });

    test('an identifier too long for an index, stored before the bound, is left out instead of failing the migration', async () => {
      assert.deepEqual(await seqsOf({ EQ_transformationID: LONG_TRANSFORMATION }), []);
      assert.deepEqual(await seqsOf({ EQ_transformationID: TRANSFORMATION }), [1]);
    });

    test('an event that only mentions the words in its text gains no posting', async () => {
      const rows = await opened.database.db.selectFrom('postings').select('entries').execute();
      assert.ok(rows.every((r) => !r.entries.startsWith('[[3,')), JSON.stringify(rows));
    });
  });
}
