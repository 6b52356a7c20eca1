import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { systemPrincipal } from '../../src/access/principal.js';
import { formatPersonCode } from '../../src/codes/person-code.js';
import { loadConfig, type Config } from '../../src/config.js';
import { IdentityVault } from '../../src/crypto/identity-vault.js';
import { KeyStore } from '../../src/crypto/key-store.js';
import { migrate, openDatabase } from '../../src/db/database.js';
import { DomainError } from '../../src/domain/errors.js';
import { createPlatform, type Platform } from '../../src/platform.js';
import { buildResidentId, buildUscc } from '../builders/master-data.js';
import { v1Sealer } from '../support/identity-v1.js';
import { createTestDatabase, TEST_DIALECTS, type TestDatabase, type TestDialect } from '../support/databases.js';
import { testEnv } from '../support/platform.js';

/**
 * Persons registered while the vault sealed with AES-256-GCM (v1) are re-sealed with SM4-CTR + HMAC-SM3 (v2), blind
 * index recomputed, the first time the platform starts; later starts change nothing.
 */
const admin = systemPrincipal('test');
const RESEAL = 'subject.identity-reseal';

interface Person {
  id: string;
  code: string;
  personId: string;
  name: string;
}

function subjectRow(id: string, code: string, kind: 'organisation' | 'person', name: string, sealed: { cipher: string; index: string } | null) {
  return {
    id,
    subject_code: code,
    kind,
    name,
    roles: '["producer"]',
    region_code: '330110',
    status: 'active' as const,
    status_reason: null,
    address: null,
    contact: null,
    licences: '[]',
    person_id_cipher: sealed?.cipher ?? null,
    person_id_index: sealed?.index ?? null,
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-01T00:00:00.000Z',
  };
}

/** A test database that two platforms in a row can open: in-process PostgreSQL is kept on disk rather than in memory. */
async function reopenableDatabase(dialect: TestDialect): Promise<{ target: TestDatabase; config: Config }> {
  const target = await createTestDatabase(dialect);
  const reopenable = target.url === 'pglite:' ? { ...target, url: `pglite:${join(target.dataDir, 'pg')}` } : target;
  return { target, config: loadConfig(testEnv(reopenable)) };
}

/** Migrates the database and writes persons sealed the v1 way, as a platform of the previous release left them. */
async function writeV1Persons(config: Config, people: { id: string; personId: string; name: string; key: Buffer }[]): Promise<Person[]> {
  const database = await openDatabase(config.databaseUrl, config.databaseSchema ? { schema: config.databaseSchema } : {});
  try {
    await migrate(database);
    const written: Person[] = [];
    for (const [i, p] of people.entries()) {
      const v1 = v1Sealer(p.key);
      const code = formatPersonCode('330110', 900_000_001 + i);
      await database.db.insertInto('subjects').values(subjectRow(p.id, code, 'person', p.name, { cipher: v1.seal(p.personId), index: v1.blindIndex(p.personId) })).execute();
      written.push({ id: p.id, code, personId: p.personId, name: p.name });
    }
    await database.db.insertInto('subjects').values(subjectRow('00000000-0000-7000-8000-0000000000ff', buildUscc(), 'organisation', '某某农业有限公司', null)).execute();
    return written;
  } finally {
    await database.close();
  }
}

function residentIdEndingInX(): string {
  for (;;) {
    const id = buildResidentId('330110', '19491231');
    if (id.endsWith('X')) return id;
  }
}

async function storedIdentities(platform: Platform) {
  return platform.database.db.selectFrom('subjects').select(['id', 'person_id_cipher', 'person_id_index']).orderBy('id').execute();
}

async function resealEntries(platform: Platform) {
  return platform.database.db.selectFrom('audit_log').select(['actor', 'target_id', 'subject_id', 'changes']).where('action', '=', RESEAL).orderBy('target_id').execute();
}

