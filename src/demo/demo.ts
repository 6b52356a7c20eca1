import { systemPrincipal, type Principal } from '../access/principal.js';
import { withCheckDigit } from '../codes/gs1/check-digit.js';
import { formatUscc } from '../codes/uscc.js';
import { ZHUISU_VOCABULARY } from '../epcis/json-ld.js';
import type { UserInput } from '../access/users.service.js';
import type { Services } from '../platform.js';

/**
 * A small, realistic chain for newcomers: a pig farm in 余杭 sells pigs to a slaughterhouse in 萧山, which ships
 * chilled pork through a wholesale market to a supermarket in 西湖区. Codes are computed, not typed, so every check
 * character is right. Loaded only into an empty database.
 */

export const DEMO_SUBJECTS = [
  { key: 'farm', code: formatUscc('93', '330110', 'MA2H0001'), name: '杭州余杭绿源生猪养殖专业合作社', roles: ['producer'], regionCode: '330110', prefix: '6970001', location: { name: '绿源养殖场', kind: 'farm', regionCode: '330110', address: '杭州市余杭区径山镇绿源村' } },
  { key: 'slaughterhouse', code: formatUscc('91', '330109', 'MA2H0002'), name: '杭州萧山肉类联合加工有限公司', roles: ['processor'], regionCode: '330109', prefix: '6970002', location: { name: '萧山定点屠宰场', kind: 'slaughterhouse', regionCode: '330109', address: '杭州市萧山区瓜沥镇工业园' } },
  { key: 'market', code: formatUscc('91', '330105', 'MA2H0003'), name: '杭州农副产品物流中心批发市场有限公司', roles: ['wholesaler'], regionCode: '330105', prefix: '6970003', location: { name: '农副产品物流中心肉品交易区', kind: 'wholesale_market', regionCode: '330105', address: '杭州市拱墅区石祥路' } },
  { key: 'supermarket', code: formatUscc('91', '330106', 'MA2H0004'), name: '杭州西湖鲜生超市有限公司', roles: ['retailer'], regionCode: '330106', prefix: '6970004', location: { name: '鲜生超市文三路店', kind: 'store', regionCode: '330106', address: '杭州市西湖区文三路' } },
] as const;

export async function loadDemo(services: Services): Promise<boolean> {
  const actor = systemPrincipal('demo');
  const existing = await services.subjects.list(actor, { limit: 1 });
  if (existing.items.length > 0) return false;
  const ids: Record<string, string> = {};
  for (const entry of DEMO_SUBJECTS) {
    const subject = await services.subjects.register(actor, {
      kind: 'organisation',
      subjectCode: entry.code,
      name: entry.name,
      roles: [...entry.roles],
      regionCode: entry.regionCode,
      address: entry.location.address,
      companyPrefixes: [entry.prefix],
    });
    ids[entry.key] = subject.id;
    await services.subjects.addLocation(actor, subject.id, {
      ...entry.location,
      gln: withCheckDigit(`${entry.prefix}00001`),
    });
    if (entry.key === 'farm') {
      await services.products.create(actor, subject.id, { gtin: withCheckDigit(`${entry.prefix}10001`), name: '生猪', spec: '头', productClass: 'edible_agricultural' });
    }
    if (entry.key === 'slaughterhouse') {
      await services.products.create(actor, subject.id, { gtin: withCheckDigit(`${entry.prefix}10001`), name: '冷鲜猪肉 白条', spec: 'kg', productClass: 'edible_agricultural' });
      await services.products.create(actor, subject.id, { gtin: withCheckDigit(`${entry.prefix}10002`), name: '冷鲜猪里脊', spec: '500g/盒', productClass: 'edible_agricultural' });
    }
  }
  for (const [key, document] of demoDocuments()) {
    const owner: Principal = { ...actor, onBehalfOf: ids[key]! };
    await services.capture.submit(owner, document);
  }
  await issueDemoCodes(services, actor, ids.slaughterhouse!);
  await createDemoUsers(services, actor, ids);
  return true;
}

/** Every demo user signs in to the web pages with this password. Demo data only: never on a real platform. */
export const DEMO_PASSWORD = 'zhuisu-demo';

/**
 * One user per demo subject (its admin, named after the subject's key), a regulator for 杭州 (3301) with the market
 * regulation and agriculture departments, and a platform admin, all with DEMO_PASSWORD.
 */
