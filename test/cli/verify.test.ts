import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { openDatabase, type Database } from '../../src/db/database.js';
import { eventHash } from '../../src/epcis/event-hash.js';
import { buildHttpApp } from '../../src/http/app.js';
import { createPlatform } from '../../src/platform.js';
import { epcisDocument, objectEvent, sgtin } from '../builders/epcis.js';
import { subjectBody } from '../builders/master-data.js';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '../support/databases.js';
import { call, testEnv } from '../support/platform.js';
import { runCli } from '../support/process.js';


const zhuisu = runCli;

interface Problem {
  code: string;
  table: string;
  row: Record<string, string | number>;
  message: string;
}

// The dialects run side by side (each CLI run spends seconds loading); within one, tamperings take turns on its store.
describe('zhuisu verify', { concurrency: true }, () => {
  for (const dialect of TEST_DIALECTS) {
    describe(`on ${dialect}`, { concurrency: 1 }, () => {
      let target: TestDatabase;
      let env: Record<string, string>;
      /** An event of the first document, one that a later document declared an error on, and the checkpoint sizes. */
      let events: { seq: number; eventID: string }[];
      let checkpointSizes: number[];

      const withDb = async <T>(work: (database: Database) => Promise<T>): Promise<T> => {
        const database = await openDatabase(env.DATABASE_URL!, target.schema ? { schema: target.schema } : {});
        try {
          return await work(database);
        } finally {
          await database.close();
        }
      };

      before(async () => {
        target = await createTestDatabase(dialect);
        // PGlite lives inside one process; the CLI runs in another, so it must be the file-backed form.
        env = testEnv(target.url === 'pglite:' ? { ...target, url: `pglite:${target.dataDir}/pg` } : target);
        const platform = await createPlatform(loadConfig(env));
        const app = await buildHttpApp(platform, { logger: false });
        platform.ready = true;
        try {
          // 300 events and the audit leaf: more than a full tile, so level 8 holds a stored node.
          const first = Array.from({ length: 300 }, (_, i) => objectEvent({ epcList: [sgtin(70_000 + i)] }));
          const captured = await call(app, 'POST', '/epcis/capture', { body: epcisDocument(first) });
          assert.equal(captured.status, 202);
          assert.equal(captured.json.success, true, JSON.stringify(captured.json));
          assert.equal((await call(app, 'GET', '/log/checkpoint')).status, 200);
          // A correction of a stored event, a new event beside it, and a master-data write.
          const declared = { ...first[5]!, errorDeclaration: { declarationTime: '2024-05-03T10:00:00.000+08:00', reason: 'incorrect_data' } };
          const second = await call(app, 'POST', '/epcis/capture', { body: epcisDocument([declared, objectEvent({ epcList: [sgtin(79_999)] })]) });
          assert.equal(second.json.success, true, JSON.stringify(second.json));
          assert.equal((await call(app, 'POST', '/api/v1/subjects', { body: subjectBody() })).status, 201);
          assert.equal((await call(app, 'GET', '/log/checkpoint')).status, 200);
        } finally {
          await app.close();
          await platform.close();
        }
        await withDb(async ({ db }) => {
          const rows = await db.selectFrom('events').select(['seq', 'event_id', 'event_hash']).orderBy('seq').execute();
          events = rows.map((r) => ({ seq: Number(r.seq), eventID: r.event_id ?? r.event_hash }));
          checkpointSizes = (await db.selectFrom('log_checkpoints').select('size').orderBy('size').execute()).map((r) => Number(r.size));
        });
        assert.equal(events.length, 301);
        assert.equal(checkpointSizes.length, 2);
      });
      after(() => target.drop());

      /** Tampers, runs verify, restores; returns what verify said. */
      const tampered = async (tamper: (database: Database) => Promise<(database: Database) => Promise<void>>) => {
        const restore = await withDb(tamper);
        try {
          return await zhuisu(env, 'verify');
        } finally {
          await withDb(restore);
        }
      };
      const expectProblem = (run: { code: number | null; stdout: string; stderr: string }, table: string, code: string, row: string) => {
        assert.equal(run.code, 1, `exit 1 on ${code}: ${run.stdout}${run.stderr}`);
        assert.match(run.stdout, /FAILED: \d+ problems?/);
        const line = run.stdout.split('\n').find((l) => l.includes(`[${code}]`));
        assert.ok(line, `a ${code} problem is reported:\n${run.stdout}`);
        assert.ok(line.startsWith(`  ${table} ${row}`), `the problem names ${table} ${row}: ${line}`);
        assert.ok(!run.stderr.includes('    at '), 'no stack trace');
      };

      test('a store written through the platform verifies clean', async () => {
        const run = await zhuisu(env, 'verify', '--json');
        assert.equal(run.code, 0, run.stdout + run.stderr);
        const report = JSON.parse(run.stdout);
        assert.equal(report.ok, true);
        assert.equal(report.treeSize, 305);
        assert.deepEqual(report.checked, { leaves: 305, nodes: 1, roots: 3, checkpoints: 2, events: 301, corrections: 1, audits: 3 });
        assert.deepEqual(report.problems, []);
      });

      test("an edited event body is named by its eventID", async () => {
        const victim = events[10]!;
        const run = await tampered(async ({ db }) => {
          const { body } = await db.selectFrom('events').select('body').where('seq', '=', victim.seq).executeTakeFirstOrThrow();
          await db.updateTable('events').set({ body: body.replace('"commissioning"', '"shipping"') }).where('seq', '=', victim.seq).execute();
          return async ({ db }) => void (await db.updateTable('events').set({ body }).where('seq', '=', victim.seq).execute());
        });
        expectProblem(run, 'events', 'event-hash-mismatch', `eventID=${victim.eventID} seq=${victim.seq}`);
      });

      test('a deleted event is named by the leaf that records it', async () => {
        const victim = events[20]!;
        const run = await tampered(async ({ db }) => {
          const row = await db.selectFrom('events').selectAll().where('seq', '=', victim.seq).executeTakeFirstOrThrow();
          await db.deleteFrom('events').where('seq', '=', victim.seq).execute();
          return async ({ db }) => void (await db.insertInto('events').values(row).execute());
        });
        expectProblem(run, 'log_leaves', 'event-leaf-without-event', `idx=20 eventID=${victim.eventID}`);
      });

      test('an event inserted beside the platform is named as not in the log', async () => {
        const extra = objectEvent({ epcList: [sgtin(88_888)] });
        const hash = eventHash(extra, epcisDocument()['@context'] as never);
        const run = await tampered(async ({ db }) => {
          const model = await db.selectFrom('events').selectAll().where('seq', '=', events[0]!.seq).executeTakeFirstOrThrow();
          await db.insertInto('events').values({ ...model, seq: 9_000_000, event_id: null, event_hash: hash, body: JSON.stringify(extra) }).execute();
          return async ({ db }) => void (await db.deleteFrom('events').where('seq', '=', 9_000_000).execute());
        });
        expectProblem(run, 'events', 'event-not-in-log', `eventID=${hash} seq=9000000`);
      });

      test("an edited column the queries read is named by the event's eventID", async () => {
        const victim = events[11]!;
        const run = await tampered(async ({ db }) => {
          const { biz_step } = await db.selectFrom('events').select('biz_step').where('seq', '=', victim.seq).executeTakeFirstOrThrow();
          await db.updateTable('events').set({ biz_step: 'https://ref.gs1.org/cbv/BizStep-destroying' }).where('seq', '=', victim.seq).execute();
          return async ({ db }) => void (await db.updateTable('events').set({ biz_step }).where('seq', '=', victim.seq).execute());
        });
        expectProblem(run, 'events', 'event-columns-mismatch', `eventID=${victim.eventID} seq=${victim.seq}`);
        assert.match(run.stdout, /biz_step/);
      });

      test("edited trace facts are named by the event's eventID", async () => {
        const victim = events[12]!;
        const run = await tampered(async ({ db }) => {
          const { facts } = await db.selectFrom('event_trace_facts').select('facts').where('seq', '=', victim.seq).executeTakeFirstOrThrow();
          // The event no longer names its item: a trace would stop there.
          const edited = JSON.stringify({ ...JSON.parse(facts), epcs: [] });
          await db.updateTable('event_trace_facts').set({ facts: edited }).where('seq', '=', victim.seq).execute();
          return async ({ db }) => void (await db.updateTable('event_trace_facts').set({ facts }).where('seq', '=', victim.seq).execute());
        });
        expectProblem(run, 'event_trace_facts', 'trace-facts-mismatch', `eventID=${victim.eventID} seq=${victim.seq}`);
      });

      test("an indexed field added beside the platform is named by the event's eventID", async () => {
        const victim = events[13]!;
        const row = { seq: victim.seq, scope: 'ilmd' as const, name: 'https://ref.gs1.org/cbv/MDA-lotNumber', text_value: 'FORGED', num_value: null };
        const run = await tampered(async ({ db }) => {
          await db.insertInto('event_fields').values(row).execute();
          return async ({ db }) => void (await db.deleteFrom('event_fields').where('seq', '=', victim.seq).where('text_value', '=', 'FORGED').execute());
        });
        expectProblem(run, 'event_fields', 'event-fields-mismatch', `eventID=${victim.eventID} seq=${victim.seq}`);
      });

      test("an edited leaf entry is named by its index", async () => {
        const run = await tampered(async ({ db }) => {
          const { entry } = await db.selectFrom('log_leaves').select('entry').where('idx', '=', 42).executeTakeFirstOrThrow();
          await db.updateTable('log_leaves').set({ entry: entry.replace(/[0-9a-f](?=\?ver=CBV2\.0\n$)/, (d) => (d === '0' ? '1' : '0')) }).where('idx', '=', 42).execute();
          return async ({ db }) => void (await db.updateTable('log_leaves').set({ entry }).where('idx', '=', 42).execute());
        });
        expectProblem(run, 'log_leaves', 'leaf-hash-mismatch', 'idx=42');
      });

      test('a deleted leaf is named by its index', async () => {
        const run = await tampered(async ({ db }) => {
          const row = await db.selectFrom('log_leaves').selectAll().where('idx', '=', 7).executeTakeFirstOrThrow();
          await db.deleteFrom('log_leaves').where('idx', '=', 7).execute();
          return async ({ db }) => void (await db.insertInto('log_leaves').values(row).execute());
        });
        expectProblem(run, 'log_leaves', 'leaf-missing', 'idx=7');
        // And the event it recorded has lost its leaf.
        expectProblem(run, 'events', 'event-not-in-log', `eventID=${events[7]!.eventID}`);
      });

      test('a leaf inserted past the log\'s head is named by its index', async () => {
        const run = await tampered(async ({ db }) => {
          const { size } = await db.selectFrom('log_head').select('size').executeTakeFirstOrThrow();
          const last = await db.selectFrom('log_leaves').selectAll().where('idx', '=', Number(size) - 1).executeTakeFirstOrThrow();
          await db.insertInto('log_leaves').values({ ...last, idx: Number(size), record_seq: null }).execute();
          return async ({ db }) => void (await db.deleteFrom('log_leaves').where('idx', '=', Number(size)).execute());
        });
        const size = await withDb(async ({ db }) => Number((await db.selectFrom('log_head').select('size').executeTakeFirstOrThrow()).size));
        expectProblem(run, 'log_leaves', 'leaf-unexpected', `idx=${size}`);
      });

      test('a changed stored node is named by its level and index', async () => {
        const run = await tampered(async ({ db }) => {
          const { hash } = await db.selectFrom('log_nodes').select('hash').where('level', '=', 8).where('idx', '=', 0).executeTakeFirstOrThrow();
          await db.updateTable('log_nodes').set({ hash: '0'.repeat(64) }).where('level', '=', 8).where('idx', '=', 0).execute();
          return async ({ db }) => void (await db.updateTable('log_nodes').set({ hash }).where('level', '=', 8).where('idx', '=', 0).execute());
        });
        expectProblem(run, 'log_nodes', 'node-mismatch', 'level=8 idx=0');
      });

      test("a changed checkpoint signature is named by the checkpoint's size", async () => {
        const size = checkpointSizes[0]!;
        const run = await tampered(async ({ db }) => {
          const { note } = await db.selectFrom('log_checkpoints').select('note').where('size', '=', size).executeTakeFirstOrThrow();
          // A character in the middle of the first (Ed25519) signature line, swapped for another base64 digit.
          const line = note.indexOf('\u2014 ');
          const at = note.indexOf(' ', line + 2) + 20;
          const altered = note.slice(0, at) + (note[at] === 'A' ? 'B' : 'A') + note.slice(at + 1);
          await db.updateTable('log_checkpoints').set({ note: altered }).where('size', '=', size).execute();
          return async ({ db }) => void (await db.updateTable('log_checkpoints').set({ note }).where('size', '=', size).execute());
        });
        expectProblem(run, 'log_checkpoints', 'checkpoint-signature-invalid', `size=${size}`);
      });

      test('an edited audit row is named by its id', async () => {
        let id = '';
        const run = await tampered(async ({ db }) => {
          const row = await db.selectFrom('audit_log').select(['id', 'actor']).where('action', '=', 'subject.register').executeTakeFirst() ?? (await db.selectFrom('audit_log').select(['id', 'actor']).orderBy('id', 'desc').executeTakeFirstOrThrow());
          id = row.id;
          await db.updateTable('audit_log').set({ actor: 'someone-else' }).where('id', '=', id).execute();
          return async ({ db }) => void (await db.updateTable('audit_log').set({ actor: row.actor }).where('id', '=', id).execute());
        });
        expectProblem(run, 'audit_log', 'audit-row-altered', `id=${id}`);
      });

      test('every tampering was undone: the store verifies clean again', async () => {
        const run = await zhuisu(env, 'verify', '--json');
        assert.equal(run.code, 0, run.stdout);
        assert.deepEqual((JSON.parse(run.stdout) as { problems: Problem[] }).problems, []);
      });

      if (dialect === 'sqlite') {
        test('usage errors exit 2; without the signing keys checkpoints are reported unchecked, and no key is created', async () => {
          assert.equal((await zhuisu(env, 'verify', '--max-problems', 'none')).code, 2);
          const keyDir = join(target.dataDir, 'no-keys');
          const run = await zhuisu({ ...env, ZHUISU_KEY_DIR: keyDir }, 'verify', '--json');
          assert.equal(run.code, 1);
          const problems = (JSON.parse(run.stdout) as { problems: Problem[] }).problems;
          assert.deepEqual([...new Set(problems.map((p) => p.code))], ['signing-keys-missing']);
          assert.equal(existsSync(keyDir), false, 'verify created no keys');
        });
      }
    });
  }
});

