import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { openNote, parseCheckpoint, verifierFromKey } from '../../src/crypto/signed-note.js';
import { parseEntry, recordDigest } from '../../src/log/entries.js';
import { leafHash, verifyInclusion } from '../../src/log/merkle.js';
import { buildVetDrugCode } from '../builders/codes.js';
import { buildCompanyPrefix, buildGln, buildGtin, buildUscc } from '../builders/master-data.js';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase } from '../support/databases.js';
import { keyParts, testEnv } from '../support/platform.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Runs the real CLI entry point in a child process, as a user would. */
function zhuisu(env: Record<string, string>, ...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/run.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env, NODE_ENV: 'test' },
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, json: () => JSON.parse(result.stdout) };
}

describe('zhuisu codes parse', () => {
  test('prints every reading as JSON and exits 0 for a valid code', () => {
    const code = buildVetDrugCode();
    const parsed = zhuisu({}, 'codes', 'parse', code);
    assert.equal(parsed.code, 0, parsed.stderr);
    const [reading] = parsed.json().readings;
    assert.equal(reading.scheme, 'vet-drug-code');
    assert.equal(reading.fields.applicationDate, '2025-03-01');
    assert.equal(zhuisu({}, 'codes', 'parse', code, '--scheme', 'vet-drug-code').code, 0);
  });

  test('an invalid code exits 1 with the reason on stderr; a usage error exits 2; never a stack trace', () => {
    const invalid = zhuisu({}, 'codes', 'parse', '20251340' + '12345' + '00000000000', '--scheme', 'vet-drug-code');
    assert.equal(invalid.code, 1);
    assert.equal(invalid.stdout, '');
    assert.match(invalid.stderr, /兽药追溯码/);
    const unknownScheme = zhuisu({}, 'codes', 'parse', 'x', '--scheme', 'no-such-scheme');
    assert.equal(unknownScheme.code, 2);
    assert.match(unknownScheme.stderr, /unknown scheme "no-such-scheme"/);
    assert.equal(zhuisu({}, 'codes', 'parse').code, 2, 'missing argument');
    for (const run of [invalid, unknownScheme]) assert.ok(!run.stderr.includes('    at '), 'no stack trace');
  });
});

