import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ed25519Signer, ed25519VerifierKey, formatCheckpoint, signNote } from '../../src/crypto/signed-note.js';
import { emptyRootHash } from '../../src/log/merkle.js';
import { epcisDocument, objectEvent, sgln, sgtin, standaloneEvent } from '../builders/epcis.js';
import { buildVetDrugCode } from '../builders/codes.js';
import { locationBody, productBody, subjectBody } from '../builders/master-data.js';
import { TEST_DIALECTS } from '../support/databases.js';
import { call, startTestPlatform, type TestPlatform } from '../support/platform.js';

/**
 * The tenancy rule of docs/ACCESS.md as a matrix: every endpoint × every role × own / other subject and region.
 * The last test fails when an endpoint exists that the matrix does not cover.
 */

const ACTORS = ['anonymous', 'badKey', 'admin', 'regulatorIn', 'regulatorOut', 'subjectAdmin', 'operator', 'auditor', 'platformAuditor'] as const;
type Actor = (typeof ACTORS)[number];
type Expect = Record<Actor, number>;

/** Expected statuses: the named actors get theirs, every other authenticated actor `otherwise`, and no key is 401. */
function only(allowed: Partial<Record<Actor, number>>, otherwise = 403): Expect {
  const expect = {} as Expect;
  for (const actor of ACTORS) expect[actor] = actor === 'anonymous' || actor === 'badKey' ? 401 : (allowed[actor] ?? otherwise);
  return expect;
}
const everyone = (status: number): Expect => only({}, status);
const publicRoute = (status: number): Expect => Object.fromEntries(ACTORS.map((a) => [a, status])) as Expect;

interface Fixture {
  keys: Record<Actor, string | null>;
  /** Subject A (杭州 西湖区): the subject of subjectAdmin, operator and auditor; in regulatorIn's region. */
  a: SubjectFixture;
  /** Subject C (北京 朝阳区): in regulatorOut's region only. */
  c: SubjectFixture;
  selfIds: Record<Actor, string | null>;
  /** A second key of each actor's user, for the one row that revokes the key it is sent with. */
  spareKeys: Record<Actor, string | null>;
}

interface SubjectFixture {
  id: string;
  locationId: string;
  foodProductId: string;
  drugProductId: string;
  userId: string;
  keyId: string;
  eventId: string;
  captureId: string;
  /** A batch of platform codes for the food product, and its codes (as printed). */
  batchId: string;
  codes: string[];
  /** A recall the subject's admin made of codes[3] (held at its location), and the notice it sent the subject. */
  recallId: string;
  noticeId: string;
  /** A complaint about one of the subject's codes. */
  complaintId: string;
}

interface Case {
  name: string;
  /** `rawBody` is sent as text/plain, for endpoints whose body is not JSON. */
  request: (f: Fixture, actor: Actor) => { url: string; body?: unknown; rawBody?: string };
  expect: Expect;
  /** Send the actor's spare key instead of its usual one. */
  key?: 'spare';
}

interface Row {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE' | 'OPTIONS';
  path: string;
  cases: Case[];
}

const newUsername = () => `u${Math.random().toString(36).slice(2, 10)}`;
let serial = 500_000;
const freshDocument = () => epcisDocument([objectEvent({ epcList: [sgtin(++serial)] })]);
const logKey = generateKeyPairSync('ed25519').privateKey;
const witnessedLog = () => {
  const origin = `matrix-${Math.random().toString(36).slice(2, 10)}.example/log`;
  return { origin, vkey: ed25519VerifierKey(origin, logKey) };
};
/** An add-checkpoint request for a log nobody registered: whoever may submit learns it is unknown (404). */
const unwitnessedCheckpoint = `old 0\n\n${signNote(formatCheckpoint({ origin: 'unwitnessed.example/log', size: 0, rootHash: emptyRootHash() }), [ed25519Signer('unwitnessed.example/log', logKey)])}`;