export const DEMO_USERS: readonly (Omit<UserInput, 'subjectId'> & { subjectKey: string | null })[] = [
  ...DEMO_SUBJECTS.map((s) => ({ username: s.key, role: 'subject_admin' as const, subjectKey: s.key, displayName: s.name })),
  { username: 'regulator', role: 'regulator', subjectKey: null, displayName: '杭州市市场监督管理局', regionPrefix: '3301', departments: ['market_regulation', 'agriculture'] },
  { username: 'admin', role: 'platform_admin', subjectKey: null, displayName: '平台管理员' },
];

async function createDemoUsers(services: Services, actor: Principal, ids: Record<string, string>): Promise<void> {
  for (const entry of DEMO_USERS) {
    const { subjectKey, ...input } = entry;
    const user = await services.users.create(actor, { ...input, subjectId: subjectKey ? ids[subjectKey]! : null });
    await services.users.setPassword(actor, user.id, { password: DEMO_PASSWORD });
  }
}

/**
 * The slaughterhouse's boxed loin gets 一物一码: twelve GS1 serials for the lot, packed six to a case under two SSCCs,
 * so the code endpoints, labels and the packaging hierarchy have something to show.
 */
async function issueDemoCodes(services: Services, admin: Principal, slaughterhouseId: string): Promise<void> {
  const actor: Principal = { ...admin, onBehalfOf: slaughterhouseId };
  const loin = (await services.products.list(actor, { ownerSubjectId: slaughterhouseId, gtin: gtinOf('slaughterhouse', '10002') })).items[0]!;
  const boxes = await services.issuance.issue(actor, { scheme: 'gs1-sgtin', productId: loin.id, quantity: 12, lot: 'XS20261103B', expiry: '2026-11-10' });
  const cases = await services.issuance.issue(actor, { scheme: 'gs1-sscc', subjectId: slaughterhouseId, quantity: 2 });
  const boxCodes = (await services.issuance.codes(actor, boxes.batch.id, undefined, 12)).items.map((c) => c.code);
  const caseCodes = (await services.issuance.codes(actor, cases.batch.id, undefined, 2)).items.map((c) => c.code);
  for (const [i, parent] of caseCodes.entries()) {
    await services.packaging.pack(actor, { parent, children: boxCodes.slice(i * 6, i * 6 + 6) });
  }
}

const EPCIS_CONTEXT = 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld';

const subjectOf = (key: string) => DEMO_SUBJECTS.find((s) => s.key === key)!;
const glnOf = (key: string) => `https://id.gs1.org/414/${withCheckDigit(`${subjectOf(key).prefix}00001`)}`;
const gtinOf = (key: string, item: string) => withCheckDigit(`0${subjectOf(key).prefix}${item}`);
const lotOf = (key: string, item: string, lot: string) => `https://id.gs1.org/01/${gtinOf(key, item)}/10/${lot}`;
const at = (day: number, hour: number) => `2026-11-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00.000+08:00`;

