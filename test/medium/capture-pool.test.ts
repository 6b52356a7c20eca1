import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Worker } from 'node:worker_threads';
import { systemPrincipal } from '../../src/access/principal.js';
import { CapturePool } from '../../src/capture/capture-pool.js';
import { migrate, openDatabase } from '../../src/db/database.js';
import { DomainError } from '../../src/domain/errors.js';
import { EventsRepository } from '../../src/events/events.repository.js';
import { epcisDocument, objectEvent, sgtin } from '../builders/epcis.js';
import { openTestDatabase } from '../support/databases.js';

/**
 * The capture pool where the database lives in this thread only (in-memory SQLite; in-process PostgreSQL is the same
 * case): workers prepare, this thread writes. The file and server cases run in every API test.
 */
describe('capture pool on a database only this thread reaches', () => {
  for (const workers of [0, 1]) {
    test(`${workers} worker(s): a valid document is stored, an invalid one refused whole`, async () => {
      const database = await openDatabase(':memory:');
      await migrate(database);
      const pool = new CapturePool(database, workers);
      try {
        assert.equal(database.sharing, null);
        const admin = systemPrincipal('test');
        const events = [objectEvent({ epcList: [sgtin(1)] }), objectEvent({ epcList: [sgtin(2)] })];
        const job = await pool.capture(admin, null, JSON.stringify(epcisDocument(events)));
        assert.equal(job.status, 'succeeded');
        assert.equal(job.eventIDs.length, 2);
        const repository = new EventsRepository(database.db);
        for (const id of job.eventIDs) assert.ok(await repository.findByEventId(id), `event ${id} is stored`);

        const invalid = epcisDocument([objectEvent({ epcList: [sgtin(3)] }), objectEvent({ bizStep: 'not-a-cbv-word' })]);
        await assert.rejects(pool.capture(admin, null, JSON.stringify(invalid)), (error: unknown) => error instanceof DomainError && error.code === 'epcis-validation-failed');
        await assert.rejects(pool.capture(admin, null, '{"not json'), (error: unknown) => error instanceof DomainError && error.code === 'invalid-json');
        const count = await database.db.selectFrom('events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
        assert.equal(Number(count.n), 2, 'nothing of the refused documents was stored');
      } finally {
        await pool.close();
        await database.close();
      }
    });
  }
});

describe('capture pool after a worker dies', () => {
  test('the capture it held fails, and the next one is stored by fresh workers (one writer)', async () => {
    const { database, close } = await openTestDatabase('sqlite');
    await migrate(database);
    const pool = new CapturePool(database, 1);
    const admin = systemPrincipal('test');
    try {
      const first = await pool.capture(admin, null, JSON.stringify(epcisDocument([objectEvent({ epcList: [sgtin(1)] })])));
      assert.equal(first.status, 'succeeded');
      // What a crash looks like from outside: the preparing worker is gone, mid-way through a document (a large one,
      // so that it is still being prepared when the worker ends).
      const internals = pool as unknown as { slots: { worker: Worker }[]; writers: Worker[] };
      const large = epcisDocument(Array.from({ length: 3000 }, (_, i) => objectEvent({ epcList: [sgtin(100 + i)] })));
      const doomed = pool.capture(admin, null, JSON.stringify(large));
      await internals.slots[0]!.worker.terminate();
      await assert.rejects(doomed, /capture worker stopped/);
      const oldWriter = internals.writers[0];
      const next = await pool.capture(admin, null, JSON.stringify(epcisDocument([objectEvent({ epcList: [sgtin(3)] })])));
      assert.equal(next.status, 'succeeded');
      assert.equal(internals.writers.length, 1, 'one writer');
      assert.notEqual(internals.writers[0], oldWriter, 'the old writer was ended');
    } finally {
      await pool.close();
      await close();
    }
  });
});

describe('capture pool when idle', () => {
  test('workers idle for the set time are ended, and the next document starts them again', async () => {
    const { database, close } = await openTestDatabase('sqlite');
    await migrate(database);
    const pool = new CapturePool(database, 1, 100);
    const admin = systemPrincipal('test');
    try {
      assert.equal(pool.running, 0, 'no workers before the first document');
      const first = await pool.capture(admin, null, JSON.stringify(epcisDocument([objectEvent({ epcList: [sgtin(1)] })])));
      assert.equal(first.status, 'succeeded');
      assert.equal(pool.running, 2, 'a preparing worker and the writer');
      for (let waited = 0; pool.running > 0 && waited < 10_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(pool.running, 0, 'ended once idle');
      const second = await pool.capture(admin, null, JSON.stringify(epcisDocument([objectEvent({ epcList: [sgtin(2)] })])));
      assert.equal(second.status, 'succeeded', 'the next document starts them again');
      assert.equal(pool.running, 2);
      const count = await database.db.selectFrom('events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      assert.equal(Number(count.n), 2, 'every document stored');
    } finally {
      await pool.close();
      await close();
    }
  });
});
