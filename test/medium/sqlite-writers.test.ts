import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { migrate, type Database } from '../../src/db/database.js';
import { openTestDatabase } from '../support/databases.js';

/**
 * Capture writes SQLite from its own connection (a writer worker), so the platform's other writes meet a second
 * writer. A transaction that reads and then writes must wait for the other writer's commit, not fail because its
 * snapshot went stale while it waited.
 */
describe('SQLite transactions beside another writer', () => {
  let file: string;
  let database: Database;
  let close: () => Promise<void>;
  before(async () => {
    const opened = await openTestDatabase('sqlite');
    ({ database, close } = opened);
    file = opened.target.url;
    await migrate(database);
  });
  after(() => close());

  /** Another process takes the write lock, writes a counter row, holds the lock for `ms`, then commits. */
  async function holdWriteLock(ms: number): Promise<{ released: Promise<void> }> {
    const script = `
      const Database = require('better-sqlite3');
      const db = new Database(process.argv[1]);
      db.pragma('busy_timeout = 5000');
      db.exec('begin immediate');
      db.prepare("insert into counters (name, value) values ('other-writer', 1)").run();
      process.stdout.write('locked\\n');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ${ms});
      db.exec('commit');
      db.close();`;
    const child = spawn(process.execPath, ['-e', script, file], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => (chunk.toString().includes('locked') ? resolve() : undefined));
      child.once('exit', (code) => reject(new Error(`the other writer exited early (${code})`)));
    });
    return { released: new Promise((resolve) => child.once('exit', () => resolve())) };
  }

  test('a read-then-write transaction waits for the other writer and then succeeds', async () => {
    const { released } = await holdWriteLock(300);
    await database.transaction(async (trx) => {
      await trx.selectFrom('counters').selectAll().execute();
      await trx.insertInto('counters').values({ name: 'this-writer', value: 1 }).execute();
    });
    await released;
    const names = (await database.db.selectFrom('counters').select('name').orderBy('name').execute()).map((r) => r.name);
    assert.ok(names.includes('other-writer') && names.includes('this-writer'), names.join(', '));
  });
});
