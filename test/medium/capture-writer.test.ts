import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { systemPrincipal } from '../../src/access/principal.js';
import { CaptureWriter } from '../../src/capture/capture.writer.js';
import { prepareDocument } from '../../src/capture/prepare.js';
import { migrate, type Database } from '../../src/db/database.js';
import { EventsRepository } from '../../src/events/events.repository.js';
import { epcisDocument, objectEvent, sgtin } from '../builders/epcis.js';
import { openTestDatabase, TEST_DIALECTS } from '../support/databases.js';

/** The single writer: documents that wait together share a commit, and each is still stored whole or not at all. */
for (const dialect of TEST_DIALECTS) {
  describe(`capture writer on ${dialect}`, () => {
    let close: () => Promise<void>;
    let database: Database;
    before(async () => {
      ({ database, close } = await openTestDatabase(dialect));
      await migrate(database);
    });
    after(() => close());

    const document = (id: string, events: Record<string, unknown>[]) => ({ actor: systemPrincipal('test'), owner: null, prepared: prepareDocument(epcisDocument(events)), id });

    test('documents queued behind a running commit are written together, each with its own outcome', async () => {
      let transactions = 0;
      const counting: Database = { ...database, transaction: (work) => ((transactions += 1), database.transaction(work)) };
      const writer = new CaptureWriter(counting);
      const clash = 'urn:uuid:6f1c2a52-0000-4000-8000-00000000c1a5';
      const [first, second, third] = await Promise.all([
        writer.store(document('job-a', [objectEvent({ epcList: [sgtin(1)], eventID: clash })])),
        writer.store(document('job-b', [objectEvent({ epcList: [sgtin(2)] }), objectEvent({ epcList: [sgtin(3)] })])),
        // Its eventID is taken by job-a's event, committed in the transaction before: this document fails alone.
        writer.store(document('job-c', [objectEvent({ epcList: [sgtin(4)] }), objectEvent({ epcList: [sgtin(5)], eventID: clash })])),
      ]);
      assert.equal(transactions, 2, 'the first document alone, then the two that waited for it');
      assert.deepEqual([first!.status, second!.status, third!.status], ['succeeded', 'succeeded', 'failed']);
      const events = new EventsRepository(database.db);
      for (const id of [...first!.eventIDs, ...second!.eventIDs]) assert.ok(await events.findByEventId(id), `event ${id} is stored`);
      const count = await database.db.selectFrom('events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      assert.equal(Number(count.n), 3, 'nothing of the failed document was written');
    });
  });
}