describe('zhuisu keys', () => {
  test('init creates the keys once and prints public keys only; show prints them again', async () => {
    const target = await createTestDatabase('sqlite');
    try {
      const env = { ...testEnv(target), ZHUISU_LOG_ORIGIN: 'trace.example.cn/log' };
      const none = await zhuisu(env, 'keys', 'show');
      assert.equal(none.code, 1);
      assert.match(none.stderr, /no log signing keys .*zhuisu keys init/);
      assert.equal(existsSync(join(target.dataDir, 'keys')), false, 'show creates no keys');
      const init = await zhuisu(env, 'keys', 'init');
      assert.equal(init.code, 0, init.stderr);
      assert.ok(init.stdout.includes(`${target.dataDir}/keys`), 'says where the keys are');
      const vkey = /Ed25519 verifier key: (trace\.example\.cn\/log\+[0-9a-f]{8}\+\S+)/.exec(init.stdout)?.[1];
      assert.ok(vkey, init.stdout);
      assert.equal(init.stdout.includes('PRIVATE') || readdirSync(join(target.dataDir, 'keys')).some((f) => init.stdout.includes(readFileSync(join(target.dataDir, 'keys', f), 'utf8').trim())), false, 'no secret');
      const again = await zhuisu(env, 'keys', 'init');
      assert.equal(again.code, 1);
      assert.match(again.stderr, /already exist/);
      const show = await zhuisu(env, 'keys', 'show', '--json');
      assert.equal(show.code, 0, show.stderr);
      const published = JSON.parse(show.stdout) as { origin: string; keys: { algorithm: string; verifierKey: string }[] };
      assert.equal(published.origin, 'trace.example.cn/log');
      assert.deepEqual(published.keys.map((k) => k.algorithm), ['Ed25519', 'SM2']);
      assert.equal(published.keys[0]!.verifierKey, vkey, 'the same keys as init printed');
    } finally {
      await target.drop();
    }
  });
});