const MATRIX: Row[] = [
  { method: 'GET', path: '/healthz', cases: [{ name: 'public', request: () => ({ url: '/healthz' }), expect: publicRoute(200) }] },
  { method: 'GET', path: '/metrics', cases: [{ name: 'public', request: () => ({ url: '/metrics' }), expect: publicRoute(200) }] },
  { method: 'GET', path: '/openapi.json', cases: [{ name: 'public', request: () => ({ url: '/openapi.json' }), expect: publicRoute(200) }] },
  { method: 'GET', path: '/.well-known/zhuisu', cases: [{ name: 'public', request: () => ({ url: '/.well-known/zhuisu' }), expect: publicRoute(200) }] },
  { method: 'GET', path: '/.well-known/gs1resolver', cases: [{ name: 'public', request: () => ({ url: '/.well-known/gs1resolver' }), expect: publicRoute(200) }] },

  { method: 'POST', path: '/api/v1/subjects', cases: [{ name: 'register', request: () => ({ url: '/api/v1/subjects', body: subjectBody() }), expect: only({ admin: 201 }) }] },
  { method: 'GET', path: '/api/v1/subjects', cases: [{ name: 'list', request: () => ({ url: '/api/v1/subjects' }), expect: everyone(200) }] },
  {
    method: 'GET',
    path: '/api/v1/subjects/{id}',
    cases: [
      { name: 'A', request: (f) => ({ url: `/api/v1/subjects/${f.a.id}` }), expect: only({ admin: 200, platformAuditor: 200, regulatorIn: 200, subjectAdmin: 200, operator: 200, auditor: 200 }) },
      { name: 'C', request: (f) => ({ url: `/api/v1/subjects/${f.c.id}` }), expect: only({ admin: 200, platformAuditor: 200, regulatorOut: 200 }) },
    ],
  },
  {
    method: 'PATCH',
    path: '/api/v1/subjects/{id}',
    cases: [
      { name: 'A', request: (f) => ({ url: `/api/v1/subjects/${f.a.id}`, body: { address: '文三路 1 号' } }), expect: only({ admin: 200, subjectAdmin: 200 }) },
      { name: 'C', request: (f) => ({ url: `/api/v1/subjects/${f.c.id}`, body: { address: '朝阳路 1 号' } }), expect: only({ admin: 200 }) },
    ],
  },
  {
    method: 'PUT',
    path: '/api/v1/subjects/{id}/status',
    cases: [
      { name: 'A', request: (f) => ({ url: `/api/v1/subjects/${f.a.id}/status`, body: { status: 'active' } }), expect: only({ admin: 200, regulatorIn: 200 }) },
      { name: 'C', request: (f) => ({ url: `/api/v1/subjects/${f.c.id}/status`, body: { status: 'active' } }), expect: only({ admin: 200, regulatorOut: 200 }) },
    ],
  },
  {
    method: 'POST',
    path: '/api/v1/subjects/{id}/locations',
    cases: [
      { name: 'A', request: (f) => ({ url: `/api/v1/subjects/${f.a.id}/locations`, body: locationBody() }), expect: only({ admin: 201, subjectAdmin: 201 }) },
      { name: 'C', request: (f) => ({ url: `/api/v1/subjects/${f.c.id}/locations`, body: locationBody({ regionCode: '110105' }) }), expect: only({ admin: 201 }) },
    ],
  },
  {
    method: 'GET',
    path: '/api/v1/subjects/{id}/locations',
    cases: [
      { name: 'A', request: (f) => ({ url: `/api/v1/subjects/${f.a.id}/locations` }), expect: only({ admin: 200, platformAuditor: 200, regulatorIn: 200, subjectAdmin: 200, operator: 200, auditor: 200 }) },
      { name: 'C', request: (f) => ({ url: `/api/v1/subjects/${f.c.id}/locations` }), expect: only({ admin: 200, platformAuditor: 200, regulatorOut: 200 }) },
    ],
  },
  {
    method: 'GET',
    path: '/api/v1/locations/{id}',
    cases: [
      { name: 'A', request: (f) => ({ url: `/api/v1/locations/${f.a.locationId}` }), expect: only({ admin: 200, platformAuditor: 200, regulatorIn: 200, subjectAdmin: 200, operator: 200, auditor: 200 }) },
      { name: 'C', request: (f) => ({ url: `/api/v1/locations/${f.c.locationId}` }), expect: only({ admin: 200, platformAuditor: 200, regulatorOut: 200 }) },
    ],
  },
  {
    method: 'PATCH',
    path: '/api/v1/locations/{id}',
    cases: [
      { name: 'A', request: (f) => ({ url: `/api/v1/locations/${f.a.locationId}`, body: { address: '新地址' } }), expect: only({ admin: 200, subjectAdmin: 200 }) },
      { name: 'C', request: (f) => ({ url: `/api/v1/locations/${f.c.locationId}`, body: { address: '新地址' } }), expect: only({ admin: 200 }) },
    ],
  },
  {
    method: 'POST',
    path: '/api/v1/subjects/{id}/products',
    cases: [
      { name: 'A', request: (f) => ({ url: `/api/v1/subjects/${f.a.id}/products`, body: productBody() }), expect: only({ admin: 201, subjectAdmin: 201 }) },
      { name: 'C', request: (f) => ({ url: `/api/v1/subjects/${f.c.id}/products`, body: productBody() }), expect: only({ admin: 201 }) },
    ],
  },
  { method: 'GET', path: '/api/v1/products', cases: [{ name: 'list', request: () => ({ url: '/api/v1/products' }), expect: everyone(200) }] },
  {
    method: 'GET',
    path: '/api/v1/products/{id}',
    cases: [
      { name: 'A food', request: (f) => ({ url: `/api/v1/products/${f.a.foodProductId}` }), expect: only({ admin: 200, platformAuditor: 200, regulatorIn: 200, subjectAdmin: 200, operator: 200, auditor: 200 }) },
      // regulatorIn supervises food (市场监管), not drugs: same region, other class.
      { name: 'A drug', request: (f) => ({ url: `/api/v1/products/${f.a.drugProductId}` }), expect: only({ admin: 200, platformAuditor: 200, subjectAdmin: 200, operator: 200, auditor: 200 }) },
      { name: 'C food', request: (f) => ({ url: `/api/v1/products/${f.c.foodProductId}` }), expect: only({ admin: 200, platformAuditor: 200, regulatorOut: 200 }) },
    ],
  },
  {
    method: 'PATCH',
    path: '/api/v1/products/{id}',
    cases: [
      { name: 'A', request: (f) => ({ url: `/api/v1/products/${f.a.foodProductId}`, body: { spec: '1kg' } }), expect: only({ admin: 200, subjectAdmin: 200 }) },
      { name: 'C', request: (f) => ({ url: `/api/v1/products/${f.c.foodProductId}`, body: { spec: '1kg' } }), expect: only({ admin: 200 }) },
    ],
  },

  { method: 'GET', path: '/api/v1/me', cases: [{ name: 'self', request: () => ({ url: '/api/v1/me' }), expect: everyone(200) }] },
  // Signing in is public and answers a wrong password the same to all; signing out revokes the key it is sent with.
  { method: 'POST', path: '/api/v1/sessions', cases: [{ name: 'wrong password', request: (_f, actor) => ({ url: '/api/v1/sessions', body: { username: `nobody-${actor}`, password: 'not the password' } }), expect: publicRoute(401) }] },
  { method: 'DELETE', path: '/api/v1/sessions/current', cases: [{ name: 'own key', key: 'spare', request: () => ({ url: '/api/v1/sessions/current' }), expect: everyone(204) }] },
  {
    method: 'PUT',
    path: '/api/v1/users/{id}/password',
    cases: [
      { name: 'user of A', request: (f) => ({ url: `/api/v1/users/${f.a.userId}/password`, body: { password: 'a new password' } }), expect: only({ admin: 204, subjectAdmin: 204 }) },
      { name: 'user of C', request: (f) => ({ url: `/api/v1/users/${f.c.userId}/password`, body: { password: 'a new password' } }), expect: only({ admin: 204 }) },
      { name: 'self', request: (f, actor) => ({ url: `/api/v1/users/${f.selfIds[actor] ?? 'none'}/password`, body: { password: 'my own password' } }), expect: only({ admin: 404 }, 204) },
    ],
  },
  {
    method: 'POST',
    path: '/api/v1/users',
    cases: [
      { name: 'operator of A', request: (f) => ({ url: '/api/v1/users', body: { username: newUsername(), role: 'subject_operator', subjectId: f.a.id } }), expect: only({ admin: 201, subjectAdmin: 201 }) },
      { name: 'operator of C', request: (f) => ({ url: '/api/v1/users', body: { username: newUsername(), role: 'subject_operator', subjectId: f.c.id } }), expect: only({ admin: 201 }) },
      { name: 'regulator', request: () => ({ url: '/api/v1/users', body: { username: newUsername(), role: 'regulator', regionPrefix: '33', departments: ['agriculture'] } }), expect: only({ admin: 201 }) },
    ],
  },
  { method: 'GET', path: '/api/v1/users', cases: [{ name: 'list', request: () => ({ url: '/api/v1/users' }), expect: only({ admin: 200, platformAuditor: 200, subjectAdmin: 200, auditor: 200 }) }] },
  {
    method: 'GET',
    path: '/api/v1/users/{id}',
    cases: [
      { name: 'user of A', request: (f) => ({ url: `/api/v1/users/${f.a.userId}` }), expect: only({ admin: 200, platformAuditor: 200, subjectAdmin: 200, auditor: 200 }) },
      { name: 'user of C', request: (f) => ({ url: `/api/v1/users/${f.c.userId}` }), expect: only({ admin: 200, platformAuditor: 200 }) },
      { name: 'self', request: (f, actor) => ({ url: `/api/v1/users/${f.selfIds[actor] ?? 'none'}` }), expect: only({ admin: 404 }, 200) },
    ],
  },
  {
    method: 'PATCH',
    path: '/api/v1/users/{id}',
    cases: [
      { name: 'user of A', request: (f) => ({ url: `/api/v1/users/${f.a.userId}`, body: { displayName: '新名字' } }), expect: only({ admin: 200, subjectAdmin: 200 }) },
      { name: 'user of C', request: (f) => ({ url: `/api/v1/users/${f.c.userId}`, body: { displayName: '新名字' } }), expect: only({ admin: 200 }) },
      { name: 'self', request: (f, actor) => ({ url: `/api/v1/users/${f.selfIds[actor] ?? 'none'}`, body: { displayName: '我' } }), expect: only({ admin: 404 }, 200) },
    ],
  },
  {
    method: 'POST',
    path: '/api/v1/users/{id}/keys',
    cases: [
      { name: 'user of A', request: (f) => ({ url: `/api/v1/users/${f.a.userId}/keys`, body: { name: 'k' } }), expect: only({ admin: 201, subjectAdmin: 201 }) },
      { name: 'user of C', request: (f) => ({ url: `/api/v1/users/${f.c.userId}/keys`, body: { name: 'k' } }), expect: only({ admin: 201 }) },
      { name: 'self', request: (f, actor) => ({ url: `/api/v1/users/${f.selfIds[actor] ?? 'none'}/keys`, body: { name: 'k' } }), expect: only({ admin: 404 }, 201) },
    ],
  },
  {
    method: 'GET',
    path: '/api/v1/users/{id}/keys',
    cases: [
      { name: 'user of A', request: (f) => ({ url: `/api/v1/users/${f.a.userId}/keys` }), expect: only({ admin: 200, platformAuditor: 200, subjectAdmin: 200, auditor: 200 }) },
      { name: 'user of C', request: (f) => ({ url: `/api/v1/users/${f.c.userId}/keys` }), expect: only({ admin: 200, platformAuditor: 200 }) },
    ],
  },
  {
    method: 'DELETE',
    path: '/api/v1/keys/{id}',
    cases: [
      { name: 'key of A', request: (f) => ({ url: `/api/v1/keys/${f.a.keyId}` }), expect: only({ admin: 200, subjectAdmin: 200 }) },
      { name: 'key of C', request: (f) => ({ url: `/api/v1/keys/${f.c.keyId}` }), expect: only({ admin: 200 }) },
    ],
  },
  {
    method: 'POST',
    path: '/epcis/capture',
    cases: [{ name: 'document', request: () => ({ url: '/epcis/capture', body: freshDocument() }), expect: only({ admin: 202, subjectAdmin: 202, operator: 202 }) }],
  },
  { method: 'GET', path: '/epcis/capture', cases: [{ name: 'list', request: () => ({ url: '/epcis/capture' }), expect: only({ admin: 200, platformAuditor: 200, subjectAdmin: 200, operator: 200, auditor: 200 }) }] },
  {
    method: 'GET',
    path: '/epcis/capture/{id}',
    cases: [
      { name: 'job of A', request: (f) => ({ url: `/epcis/capture/${f.a.captureId}` }), expect: only({ admin: 200, platformAuditor: 200, subjectAdmin: 200, operator: 200, auditor: 200 }) },
      { name: 'job of C', request: (f) => ({ url: `/epcis/capture/${f.c.captureId}` }), expect: only({ admin: 200, platformAuditor: 200 }) },
    ],
  },
  {
    method: 'POST',
    path: '/epcis/events',
    cases: [{ name: 'event', request: () => ({ url: '/epcis/events', body: standaloneEvent(objectEvent({ epcList: [sgtin(++serial)] })) }), expect: only({ admin: 201, subjectAdmin: 201, operator: 201 }) }],
  },
  { method: 'GET', path: '/epcis/events', cases: [{ name: 'query', request: () => ({ url: '/epcis/events' }), expect: everyone(200) }] },
  ...(['/epcis', '/epcis/events', '/epcis/capture'] as const).map(
    (path): Row => ({ method: 'OPTIONS', path, cases: [{ name: 'discovery', request: () => ({ url: path }), expect: everyone(204) }] }),
  ),
  ...(
    [
      ['eventTypes', 'ObjectEvent'],
      ['epcs', sgtin(1)],
      ['bizSteps', 'commissioning'],
      ['bizLocations', sgln(0)],
      ['readPoints', sgln(1)],
      ['dispositions', 'active'],
    ] as const
  ).map(([resource, value]): Row => ({
    method: 'GET',
    path: `/epcis/${resource}/{value}/events`,
    cases: [{ name: 'query', request: () => ({ url: `/epcis/${resource}/${encodeURIComponent(value)}/events` }), expect: everyone(200) }],
  })),
  {
    method: 'GET',
    path: '/epcis/events/{eventID}',
    cases: [
      { name: 'event of A', request: (f) => ({ url: `/epcis/events/${encodeURIComponent(f.a.eventId)}` }), expect: only({ admin: 200, platformAuditor: 200, regulatorIn: 200, subjectAdmin: 200, operator: 200, auditor: 200 }) },
      { name: 'event of C', request: (f) => ({ url: `/epcis/events/${encodeURIComponent(f.c.eventId)}` }), expect: only({ admin: 200, platformAuditor: 200, regulatorOut: 200 }) },
    ],
  },
  { method: 'GET', path: '/api/v1/codes/schemes', cases: [{ name: 'public', request: () => ({ url: '/api/v1/codes/schemes' }), expect: publicRoute(200) }] },
  { method: 'GET', path: '/api/v1/codes/parse', cases: [{ name: 'public', request: (f) => ({ url: `/api/v1/codes/parse?text=${f.a.codes[0]}` }), expect: publicRoute(200) }] },
  {
    method: 'POST',
    path: '/api/v1/codes/issue',
    cases: [
      { name: 'A', request: (f) => ({ url: '/api/v1/codes/issue', body: { scheme: 'platform-code', productId: f.a.foodProductId, quantity: 2 } }), expect: only({ admin: 201, subjectAdmin: 201, operator: 201 }) },
      { name: 'C', request: (f) => ({ url: '/api/v1/codes/issue', body: { scheme: 'platform-code', productId: f.c.foodProductId, quantity: 2 } }), expect: only({ admin: 201 }) },
    ],
  },
  {
    method: 'POST',
    path: '/api/v1/codes/import',
    cases: [
      { name: 'A', request: (f) => ({ url: '/api/v1/codes/import', body: { scheme: 'vet-drug-code', productId: f.a.drugProductId, codes: [buildVetDrugCode()] } }), expect: only({ admin: 201, subjectAdmin: 201, operator: 201 }) },
      { name: 'C', request: (f) => ({ url: '/api/v1/codes/import', body: { scheme: 'vet-drug-code', productId: f.c.foodProductId, codes: [buildVetDrugCode()] } }), expect: only({ admin: 201 }) },
    ],
  },
  {
    method: 'POST',
    path: '/api/v1/codes/void',
    cases: [
      { name: 'code of A', request: (f) => ({ url: '/api/v1/codes/void', body: { codes: [f.a.codes[0]] } }), expect: only({ admin: 200, subjectAdmin: 200, operator: 200 }) },
      { name: 'code of C', request: (f) => ({ url: '/api/v1/codes/void', body: { codes: [f.c.codes[0]] } }), expect: only({ admin: 200 }) },
    ],
  },
  { method: 'GET', path: '/api/v1/codes/batches', cases: [{ name: 'list', request: () => ({ url: '/api/v1/codes/batches' }), expect: everyone(200) }] },
  ...(
    [
      ['/api/v1/codes/batches/{id}', (x: SubjectFixture) => `/api/v1/codes/batches/${x.batchId}`],
      ['/api/v1/codes/batches/{id}/codes', (x: SubjectFixture) => `/api/v1/codes/batches/${x.batchId}/codes`],
      ['/api/v1/codes/batches/{id}/labels', (x: SubjectFixture) => `/api/v1/codes/batches/${x.batchId}/labels?format=zpl&from=1`],
      ['/api/v1/codes/symbol', (x: SubjectFixture) => `/api/v1/codes/symbol?code=${x.codes[1]}&format=svg`],
      ['/api/v1/codes/registry', (x: SubjectFixture) => `/api/v1/codes/registry?code=${x.codes[1]}`],
    ] as const
  ).map(([path, url]): Row => ({
    method: 'GET',
    path,
    cases: [
      // A's batch is for its food product: regulatorIn supervises food in its region.
      { name: 'A', request: (f) => ({ url: url(f.a) }), expect: only({ admin: 200, platformAuditor: 200, regulatorIn: 200, subjectAdmin: 200, operator: 200, auditor: 200 }) },
      { name: 'C', request: (f) => ({ url: url(f.c) }), expect: only({ admin: 200, platformAuditor: 200, regulatorOut: 200 }) },
    ],
  })),
  {
    method: 'POST',
    path: '/api/v1/codes/pack',
    cases: [{ name: 'A', request: (f) => ({ url: '/api/v1/codes/pack', body: { parent: f.a.codes[1], children: [f.a.codes[2]] } }), expect: only({ admin: 201, subjectAdmin: 201, operator: 201 }) }],
  },
  {
    method: 'POST',
    path: '/api/v1/codes/unpack',
    // Nothing was packed into this one: whoever may record learns so (409); nobody else gets that far.
    cases: [{ name: 'A', request: (f) => ({ url: '/api/v1/codes/unpack', body: { parent: f.a.codes[3] } }), expect: only({ admin: 409, subjectAdmin: 409, operator: 409 }) }],
  },
  { method: 'GET', path: '/api/v1/codes/contents', cases: [{ name: 'query', request: (f) => ({ url: `/api/v1/codes/contents?code=${f.a.codes[1]}` }), expect: everyone(200) }] },
  { method: 'GET', path: '/api/v1/codes/containers', cases: [{ name: 'query', request: (f) => ({ url: `/api/v1/codes/containers?code=${f.a.codes[2]}` }), expect: everyone(200) }] },
  // The transparency log: checkpoints, hash tiles and keys are public; entry tiles name every eventID; proofs follow
  // the event's own read rule.
  { method: 'GET', path: '/log/checkpoint', cases: [{ name: 'public', request: () => ({ url: '/log/checkpoint' }), expect: publicRoute(200) }] },
  { method: 'GET', path: '/log/key', cases: [{ name: 'public', request: () => ({ url: '/log/key' }), expect: publicRoute(200) }] },
  { method: 'GET', path: '/.well-known/zhuisu/keys', cases: [{ name: 'public', request: () => ({ url: '/.well-known/zhuisu/keys' }), expect: publicRoute(200) }] },
  { method: 'GET', path: '/log/tile/{*}', cases: [{ name: 'first hash tile', request: () => ({ url: '/log/tile/0/000.p/1' }), expect: publicRoute(200) }] },
  { method: 'GET', path: '/log/tile/entries/{*}', cases: [{ name: 'first entries', request: () => ({ url: '/log/tile/entries/000.p/1' }), expect: only({ admin: 200, platformAuditor: 200 }) }] },
  {
    method: 'GET',
    path: '/api/v1/proof',
    cases: [
      { name: 'event of A', request: (f) => ({ url: `/api/v1/proof?eventID=${encodeURIComponent(f.a.eventId)}` }), expect: only({ admin: 200, platformAuditor: 200, regulatorIn: 200, subjectAdmin: 200, operator: 200, auditor: 200 }) },
      { name: 'event of C', request: (f) => ({ url: `/api/v1/proof?eventID=${encodeURIComponent(f.c.eventId)}` }), expect: only({ admin: 200, platformAuditor: 200, regulatorOut: 200 }) },
    ],
  },
  { method: 'GET', path: '/api/v1/proof/consistency', cases: [{ name: 'from 1', request: () => ({ url: '/api/v1/proof/consistency?from=1' }), expect: everyone(200) }] },
  // Witnessing: the witness key is public; any key may submit a checkpoint, since what the witness trusts is the log's
  // signature on it; which logs are witnessed is for admins to say, and to read with platform auditors; alarms for admins.
  { method: 'GET', path: '/log/witness/key', cases: [{ name: 'public', request: () => ({ url: '/log/witness/key' }), expect: publicRoute(200) }] },
  { method: 'POST', path: '/log/witness/add-checkpoint', cases: [{ name: 'unknown log', request: () => ({ url: '/log/witness/add-checkpoint', rawBody: unwitnessedCheckpoint }), expect: everyone(404) }] },
  { method: 'POST', path: '/api/v1/witness/logs', cases: [{ name: 'register', request: () => ({ url: '/api/v1/witness/logs', body: witnessedLog() }), expect: only({ admin: 201 }) }] },
  { method: 'GET', path: '/api/v1/witness/logs', cases: [{ name: 'list', request: () => ({ url: '/api/v1/witness/logs' }), expect: only({ admin: 200, platformAuditor: 200 }) }] },
  { method: 'GET', path: '/api/v1/witness/alarms', cases: [{ name: 'list', request: () => ({ url: '/api/v1/witness/alarms' }), expect: only({ admin: 200 }) }] },

  // Federation: members are registered by admins and listed with platform auditors; only admins and members' keys post
  // batches (a batch of an unregistered log is 404 to them); the members' own role is tested in test/api/federation.test.ts.
  {
    method: 'POST',
    path: '/api/v1/federation/members',
    cases: [{ name: 'register', request: () => { const { origin, vkey } = witnessedLog(); return { url: '/api/v1/federation/members', body: { name: '下级平台', kind: 'platform', level: 'city', regionCode: '330100', logOrigin: origin, logKey: vkey } }; }, expect: only({ admin: 201 }) }],
  },
  { method: 'GET', path: '/api/v1/federation/members', cases: [{ name: 'list', request: () => ({ url: '/api/v1/federation/members' }), expect: only({ admin: 200, platformAuditor: 200 }) }] },
  { method: 'GET', path: '/api/v1/federation/status', cases: [{ name: 'status', request: () => ({ url: '/api/v1/federation/status' }), expect: only({ admin: 200, platformAuditor: 200 }) }] },
  {
    method: 'POST',
    path: '/api/v1/federation/batches',
    cases: [{ name: 'unknown member', request: () => ({ url: '/api/v1/federation/batches', body: { payload: JSON.stringify({ type: 'zhuisu-federation-batch/v1', origin: 'unregistered.example/log', from: 0, to: 0, checkpoint: 'x', oldSize: 0, proof: [], events: [] }), signature: 'x' } }), expect: only({ admin: 404 }) }],
  },
  // Recalls sent down are fetched with a member's key only (test/api/federation.test.ts); no other role has any.
  { method: 'GET', path: '/api/v1/federation/recalls', cases: [{ name: 'members only', request: () => ({ url: '/api/v1/federation/recalls' }), expect: everyone(403) }] },
  // Evaluations of the units connected here (members and subjects capturing directly): platform admins and auditors see
  // all, regulators the units of their region, a member its own (test/api/evaluation.test.ts); subject users nothing.
  ...(['/api/v1/evaluations', '/api/v1/evaluations.csv', '/api/v1/evaluations.xlsx'] as const).map(
    (path): Row => ({ method: 'GET', path, cases: [{ name: 'ranking', request: () => ({ url: `${path}?period=week` }), expect: only({ admin: 200, platformAuditor: 200, regulatorIn: 200, regulatorOut: 200 }) }] }),
  ),
  {
    method: 'GET',
    path: '/api/v1/evaluations/{id}',
    cases: [
      { name: 'A', request: (f) => ({ url: `/api/v1/evaluations/${f.a.id}` }), expect: only({ admin: 200, platformAuditor: 200, regulatorIn: 200 }) },
      { name: 'C', request: (f) => ({ url: `/api/v1/evaluations/${f.c.id}?period=day` }), expect: only({ admin: 200, platformAuditor: 200, regulatorOut: 200 }) },
    ],
  },
  // Resolving a code is public (the consumer page asks it), answering only what a consumer may see; the directory is
  // written by admins and read with platform auditors.
  // Complaints: anyone sends one; the regulators of the goods' region, platform admins and platform auditors read them.
  { method: 'POST', path: '/api/v1/complaints', cases: [{ name: 'about a code of A', request: (f, actor) => ({ url: '/api/v1/complaints', body: { code: f.a.codes[0], text: `投诉内容 ${actor}` } }), expect: publicRoute(201) }] },
  { method: 'GET', path: '/api/v1/complaints', cases: [{ name: 'list', request: () => ({ url: '/api/v1/complaints' }), expect: everyone(200) }] },
  {
    method: 'GET',
    path: '/api/v1/complaints/{id}',
    cases: [{ name: 'about A', request: (f) => ({ url: `/api/v1/complaints/${f.a.complaintId}` }), expect: only({ admin: 200, platformAuditor: 200, regulatorIn: 200 }) }],
  },
  {
    method: 'POST',
    path: '/api/v1/complaints/{id}/handle',
    cases: [{ name: 'about A', request: (f) => ({ url: `/api/v1/complaints/${f.a.complaintId}/handle`, body: { note: '已处理' } }), expect: only({ admin: 200, regulatorIn: 409 }) }],
  },
  { method: 'GET', path: '/api/v1/resolve', cases: [{ name: 'code of A', request: (f) => ({ url: `/api/v1/resolve?code=${f.a.codes[1]}` }), expect: publicRoute(200) }] },
  {
    method: 'POST',
    path: '/api/v1/resolver/entries',
    cases: [{ name: 'scheme held here', request: () => ({ url: '/api/v1/resolver/entries', body: { kind: 'scheme', value: 'vet-drug-code', holder: 'here' } }), expect: only({ admin: 201 }) }],
  },
  { method: 'GET', path: '/api/v1/resolver/entries', cases: [{ name: 'list', request: () => ({ url: '/api/v1/resolver/entries' }), expect: only({ admin: 200, platformAuditor: 200 }) }] },
  { method: 'DELETE', path: '/api/v1/resolver/entries/{id}', cases: [{ name: 'unknown', request: () => ({ url: '/api/v1/resolver/entries/no-such-entry' }), expect: only({ admin: 404 }) }] },
  // Everyone may trace; what a trace shows is narrowed to the events the key may read.
  { method: 'GET', path: '/api/v1/trace', cases: [{ name: 'forward', request: (f) => ({ url: `/api/v1/trace?code=${f.a.codes[1]}&direction=forward` }), expect: everyone(200) }] },
  {
    method: 'POST',
    path: '/api/v1/recalls',
    // A subject admin recalls its own goods; regulators those of their region; admins anything.
    cases: [{ name: 'code of A', request: (f) => ({ url: '/api/v1/recalls', body: { codes: [f.a.codes[2]], reason: '抽检不合格' } }), expect: only({ admin: 201, regulatorIn: 201, subjectAdmin: 201 }) }],
  },
  { method: 'GET', path: '/api/v1/recalls', cases: [{ name: 'list', request: () => ({ url: '/api/v1/recalls' }), expect: everyone(200) }] },
  { method: 'GET', path: '/api/v1/recalls/flagged', cases: [{ name: 'list', request: () => ({ url: '/api/v1/recalls/flagged' }), expect: everyone(200) }] },
  // The dossier follows the recall: whoever sees it whole, each with the movements of the events the key may read.
  ...(['/api/v1/recalls/{id}', '/api/v1/recalls/{id}/progress', '/api/v1/recalls/{id}/dossier', '/api/v1/recalls/{id}/dossier.xlsx'] as const).map(
    (path): Row => ({
      method: 'GET',
      path,
      cases: [{ name: 'recall by A', request: (f) => ({ url: path.replace('{id}', f.a.recallId) }), expect: only({ admin: 200, platformAuditor: 200, regulatorIn: 200, subjectAdmin: 200, operator: 200, auditor: 200 }) }],
    }),
  ),
  { method: 'GET', path: '/api/v1/notices', cases: [{ name: 'own', request: () => ({ url: '/api/v1/notices' }), expect: only({ subjectAdmin: 200, operator: 200, auditor: 200 }) }] },
  {
    method: 'POST',
    path: '/api/v1/notices/{id}/acknowledge',
    cases: [{ name: 'notice to A', request: (f) => ({ url: `/api/v1/notices/${f.a.noticeId}/acknowledge`, body: { returned: [{ quantity: 1, uom: 'EA' }] } }), expect: only({ admin: 200, subjectAdmin: 200, operator: 200 }) }],
  },
  {
    method: 'POST',
    path: '/api/v1/recalls/{id}/close',
    // The admin closes it first; those who may close it afterwards learn it is closed.
    cases: [{ name: 'recall by A', request: (f) => ({ url: `/api/v1/recalls/${f.a.recallId}/close`, body: {} }), expect: only({ admin: 200, regulatorIn: 409, subjectAdmin: 409 }) }],
  },
  // Everyone may assess impact; like the trace it is built on, it shows only the events the key may read.
  ...(['/api/v1/impact', '/api/v1/impact.xlsx', '/api/v1/impact.csv'] as const).map(
    (path): Row => ({ method: 'GET', path, cases: [{ name: 'codes', request: (f) => ({ url: `${path}?code=${f.a.codes[1]}&code=${f.c.codes[1]}` }), expect: everyone(200) }] }),
  ),
  {
    method: 'GET',
    path: '/api/v1/audit',
    cases: [
      { name: 'all', request: () => ({ url: '/api/v1/audit' }), expect: only({ admin: 200, platformAuditor: 200, subjectAdmin: 200, auditor: 200 }) },
      { name: 'of A', request: (f) => ({ url: `/api/v1/audit?subjectId=${f.a.id}` }), expect: only({ admin: 200, platformAuditor: 200, subjectAdmin: 200, auditor: 200 }) },
      { name: 'of C', request: (f) => ({ url: `/api/v1/audit?subjectId=${f.c.id}` }), expect: only({ admin: 200, platformAuditor: 200 }) },
    ],
  },
];

