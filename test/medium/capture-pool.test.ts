import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { systemPrincipal } from '../../src/access/principal.js';
import { CapturePool } from '../../src/capture/capture-pool.js';
import { migrate, openDatabase } from '../../src/db/database.js';
import { DomainError } from '../../src/domain/errors.js';
import { EventsRepository } from '../../src/events/events.repository.js';
import { epcisDocument, objectEvent, sgtin } from '../builders/epcis.js';

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
