import { withCheckDigit } from '../../src/codes/gs1/check-digit.js';
import { identifierOf, scanCode } from '../../src/codes/registry.js';
import { aggregationEvent, lgtin, objectEvent, pgln, quantity, sgln, sgtin, sscc, transformationEvent } from './epcis.js';
import type { App } from '../../src/http/app.js';
import { call, subjectWithKey, userKey } from '../support/platform.js';
import { locationBody, subjectBody } from './master-data.js';

/**
 * A hand-built chain for trace and recall tests: a farm lot shipped to a plant, transformed into two lots, one of
 * them serialised, packed into cases and a pallet, shipped to a market. Identifiers are captured in URN and Digital
 * Link forms alike. All under the builders' company prefix (0614141).
 */

export const at = (hour: number) => `2026-10-01T${String(hour).padStart(2, '0')}:00:00.000+08:00`;
export const glnOf = (reference: string) => withCheckDigit(`0614141${reference}`);

export const FARM = '00001';
export const PLANT = '00002';
export const MARKET = '00003';

export const RAW = lgtin('PIG2610', '107340');
export const LOIN = lgtin('L2610', '107346');
export const CARCASS = lgtin('C2610', '107347');
export const SERIALS = [1, 2, 3, 4].map((n) => sgtin(`S${n}`, '107346'));
export const CASE_A = sscc(1001);
export const CASE_B = sscc(1002);
export const PALLET = sscc(2001);
export const UNRELATED = lgtin('OTHER', '107340');
/** The Digital Link form of the first serial, on a brand's own domain: the same thing as its URN. */
export const SERIAL_1_LINK = identifierOf(scanned(SERIALS[0]!)).replace('https://id.gs1.org', 'https://brand.example.cn');

export function chain(): Record<string, unknown>[] {
  const place = (reference: string) => ({ readPoint: { id: sgln(0, reference) }, bizLocation: { id: sgln(0, reference) } });
  const trip = (from: string, to: string) => ({
    sourceList: [{ type: 'owning_party', source: pgln(from) }, { type: 'location', source: sgln(0, from) }],
    destinationList: [{ type: 'owning_party', destination: pgln(to) }, { type: 'location', destination: sgln(0, to) }],
  });
  return [
    objectEvent({ eventTime: at(1), epcList: [], quantityList: [quantity(100, RAW, 'KGM')], ...place(FARM) }),
    objectEvent({ eventTime: at(2), action: 'OBSERVE', bizStep: 'shipping', disposition: 'in_transit', epcList: [], quantityList: [quantity(50, RAW, 'KGM')], ...place(FARM), ...trip(FARM, PLANT) }),
    objectEvent({ eventTime: at(3), action: 'OBSERVE', bizStep: 'receiving', disposition: 'in_progress', epcList: [], quantityList: [quantity(50, RAW, 'KGM')], ...place(PLANT), ...trip(FARM, PLANT) }),
    transformationEvent({ eventTime: at(4), inputQuantityList: [quantity(50, RAW, 'KGM')], outputQuantityList: [quantity(20, LOIN, 'KGM'), quantity(25, CARCASS, 'KGM')], ...place(PLANT) }),
    transformationEvent({ eventTime: at(4), inputQuantityList: [quantity(30, UNRELATED, 'KGM')], outputQuantityList: [quantity(30, lgtin('OTHEROUT', '107347'), 'KGM')], ...place(PLANT) }),
    objectEvent({ eventTime: at(5), epcList: SERIALS, ilmd: { 'cbvmda:lotNumber': 'L2610' }, ...place(PLANT) }),
    aggregationEvent({ eventTime: at(6), parentID: CASE_A, childEPCs: [SERIAL_1_LINK, SERIALS[1]], ...place(PLANT) }),
    aggregationEvent({ eventTime: at(6), parentID: CASE_B, childEPCs: [SERIALS[2], SERIALS[3]], ...place(PLANT) }),
    aggregationEvent({ eventTime: at(7), parentID: PALLET, childEPCs: [CASE_A, CASE_B], ...place(PLANT) }),
    objectEvent({ eventTime: at(8), action: 'OBSERVE', bizStep: 'shipping', disposition: 'in_transit', epcList: [PALLET], ...place(PLANT), ...trip(PLANT, MARKET) }),
    objectEvent({ eventTime: at(9), action: 'OBSERVE', bizStep: 'receiving', disposition: 'in_progress', epcList: [PALLET], ...place(MARKET), ...trip(PLANT, MARKET) }),
  ];
}


/** The one reading of a code the chain uses (its identifier via identifierOf). */
export function scanned(text: string) {
  const result = scanCode(text);
  if (!result.ok) throw new Error(`${text}: ${result.reason}`);
  return result.readings[0]!;
}

export interface ChainParty {
  subjectId: string;
  admin: string;
  operator: string;
}

/**
 * The farm (Hangzhou), the plant (Hangzhou, owner of the lots' company prefix) and the market (Beijing) of the chain,
 * registered with their places, each with an admin's and an operator's key.
 */
export async function registerChainParties(app: App): Promise<Record<'farm' | 'plant' | 'market', ChainParty>> {
  const parties: Partial<Record<'farm' | 'plant' | 'market', ChainParty>> = {};
  for (const [name, reference, region] of [['farm', FARM, '330110'], ['plant', PLANT, '330109'], ['market', MARKET, '110105']] as const) {
    const admin = await subjectWithKey(app, { role: 'subject_admin', subject: { ...subjectBody({ regionCode: region }), name, ...(name === 'plant' ? { companyPrefixes: ['0614141'] } : {}) } });
    const operator = await userKey(app, 'subject_operator', { subjectId: admin.subject.id });
    const placed = await call(app, 'POST', `/api/v1/subjects/${admin.subject.id}/locations`, { body: locationBody({ gln: glnOf(reference), name, regionCode: region }) });
    if (placed.status !== 201) throw new Error(`registering the ${name}'s place: ${placed.status} ${placed.body}`);
    parties[name] = { subjectId: admin.subject.id, admin: admin.key, operator };
  }
  return parties as Record<'farm' | 'plant' | 'market', ChainParty>;
}