async function buildFixture(t: TestPlatform): Promise<Fixture> {
  const ok = async (method: string, url: string, body: unknown) => {
    const res = await call(t.app, method, url, { body });
    assert.ok(res.status < 300, `${method} ${url} → ${res.status} ${res.body}`);
    return res.json;
  };
  const subject = async (regionCode: string) => {
    const s = await ok('POST', '/api/v1/subjects', subjectBody({ regionCode }));
    const location = await ok('POST', `/api/v1/subjects/${s.id}/locations`, locationBody({ regionCode }));
    const food = await ok('POST', `/api/v1/subjects/${s.id}/products`, productBody({ productClass: 'food' }));
    const drug = await ok('POST', `/api/v1/subjects/${s.id}/products`, productBody({ productClass: 'drug' }));
    const user = await ok('POST', '/api/v1/users', { username: newUsername(), role: 'subject_operator', subjectId: s.id });
    const key = await ok('POST', `/api/v1/users/${user.id}/keys`, { name: 'target' });
    const captured = await call(t.app, 'POST', '/epcis/capture', { key: key.secret, body: freshDocument() });
    assert.equal(captured.status, 202, captured.body);
    const job = (await call(t.app, 'GET', String(captured.headers.location))).json;
    const batch = (await ok('POST', '/api/v1/codes/issue', { scheme: 'platform-code', productId: food.id, quantity: 4 })).batch;
    const codes = (await call(t.app, 'GET', `/api/v1/codes/batches/${batch.id}/codes`)).json.items.map((c: { text: string }) => c.text) as string[];
    // One of the codes is held at the subject's location, and its admin recalls it: a recall with a notice to the subject.
    const held = objectEvent({ epcList: [`urn:zhuisu:platform-code:${codes[3]}`], action: 'OBSERVE', bizStep: 'storing', disposition: 'in_progress', readPoint: { id: `https://id.gs1.org/414/${location.gln}` }, bizLocation: { id: `https://id.gs1.org/414/${location.gln}` } });
    assert.equal((await call(t.app, 'POST', '/epcis/capture', { key: key.secret, body: epcisDocument([held]) })).status, 202);
    const admin = await ok('POST', '/api/v1/users', { username: newUsername(), role: 'subject_admin', subjectId: s.id });
    const adminKey = await ok('POST', `/api/v1/users/${admin.id}/keys`, { name: 'recall' });
    const recall = await call(t.app, 'POST', '/api/v1/recalls', { key: adminKey.secret, body: { codes: [codes[3]], reason: '标签错误', level: 3 } });
    assert.equal(recall.status, 201, recall.body);
    const notice = (await call(t.app, 'GET', '/api/v1/notices', { key: key.secret })).json.items[0];
    assert.ok(notice, 'the subject was notified');
    const complaint = await call(t.app, 'POST', '/api/v1/complaints', { key: null, body: { code: codes[0], text: '包装破损，疑似变质' } });
    assert.equal(complaint.status, 201, complaint.body);
    return { complaintId: complaint.json.id as string, id: s.id, locationId: location.id, foodProductId: food.id, drugProductId: drug.id, userId: user.id, keyId: key.id, eventId: job.eventIDs[0] as string, captureId: job.captureID as string, batchId: batch.id as string, codes, recallId: recall.json.id as string, noticeId: notice.id as string };
  };
  const a = await subject('330106');
  const c = await subject('110105');
  const user = async (body: Record<string, unknown>) => {
    const u = await ok('POST', '/api/v1/users', { username: newUsername(), ...body });
    const k = await ok('POST', `/api/v1/users/${u.id}/keys`, { name: 'matrix' });
    const spare = await ok('POST', `/api/v1/users/${u.id}/keys`, { name: 'matrix spare' });
    return { id: u.id as string, key: k.secret as string, spare: spare.secret as string };
  };
  const actors = {
    admin: await user({ role: 'platform_admin' }),
    regulatorIn: await user({ role: 'regulator', regionPrefix: '3301', departments: ['market_regulation'] }),
    regulatorOut: await user({ role: 'regulator', regionPrefix: '11', departments: ['commerce'] }),
    subjectAdmin: await user({ role: 'subject_admin', subjectId: a.id }),
    operator: await user({ role: 'subject_operator', subjectId: a.id }),
    auditor: await user({ role: 'auditor', subjectId: a.id }),
    platformAuditor: await user({ role: 'auditor' }),
  };
  const keys = { anonymous: null, badKey: 'zsk_0000000000000000_' + 'A'.repeat(43) } as Record<Actor, string | null>;
  const selfIds = { anonymous: null, badKey: null } as Record<Actor, string | null>;
  const spareKeys = { ...keys };
  for (const [name, value] of Object.entries(actors)) {
    keys[name as Actor] = value.key;
    spareKeys[name as Actor] = value.spare;
    selfIds[name as Actor] = value.id;
  }
  // The admin case of "self" deliberately uses a user id that does not exist, to show 404 beats 403 for admins.
  selfIds.admin = 'no-such-user';
  return { keys, spareKeys, a: { ...a }, c: { ...c }, selfIds };
}