/** The chain as each participant would report it: one capture document per subject, in the order things happened. */
function demoDocuments(): [string, Record<string, unknown>][] {
  const pigs = lotOf('farm', '10001', 'ZJYH20261101');
  const carcass = lotOf('slaughterhouse', '10001', 'XS20261103A');
  const loin = lotOf('slaughterhouse', '10002', 'XS20261103B');
  const pallet = `https://id.gs1.org/00/${withCheckDigit(`0${subjectOf('slaughterhouse').prefix}000000001`)}`;
  const base = { eventTimeZoneOffset: '+08:00' };
  const move = (day: number, hour: number, key: string, bizStep: string, disposition: string, what: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    type: 'ObjectEvent', eventTime: at(day, hour), ...base, action: 'OBSERVE', bizStep, disposition, readPoint: { id: glnOf(key) }, bizLocation: { id: glnOf(key) }, ...what, ...extra,
  });
  const trip = (from: string, to: string) => ({
    sourceList: [{ type: 'owning_party', source: glnOf(from).replace('/414/', '/417/') }, { type: 'location', source: glnOf(from) }],
    destinationList: [{ type: 'owning_party', destination: glnOf(to).replace('/414/', '/417/') }, { type: 'location', destination: glnOf(to) }],
  });
  const coldChain = (fromDay: number, fromHour: number, toDay: number, toHour: number) => ({
    sensorMetadata: { startTime: at(fromDay, fromHour), endTime: at(toDay, toHour), deviceID: `https://id.gs1.org/8004/${subjectOf('slaughterhouse').prefix}TRUCK01` },
    sensorReport: [{ type: 'Temperature', minValue: 0.8, maxValue: 3.6, meanValue: 2.1, uom: 'CEL' }],
  });
  const doc = (eventList: unknown[]) => ({ '@context': [EPCIS_CONTEXT, { zs: ZHUISU_VOCABULARY }], type: 'EPCISDocument', schemaVersion: '2.0', creationDate: new Date().toISOString(), epcisBody: { eventList } });
  const pigsQ = [{ epcClass: pigs, quantity: 20, uom: 'H87' }];
  const carcassQ = (kg: number) => [{ epcClass: carcass, quantity: kg, uom: 'KGM' }];
  const loinQ = (n: number) => [{ epcClass: loin, quantity: n, uom: 'H87' }];
  return [
    ['farm', doc([
      { type: 'ObjectEvent', eventTime: at(1, 8), ...base, action: 'ADD', bizStep: 'commissioning', disposition: 'active', epcList: [], quantityList: pigsQ, readPoint: { id: glnOf('farm') }, bizLocation: { id: glnOf('farm') }, ilmd: { 'cbvmda:lotNumber': 'ZJYH20261101', 'zs:breed': '杜长大三元' } },
      move(2, 9, 'farm', 'inspecting', 'active', { epcList: [], quantityList: pigsQ }, { 'zs:inspection': { 'zs:kind': '产地检疫', 'zs:result': '合格', 'zs:certificate': '3301102026110200123' } }),
      move(3, 5, 'farm', 'shipping', 'in_transit', { epcList: [], quantityList: pigsQ }, trip('farm', 'slaughterhouse')),
    ])],
    ['slaughterhouse', doc([
      move(3, 8, 'slaughterhouse', 'receiving', 'in_progress', { epcList: [], quantityList: pigsQ }, trip('farm', 'slaughterhouse')),
      move(3, 9, 'slaughterhouse', 'inspecting', 'in_progress', { epcList: [], quantityList: pigsQ }, { 'zs:inspection': { 'zs:kind': '瘦肉精检测', 'zs:result': '阴性' } }),
      { type: 'TransformationEvent', eventTime: at(3, 12), ...base, inputQuantityList: pigsQ, outputQuantityList: [...carcassQ(1400), ...loinQ(300)], bizStep: 'commissioning', disposition: 'active', readPoint: { id: glnOf('slaughterhouse') }, bizLocation: { id: glnOf('slaughterhouse') }, ilmd: { 'cbvmda:itemExpirationDate': '2026-11-10', 'zs:qualityCertificate': '肉品品质检验合格证 XS-2026-11-03-017' } },
      { type: 'AggregationEvent', eventTime: at(3, 15), ...base, action: 'ADD', parentID: pallet, childEPCs: [], childQuantityList: [...carcassQ(700), ...loinQ(300)], bizStep: 'packing', disposition: 'in_progress', readPoint: { id: glnOf('slaughterhouse') } },
      move(3, 17, 'slaughterhouse', 'shipping', 'in_transit', { epcList: [pallet] }, trip('slaughterhouse', 'market')),
    ])],
    ['market', doc([
      // The truck's temperature logger, read on arrival: chilled pork stayed between 0 and 4 °C.
      move(3, 22, 'market', 'receiving', 'in_progress', { epcList: [pallet] }, { ...trip('slaughterhouse', 'market'), sensorElementList: [coldChain(3, 17, 3, 21)] }),
      { type: 'AggregationEvent', eventTime: at(4, 1), ...base, action: 'DELETE', parentID: pallet, childEPCs: [], bizStep: 'unpacking', disposition: 'in_progress', readPoint: { id: glnOf('market') } },
      move(4, 5, 'market', 'shipping', 'in_transit', { epcList: [], quantityList: [...carcassQ(200), ...loinQ(120)] }, trip('market', 'supermarket')),
    ])],
    ['supermarket', doc([
      move(4, 7, 'supermarket', 'receiving', 'sellable_not_accessible', { epcList: [], quantityList: [...carcassQ(200), ...loinQ(120)] }, trip('market', 'supermarket')),
      move(4, 9, 'supermarket', 'inspecting', 'sellable_accessible', { epcList: [], quantityList: loinQ(120) }, { 'zs:inspection': { 'zs:kind': '农残快检', 'zs:result': '合格' } }),
      move(4, 19, 'supermarket', 'retail_selling', 'retail_sold', { epcList: [], quantityList: loinQ(35) }),
    ])],
  ];
}