for (const dialect of TEST_DIALECTS) {
  describe(`zhuisu CLI on ${dialect}`, () => {
    let database: TestDatabase;
    let env: Record<string, string>;
    before(async () => {
      database = await createTestDatabase(dialect);
      // PGlite lives inside one process; a CLI run and a later one would not share it, so use the file-backed form.
      env = testEnv(database.url === 'pglite:' ? { ...database, url: `pglite:${database.dataDir}/pg` } : database);
    });
    after(() => database.drop());

    test('migrate applies the schema once and is then a no-op', () => {
      const first = zhuisu(env, 'migrate');
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /applied: 2026-11-23-01-foundation/);
      const second = zhuisu(env, 'migrate');
      assert.equal(second.code, 0, second.stderr);
      assert.match(second.stdout, /up to date/);
    });

    test('manages subjects, locations, products, users and keys, and the key works over HTTP', async () => {
      const code = buildUscc('330106');
      const prefix = buildCompanyPrefix();
      const subject = zhuisu(env, 'subject', 'create', '--code', code, '--name', '命令行企业', '--region', '330106', '--roles', 'processor,wholesaler', '--prefixes', prefix);
      assert.equal(subject.code, 0, subject.stderr);
      assert.equal(subject.json().subjectCode, code);
      assert.deepEqual(subject.json().roles, ['processor', 'wholesaler']);

      const location = zhuisu(env, 'location', 'create', '--subject', code, '--name', '一号仓', '--region', '330106', '--gln', buildGln(prefix));
      assert.equal(location.code, 0, location.stderr);
      const product = zhuisu(env, 'product', 'create', '--subject', code, '--name', '酱鸭', '--class', 'food', '--gtin', buildGtin(prefix));
      assert.equal(product.code, 0, product.stderr);
      assert.equal(zhuisu(env, 'location', 'list', '--subject', code).json().items.length, 1);

      const user = zhuisu(env, 'user', 'create', '--username', 'cli-admin', '--role', 'subject_admin', '--subject', code);
      assert.equal(user.code, 0, user.stderr);
      const token = zhuisu(env, 'token', 'create', '--user', 'cli-admin', '--name', 'laptop');
      assert.equal(token.code, 0, token.stderr);
      const key = token.stdout.trim();
      assert.match(key, /^zsk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
      assert.match(token.stderr, /not shown again/);
      assert.equal(zhuisu(env, 'token', 'list', '--user', 'cli-admin').json().length, 1);

      const server = spawn(process.execPath, ['--import', 'tsx', 'src/cli/run.ts', 'serve', '--port', '0'], { cwd: ROOT, env: { ...process.env, ...env, LOG_LEVEL: 'info' } });
      let out = '';
      server.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
      try {
        const port = await new Promise<number>((resolve, reject) => {
          server.stdout.on('data', (chunk: Buffer) => {
            out += chunk.toString();
            const match = /listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(out) ?? /"port":(\d+)/.exec(out);
            if (match) resolve(Number(match[1]));
          });
          server.on('exit', (c) => reject(new Error(`server exited ${c}: ${out}`)));
        });
        let health = 0;
        for (let i = 0; i < 300 && health !== 200; i++) {
          health = (await fetch(`http://127.0.0.1:${port}/healthz`)).status;
          if (health !== 200) await new Promise((r) => setTimeout(r, 100));
        }
        assert.equal(health, 200);
        const me = await fetch(`http://127.0.0.1:${port}/api/v1/me`, { headers: { authorization: `Bearer ${key}` } });
        assert.equal(me.status, 200);
        assert.equal(((await me.json()) as { role: string }).role, 'subject_admin');
      } finally {
        server.kill('SIGTERM');
        await new Promise((r) => server.once('exit', r));
      }
      assert.match(out, /"url":"\/api\/v1\/me"/, 'requests are logged');
      assert.ok(!out.includes(keyParts(key).secret) && !out.includes(env.ZHUISU_ADMIN_TOKEN!), 'secrets never reach the logs');
      const keyId = keyParts(key).id;
      const revoked = zhuisu(env, 'token', 'revoke', keyId);
      assert.equal(revoked.code, 0, revoked.stderr);
      assert.ok(revoked.json().revokedAt);
    });

    test('codes issue mints codes for a product and writes them as CSV', () => {
      const code = buildUscc('330106');
      const prefix = buildCompanyPrefix();
      assert.equal(zhuisu(env, 'subject', 'create', '--code', code, '--name', '发码企业', '--region', '330106', '--roles', 'producer', '--prefixes', prefix).code, 0);
      const product = zhuisu(env, 'product', 'create', '--subject', code, '--name', '发码产品', '--class', 'drug', '--gtin', buildGtin(prefix)).json();
      const dir = mkdtempSync(join(tmpdir(), 'zhuisu-cli-codes-'));
      try {
        const csv = join(dir, 'codes.csv');
        const issued = zhuisu(env, 'codes', 'issue', '--scheme', 'gs1-sgtin', '--product', product.id, '--quantity', '25', '--lot', 'L1', '--output', csv);
        assert.equal(issued.code, 0, issued.stderr);
        assert.equal(issued.json().quantity, 25);
        const lines = readFileSync(csv, 'utf8').trim().split('\n');
        assert.equal(lines[0], 'code,text,link');
        assert.equal(lines.length, 26);
        assert.match(lines[1]!, new RegExp(`^https://id\\.gs1\\.org/01/${product.gtin}/21/\\w+,\\(01\\)${product.gtin}\\(21\\)\\w+,http`));
        const pdf = join(dir, 'labels.pdf');
        const labels = zhuisu(env, 'codes', 'labels', '--batch', issued.json().id, '--output', pdf, '--count', '10');
        assert.equal(labels.code, 0, labels.stderr);
        assert.match(labels.stderr, /10 labels written/);
        assert.equal(readFileSync(pdf).subarray(0, 5).toString(), '%PDF-');
        const zpl = join(dir, 'labels.zpl');
        assert.equal(zhuisu(env, 'codes', 'labels', '--batch', issued.json().id, '--output', zpl, '--symbology', 'datamatrix').code, 0);
        assert.equal(readFileSync(zpl, 'utf8').match(/\^XA/g)?.length, 25);
        const refused = zhuisu(env, 'codes', 'issue', '--scheme', 'gs1-sgtin', '--product', product.id, '--quantity', '0');
        assert.equal(refused.code, 2, 'a quantity below 1 is a usage error');
        const noProduct = zhuisu(env, 'codes', 'issue', '--scheme', 'platform-code', '--quantity', '2', '--subject', code);
        assert.equal(noProduct.code, 1);
        assert.match(noProduct.stderr, /^error: /);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test('trace and recall from the command line', () => {
      const traced = zhuisu(env, 'trace', '(01)06901234567892(21)CLI1', '--forward');
      assert.equal(traced.code, 0, traced.stderr);
      assert.deepEqual(traced.json().nodes.map((n: { code: string }) => n.code), ['https://id.gs1.org/01/06901234567892/21/CLI1']);
      const unreadable = zhuisu(env, 'trace', 'not a code');
      assert.equal(unreadable.code, 1);
      assert.match(unreadable.stderr, /^error: /);
      const recalled = zhuisu(env, 'recall', 'create', '(01)06901234567892(10)L1', '--reason', '抽检不合格', '--level', '2');
      assert.equal(recalled.code, 0, recalled.stderr);
      const shown = zhuisu(env, 'recall', 'show', recalled.json().id);
      assert.equal(shown.json().progress.notices, 0);
      assert.equal(zhuisu(env, 'recall', 'close', recalled.json().id, '--note', '已处理').json().status, 'closed');
    });

    test('export recall prints the dossier, writes it as JSON and XLSX with proofs, and names an unknown recall', async () => {
      const recalled = zhuisu(env, 'recall', 'create', '(01)06901234567892(10)L2', '--reason', '标签错误');
      assert.equal(recalled.code, 0, recalled.stderr);
      const id = recalled.json().id as string;
      assert.equal(zhuisu(env, 'recall', 'close', id, '--note', '已处理').code, 0);

      const printed = zhuisu(env, 'export', 'recall', id);
      assert.equal(printed.code, 0, printed.stderr);
      const dossier = printed.json();
      assert.equal(dossier.recall.id, id);
      assert.deepEqual(dossier.records.map((r: { action: string }) => r.action), ['recall.create', 'recall.close']);
      assert.equal(dossier.proofs, undefined);

      const dir = mkdtempSync(join(tmpdir(), 'zhuisu-cli-dossier-'));
      try {
        const [xlsx, json] = [join(dir, 'dossier.xlsx'), join(dir, 'dossier.json')];
        const written = zhuisu(env, 'export', 'recall', id, '--proofs', '--xlsx', xlsx, '--json', json);
        assert.equal(written.code, 0, written.stderr);
        assert.equal(written.stdout, '', 'files named: nothing on stdout');
        assert.match(written.stderr, /0 notices, 0 movements, 2 records, proofs to tree size \d+ written to /);
        const withProofs = JSON.parse(readFileSync(json, 'utf8'));
        const checkpoint = parseCheckpoint(openNote(withProofs.proofs.checkpoint, [verifierFromKey(withProofs.proofs.verifierKey)]).body);
        for (const p of withProofs.proofs.records as { auditId: string; leafIndex: number; entry: string; inclusionProof: string[] }[]) {
          const record = withProofs.records.find((r: { id: string }) => r.id === p.auditId);
          assert.equal(parseEntry(p.entry)?.digest, recordDigest(record));
          assert.ok(verifyInclusion(leafHash(Buffer.from(p.entry)), p.leafIndex, checkpoint.size, p.inclusionProof.map((h) => Buffer.from(h, 'hex')), checkpoint.rootHash));
        }
        const workbook = new ExcelJS.Workbook();
        await workbook.xlsx.readFile(xlsx);
        assert.deepEqual(workbook.worksheets.map((w) => w.name), ['召回 Recall', '通知 Notices', '流向 Movements', '记录 Records', '证明 Proofs']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }

      const unknown = zhuisu(env, 'export', 'recall', 'no-such-recall');
      assert.equal(unknown.code, 1);
      assert.equal(unknown.stdout, '');
      assert.match(unknown.stderr, /^error: no recall no-such-recall/);
      assert.ok(!unknown.stderr.includes('    at '), 'no stack trace');
    });

    test('bad input is a readable message and a non-zero exit, with nothing written', () => {
      const before = zhuisu(env, 'subject', 'list').json().items.length;
      const bad = zhuisu(env, 'subject', 'create', '--code', '91330106MA2H00001A', '--name', 'x', '--region', '330106', '--roles', 'processor');
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /^error: subjectCode: /);
      assert.ok(!bad.stderr.includes('    at '), 'no stack trace for a user error');
      const role = zhuisu(env, 'subject', 'create', '--code', buildUscc(), '--name', 'x', '--region', '330106', '--roles', 'astronaut');
      assert.notEqual(role.code, 0);
      assert.match(role.stderr, /unknown value\(s\) astronaut/);
      assert.equal(zhuisu(env, 'subject', 'list').json().items.length, before);
      const config = zhuisu({ ...env, PORT: 'eighty' }, 'migrate');
      assert.equal(config.code, 1);
      assert.match(config.stderr, /PORT must be a port number/);
    });
  });
}
