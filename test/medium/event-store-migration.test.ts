import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Kysely } from 'kysely';
import { parseEventQuery } from '../../src/epcis/query.js';
import type { EventsRepository } from '../../src/events/events.repository.js';
import { openMigratedFrom, TEST_DIALECTS } from '../support/databases.js';

/**
 * Events stored under the first event-store layout (one identifier row per mention) are still found, whole, after
 * the postings migration: by identifier, by location, by eventID, with their context and record time.
 */
const PIG = 'https://id.gs1.org/01/06901234000016/21/P-1';
const LOT = 'https://id.gs1.org/01/06901234000023/10/L-7';
const FARM = 'https://id.gs1.org/414/6901234000017';
const SUBJECT = 'subject-farm';
const OTHER = 'subject-market';
const HASH_A = 'ni:///sha-256;aaaa?ver=CBV2.0';
const HASH_B = 'ni:///sha-256;bbbb?ver=CBV2.0';

function oldEventRow(seq: number, id: string, hash: string, body: Record<string, unknown>, captureId: string) {
  return {
    seq,
    event_id: id,
    event_hash: hash,
    event_type: 'ObjectEvent',
    action: 'ADD',
    biz_step: 'https://ref.gs1.org/cbv/BizStep-commissioning',
    disposition: null,
    event_time: '2026-03-01T00:00:00.000Z',
    event_time_ms: Date.parse('2026-03-01T00:00:00.000Z') + seq,
    record_time: '2026-03-02T00:00:00.000Z',
    record_time_ms: Date.parse('2026-03-02T00:00:00.000Z'),
    read_point: FARM,
    biz_location: FARM,
    owner_subject_id: seq === 1 ? SUBJECT : OTHER,
    product_class: null,
    capture_id: captureId,
    context: JSON.stringify(['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { ex: 'https://example.com/ns/' }]),
    body: JSON.stringify(body),
  };
}

async function writeOldLayout(db: Kysely<any>): Promise<void> {
  await db.insertInto('capture_jobs').values({ id: 'cap-1', owner_subject_id: null, actor: 'test', status: 'succeeded', event_count: 2, created_at: '2026-03-02T00:00:00.000Z', errors: '[]', warnings: '[]', event_ids: '[]' }).execute();
  await db
    .insertInto('events')
    .values([
      oldEventRow(1, HASH_A, HASH_A, { type: 'ObjectEvent', eventTime: '2026-03-01T08:00:00+08:00', epcList: [PIG], quantityList: [{ epcClass: LOT }] }, 'cap-1'),
      oldEventRow(2, 'urn:uuid:5b1d0a1e-0000-4000-8000-000000000002', HASH_B, { type: 'ObjectEvent', eventTime: '2026-03-01T08:00:00+08:00', epcList: [PIG] }, 'cap-1'),
    ])
    .execute();
  await db.insertInto('identifiers').values([{ id: 1, identifier: PIG }, { id: 2, identifier: LOT }, { id: 3, identifier: FARM }]).execute();
  await db
    .insertInto('event_identifiers')
    .values([
      { identifier_id: 1, role: 'epc', seq: 1 },
      { identifier_id: 2, role: 'epc_class', seq: 1 },
      { identifier_id: 3, role: 'source:location', seq: 1 },
      { identifier_id: 1, role: 'epc', seq: 2 },
    ])
    .execute();
  await db.insertInto('event_subjects').values([{ subject_id: SUBJECT, seq: 1, relation: 'owner' }, { subject_id: OTHER, seq: 2, relation: 'owner' }]).execute();
}

for (const dialect of TEST_DIALECTS) {
  describe(`event store migration to postings on ${dialect}`, () => {
    let opened: Awaited<ReturnType<typeof openMigratedFrom>>;
    let events: EventsRepository;
    before(async () => {
      opened = await openMigratedFrom(dialect, '2026-11-23-02-event-store', writeOldLayout);
      events = opened.events;
      // The postings migration runs first, then every later one: the data must read back through today's schema.
      assert.equal(opened.migrated[0], '2026-11-23-03-event-postings');
    });
    after(() => opened.close());

    const seqsOf = (params: Record<string, string>) => opened.seqsOf(params);

    test('identifiers and locations are found through the postings', async () => {
      assert.deepEqual(await seqsOf({ MATCH_epc: PIG }), [1, 2]);
      assert.deepEqual(await seqsOf({ MATCH_epcClass: LOT }), [1]);
      assert.deepEqual(await seqsOf({ EQ_bizLocation: FARM }), [1, 2]);
      assert.deepEqual(await seqsOf({ EQ_readPoint: FARM }), [1, 2]);
      assert.deepEqual(await seqsOf({ MATCH_anyEPC: LOT }), []);
    });

    test('eventIDs survive: a hash ID and a client-given ID', async () => {
      const a = await events.findByEventId(HASH_A);
      const b = await events.findByEventId('urn:uuid:5b1d0a1e-0000-4000-8000-000000000002');
      assert.equal(a?.eventHash, HASH_A);
      assert.equal(b?.eventHash, HASH_B);
      assert.equal(await events.findByEventId(HASH_B), undefined, 'an event with its own eventID is not found by its hash');
      assert.equal(a?.recordTime, '2026-03-02T00:00:00.000Z');
      assert.deepEqual(a?.context, ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { ex: 'https://example.com/ns/' }]);
      assert.deepEqual(a?.body.epcList, [PIG]);
    });

    test('what a subject has held still reaches the events of others about the same thing', async () => {
      assert.equal(await events.subjectHasHeld(SUBJECT, 2), true);
      assert.equal(await events.subjectHasHeld('subject-unrelated', 2), false);
      const seen = await events.query(parseEventQuery({}), { kind: 'subject', subjectId: SUBJECT }, null, 10);
      assert.deepEqual(seen.map((e) => e.seq).sort(), [1, 2]);
    });
  });
}
