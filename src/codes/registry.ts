/**
 * Every scheme the platform reads, in precedence order, and what a reading means as an identifier in events.
 *
 * Precedence, for a bare string that several schemes accept (the order readings are returned in):
 * 1. forms that say what they are: URLs, URNs, multi-line and prefixed payloads (a Digital Link, an EPC URN, a platform
 *    code page, a pesticide or seed label payload, an industrial-internet handle), then GS1 element strings in
 *    brackets or behind a symbology identifier;
 * 2. the sector codes whose checks are stronger than one mod-10 digit: a 统一社会信用代码 (two check characters, one
 *    text in 341 passes by chance) and a 药品本位码 (fixed 869 prefix and a check digit; every one is also a valid
 *    GTIN-14, but a Chinese drug pack's 14 digits starting 869 are far likelier its 本位码);
 * 3. bare GS1 keys, whose check digit is what barcodes print: GTIN, SSCC, GLN (13 digits read as both GTIN and GLN);
 * 4. the other sector codes, those whose layout alone validated, most specific first (a date, an enumeration or a
 *    fixed prefix before a mere length; cn/index.ts gives their order);
 * 5. region codes last: six digits are a GB/T 2260 code only when nothing else fits better.
 * So 18 digits read as a 统一社会信用代码 before an SSCC before a 特种设备代码, each only where its own rules hold.
 */
import { invalid } from '../domain/errors.js';
import { codeUri } from './code-uri.js';
import {
  detonatorCodeScheme,
  drugStandardCodeScheme,
  ecodeScheme,
  industrialHandleScheme,
  meatVegCodeScheme,
  msfxDrugCodeScheme,
  nmpaDrugCodeScheme,
  pesticideQrScheme,
  pesticideUnitCodeScheme,
  regionCodeScheme,
  seedQrScheme,
  usccScheme,
  createSpecialEquipmentCodeScheme,
  createVetDrugCodeScheme,
} from './cn/index.js';
import { formatDigitalLink, parseDigitalLink } from './gs1/digital-link.js';
import { epcUrnScheme, glnScheme, gs1DigitalLinkScheme, gs1ElementStringScheme, gtinScheme, ssccScheme } from './gs1/schemes.js';
import { platformCodeScheme } from './platform-code.js';
import { scanWith, type ScanResult } from './scan.js';
import type { CodeReading, CodeScheme } from './scheme.js';

export const SCHEMES: readonly CodeScheme[] = [
  gs1DigitalLinkScheme,
  epcUrnScheme,
  platformCodeScheme,
  pesticideQrScheme,
  seedQrScheme,
  industrialHandleScheme,
  ecodeScheme,
  gs1ElementStringScheme,
  usccScheme,
  drugStandardCodeScheme,
  gtinScheme,
  ssccScheme,
  glnScheme,
  createVetDrugCodeScheme(),
  pesticideUnitCodeScheme,
  createSpecialEquipmentCodeScheme(),
  msfxDrugCodeScheme,
  meatVegCodeScheme,
  detonatorCodeScheme,
  nmpaDrugCodeScheme,
  regionCodeScheme,
];

/** Reads any scanned string; `hint` names a scheme id to read it with that scheme only; `first` as `scanWith` says. */
export function scanCode(text: string, hint?: string, options: { first?: boolean } = {}): ScanResult {
  return scanWith(SCHEMES, text, hint, options);
}

/**
 * The identifier events use for a code given in a request, read as its first reading in precedence order, or an
 * `invalid` error at `pointer` with the scanner's reason.
 */
export function scannedIdentifier(text: string, pointer: string): string {
  const result = scanCode(text, undefined, { first: true });
  if (!result.ok) throw invalid('unreadable-code', result.reason, [{ pointer, message: result.reason }]);
  return identifierOf(result.readings[0]!);
}

export function schemeById(id: string): CodeScheme | undefined {
  return SCHEMES.find((s) => s.id === id);
}

/**
 * A serialised trade item is its GTIN and serial, as its EPC (SGTIN) says: the lot and the consumer product variant a
 * GS1 DataMatrix also carries describe the item but do not tell it apart, so the code issued as /01/…/21/… is the one
 * scanned from /01/…/10/…/21/….
 */
function instanceLink(link: string): string {
  if (!link.includes('/21/')) return link;
  const parsed = parseDigitalLink(link);
  if (!parsed.ok || parsed.value.primaryKey.ai !== '01') return link;
  const qualifiers = parsed.value.qualifiers.filter((q) => q.ai === '21');
  return qualifiers.length === parsed.value.qualifiers.length ? link : formatDigitalLink({ primaryKey: parsed.value.primaryKey, qualifiers });
}

/**
 * Payload schemes whose reading carries a unit code of another scheme: the identity is that code, not the payload
 * (the same pesticide package is one thing whatever URL its label points to).
 */
const PAYLOAD_CODES: Readonly<Record<string, (fields: Readonly<Record<string, string>>) => string | undefined>> = {
  'pesticide-qr': (fields) => fields.unitCode && codeUri('pesticide-unit-code', fields.unitCode),
  // A seed unit code is the producer's own numbering: unique only together with the producer the label names.
  'seed-qr': (fields) => fields.unitCode && fields.producerName && codeUri('seed-unit', `${fields.producerName}/${fields.unitCode}`),
};

/**
 * The identifier that events use for what a reading names: the canonical GS1 Digital Link when the code carries a GS1
 * key, otherwise `urn:zhuisu:{scheme}:{code}`.
 */
export function identifierOf(reading: CodeReading): string {
  if (reading.digitalLink) return instanceLink(reading.digitalLink);
  return PAYLOAD_CODES[reading.scheme]?.(reading.fields) || codeUri(reading.scheme, reading.canonical);
}
