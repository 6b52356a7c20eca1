import { systemPrincipal } from '../access/principal.js';
import { withCheckDigit } from '../codes/gs1/check-digit.js';
import { formatUscc } from '../codes/uscc.js';
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
  return true;
}