for (const dialect of TEST_DIALECTS) {
  describe(`access matrix on ${dialect}`, () => {
    let t: TestPlatform;
    let fixture: Fixture;
    before(async () => {
      t = await startTestPlatform(dialect);
      fixture = await buildFixture(t);
    });
    after(() => t.close());

    for (const row of MATRIX) {
      for (const c of row.cases) {
        test(`${row.method} ${row.path} [${c.name}]`, async () => {
          const failures: string[] = [];
          for (const actor of ACTORS) {
            const { url, body, rawBody } = c.request(fixture, actor);
            const res = await call(t.app, row.method, url, { key: (c.key === 'spare' ? fixture.spareKeys : fixture.keys)[actor], ...(body !== undefined ? { body } : {}), ...(rawBody !== undefined ? { rawBody, headers: { 'content-type': 'text/plain' } } : {}) });
            if (res.status !== c.expect[actor]) failures.push(`${actor}: expected ${c.expect[actor]}, got ${res.status} ${res.body.slice(0, 160)}`);
            if (res.status >= 400) assert.match(String(res.headers['content-type']), /^application\/problem\+json/, `${actor} ${url}`);
          }
          assert.deepEqual(failures, []);
        });
      }
    }

    test('listings are narrowed to what each role may read', async () => {
      const ids = async (actor: Actor, url: string) => ((await call(t.app, 'GET', url, { key: fixture.keys[actor] })).json.items as { id: string }[]).map((i) => i.id);
      assert.deepEqual(await ids('subjectAdmin', '/api/v1/subjects'), [fixture.a.id]);
      const inRegion = await ids('regulatorIn', '/api/v1/subjects?limit=500');
      assert.ok(inRegion.includes(fixture.a.id) && !inRegion.includes(fixture.c.id));
      const products = await ids('regulatorIn', '/api/v1/products?limit=500');
      assert.ok(products.includes(fixture.a.foodProductId), 'food in region');
      assert.ok(!products.includes(fixture.a.drugProductId), 'drug is outside 市场监管 classes');
      assert.ok(!products.includes(fixture.c.foodProductId), 'other region');
      const own = await ids('operator', '/api/v1/products?limit=500');
      assert.ok(own.includes(fixture.a.drugProductId) && !own.includes(fixture.c.foodProductId));
      const events = async (actor: Actor, url: string) =>
        ((await call(t.app, 'GET', url, { key: fixture.keys[actor] })).json.epcisBody.queryResults.resultsBody.eventList as { eventID: string }[]).map((e) => e.eventID);
      const ofType = await events('operator', '/epcis/eventTypes/ObjectEvent/events?perPage=1000');
      assert.ok(ofType.includes(fixture.a.eventId) && !ofType.includes(fixture.c.eventId), 'a resource query is narrowed like the event query');
      const audit = (await call(t.app, 'GET', '/api/v1/audit?limit=500', { key: fixture.keys.auditor })).json.items as { subjectId: string }[];
      assert.ok(audit.length > 0 && audit.every((e) => e.subjectId === fixture.a.id));
    });

    test('every endpoint in the API description is in the matrix', async () => {
      const spec = (await call(t.app, 'GET', '/openapi.json', { key: null })).json as { paths: Record<string, Record<string, unknown>> };
      const declared = Object.entries(spec.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));
      const covered = new Set(MATRIX.map((r) => `${r.method} ${r.path}`));
      assert.deepEqual(declared.filter((route) => !covered.has(route)), []);
    });
  });
}
