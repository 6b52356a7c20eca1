import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import ExcelJS from 'exceljs';
import { auditRow } from '../../src/audit/audit.repository.js';
import { identifierOf } from '../../src/codes/registry.js';
import { openNote, parseCheckpoint, verifierFromKey } from '../../src/crypto/signed-note.js';
import { eventHash } from '../../src/epcis/event-hash.js';
import { parseEntry, recordDigest } from '../../src/log/entries.js';
import { leafHash, verifyInclusion } from '../../src/log/merkle.js';
import { LOIN, PALLET, chain, registerChainParties, scanned, type ChainParty } from '../builders/chains.js';
import { epcisDocument } from '../builders/epcis.js';
import { TEST_DIALECTS } from '../support/databases.js';
import { ADMIN_TOKEN, call, startTestPlatform, userKey, type TestPlatform } from '../support/platform.js';

/**
 * The recall dossier on the hand-built chain of test/builders/chains.ts: the plant recalls its loin lot, the market
 * answers its notice, the plant closes the recall. The dossier is then checked the way an inspector away from the
 * platform would: every proof against the signed checkpoint, every audit record against the digest its leaf carries.
 */

const id = (text: string) => identifierOf(scanned(text));

interface Leaf {
  leafIndex: number;
  leafHash: string;
  entry: string;
  inclusionProof: string[];
}
interface Dossier {
  compiledAt: string;
  recall: { id: string; status: string; closingNote: string | null; roots: string[] };
  progress: { notices: number; acknowledged: number; recovered: { quantity: number; uom: string }[] };
  notices: { id: string; subjectId: string; status: string; outcome: { note: string | null } | null }[];
  records: Record<string, string | null>[];
  withheld: string[];
  movements: { codes: { code: string }[]; movements: { eventID: string; bizStep: string | null; code: string }[] };
  proofs?: { treeSize: number; checkpoint: string; verifierKey: string; events: (Leaf & { eventID: string })[]; records: (Leaf & { auditId: string })[] };
}

const hex = (list: string[]) => list.map((h) => Buffer.from(h, 'hex'));

