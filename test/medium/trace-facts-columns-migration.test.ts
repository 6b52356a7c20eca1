import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Kysely } from 'kysely';
import { storedEventRow } from '../builders/stored-rows.js';
import { openMigratedFrom, TEST_DIALECTS } from '../support/databases.js';

/**
 * Trace facts written before they carried the event's columns get them from `events` when the migration runs; an
 * event stored before trace facts existed still has no row, and the trace reads it from its body.
 */
const FACTS = JSON.stringify({ epcs: [{ code: 'https://id.gs1.org/01/06901234000023/21/S1' }], eventTime: '2026-04-01T08:00:00+08:00' });

const BODY = { type: 'ObjectEvent', action: 'OBSERVE', eventTime: '2026-04-01T08:00:00+08:00', epcList: ['https://id.gs1.org/01/06901234000023/21/S1'] };
const eventRow = (seq: number, eventId: string | null, bizStep: string | null) =>
  storedEventRow(seq, BODY, { event_id: eventId, action: 'OBSERVE', biz_step: bizStep, disposition: bizStep ? 'in_transit' : null });

async function writeBeforeMigration(db: Kysely<any>): Promise<void> {
  await db.insertInto('capture_jobs').values({ id: 'cap-old', owner_subject_id: null, actor: 'test', status: 'succeeded', event_count: 3, created_at: '2026-04-02T00:00:00.000Z', errors: '[]', warnings: '[]', event_ids: '[]', context: '[]' }).execute();
  await db.insertInto('events').values([eventRow(1, 'urn:uuid:0c5e8d1a-0000-4000-8000-00000000b001', 'shipping'), eventRow(2, null, null), eventRow(3, null, 'receiving')]).execute();
  await db.insertInto('event_trace_facts').values([{ seq: 1, facts: FACTS }, { seq: 2, facts: FACTS }]).execute();
}

for (const dialect of TEST_DIALECTS) {
  describe(`trace-facts columns migration on ${dialect}`, () => {
    let opened: Awaited<ReturnType<typeof openMigratedFrom>>;
    before(async () => {
      opened = await openMigratedFrom(dialect, '2026-11-24-19-event-trace-facts', writeBeforeMigration);
      assert.equal(opened.migrated[0], '2026-11-24-20-trace-facts-columns');
    });
    after(() => opened.close());

    test('the facts rows written before carry their events’ columns, the eventID being the hash where none was sent', async () => {
      const rows = await opened.database.db.selectFrom('event_trace_facts').selectAll().orderBy('seq').execute();
      assert.deepEqual(
        rows.map((r) => ({ ...r, seq: Number(r.seq), event_time_ms: Number(r.event_time_ms) })),
        [
          { seq: 1, event_id: 'urn:uuid:0c5e8d1a-0000-4000-8000-00000000b001', event_type: 'ObjectEvent', action: 'OBSERVE', biz_step: 'shipping', disposition: 'in_transit', event_time_ms: Date.parse('2026-04-01T00:00:00.000Z') + 1, facts: FACTS },
          { seq: 2, event_id: eventRow(2, null, null).event_hash, event_type: 'ObjectEvent', action: 'OBSERVE', biz_step: null, disposition: null, event_time_ms: Date.parse('2026-04-01T00:00:00.000Z') + 2, facts: FACTS },
        ],
      );
    });

    test('the trace reads facts rows and, for the event without one, its body, in event-time order', async () => {
      const rows = await opened.events.traceRowsAmong([3, 2, 1], { kind: 'all' });
      assert.deepEqual(
        rows.map((r) => [Number(r.seq), r.event_id, r.biz_step, r.trace_facts === null, typeof r.body]),
        [
          [1, 'urn:uuid:0c5e8d1a-0000-4000-8000-00000000b001', 'shipping', false, 'undefined'],
          [2, eventRow(2, null, null).event_hash, null, false, 'undefined'],
          [3, eventRow(3, null, null).event_hash, 'receiving', true, 'string'],
        ],
      );
    });
  });
}
