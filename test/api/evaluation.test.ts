import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import ExcelJS from 'exceljs';
import { batchSignatureBody } from '../../src/federation/federation.service.js';
import { ed25519Signer, signNote } from '../../src/crypto/signed-note.js';
import { parsePeriod, previousPeriod, TIMELINESS_THRESHOLD_MS } from '../../src/evaluation/scoring.js';
import { epcisDocument, lgtin, objectEvent, pgln, quantity, sgtin } from '../builders/epcis.js';
import { TEST_DIALECTS } from '../support/databases.js';
import { ADMIN_TOKEN, call, startTestPlatform, subjectWithKey, userKey, type TestPlatform } from '../support/platform.js';

/**
 * Monitoring and evaluation at a province: a city platform that reports promptly and completely, an enterprise system
 * that uploads late, leaves out key data, ships goods nobody receives and sends a forged batch, and a subject that
 * captures here directly with one failed capture job. Each unit's figures, its score and grade, the ranking, the
 * access rules and the exports are checked against what was sent.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ago = (ms: number) => ({ eventTime: new Date(Date.now() - ms).toISOString(), eventTimeZoneOffset: '+00:00' });
const party = (type: 'source' | 'destination', reference: string) => [{ type: 'owning_party', [type]: pgln(reference) }];
const round1 = (n: number) => Math.round(n * 10) / 10;

let serial = 900_000;

for (const dialect of TEST_DIALECTS) {
  describe(`evaluation on ${dialect}`, () => {
    let province: TestPlatform;
    let city: TestPlatform;
    let system: TestPlatform;
    const keys: Record<string, string> = {};
    const ids: Record<string, string> = {};
    const lower = (name: string, region: string) =>
      startTestPlatform(dialect, { ZHUISU_LEVEL: 'city', ZHUISU_REGION: region, ZHUISU_LOG_ORIGIN: `${name}-${dialect}-${randomUUID().slice(0, 8)}.test/log`, ZHUISU_UPSTREAM_URL: 'http://province.invalid', ZHUISU_UPSTREAM_TOKEN: 'not-used-under-test' });
    const register = async (member: TestPlatform, body: Record<string, unknown>) => {
      const created = await call(province.app, 'POST', '/api/v1/federation/members', { body: { ...body, logOrigin: member.platform.services.log.origin, logKey: member.platform.services.log.verifierKey } });
      assert.equal(created.status, 201, created.body);
      return created.json as { member: { id: string }; secret: string };
    };
    const captureAt = async (platform: TestPlatform, events: Record<string, unknown>[]) => {
      const answer = await call(platform.app, 'POST', '/epcis/capture', { body: epcisDocument(events) });
      assert.equal(answer.status, 202, answer.body);
    };
    const sendBatch = (body: unknown, key: string) => call(province.app, 'POST', '/api/v1/federation/batches', { key, body });

    before(async () => {
      province = await startTestPlatform(dialect, { ZHUISU_LEVEL: 'province', ZHUISU_REGION: '330000', ZHUISU_LOG_ORIGIN: `province-${dialect}.test/log` });
      city = await lower('city', '330100');
      system = await lower('system', '440100');
      const cityMember = await register(city, { name: '杭州市追溯平台', kind: 'platform', level: 'city', regionCode: '330100' });
      const systemMember = await register(system, { name: '广州某企业系统', kind: 'system', level: 'enterprise', regionCode: '440100' });
      [ids.city, keys.city, ids.system, keys.system] = [cityMember.member.id, cityMember.secret, systemMember.member.id, systemMember.secret];

      // The city: on time, complete, and its shipment is received in full.
      const cityLot = lgtin(`EV${serial++}`);
      const moved = { action: 'OBSERVE', epcList: undefined, quantityList: [quantity(100, cityLot, 'KGM')], sourceList: party('source', '00777'), destinationList: party('destination', '00888') };
      await captureAt(city, [
        objectEvent({ ...ago(HOUR), epcList: undefined, quantityList: [quantity(100, cityLot, 'KGM')], ilmd: { 'cbvmda:lotNumber': 'EV1', 'cbvmda:itemExpirationDate': '2027-06-30' } }),
        objectEvent({ ...ago(HOUR / 2), ...moved, bizStep: 'shipping', disposition: 'in_transit', bizLocation: undefined }),
        objectEvent({ ...ago(HOUR / 6), ...moved, bizStep: 'receiving', disposition: 'in_progress' }),
      ]);
      const cityBatch = (await city.platform.services.federation.nextBatch())!;
      assert.equal((await sendBatch(cityBatch.body, keys.city)).status, 200);

      // The system: days late, commissioning without read point, location, ILMD or unit, and a shipment nobody answers.
      const systemLot = lgtin(`EV${serial++}`);
      await captureAt(system, [
        objectEvent({ ...ago(5 * DAY), epcList: undefined, quantityList: [{ epcClass: systemLot, quantity: 50 }], readPoint: undefined, bizLocation: undefined }),
        objectEvent({ ...ago(4 * DAY), action: 'OBSERVE', bizStep: 'shipping', disposition: 'in_transit', epcList: undefined, bizLocation: undefined, quantityList: [quantity(50, systemLot, 'KGM')], sourceList: party('source', '00777'), destinationList: party('destination', '00999') }),
      ]);
      const systemBatch = (await system.platform.services.federation.nextBatch())!;
      const origin = system.platform.services.log.origin;
      const forger = ed25519Signer(origin, generateKeyPairSync('ed25519').privateKey);
      const forged = await sendBatch({ payload: systemBatch.body.payload, signature: signNote(batchSignatureBody(origin, systemBatch.body.payload), [forger]) }, keys.system);
      assert.equal(forged.json.code, 'federation-signature-invalid');
      assert.equal((await sendBatch(systemBatch.body, keys.system)).status, 200);
      // The answer was lost and it sends again: the protocol's resync, not a fault.
      assert.equal((await sendBatch(systemBatch.body, keys.system)).json.code, 'federation-out-of-order');

      // A subject capturing here directly: three documents stored, one failed on an eventID it had used already.
      const direct = await subjectWithKey(province.app, { subject: { regionCode: '330106', name: '西湖区直连企业' } });
      [ids.subject, keys.subject] = [direct.subject.id, direct.key];
      const eventID = `urn:uuid:${randomUUID()}`;
      const complete = (overrides: Record<string, unknown> = {}) => objectEvent({ ...ago(2 * HOUR), epcList: [sgtin(serial++)], ilmd: { 'cbvmda:lotNumber': 'D1' }, ...overrides });
      for (const event of [complete({ eventID }), complete(), complete(), complete({ eventID })]) {
        assert.equal((await call(province.app, 'POST', '/epcis/capture', { key: direct.key, body: epcisDocument([event]) })).status, 202);
      }

      keys.regulator33 = await userKey(province.app, 'regulator', { regionPrefix: '33', departments: ['commerce'] });
      keys.regulator44 = await userKey(province.app, 'regulator', { regionPrefix: '44', departments: ['commerce'] });
      keys.auditor = await userKey(province.app, 'auditor');
    });
    after(async () => {
      await system?.close();
      await city?.close();
      await province?.close();
    });

    test('every batch is recorded with its outcome, refused ones included, and the lag of what it carried', async () => {
      const rows = await province.platform.database.db.selectFrom('federation_batch_outcomes').selectAll().where('member_id', '=', ids.system!).orderBy('arrived_at').orderBy('id').execute();
      assert.deepEqual(rows.map((r) => [r.outcome, r.error_code, Number(r.events), Number(r.stored)]), [
        ['refused', 'federation-signature-invalid', 2, 0],
        ['accepted', null, 2, 2],
        ['refused', 'federation-out-of-order', 2, 0],
      ]);
      const accepted = rows[1]!;
      assert.ok(Number(accepted.median_lag_ms) >= 4 * DAY && Number(accepted.max_lag_ms) >= 5 * DAY, `${accepted.median_lag_ms} ${accepted.max_lag_ms}`);
      assert.ok(Number(accepted.latest_event_ms) - Number(accepted.earliest_event_ms) >= DAY - 1000);
    });

    test('the ranked list: each unit scored from its data, best first', async () => {
      const answer = await call(province.app, 'GET', '/api/v1/evaluations');
      assert.equal(answer.status, 200, answer.body);
      const { period, items } = answer.json;
      assert.equal(period.kind, 'month');
      assert.equal(period.key, parsePeriod('month', undefined, Date.now()).key);
      assert.deepEqual(items.map((e: { unit: { id: string } }) => e.unit.id), [ids.city, ids.subject, ids.system]);
      assert.deepEqual(items.map((e: { rank: number }) => e.rank), [1, 2, 3]);
      const [cityRow, subjectRow, systemRow] = items;

      assert.deepEqual([cityRow.unit.kind, cityRow.unit.memberKind, cityRow.unit.level, cityRow.unit.regionCode], ['member', 'platform', 'city', '330100']);
      assert.equal(cityRow.score, 100);
      assert.equal(cityRow.grade, 'A');
      assert.deepEqual([cityRow.measures.consistency.shipments, cityRow.measures.consistency.answered, cityRow.measures.consistency.quantityBalance], [1, 1, 1]);

      // The subject: one refused job in four, no shipments (consistency carries no weight), otherwise full marks.
      assert.equal(subjectRow.unit.kind, 'subject');
      assert.deepEqual([subjectRow.measures.rejection.submissions, subjectRow.measures.rejection.refused, subjectRow.measures.rejection.rate], [4, 1, 0.25]);
      assert.equal(subjectRow.measures.consistency.value, null);
      assert.equal(subjectRow.weights.consistency, 0);
      assert.equal(subjectRow.score, round1(100 * (0.25 + 0.25 + 0.15 * 0.75 + 0.15) / 0.8));
      assert.equal(subjectRow.grade, 'A');

      // The system: nothing on time, 7 of 11 required elements, its shipment unanswered, one refusal in two batches.
      const m = systemRow.measures;
      assert.deepEqual([m.timeliness.events, m.timeliness.withinThreshold, m.timeliness.value], [2, 0, 0]);
      assert.ok(m.timeliness.medianLagMs >= 4 * DAY && m.timeliness.p95LagMs >= 5 * DAY && m.timeliness.thresholdMs === TIMELINESS_THRESHOLD_MS);
      assert.deepEqual([m.completeness.required, m.completeness.present, m.completeness.completeEvents], [11, 7, 1]);
      assert.deepEqual(m.completeness.missing, { readPoint: 1, bizLocation: 1, quantityUom: 1, ilmd: 1 });
      assert.deepEqual([m.consistency.shipments, m.consistency.answered, m.consistency.unanswered, m.consistency.value], [1, 0, 1, 0]);
      assert.deepEqual([m.rejection.submissions, m.rejection.refused, m.rejection.resyncs, m.rejection.rate], [2, 1, 1, 0.5]);
      assert.deepEqual(m.rejection.errorCodes, { 'federation-signature-invalid': 1 });
      assert.deepEqual([m.availability.expectedDays, m.availability.contactDays, m.availability.value], [1, 1, 1]);
      assert.ok(Date.parse(m.availability.lastContact) > Date.now() - HOUR);
      assert.equal(systemRow.score, round1(100 * (0.25 * 0 + 0.25 * (7 / 11) + 0.2 * 0 + 0.15 * 0.5 + 0.15 * 1)));
      assert.equal(systemRow.grade, 'D');
      for (const row of items) assert.equal(row.previous, null, 'nobody was connected last month');

      // Nothing was connected in the month before, and a period that does not exist is refused.
      const last = previousPeriod(parsePeriod('month', undefined, Date.now())).key;
      assert.deepEqual((await call(province.app, 'GET', `/api/v1/evaluations?period=month&at=${last}`)).json.items, []);
      const bad = await call(province.app, 'GET', '/api/v1/evaluations?period=week&at=2026-13');
      assert.equal(bad.status, 400);
      assert.equal(bad.json.code, 'evaluation-period-invalid');
      assert.equal((await call(province.app, 'GET', '/api/v1/evaluations?period=year')).status, 400);
      // A day gives the same order: everything arrived today.
      const today = (await call(province.app, 'GET', '/api/v1/evaluations?period=day')).json;
      assert.deepEqual(today.items.map((e: { unit: { id: string } }) => e.unit.id), [ids.city, ids.subject, ids.system]);
    });

    test('one unit: its inputs and its trend', async () => {
      const answer = await call(province.app, 'GET', `/api/v1/evaluations/${ids.system}`);
      assert.equal(answer.status, 200, answer.body);
      const unit = answer.json;
      assert.equal(unit.unit.name, '广州某企业系统');
      assert.equal(unit.grade, 'D');
      assert.equal(unit.rank, null);
      assert.deepEqual(unit.measures.completeness.missing, { readPoint: 1, bizLocation: 1, quantityUom: 1, ilmd: 1 });
      assert.equal(unit.trend.length, 6);
      assert.deepEqual(unit.trend.slice(0, 5).map((t: { score: number | null }) => t.score), [null, null, null, null, null]);
      assert.deepEqual(unit.trend[5], { period: unit.period.key, score: unit.score, grade: 'D' });
      assert.equal((await call(province.app, 'GET', '/api/v1/evaluations/no-such-unit')).status, 404);
    });

    test('who sees what: regulators their region, a member itself, subjects nothing', async () => {
      const seen = async (key: string) => {
        const answer = await call(province.app, 'GET', '/api/v1/evaluations', { key });
        assert.equal(answer.status, 200, answer.body);
        return answer.json.items.map((e: { unit: { id: string } }) => e.unit.id);
      };
      assert.deepEqual(await seen(keys.auditor!), [ids.city, ids.subject, ids.system]);
      assert.deepEqual(await seen(keys.regulator33!), [ids.city, ids.subject]);
      assert.deepEqual(await seen(keys.regulator44!), [ids.system]);
      assert.deepEqual(await seen(keys.city!), [ids.city]);
      assert.equal((await call(province.app, 'GET', `/api/v1/evaluations/${ids.system}`, { key: keys.regulator33 })).status, 403);
      assert.equal((await call(province.app, 'GET', `/api/v1/evaluations/${ids.system}`, { key: keys.regulator44 })).status, 200);
      assert.equal((await call(province.app, 'GET', `/api/v1/evaluations/${ids.city}`, { key: keys.city })).status, 200);
      const other = await call(province.app, 'GET', `/api/v1/evaluations/${ids.system}`, { key: keys.city });
      assert.equal(other.status, 403);
      assert.match(String(other.headers['content-type']), /application\/problem\+json/);
      assert.equal((await call(province.app, 'GET', '/api/v1/evaluations', { key: keys.subject })).status, 403);
      assert.equal((await call(province.app, 'GET', '/api/v1/evaluations.csv', { key: keys.subject })).status, 403);
    });

    test('CSV and XLSX of the ranked list', async () => {
      const csv = await call(province.app, 'GET', '/api/v1/evaluations.csv');
      assert.equal(csv.status, 200);
      assert.match(String(csv.headers['content-type']), /^text\/csv/);
      assert.ok(csv.body.startsWith('\uFEFF'), 'byte order mark');
      const lines = csv.body.slice(1).split('\r\n').filter((l) => l !== '');
      const header = lines[0]!.split(',');
      const cell = (line: string, name: string) => line.split(',')[header.findIndex((h) => h.endsWith(` ${name}`))];
      assert.equal(lines.length, 4);
      assert.deepEqual(lines.slice(1).map((l) => cell(l, 'Name')), ['杭州市追溯平台', '西湖区直连企业', '广州某企业系统']);
      assert.deepEqual(lines.slice(1).map((l) => cell(l, 'Grade')), ['A', 'A', 'D']);
      assert.equal(cell(lines[3]!, 'Rejection rate'), '0.5');
      assert.equal(cell(lines[3]!, 'Missing'), 'readPoint: 1; bizLocation: 1; quantityUom: 1; ilmd: 1');

      const response = await province.app.inject({ method: 'GET', url: '/api/v1/evaluations.xlsx', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      assert.equal(response.statusCode, 200);
      assert.match(String(response.headers['content-disposition']), /^attachment; filename="evaluation-\d{4}-\d{2}\.xlsx"$/);
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(response.rawPayload as never);
      const ranking = workbook.getWorksheet('排名 Ranking')!;
      const columns = (ranking.getRow(1).values as unknown[]).slice(1) as string[];
      const column = (name: string) => columns.findIndex((h) => h.endsWith(` ${name}`)) + 1;
      assert.equal(ranking.rowCount, 4);
      assert.deepEqual([2, 3, 4].map((r) => ranking.getRow(r).getCell(column('Rank')).value), [1, 2, 3]);
      assert.equal(ranking.getRow(4).getCell(column('Score')).value, round1(100 * (0.25 * (7 / 11) + 0.15 * 0.5 + 0.15)));
      assert.equal(ranking.getRow(4).getCell(column('Unanswered')).value, 1);
      const scoring = workbook.getWorksheet('计分 Scoring')!;
      const fields = new Map([...Array(scoring.rowCount).keys()].map((i) => [String(scoring.getRow(i + 1).getCell(1).value), scoring.getRow(i + 1).getCell(2).value]));
      assert.equal(fields.get('权重 Weight: timeliness'), 0.25);
      assert.equal(fields.get('及时 On time within (hours)'), 24);
    });

    test("/metrics: each member's score for the latest complete day", async () => {
      // Registered three days ago and silent yesterday: no figures but availability, which is nil.
      await province.platform.database.db.updateTable('federation_members').set({ registered_at: new Date(Date.now() - 3 * DAY).toISOString() }).where('id', '=', ids.system!).execute();
      const metrics = (await call(province.app, 'GET', '/metrics', { key: null })).body;
      assert.match(metrics, new RegExp(`zhuisu_evaluation_member_score\\{member="${system.platform.services.log.origin.replace(/[.]/g, '\\.')}"\\} 0\\n`));
      assert.ok(!metrics.includes(`zhuisu_evaluation_member_score{member="${city.platform.services.log.origin}"}`), 'a member registered today has no complete day yet');
    });
  });
}