for (const dialect of TEST_DIALECTS) {
  describe(`recall dossier on ${dialect}`, () => {
    let t: TestPlatform;
    const actors: Partial<Record<'farm' | 'plant' | 'market', ChainParty>> = {};
    let regulator: string;
    let recallId: string;
    /** The CBV hash of every captured event, by its eventID: what an offline reader recomputes from the events. */
    const hashes = new Map<string, string>();

    const dossier = async (query = '', key?: string) => call(t.app, 'GET', `/api/v1/recalls/${recallId}/dossier${query}`, key === undefined ? {} : { key });

    before(async () => {
      t = await startTestPlatform(dialect);
      Object.assign(actors, await registerChainParties(t.app));
      regulator = await userKey(t.app, 'regulator', { regionPrefix: '11', departments: ['market_regulation'] });

      const events = chain();
      const document = epcisDocument(events);
      const captured = await call(t.app, 'POST', '/epcis/capture', { body: document });
      assert.equal(captured.status, 202, captured.body);
      const job = (await call(t.app, 'GET', String(captured.headers.location))).json;
      (job.eventIDs as string[]).forEach((eventID, i) => hashes.set(eventID, eventHash(events[i]!, document['@context'] as never)));

      const created = await call(t.app, 'POST', '/api/v1/recalls', { key: actors.plant!.admin, body: { codes: [LOIN], reason: '兽药残留超标', level: 1 } });
      assert.equal(created.status, 201, created.body);
      recallId = created.json.id;
      const [notice] = (await call(t.app, 'GET', '/api/v1/notices', { key: actors.market!.operator })).json.items;
      const answered = await call(t.app, 'POST', `/api/v1/notices/${notice.id}/acknowledge`, { key: actors.market!.operator, body: { found: [{ quantity: 4, uom: 'EA' }], returned: [{ quantity: 4, uom: 'EA' }], note: '已下架' } });
      assert.equal(answered.status, 200, answered.body);
      assert.equal((await call(t.app, 'POST', `/api/v1/recalls/${recallId}/close`, { key: actors.plant!.admin, body: { note: '全部召回' } })).status, 200);
    });
    after(() => t.close());

    test('the dossier holds the recall, its progress, every notice, its audit records as stored and the movements', async () => {
      const response = await dossier('', actors.plant!.admin);
      assert.equal(response.status, 200, response.body);
      const d = response.json as Dossier;
      assert.equal(d.recall.id, recallId);
      assert.equal(d.recall.status, 'closed');
      assert.equal(d.recall.closingNote, '全部召回');
      assert.ok(Date.parse(d.compiledAt) >= Date.parse((await call(t.app, 'GET', `/api/v1/recalls/${recallId}`)).json.closedAt));
      assert.deepEqual([d.progress.notices, d.progress.acknowledged], [2, 1]);
      assert.deepEqual(d.progress.recovered, [{ quantity: 8, uom: 'EA' }]);

      assert.deepEqual(d.notices.map((n) => n.subjectId).sort(), [actors.plant!.subjectId, actors.market!.subjectId].sort(), 'every notice, not only the caller\'s');
      const market = d.notices.find((n) => n.subjectId === actors.market!.subjectId)!;
      assert.equal(market.status, 'acknowledged');
      assert.equal(market.outcome?.note, '已下架');
      assert.equal(d.notices.find((n) => n.subjectId === actors.plant!.subjectId)!.outcome, null);

      assert.deepEqual(d.records.map((r) => [r.action, r.target_type, r.target_id]), [
        ['recall.create', 'recall', recallId],
        ['recall.acknowledge', 'recall_notice', market.id],
        ['recall.close', 'recall', recallId],
      ], 'oldest first');
      // Exactly the rows the audit trail stores: the same entries the audit API shows, in their stored form.
      const trail = [
        ...(await call(t.app, 'GET', `/api/v1/audit?targetId=${recallId}`)).json.items,
        ...(await call(t.app, 'GET', `/api/v1/audit?targetId=${market.id}`)).json.items,
      ].map((e: Parameters<typeof auditRow>[0]) => auditRow(e));
      // The initiator may read its own subject's audit trail, not the market's: who acknowledged and what it answered
      // it sees, the market's client address, request and key it does not.
      const acknowledged = d.records.find((r) => r.action === 'recall.acknowledge')!;
      assert.deepEqual(d.withheld, [acknowledged.id]);
      for (const record of d.records) {
        const stored = trail.find((r) => r.id === record.id)!;
        assert.deepEqual(record, d.withheld.includes(String(record.id)) ? { ...stored, address: null, request_id: null, actor_key_id: null } : stored);
      }

      assert.deepEqual(d.movements.codes.map((c) => c.code), [id(LOIN)]);
      const shipped = d.movements.movements.filter((m) => m.bizStep === 'shipping');
      assert.ok(shipped.some((m) => m.code === id(PALLET)), 'the pallet of recalled serials shipped to the market');
      assert.equal(d.proofs, undefined, 'proofs only when asked');
    });

    test('with proofs: every event and every record checks offline against the signed checkpoint, and a changed record does not', async () => {
      const d = (await dossier('?proofs=true')).json as Dossier;
      assert.deepEqual(d.withheld, [], 'a platform admin reads every row whole');
      const proofs = d.proofs!;
      assert.ok(proofs.events.length > 0 && proofs.records.length === 3);
      assert.deepEqual(proofs.events.map((p) => p.eventID).sort(), [...new Set(d.movements.movements.map((m) => m.eventID))].sort(), "one proof per movement's event");
      assert.deepEqual(proofs.records.map((p) => p.auditId), d.records.map((r) => r.id), 'one proof per record');

      // An offline reader has only the dossier, the events it names and the log's published key.
      const checkpoint = parseCheckpoint(openNote(proofs.checkpoint, [verifierFromKey(proofs.verifierKey)]).body);
      assert.equal(checkpoint.size, proofs.treeSize);
      const included = (p: Leaf) => verifyInclusion(leafHash(Buffer.from(p.entry, 'utf8')), p.leafIndex, proofs.treeSize, hex(p.inclusionProof), checkpoint.rootHash);
      for (const p of proofs.events) {
        assert.equal(p.entry, `event ${p.eventID} ${hashes.get(p.eventID)}\n`, 'the leaf names the event and the hash recomputed from it');
        assert.equal(leafHash(Buffer.from(p.entry, 'utf8')).toString('hex'), p.leafHash);
        assert.ok(included(p), p.eventID);
      }
      for (const p of proofs.records) {
        const record = d.records.find((r) => r.id === p.auditId)!;
        const entry = parseEntry(p.entry);
        assert.deepEqual([entry?.kind, entry?.ref], ['audit', record.id]);
        assert.equal(recordDigest(record), entry?.digest, "the record's canonical JSON hashes to the digest its leaf carries");
        assert.equal(leafHash(Buffer.from(p.entry, 'utf8')).toString('hex'), p.leafHash);
        assert.ok(included(p), p.auditId);
      }

      const close = d.records.find((r) => r.action === 'recall.close')!;
      const tampered = { ...close, changes: JSON.stringify({ note: '未召回' }) };
      const closeProof = proofs.records.find((p) => p.auditId === close.id)!;
      assert.notEqual(recordDigest(tampered), parseEntry(closeProof.entry)?.digest, 'a changed record no longer matches its leaf');
      const forged = closeProof.entry.replace(/sha-256:[0-9a-f]+/, recordDigest(tampered));
      assert.ok(!included({ ...closeProof, entry: forged }), 'nor does a leaf rewritten to match it');
      assert.ok(!included({ ...closeProof, leafIndex: closeProof.leafIndex + 1 }), 'a proof holds for its own leaf only');
    });

    test('XLSX: the recall, notices, movements, records and proofs sheets', async () => {
      const response = await t.app.inject({ method: 'GET', url: `/api/v1/recalls/${recallId}/dossier.xlsx?proofs=true`, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.headers['content-type'], 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      assert.equal(response.headers['content-disposition'], `attachment; filename="recall-${recallId}.xlsx"`);
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(response.rawPayload as never);
      assert.deepEqual(workbook.worksheets.map((w) => w.name), ['召回 Recall', '通知 Notices', '流向 Movements', '记录 Records', '证明 Proofs']);
      const d = (await dossier('?proofs=true')).json as Dossier;

      const recall = workbook.getWorksheet('召回 Recall')!;
      const field = (label: string) => [...Array(recall.rowCount).keys()].map((i) => recall.getRow(i + 1)).find((r) => String(r.getCell(1).value).endsWith(` ${label}`))?.getCell(2).value;
      assert.equal(field('Recall ID'), recallId);
      assert.equal(field('Status'), 'closed');
      assert.equal(field('Closing note'), '全部召回');
      assert.equal(field('Acknowledged'), 1);
      assert.ok(field('Created (UTC)') instanceof Date, 'a date cell');

      const rows = (name: string) => {
        const ws = workbook.getWorksheet(name)!;
        const header = (ws.getRow(1).values as unknown[]).slice(1).map(String);
        return [...Array(ws.rowCount - 1).keys()].map((i) => ws.getRow(i + 2)).map((r) => Object.fromEntries(header.map((h, j) => [h.replace(/ \(.*\)$/, '').split(' ').pop(), r.getCell(j + 1).value])));
      };
      const notices = rows('通知 Notices');
      assert.equal(notices.length, 2);
      assert.equal(notices.find((n) => n.ID === d.notices.find((x) => x.subjectId === actors.market!.subjectId)!.id)?.Note, '已下架');
      assert.equal(rows('流向 Movements').length, d.movements.movements.length);

      const records = rows('记录 Records');
      assert.deepEqual(records.map((r) => r.Action), ['recall.create', 'recall.acknowledge', 'recall.close']);
      for (const r of records) {
        const text = String(r.Record);
        assert.equal(`sha-256:${createHash('sha256').update(text).digest('hex')}`, r.Digest, 'the sheet alone recomputes each digest');
      }

      const proofs = workbook.getWorksheet('证明 Proofs')!;
      const all = [...Array(proofs.rowCount).keys()].map((i) => proofs.getRow(i + 1));
      assert.deepEqual(all.slice(1, 1 + d.proofs!.events.length + d.proofs!.records.length).map((r) => r.getCell(2).value), [...d.proofs!.events.map(() => 'event'), ...d.proofs!.records.map(() => 'audit')]);
      assert.ok(all.some((r) => r.getCell(1).value === '检查点 Checkpoint' && String(r.getCell(2).value).startsWith(`${t.platform.services.log.origin}\n`)), 'the checkpoint travels with the sheet');
      assert.ok(all.some((r) => r.getCell(1).value === '验证密钥 Verifier key' && r.getCell(2).value === d.proofs!.verifierKey));

      const plain = await t.app.inject({ method: 'GET', url: `/api/v1/recalls/${recallId}/dossier.xlsx`, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      const without = new ExcelJS.Workbook();
      await without.xlsx.load(plain.rawPayload as never);
      assert.equal(without.getWorksheet('证明 Proofs'), undefined, 'proofs only when asked');
    });

    test('only those who see the recall whole get its dossier; the movements are within their own read rights', async () => {
      for (const path of ['dossier', 'dossier.xlsx']) {
        const refused = await call(t.app, 'GET', `/api/v1/recalls/${recallId}/${path}`, { key: actors.market!.admin });
        assert.equal(refused.status, 403, 'an affected subject sees its notice only');
        assert.equal(refused.headers['content-type'], 'application/problem+json');
        assert.equal(refused.json.code, 'not-permitted');
        const unknown = await call(t.app, 'GET', `/api/v1/recalls/0190aaaa-0000-7000-8000-000000000000/${path}`);
        assert.equal(unknown.status, 404);
        assert.equal(unknown.headers['content-type'], 'application/problem+json');
        assert.equal(unknown.json.code, 'recall-not-found');
        const bad = await call(t.app, 'GET', `/api/v1/recalls/${recallId}/${path}?proofs=perhaps`);
        assert.equal(bad.status, 400);
        assert.equal(bad.headers['content-type'], 'application/problem+json');
        assert.equal((await call(t.app, 'GET', `/api/v1/recalls/${recallId}/${path}`, { key: null })).status, 401);
      }
      const all = (await dossier()).json as Dossier;
      const inRegion = await dossier('?proofs=true', regulator);
      assert.equal(inRegion.status, 200, 'a regulator of an affected region');
      const theirs = inRegion.json as Dossier;
      const events = new Set(all.movements.movements.map((m) => m.eventID));
      assert.ok(theirs.movements.movements.every((m) => events.has(m.eventID)));
      assert.ok(theirs.movements.movements.length < events.size, "the regulator reads fewer of the chain's events than an admin: the recall's own reach does not widen them");
      assert.deepEqual(theirs.proofs!.events.map((p) => p.eventID).sort(), [...new Set(theirs.movements.movements.map((m) => m.eventID))].sort(), 'proofs of the events they may read, no others');
      assert.deepEqual(theirs.records.map((r) => r.id), all.records.map((r) => r.id));
      // A regulator may not read subjects' audit trails: who acted and what changed it sees, the client's address,
      // request and key it does not; an admin sees every row whole.
      assert.deepEqual(all.withheld, []);
      assert.ok(all.records.some((r) => r.address !== null), 'the rows record the client address');
      assert.deepEqual(theirs.withheld, theirs.records.map((r) => r.id));
      theirs.records.forEach((mine, i) => {
        const whole = all.records[i]!;
        const proof = theirs.proofs!.records.find((p) => p.auditId === mine.id)!;
        assert.ok(proof.entry.includes(recordDigest(whole)) && !proof.entry.includes(recordDigest(mine)), "the log's entry pins the whole row");
        assert.deepEqual(mine, { ...whole, address: null, request_id: null, actor_key_id: null });
      });
    });
  });
}
