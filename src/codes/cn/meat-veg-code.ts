/**
 * Codes of the Ministry of Commerce meat and vegetable circulation traceability system (肉类蔬菜流通追溯体系), as
 * deployed systems use them. The normative layout is in SB/T 10680-2012 §5, which we do not have; these shapes are
 * observations (a Ningbo market integration, the Shandong 重要产品追溯平台 front end), not the standard's text:
 *
 *   9 digits    节点编码: 6-digit GB/T 2260 region of the node + 3-digit node number, e.g. a market
 *   13 digits   经营者编码: the node code + a 4-digit operator number within it
 *   16 digits   追溯码 of a vegetable batch or transaction, starting with the region
 *   20 digits   追溯码 of a meat batch or transaction, starting with the region
 *   8 digits    商品码, built on GB/T 7635.1 (which SB/T 10680 cites), e.g. 21113011 for pork
 *
 * What is checked: the region prefix against the current GB/T 2260 table (so a node registered under a since-abolished
 * county code is refused), and for 商品码 that the first digit is a GB/T 7635.1 section of transportable goods (0–4).
 */
import { isRegionCode, regionName } from '../region.js';
import { nearMiss, notThisScheme, type CodeScheme, type SchemeResult } from '../scheme.js';
import { ALL_DIGITS, readingOf, tooLong } from './common.js';

const OBSERVED = 'layout observed in deployed 肉菜流通追溯 systems, not taken from SB/T 10680: only the parts named in the fields are checked';

const KINDS: Readonly<Record<number, { kind: string; what: string }>> = {
  9: { kind: 'node', what: 'a 9-digit 节点编码' },
  13: { kind: 'operator', what: 'a 13-digit 经营者编码' },
  16: { kind: 'traceability', what: 'a 16-digit 追溯码' },
  20: { kind: 'traceability', what: 'a 20-digit 追溯码' },
};

const SHAPE = '肉菜流通追溯 codes are digits: 9 (节点编码), 13 (经营者编码), 16 or 20 (追溯码), or 8 (商品码)';

export const meatVegCodeScheme: CodeScheme = {
  id: 'meat-veg-code',
  name: '肉菜流通追溯码',
  layout: 'digits: 节点编码 region (6) + 3 | 经营者编码 节点编码 + 4 | 追溯码 region (6) + 10 or 14 | 商品码 8',
  parse(text: string): SchemeResult {
    if (tooLong(text, 20) || !ALL_DIGITS.test(text)) return notThisScheme(SHAPE);
    const length = text.length;

    if (length === 8) {
      if (text[0]! > '4') {
        return nearMiss(`position 1 of an 8-digit 商品码 is ${text[0]}; GB/T 7635.1 codes of goods start with 0–4`);
      }
      return readingOf(meatVegCodeScheme, {
        canonical: text,
        target: 'class',
        fields: { kind: 'commodity', commodityCode: text },
        notes: [OBSERVED, 'the 商品码 is not looked up in GB/T 7635.1 or SB/T 10029; only its section digit is checked'],
      });
    }

    const shape = KINDS[length];
    if (!shape) return notThisScheme(`${SHAPE}; got ${length} digits`);
    const region = text.slice(0, 6);
    if (!isRegionCode(region)) {
      return nearMiss(`positions 1–6 (${region}) of ${shape.what} must be a GB/T 2260 region code in the current table`);
    }
    const fields: Record<string, string> = { kind: shape.kind, regionCode: region, regionName: regionName(region) ?? '' };
    if (shape.kind === 'node') {
      fields.nodeCode = text;
      fields.nodeNumber = text.slice(6);
    } else if (shape.kind === 'operator') {
      fields.nodeCode = text.slice(0, 9);
      fields.operatorNumber = text.slice(9);
    } else {
      fields.sequence = text.slice(6);
    }
    const target = shape.kind === 'node' ? 'location' : shape.kind === 'operator' ? 'subject' : 'document';
    return readingOf(meatVegCodeScheme, { canonical: text, target, fields, notes: [OBSERVED] });
  },
};
