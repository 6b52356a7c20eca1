/**
 * The Chinese code schemes, and the order in which to try them.
 *
 * Precedence matters only where one text fits several schemes; each scheme checks its own rules in full, so the order
 * decides which reading comes first, not whether a code is accepted. The rule: the more a scheme checks, the less
 * likely a text passes it by chance, so the most demanding schemes come first and the schemes that accept almost any
 * text of their length come last.
 *
 *  1. uscc: two check characters; an 18-character text of its alphabet passes both by chance once in 341.
 *  2. drug-standard-code: fixed 869 prefix and a check digit.
 *  3. vet-drug-code: 24 digits that must start with a real date between 2015 and today.
 *  4. pesticide-qr, seed-qr: payloads that say what they are (a URL with a 32-digit code, four named lines).
 *  5. pesticide-unit-code: 32 digits with two enumerated positions.
 *  6. special-equipment-code: 18 characters against the 特种设备目录, a licensing region and a year. After uscc, the
 *     other 18-character scheme: a text that passes the USCC checks is almost surely a USCC.
 *  7. industrial-handle, ecode: explicit forms (88.…/…, a resolver URL, an `Ecode:` label).
 *  8. msfx-drug-code: for 20 digits starting with 8, 码上放心 is by far the commonest drug code on Chinese packs, so
 *     it comes before the 20-digit 肉菜 code (whose 81/82 region prefixes would otherwise claim it) and the generic
 *     NMPA layout.
 *  9. meat-veg-code: a GB/T 2260 prefix that only about 3 in 1,000 random 6-digit starts satisfy, a stronger filter than
 *     the detonator's month and day (13 digits) or the NMPA layout's bare length (20 characters) below it.
 * 10. detonator-code: 13 characters with a valid month and day.
 * 11. nmpa-drug-code: any 20 characters of its set; the catch-all for 20-character codes.
 * 12. region-code: six digits are also a postal code or an amount; read as a region only when nothing else fits.
 *
 * Across families (for the registry that combines these with the GS1 schemes): some Chinese codes have a GS1 key's
 * shape. A 药品本位码 is also a valid GTIN-14, a 13-digit 肉菜 经营者编码 may be a valid GTIN-13, an 8-digit 商品码 a
 * GTIN-8, and an all-digit 特种设备代码 or 统一社会信用代码 has an SSCC's length.
 *
 * GB/T 44583 重要产品追溯码 has no default scheme: see traceability-code.ts.
 */
import type { CodeScheme } from '../scheme.js';
import type { ClockOptions } from './common.js';
import { detonatorCodeScheme } from './detonator-code.js';
import { drugStandardCodeScheme, msfxDrugCodeScheme, nmpaDrugCodeScheme } from './drug-trace-code.js';
import { ecodeScheme, industrialHandleScheme } from './handles.js';
import { meatVegCodeScheme } from './meat-veg-code.js';
import { pesticideQrScheme, pesticideUnitCodeScheme } from './pesticide-code.js';
import { seedQrScheme } from './seed-qr.js';
import { createSpecialEquipmentCodeScheme } from './special-equipment-code.js';
import { regionCodeScheme, usccScheme } from './subject-codes.js';
import { createVetDrugCodeScheme } from './vet-drug-code.js';

export type { Clock, ClockOptions } from './common.js';
export * from './detonator-code.js';
export * from './drug-trace-code.js';
export * from './handles.js';
export * from './meat-veg-code.js';
export * from './pesticide-code.js';
export * from './seed-qr.js';
export * from './special-equipment-code.js';
export * from './subject-codes.js';
export * from './traceability-code.js';
export * from './vet-drug-code.js';

/** The schemes in precedence order, with date rules measured against `options.now` (the system clock by default). */
export function createChineseSchemes(options: ClockOptions = {}): readonly CodeScheme[] {
  return [
    usccScheme,
    drugStandardCodeScheme,
    createVetDrugCodeScheme(options),
    pesticideQrScheme,
    seedQrScheme,
    pesticideUnitCodeScheme,
    createSpecialEquipmentCodeScheme(options),
    industrialHandleScheme,
    ecodeScheme,
    msfxDrugCodeScheme,
    meatVegCodeScheme,
    detonatorCodeScheme,
    nmpaDrugCodeScheme,
    regionCodeScheme,
  ];
}

export const CHINESE_SCHEMES: readonly CodeScheme[] = createChineseSchemes();
