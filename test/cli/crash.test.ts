import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../../src/db/database.js';
import { epcisDocument, objectEvent, sgtin } from '../builders/epcis.js';
import { createTestDatabase, TEST_DIALECTS } from '../support/databases.js';
import { ADMIN_TOKEN, testEnv } from '../support/platform.js';
import { runCli } from '../support/process.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Documents posted at once, and events in each. */
const CONCURRENT = 8;
const EVENTS_PER_DOCUMENT = 25;
/** Acknowledged documents after which the server is killed, with others still on the wire. */
const KILL_AFTER = 40;

interface Acknowledged {
  captureID: string;
  eventIDs: string[];
}

/** The server as `zhuisu serve` runs it (as serve.test.ts starts it: the TypeScript sources, no build needed). */
async function startServer(env: Record<string, string>): Promise<{ server: ChildProcess; base: string; output: () => string }> {
  const server = spawn(process.execPath, ['--import', 'tsx', 'src/cli/run.ts', 'serve'], { cwd: ROOT, env: { ...process.env, ...env, PORT: '0', LOG_LEVEL: 'info' } });
  let out = '';
  server.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    server.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /"port":(\d+)/.exec(out) ?? /listening at http:\/\/[^:]+:(\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    server.on('exit', (code) => reject(new Error(`the server exited (${code}) before listening: ${out}`)));
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if ((await fetch(`${base}/healthz`).then((r) => r.status, () => 0)) === 200) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { server, base, output: () => out };
}

const zhuisu = runCli;

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('a server killed with SIGKILL in the middle of capturing', () => {
  for (const dialect of TEST_DIALECTS) {
    test(`on ${dialect}: the store verifies, and every acknowledged capture is in the log`, async (t) => {
      const target = await createTestDatabase(dialect);
      try {
        // PGlite runs inside the server's process: there is no database server to survive the kill, so no crash to test.
        if (target.url === 'pglite:') return t.skip('no PostgreSQL server (ZHUISU_TEST_PG_URL) to survive the kill');
        // The default origin follows PORT, and the server listens on port 0: name it, for the server and the verifier alike.
        const env = { ...testEnv(target), ZHUISU_LOG_ORIGIN: 'crash.test.example/log' };
        const { server, base, output } = await startServer(env);
        const pid = server.pid!;
        const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => server.once('exit', (code, signal) => resolve({ code, signal })));
        const acknowledged: Acknowledged[] = [];
        let inFlight = 0;
        let inFlightAtKill = -1;
        let killed = false;
        let serial = 0;
        const headers = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/ld+json' };

        const kill = () => {
          if (killed) return;
          killed = true;
          inFlightAtKill = inFlight;
          server.kill('SIGKILL');
        };
        const poster = async (worker: number) => {
          while (!killed) {
            const events = Array.from({ length: EVENTS_PER_DOCUMENT }, () => objectEvent({ epcList: [sgtin(`W${worker}N${(serial += 1)}`)] }));
            inFlight += 1;
            try {
              const response = await fetch(`${base}/epcis/capture`, { method: 'POST', headers, body: JSON.stringify(epcisDocument(events)) });
              const job = (await response.json()) as Acknowledged & { success: boolean };
              // Acknowledged: a 202 whose job says the events went in. Only then may the client forget the document.
              if (response.status === 202 && job.success) acknowledged.push({ captureID: job.captureID, eventIDs: job.eventIDs });
              else if (!killed) assert.fail(`capture answered ${response.status}: ${JSON.stringify(job)}`);
            } catch (error) {
              if (!killed) throw error;
            } finally {
              inFlight -= 1;
            }
            if (acknowledged.length >= KILL_AFTER) kill();
          }
        };
        // Checkpoints get signed while the log grows, so the verification has some to check.
        const checkpoints = (async () => {
          while (!killed) {
            await fetch(`${base}/log/checkpoint`).catch(() => undefined);
            await new Promise((r) => setTimeout(r, 150));
          }
        })();
        const safety = setTimeout(kill, 60_000);
        await Promise.all([...Array.from({ length: CONCURRENT }, (_, w) => poster(w)), checkpoints]);
        clearTimeout(safety);

        const { code, signal } = await exited;
        assert.equal(signal, 'SIGKILL', `killed, not exited (${code}): ${output().slice(-2000)}`);
        assert.equal(isAlive(pid), false, 'the server process is gone');
        assert.ok(acknowledged.length >= KILL_AFTER, `${acknowledged.length} captures acknowledged before the kill`);
        assert.ok(inFlightAtKill > 0, 'captures were on the wire when the server died');

        const verified = await zhuisu(env, 'verify', '--json');
        assert.equal(verified.code, 0, verified.stdout + verified.stderr);
        const report = JSON.parse(verified.stdout) as { ok: boolean; treeSize: number; checked: { events: number; checkpoints: number } };
        assert.equal(report.ok, true);
        assert.ok(report.checked.events >= KILL_AFTER * EVENTS_PER_DOCUMENT);
        t.diagnostic(`${acknowledged.length} documents acknowledged, ${inFlightAtKill} on the wire at the kill; the log holds ${report.treeSize} leaves, ${report.checked.checkpoints} checkpoints`);

        // Each acknowledged document: its job stored as succeeded, each of its events stored and named by its leaf.
        const database = await openDatabase(target.url, target.schema ? { schema: target.schema } : {});
        try {
          const { db } = database;
          const ids = acknowledged.map((a) => a.captureID);
          const jobs = await db.selectFrom('capture_jobs').select(['id', 'status']).where('id', 'in', ids).execute();
          assert.equal(jobs.length, ids.length, 'every acknowledged job is stored');
          assert.ok(jobs.every((j) => j.status === 'succeeded'));
          const eventIDs = acknowledged.flatMap((a) => a.eventIDs);
          assert.equal(eventIDs.length, acknowledged.length * EVENTS_PER_DOCUMENT);
          const logged = new Map<string, string>();
          for (let i = 0; i < eventIDs.length; i += 500) {
            const chunk = eventIDs.slice(i, i + 500);
            const rows = await db
              .selectFrom('events as e')
              .innerJoin('log_leaves as l', (join) => join.onRef('l.record_seq', '=', 'e.seq').on('l.kind', '=', 'event'))
              .select(['e.event_hash', 'l.entry'])
              .where('e.event_hash', 'in', chunk)
              .execute();
            for (const row of rows) logged.set(row.event_hash, row.entry);
          }
          for (const eventID of eventIDs) assert.equal(logged.get(eventID), `event ${eventID} ${eventID}\n`, `acknowledged event ${eventID} is in the log`);
        } finally {
          await database.close();
        }
      } finally {
        await target.drop();
      }
    });
  }
});
