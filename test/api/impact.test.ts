import assert from 'node:assert/strict';
import type { ImpactBalance } from '../../src/trace/impact.service.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import { withCheckDigit } from '../../src/codes/gs1/check-digit.js';
import { openNote, parseCheckpoint, verifierFromKey } from '../../src/crypto/signed-note.js';
import { leafHash, verifyInclusion } from '../../src/log/merkle.js';
import { identifierOf, scanCode } from '../../src/codes/registry.js';
import { aggregationEvent, epcisDocument, lgtin, objectEvent, pgln, quantity, sgln, sgtin, sscc, transactionEvent } from '../builders/epcis.js';
import { locationBody, productBody, subjectBody } from '../builders/master-data.js';
import { TEST_DIALECTS } from '../support/databases.js';
import { ADMIN_TOKEN, call, startTestPlatform, subjectWithKey, type TestPlatform } from '../support/platform.js';

/**
 * Impact assessment on a hand-built chain of one lot of 当归饮片 (sold by weight) and three serialised packs of it:
 * the maker in 杭州 ships part of the lot to a distributor in 南京 and part straight to a pharmacy in 宁波, the
 * distributor passes some on to a shop in 苏州, which sells some; the pharmacy dispenses some. The packs travel in a
 * case to the distributor. Every holder keeps a remainder.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const at = (hour: number) => `2026-10-01T${String(hour).padStart(2, '0')}:00:00.000+08:00`;
const id = (text: string) => {
  const result = scanCode(text);
  assert.ok(result.ok, text);
  return identifierOf(result.readings[0]!);
};
const glnOf = (reference: string) => withCheckDigit(`0614141${reference}`);

const ITEM = '107360';
const LOT = lgtin('DG2610', ITEM);
const PACKS = [1, 2, 3].map((n) => sgtin(`P${n}`, ITEM));
const CASE = sscc(3001);
const OTHER_LOT = lgtin('DG2611', ITEM);
const GTIN = /\/01\/(\d{14})\//.exec(id(LOT))![1]!;

const PLACES = {
  maker: { reference: '00011', region: '330106', name: '杭州饮片厂' },
  distributor: { reference: '00012', region: '320102', name: '南京医药配送' },
  shop: { reference: '00013', region: '320508', name: '苏州药店' },
  pharmacy: { reference: '00014', region: '330203', name: '宁波医院药房' },
} as const;
type Holder = keyof typeof PLACES;
const PRODUCT_NAME = '当归饮片';

function chain(): Record<string, unknown>[] {
  const place = (who: Holder) => ({ readPoint: { id: sgln(0, PLACES[who].reference) }, bizLocation: { id: sgln(0, PLACES[who].reference) } });
  const trip = (from: Holder, to: Holder) => ({
    sourceList: [{ type: 'owning_party', source: pgln(PLACES[from].reference) }, { type: 'location', source: sgln(0, PLACES[from].reference) }],
    destinationList: [{ type: 'owning_party', destination: pgln(PLACES[to].reference) }, { type: 'location', destination: sgln(0, PLACES[to].reference) }],
  });
  const kg = (n: number) => ({ epcList: [], quantityList: [quantity(n, LOT, 'KGM')] });
  const ship = (hour: number, from: Holder, to: Holder, what: Record<string, unknown>) =>
    objectEvent({ eventTime: at(hour), action: 'OBSERVE', bizStep: 'shipping', disposition: 'in_transit', ...what, ...place(from), ...trip(from, to) });
  const receive = (hour: number, from: Holder, to: Holder, what: Record<string, unknown>) =>
    objectEvent({ eventTime: at(hour), action: 'OBSERVE', bizStep: 'receiving', disposition: 'in_progress', ...what, ...place(to), ...trip(from, to) });
  return [
    objectEvent({ eventTime: at(1), ...kg(100), ...place('maker') }),
    objectEvent({ eventTime: at(1), epcList: PACKS, ilmd: { 'cbvmda:lotNumber': 'DG2610' }, ...place('maker') }),
    aggregationEvent({ eventTime: at(1), parentID: CASE, childEPCs: PACKS, ...place('maker') }),
    ship(2, 'maker', 'distributor', kg(60)),
    ship(2, 'maker', 'distributor', { epcList: [CASE] }),
    receive(3, 'maker', 'distributor', kg(60)),
    receive(3, 'maker', 'distributor', { epcList: [CASE] }),
    ship(4, 'maker', 'pharmacy', kg(30)),
    // The same shipment under its purchase order: a second row, not a second 30 kg.
    transactionEvent({ eventTime: at(4), ...kg(30), ...place('maker'), ...trip('maker', 'pharmacy') }),
    receive(5, 'maker', 'pharmacy', kg(30)),
    ship(6, 'distributor', 'shop', kg(25)),
    receive(7, 'distributor', 'shop', kg(25)),
    objectEvent({ eventTime: at(8), action: 'OBSERVE', bizStep: 'retail_selling', disposition: 'retail_sold', ...kg(10), ...place('shop') }),
    objectEvent({ eventTime: at(9), action: 'OBSERVE', bizStep: 'dispensing', disposition: 'dispensed', ...kg(2), ...place('pharmacy') }),
    // Another lot of the same product, shipped the same way: not part of the assessment of the first.
    objectEvent({ eventTime: at(1), epcList: [], quantityList: [quantity(5, OTHER_LOT, 'KGM')], ...place('maker') }),
    ship(2, 'maker', 'shop', { epcList: [], quantityList: [quantity(5, OTHER_LOT, 'KGM')] }),
  ];
}

type Balance = ImpactBalance;
interface Assessment {
  codes: { scanned: string; code: string }[];
  things: { code: string; lot: string | null; productName: string | null }[];
  subjects: { id: string }[];
  locations: { gln: string }[];
  regions: { level: string; code: string; name: string | null; subjectIds: string[]; locationGlns: string[] }[];
  holders: { subjectId: string | null; name: string | null; regionCode: string | null; region: string | null; balances: Balance[]; movements: number; firstDate: string | null; lastDate: string | null }[];
  totals: Balance[];
  movements: { eventID: string; eventTime: string; bizStep: string; code: string; text: string; lot: string | null; productName: string | null; gtin: string | null; quantity: number | null; uom: string | null; contents: { uom: string; quantity: number }[]; from: { subjectId: string | null; gln: string | null }; to: { subjectId: string | null; gln: string | null }; regionCode: string | null; region: string | null }[];
  warnings: string[];
}

const balance = (uom: string, b: Partial<Balance>): Balance => {
  const full = { uom, produced: 0, received: 0, shipped: 0, sold: 0, dispensed: 0, consumed: 0, ...b };
  return { ...full, remaining: full.produced + full.received - full.shipped - full.sold - full.dispensed - full.consumed };
};

const EXPECTED_BALANCES: Record<Holder, Balance[]> = {
  maker: [balance('EA', { produced: 3, shipped: 3 }), balance('KGM', { produced: 100, shipped: 90 })],
  distributor: [balance('EA', { received: 3 }), balance('KGM', { received: 60, shipped: 25 })],
  shop: [balance('KGM', { received: 25, sold: 10 })],
  pharmacy: [balance('KGM', { received: 30, dispensed: 2 })],
};

/** RFC 4180, as far as this test needs: quoted fields with doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (quoted) {
      if (c !== '"') field += c;
      else if (text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else quoted = false;
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 1;
    } else {
      field += c;
    }
  }
  assert.deepEqual([field, row], ['', []], 'the last line ends with CRLF');
  return rows;
}

for (const dialect of TEST_DIALECTS) {
  describe(`impact assessment on ${dialect}`, () => {
    let t: TestPlatform;
    const subjects = {} as Record<Holder, string>;
    const names = {} as Record<Holder, string>;
    before(async () => {
      t = await startTestPlatform(dialect);
      for (const [holder, p] of Object.entries(PLACES) as [Holder, (typeof PLACES)[Holder]][]) {
        const subject = await call(t.app, 'POST', '/api/v1/subjects', { body: subjectBody({ name: p.name, regionCode: p.region, roles: ['wholesaler'] }) });
        assert.equal(subject.status, 201, subject.body);
        subjects[holder] = subject.json.id;
        names[holder] = p.name;
        const location = await call(t.app, 'POST', `/api/v1/subjects/${subject.json.id}/locations`, { body: locationBody({ gln: glnOf(p.reference), name: `${p.name}仓库`, regionCode: p.region }) });
        assert.equal(location.status, 201, location.body);
      }
      const product = await call(t.app, 'POST', `/api/v1/subjects/${subjects.maker}/products`, { body: productBody({ gtin: GTIN, name: PRODUCT_NAME, productClass: 'drug' }) });
      assert.equal(product.status, 201, product.body);
      const captured = await call(t.app, 'POST', '/epcis/capture', { body: epcisDocument(chain()) });
      assert.equal(captured.status, 202, captured.body);
      const job = await call(t.app, 'GET', String(captured.headers.location));
      assert.equal(job.json.success, true, job.body);
    });
    after(() => t.close());

    const assess = async (query: string, key?: string): Promise<Assessment> => {
      const response = await call(t.app, 'GET', `/api/v1/impact?${query}`, key ? { key } : {});
      assert.equal(response.status, 200, response.body);
      return response.json as Assessment;
    };
    const holderOf = (a: Assessment, who: Holder) => a.holders.find((h) => h.subjectId === subjects[who]);

    test('per holder: what it made, received, shipped, sold and dispensed, and what remains, per unit', async () => {
      const a = await assess(`code=${encodeURIComponent(LOT)}`);
      assert.deepEqual(a.warnings, []);
      assert.deepEqual(a.codes, [{ scanned: LOT, code: id(LOT) }]);
      assert.deepEqual(
        a.holders.map((h) => h.subjectId),
        [subjects.distributor, subjects.shop, subjects.maker, subjects.pharmacy],
        'sorted by region code',
      );
      for (const who of Object.keys(PLACES) as Holder[]) {
        const h = holderOf(a, who)!;
        assert.deepEqual(h.balances, EXPECTED_BALANCES[who], who);
        assert.equal(h.name, names[who]);
        assert.equal(h.regionCode, PLACES[who].region);
      }
      assert.equal(holderOf(a, 'shop')!.region, '江苏省 苏州市 姑苏区');
      assert.equal(holderOf(a, 'maker')!.firstDate, at(1));
      assert.equal(holderOf(a, 'maker')!.lastDate, at(4));
      assert.equal(holderOf(a, 'pharmacy')!.firstDate, at(5), 'from its receipt');
      assert.equal(holderOf(a, 'pharmacy')!.movements, 4, 'the shipment to it (twice recorded), its receipt, its dispensing');
      assert.equal(holderOf(a, 'pharmacy')!.lastDate, at(9));
      assert.deepEqual(a.totals, [balance('EA', { produced: 3, received: 3, shipped: 3 }), balance('KGM', { produced: 100, received: 115, shipped: 115, sold: 10, dispensed: 2 })]);
      assert.equal(a.totals.find((b) => b.uom === 'KGM')!.remaining, 88);
      const things = new Map(a.things.map((th) => [th.code, th]));
      assert.deepEqual([...things.keys()].sort(), [LOT, ...PACKS, CASE].map(id).sort());
      assert.equal(things.get(id(PACKS[0]!))!.lot, 'DG2610', 'a serial knows its lot');
      assert.equal(things.get(id(LOT))!.productName, PRODUCT_NAME);
    });

    test('subjects and places by province, city and county', async () => {
      const a = await assess(`code=${encodeURIComponent(LOT)}`);
      const regions = a.regions.map((r) => [r.level, r.code, r.name, [...r.subjectIds].sort(), r.locationGlns.length]);
      const s = (...who: Holder[]) => who.map((w) => subjects[w]).sort();
      assert.deepEqual(regions, [
        ['province', '32', '江苏省', s('distributor', 'shop'), 2],
        ['city', '3201', '南京市', s('distributor'), 1],
        ['county', '320102', '玄武区', s('distributor'), 1],
        ['city', '3205', '苏州市', s('shop'), 1],
        ['county', '320508', '姑苏区', s('shop'), 1],
        ['province', '33', '浙江省', s('maker', 'pharmacy'), 2],
        ['city', '3301', '杭州市', s('maker'), 1],
        ['county', '330106', '西湖区', s('maker'), 1],
        ['city', '3302', '宁波市', s('pharmacy'), 1],
        ['county', '330203', '海曙区', s('pharmacy'), 1],
      ]);
      assert.deepEqual(a.subjects.map((x) => x.id).sort(), s('maker', 'distributor', 'shop', 'pharmacy'));
      assert.deepEqual(a.locations.map((l) => l.gln).sort(), Object.values(PLACES).map((p) => glnOf(p.reference)).sort());
    });

    test('one row per movement of a traced thing, with its key data elements', async () => {
      const a = await assess(`code=${encodeURIComponent(LOT)}`);
      const thing = (code: string) => (code === id(CASE) ? 'case' : code === id(LOT) ? 'lot' : code);
      const rows = a.movements.map((m) => JSON.stringify([m.bizStep, thing(m.code), m.quantity, m.uom, m.from.subjectId, m.to.subjectId, m.regionCode]));
      const { maker, distributor, shop, pharmacy } = subjects;
      const expected = [
        ['shipping', 'case', 1, 'EA', maker, distributor, '330106'],
        ['shipping', 'lot', 60, 'KGM', maker, distributor, '330106'],
        ['receiving', 'case', 1, 'EA', maker, distributor, '320102'],
        ['receiving', 'lot', 60, 'KGM', maker, distributor, '320102'],
        ['shipping', 'lot', 30, 'KGM', maker, pharmacy, '330106'],
        ['shipping', 'lot', 30, 'KGM', maker, pharmacy, '330106'],
        ['receiving', 'lot', 30, 'KGM', maker, pharmacy, '330203'],
        ['shipping', 'lot', 25, 'KGM', distributor, shop, '320102'],
        ['receiving', 'lot', 25, 'KGM', distributor, shop, '320508'],
        ['retail_selling', 'lot', 10, 'KGM', shop, null, '320508'],
        ['dispensing', 'lot', 2, 'KGM', pharmacy, null, '330203'],
      ].map((r) => JSON.stringify(r));
      assert.deepEqual([...rows].sort(), [...expected].sort());
      const times = a.movements.map((m) => Date.parse(m.eventTime));
      assert.deepEqual(times, [...times].sort((x, y) => x - y), 'in time order');
      const caseRow = a.movements.find((m) => m.code === id(CASE))!;
      assert.deepEqual(caseRow.contents, [{ uom: 'EA', quantity: 3 }], 'the case carried the three packs');
      const sale = a.movements.find((m) => m.bizStep === 'retail_selling')!;
      assert.deepEqual([sale.lot, sale.productName, sale.gtin, sale.region, sale.text], ['DG2610', PRODUCT_NAME, GTIN, '江苏省 苏州市 姑苏区', `(01)${GTIN}(10)DG2610`]);
      assert.equal(new Set(a.movements.map((m) => m.eventID)).size, 11, 'every row its own event');
      assert.ok(!a.movements.some((m) => m.code === id(OTHER_LOT)));
    });

    test('a set of lots in any scanned form is one assessment; a code named twice counts once', async () => {
      const both = await assess(`code=${encodeURIComponent(LOT)}&codes=${encodeURIComponent(`(01)${GTIN}(10)DG2611|${id(LOT)}`)}`);
      assert.deepEqual(both.codes.map((c) => c.code), [id(LOT), id(OTHER_LOT)]);
      assert.equal(both.movements.length, 12);
      const maker = holderOf(both, 'maker')!.balances.find((b) => b.uom === 'KGM')!;
      assert.deepEqual([maker.produced, maker.shipped, maker.remaining], [105, 95, 10]);
      assert.deepEqual(holderOf(both, 'shop')!.balances, [balance('KGM', { received: 25, sold: 10 })], 'the other lot is still on its way');
    });

    test('CSV: a byte order mark, a header and one row per movement', async () => {
      const response = await call(t.app, 'GET', `/api/v1/impact.csv?code=${encodeURIComponent(LOT)}`);
      assert.equal(response.status, 200, response.body);
      assert.match(String(response.headers['content-type']), /^text\/csv; charset=utf-8/);
      assert.match(String(response.headers['content-disposition']), /^attachment; filename="impact-\d{8}T\d{6}Z\.csv"$/);
      assert.ok(response.body.startsWith('\uFEFF'), 'BOM');
      const [header, ...rows] = parseCsv(response.body.slice(1));
      assert.equal(rows.length, 11);
      assert.ok(rows.every((r) => r.length === header!.length));
      const column = (name: string) => header!.findIndex((h) => h.endsWith(` ${name}`));
      const sale = rows.find((r) => r[column('Business step')] === 'retail_selling')!;
      assert.equal(sale[column('Event time')], '2026-10-01 08:00:00', 'wall-clock time where it happened');
      assert.equal(sale[column('Offset')], 'UTC+08:00');
      assert.equal(sale[column('Code')], `(01)${GTIN}(10)DG2610`);
      assert.equal(sale[column('Product')], PRODUCT_NAME);
      assert.equal(sale[column('Lot')], 'DG2610');
      assert.equal(sale[column('Quantity')], '10');
      assert.equal(sale[column('UOM')], 'KGM');
      assert.equal(sale[column('From subject')], names.shop);
      assert.equal(sale[column('From GLN')], glnOf(PLACES.shop.reference));
      assert.equal(sale[column('To subject')], '');
      assert.equal(sale[column('Region')], '江苏省 苏州市 姑苏区');
      const json = await assess(`code=${encodeURIComponent(LOT)}`);
      assert.deepEqual(rows.map((r) => r[column('Event ID')]), json.movements.map((m) => m.eventID));
    });

    test("with proofs: every movement's event checks against the log's signed checkpoint, offline", async () => {
      const json = (await call(t.app, 'GET', `/api/v1/impact?code=${encodeURIComponent(LOT)}&proofs=true`)).json as {
        movements: { eventID: string }[];
        proofs: { treeSize: number; checkpoint: string; verifierKey: string; events: { eventID: string; leafIndex: number; leafHash: string; entry: string; inclusionProof: string[] }[]; records: unknown[] };
      };
      const { proofs } = json;
      assert.deepEqual(proofs.events.map((p) => p.eventID).sort(), [...new Set(json.movements.map((m) => m.eventID))].sort(), 'one proof per event moved');
      const opened = openNote(proofs.checkpoint, [verifierFromKey(proofs.verifierKey)]);
      const checkpoint = parseCheckpoint(opened.body);
      assert.equal(checkpoint.size, proofs.treeSize);
      for (const p of proofs.events) {
        const stored = (await call(t.app, 'GET', `/epcis/events/${encodeURIComponent(p.eventID)}`)).json;
        assert.equal(p.entry, `event ${p.eventID} ${stored.eventID}\n`, 'the leaf names the event and its hash');
        assert.equal(p.leafHash, leafHash(Buffer.from(p.entry)).toString('hex'));
        assert.ok(verifyInclusion(Buffer.from(p.leafHash, 'hex'), p.leafIndex, proofs.treeSize, p.inclusionProof.map((h) => Buffer.from(h, 'hex')), checkpoint.rootHash), p.eventID);
      }
      assert.deepEqual(proofs.records, [], 'an assessment proves events only');
      const [first] = proofs.events;
      assert.ok(!verifyInclusion(Buffer.from(first!.leafHash, 'hex'), first!.leafIndex + 1, proofs.treeSize, first!.inclusionProof.map((h) => Buffer.from(h, 'hex')), checkpoint.rootHash), 'a proof holds for its own leaf only');
      assert.equal((await call(t.app, 'GET', `/api/v1/impact?code=${encodeURIComponent(LOT)}`)).json.proofs, undefined, 'only when asked');

      const response = await t.app.inject({ method: 'GET', url: `/api/v1/impact.xlsx?code=${encodeURIComponent(LOT)}&proofs=true`, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(response.rawPayload as never);
      const sheet = workbook.getWorksheet('证明 Proofs')!;
      assert.equal(sheet.getRow(2).getCell(1).value, proofs.events[0]!.eventID);
      const rows = [...Array(sheet.rowCount).keys()].map((i) => sheet.getRow(i + 1));
      assert.ok(rows.some((r) => r.getCell(1).value === '检查点 Checkpoint' && r.getCell(2).value === proofs.checkpoint), 'the checkpoint travels with the sheet');
    });

    test('XLSX: frozen, filterable header, typed cells, and a sheet per holder', async () => {
      const response = await t.app.inject({ method: 'GET', url: `/api/v1/impact.xlsx?code=${encodeURIComponent(LOT)}`, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.headers['content-type'], 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      assert.match(String(response.headers['content-disposition']), /^attachment; filename="impact-.*\.xlsx"$/);
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(response.rawPayload as never);
      const [movements, holders] = workbook.worksheets;
      assert.equal(movements!.rowCount, 12);
      assert.deepEqual(movements!.views.map((v) => [v.state, (v as { ySplit?: number }).ySplit]), [['frozen', 1]]);
      assert.ok(movements!.autoFilter, 'auto-filter');
      const header = (movements!.getRow(1).values as unknown[]).slice(1) as string[];
      const column = (name: string) => header.findIndex((h) => h.endsWith(` ${name}`)) + 1;
      const saleRow = [...Array(11).keys()].map((i) => movements!.getRow(i + 2)).find((r) => r.getCell(column('Business step')).value === 'retail_selling')!;
      const time = saleRow.getCell(column('Event time')).value;
      assert.ok(time instanceof Date, 'a date cell');
      assert.equal(time.toISOString(), '2026-10-01T08:00:00.000Z', 'wall-clock time where it happened');
      assert.equal(saleRow.getCell(column('Quantity')).value, 10, 'a number cell');
      assert.equal(saleRow.getCell(column('From subject')).value, names.shop);
      const holderHeader = (holders!.getRow(1).values as unknown[]).slice(1) as string[];
      const h = (name: string) => holderHeader.findIndex((x) => x.endsWith(` ${name}`)) + 1;
      const summary = [...Array(holders!.rowCount - 1).keys()].map((i) => holders!.getRow(i + 2)).map((r) => [r.getCell(h('Holder')).value, r.getCell(h('UOM')).value, r.getCell(h('Remaining')).value]);
      assert.deepEqual(summary, [
        [names.distributor, 'EA', 3],
        [names.distributor, 'KGM', 35],
        [names.shop, 'KGM', 15],
        [names.maker, 'EA', 0],
        [names.maker, 'KGM', 10],
        [names.pharmacy, 'KGM', 28],
      ]);
      assert.deepEqual(holders!.views.map((v) => v.state), ['frozen']);
    });

    test("a stranger's key gets an assessment with nothing of the chain in it", async () => {
      const stranger = await subjectWithKey(t.app);
      const a = await assess(`code=${encodeURIComponent(LOT)}`, stranger.key);
      assert.deepEqual([a.things, a.subjects, a.locations, a.regions, a.holders, a.totals, a.movements], [[], [], [], [], [], [], []]);
      const text = JSON.stringify(a);
      for (const secret of [PRODUCT_NAME, ...Object.values(names), ...Object.values(PLACES).map((p) => glnOf(p.reference))]) assert.ok(!text.includes(secret), secret);
      const csv = await call(t.app, 'GET', `/api/v1/impact.csv?code=${encodeURIComponent(LOT)}`, { key: stranger.key });
      assert.equal(parseCsv(csv.body.slice(1)).length, 1, 'the header only');
    });

    test('bad input is a problem', async () => {
      const lot = encodeURIComponent(LOT);
      const cases: [string, number][] = [
        ['/api/v1/impact', 400],
        ['/api/v1/impact?code=not-a-code', 400],
        [`/api/v1/impact?code=${lot}&code=not-a-code`, 400],
        ['/api/v1/impact?codes=|', 400],
        [`/api/v1/impact?code=${lot}&depth=0`, 400],
        [`/api/v1/impact?code=${lot}&direction=backward`, 400],
        [`/api/v1/impact?${Array.from({ length: 101 }, (_, i) => `code=${encodeURIComponent(sgtin(i + 1, ITEM))}`).join('&')}`, 413],
        ['/api/v1/impact.csv?code=not-a-code', 400],
        ['/api/v1/impact.xlsx', 400],
      ];
      for (const [url, status] of cases) {
        const response = await call(t.app, 'GET', url);
        assert.equal(response.status, status, `${url}: ${response.body}`);
        assert.equal(response.headers['content-type'], 'application/problem+json', url);
      }
      const unreadable = await call(t.app, 'GET', `/api/v1/impact?code=${lot}&code=not-a-code`);
      assert.deepEqual(unreadable.json.errors.map((e: { pointer: string }) => e.pointer), ['/code/1']);
      assert.equal((await call(t.app, 'GET', `/api/v1/impact?code=${lot}`, { key: null })).status, 401);
    });

    test('zhuisu export trace writes the same spreadsheets', async (context) => {
      // PGlite lives inside this process: a CLI in another could not see its data.
      if (t.platform.config.databaseUrl.startsWith('pglite:')) return context.skip('in-process database');
      const dir = mkdtempSync(join(tmpdir(), 'zhuisu-impact-'));
      try {
        const { config } = t.platform;
        const env = { ...process.env, NODE_ENV: 'test', DATABASE_URL: config.databaseUrl, ZHUISU_DATA_DIR: config.dataDir, ZHUISU_ADMIN_TOKEN: ADMIN_TOKEN, LOG_LEVEL: 'silent', ...(config.databaseSchema ? { ZHUISU_DB_SCHEMA: config.databaseSchema } : {}) };
        const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/run.ts', ...args], { cwd: ROOT, env, encoding: 'utf8' });
        const written = run('export', 'trace', `(01)${GTIN}(10)DG2610`, '--csv', join(dir, 'a.csv'), '--xlsx', join(dir, 'a.xlsx'));
        assert.equal(written.status, 0, written.stderr);
        assert.match(written.stderr, /11 movements of 4 holders written to/);
        const csv = readFileSync(join(dir, 'a.csv'), 'utf8');
        assert.ok(csv.startsWith('\uFEFF'));
        assert.equal(parseCsv(csv.slice(1)).length, 12);
        const workbook = new ExcelJS.Workbook();
        await workbook.xlsx.readFile(join(dir, 'a.xlsx'));
        assert.equal(workbook.worksheets[0]!.rowCount, 12);
        const usage = run('export', 'trace', `(01)${GTIN}(10)DG2610`);
        assert.equal(usage.status, 2, 'no file named');
        assert.match(usage.stderr, /--xlsx <file> or --csv <file>/);
        const unreadable = run('export', 'trace', 'not-a-code', '--csv', join(dir, 'b.csv'));
        assert.equal(unreadable.status, 1);
        assert.ok(!unreadable.stderr.includes('    at '), 'no stack trace');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