for (const dialect of TEST_DIALECTS) {
  describe(`re-sealing v1 identities at start on ${dialect}`, () => {
    let target: TestDatabase;
    let config: Config;
    let key: Buffer;
    let people: Person[];
    let platform: Platform | undefined;

    before(async () => {
      ({ target, config } = await reopenableDatabase(dialect));
      key = new KeyStore(config.keyDir).secret('identity');
      people = await writeV1Persons(config, [
        { id: '00000000-0000-7000-8000-000000000001', personId: buildResidentId('330110'), name: '张三', key },
        { id: '00000000-0000-7000-8000-000000000002', personId: residentIdEndingInX(), name: '李四', key },
      ]);
    });
    after(async () => {
      await platform?.close();
      await target.drop();
    });

    test('the first start re-seals every v1 row as v2 with an HMAC-SM3 index, and records it', async () => {
      platform = await createPlatform(config);
      const vault = new IdentityVault(key);
      const rows = await storedIdentities(platform);
      for (const person of people) {
        const row = rows.find((r) => r.id === person.id)!;
        assert.ok(row.person_id_cipher?.startsWith('v2.'), `${person.name}: ${row.person_id_cipher?.slice(0, 3)}`);
        assert.equal(vault.open(row.person_id_cipher!), person.personId);
        assert.equal(row.person_id_index, vault.blindIndex(person.personId));
      }
      assert.equal(rows.find((r) => r.id === '00000000-0000-7000-8000-0000000000ff')!.person_id_cipher, null, 'an organisation has nothing to seal');

      const entries = await resealEntries(platform);
      assert.deepEqual(entries.map((e) => [e.target_id, e.subject_id, e.actor]), people.map((p) => [p.id, p.id, 'identity-reseal']));
      assert.ok(entries.every((e) => JSON.parse(String(e.changes)).from === 'v1' && JSON.parse(String(e.changes)).to === 'v2'));
      for (const person of people) assert.ok(entries.every((e) => !String(e.changes).includes(person.personId)), 'the audit trail must not hold the identity number');
    });

    test('the re-sealed persons are still read, and still found by the uniqueness check', async () => {
      const { subjects } = platform!.services;
      for (const person of people) {
        const subject = await subjects.get(admin, person.code);
        assert.equal(subject.id, person.id);
        assert.equal(subject.name, person.name);
        // A check character X typed in lower case is the same person: the index normalises as before.
        await assert.rejects(
          subjects.register(admin, { kind: 'person', personId: person.personId.toLowerCase(), name: '冒名', roles: ['producer'], regionCode: '330110' }),
          (error: unknown) => error instanceof DomainError && error.kind === 'conflict' && error.code === 'subject-exists',
        );
      }
      const newcomer = await subjects.register(admin, { kind: 'person', personId: buildResidentId('330110'), name: '王五', roles: ['producer'], regionCode: '330110' });
      const row = (await storedIdentities(platform!)).find((r) => r.id === newcomer.id)!;
      assert.ok(row.person_id_cipher?.startsWith('v2.'));
    });

    test('a second start changes nothing', async () => {
      const before = await storedIdentities(platform!);
      const entriesBefore = await resealEntries(platform!);
      await platform!.close();
      platform = await createPlatform(config);
      assert.deepEqual(await storedIdentities(platform), before);
      assert.deepEqual(await resealEntries(platform), entriesBefore);
      assert.equal(await platform.services.subjects.resealIdentities(), 0);
    });
  });

  describe(`a v1 identity that cannot be opened stops the start on ${dialect}`, () => {
    let target: TestDatabase;
    let config: Config;

    before(async () => {
      ({ target, config } = await reopenableDatabase(dialect));
    });
    after(() => target.drop());

    test('nothing is re-sealed, and the error names the subject but not the number', async () => {
      const key = new KeyStore(config.keyDir).secret('identity');
      const foreign = Buffer.alloc(32, 9);
      const people = await writeV1Persons(config, [
        { id: '00000000-0000-7000-8000-000000000001', personId: buildResidentId('330110'), name: '张三', key },
        { id: '00000000-0000-7000-8000-000000000002', personId: buildResidentId('330110'), name: '赵六', key: foreign },
      ]);
      await assert.rejects(createPlatform(config), (error: unknown) => {
        assert.ok(error instanceof Error);
        assert.match(error.message, new RegExp(`subject ${people[1]!.id}: its sealed identity number cannot be opened`));
        assert.match(error.message, /ZHUISU_KEY_DIR/);
        assert.ok(people.every((p) => !error.message.includes(p.personId)));
        return true;
      });
      // The row that opened was re-sealed inside the same transaction, which was rolled back with it.
      const database = await openDatabase(config.databaseUrl, config.databaseSchema ? { schema: config.databaseSchema } : {});
      try {
        const rows = await database.db.selectFrom('subjects').select('person_id_cipher').where('kind', '=', 'person').execute();
        assert.deepEqual(rows.map((r) => r.person_id_cipher!.slice(0, 3)), ['v1.', 'v1.']);
        assert.equal((await database.db.selectFrom('audit_log').select('id').where('action', '=', RESEAL).execute()).length, 0);
      } finally {
        await database.close();
      }
    });
  });
}
