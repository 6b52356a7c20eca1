import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { withCheckDigit } from '../../src/codes/gs1/check-digit.js';
import { epcisDocument, objectEvent, sgln, sgtin } from '../builders/epcis.js';
import { locationBody, subjectBody } from '../builders/master-data.js';
import { Cluster, json, until, type Node } from '../support/cluster.js';

/**
 * What flows between a city and its province besides events, with real `zhuisu serve` processes: a subject and its
 * location registered at the city arrive at the province with the events they own, where a regulator of the city's
 * region reads them; a correction made at the city is a correction at the province; a recall made at the province
 * reaches the city's subject at the city, whose acknowledgement there is seen at the province.
 */

const cluster = new Cluster('flows');
after(cluster.cleanup);

/** A new user of `role` at `node` (with the user fields given) and its API key. */
async function keyAt(node: Node, role: string, fields: Record<string, unknown>): Promise<string> {
  const user = await json(node.base, '/api/v1/users', { method: 'POST', body: JSON.stringify({ username: `u${Math.random().toString(36).slice(2, 10)}`, role, ...fields }) });
  assert.equal(user.status, 201, JSON.stringify(user.body));
  return (await json(node.base, `/api/v1/users/${user.body.id}/keys`, { method: 'POST', body: JSON.stringify({ name: 'test' }) })).body.secret as string;
}

const as = (key: string) => ({ authorization: `Bearer ${key}` });

test('master data, corrections and recalls flow between a city and its province', { timeout: 300_000 }, async () => {
  const province = await cluster.start('province', 0, { ZHUISU_LEVEL: 'province', ZHUISU_REGION: '330000' });
  const { secret } = await cluster.register(province, { name: 'city', level: 'city', regionCode: '330100' });
  const city = await cluster.start('city', 0, { ZHUISU_LEVEL: 'city', ZHUISU_REGION: '330100', ZHUISU_UPSTREAM_URL: province.base, ZHUISU_UPSTREAM_TOKEN: secret });

  // At the city: a subject of 杭州, its warehouse, and an event it captures there, then corrects.
  const subject = (await json(city.base, '/api/v1/subjects', { method: 'POST', body: JSON.stringify(subjectBody({ regionCode: '330106' })) })).body;
  const subjectKey = await keyAt(city, 'subject_admin', { subjectId: subject.id });
  const gln = withCheckDigit('061414100321');
  const location = await json(city.base, `/api/v1/subjects/${subject.id}/locations`, { method: 'POST', headers: as(subjectKey), body: JSON.stringify(locationBody({ gln })) });
  assert.equal(location.status, 201, JSON.stringify(location.body));
  const code = sgtin(930_001);
  const event = objectEvent({ epcList: [code], bizLocation: { id: sgln(0, '00321') }, readPoint: { id: sgln(0, '00321') } });
  const captured = await json(city.base, '/epcis/capture', { method: 'POST', headers: as(subjectKey), body: JSON.stringify(epcisDocument([event])) });
  assert.equal(captured.status, 202, JSON.stringify(captured.body));
  const eventID = captured.body.eventIDs[0] as string;
  const declaration = { ...event, errorDeclaration: { declarationTime: '2024-05-03T10:00:00.000+08:00', reason: 'incorrect_data' } };
  assert.equal((await json(city.base, '/epcis/capture', { method: 'POST', headers: as(subjectKey), body: JSON.stringify(epcisDocument([declaration])) })).status, 202);

  // At the province: the subject under its own id, and the event, corrected, read by a regulator of 杭州.
  await until('the correction at the province', async () => (await json(province.base, `/epcis/events/${encodeURIComponent(eventID)}`)).body?.errorDeclaration?.reason === 'incorrect_data');
  const there = await json(province.base, `/api/v1/subjects/${subject.id}`);
  assert.deepEqual([there.status, there.body.subjectCode, there.body.regionCode], [200, subject.subjectCode, '330106']);
  assert.equal((await json(province.base, `/api/v1/locations/${location.body.id}`)).body.gln, gln);
  const regulator = await keyAt(province, 'regulator', { regionPrefix: '3301', departments: ['market_regulation'] });
  const ningbo = await keyAt(province, 'regulator', { regionPrefix: '3302', departments: ['market_regulation'] });
  const read = await json(province.base, `/epcis/events/${encodeURIComponent(eventID)}`, { headers: as(regulator) });
  assert.equal(read.status, 200, 'a regulator of the city reads the event at the province');
  assert.equal(read.body.errorDeclaration.reason, 'incorrect_data');
  assert.equal((await json(province.base, `/epcis/events/${encodeURIComponent(eventID)}`, { headers: as(ningbo) })).status, 403, 'one of another city does not');

  // A recall at the province reaches the subject at the city, which acknowledges it there.
  const recall = await json(province.base, '/api/v1/recalls', { method: 'POST', body: JSON.stringify({ codes: [code], reason: '抽检不合格', level: 1 }) });
  assert.equal(recall.status, 201, JSON.stringify(recall.body));
  let noticeId = '';
  await until('the notice at the city', async () => {
    const notices = (await json(city.base, '/api/v1/notices', { headers: as(subjectKey) })).body.items as { id: string; recallId: string }[];
    noticeId = notices.find((n) => n.recallId === recall.body.id)?.id ?? '';
    return noticeId !== '';
  });
  const answered = await json(city.base, `/api/v1/notices/${noticeId}/acknowledge`, { method: 'POST', headers: as(subjectKey), body: JSON.stringify({ destroyed: [{ quantity: 1, uom: 'EA' }], note: '已销毁' }) });
  assert.equal(answered.status, 200, JSON.stringify(answered.body));
  await until('the acknowledgement at the province', async () => (await json(province.base, `/api/v1/recalls/${recall.body.id}/progress`)).body.acknowledged === 1);
  const progress = (await json(province.base, `/api/v1/recalls/${recall.body.id}/progress`)).body;
  assert.deepEqual([progress.notices, progress.recovered], [1, [{ quantity: 1, uom: 'EA' }]], 'with what the subject answered at the city');

  await cluster.stop(city);
  await cluster.stop(province);
});
