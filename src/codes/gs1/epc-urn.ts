/**
 * EPC URIs (GS1 EPC Tag Data Standard, "pure identity" URIs) and their translation to GS1 Digital Link.
 *
 *   urn:epc:id:sgtin:0614141.107346.2017        → https://id.gs1.org/01/10614141073464/21/2017
 *   urn:epc:class:lgtin:4012345.012345.Lot987   → https://id.gs1.org/01/04012345123456/10/Lot987
 *   urn:epc:idpat:sgtin:4012345.066666.*        → https://id.gs1.org/01/04012345666663
 *
 * An EPC URI splits a GS1 key at the end of the GS1 Company Prefix and leaves out the check digit; a GTIN-based URI
 * also moves the indicator digit to the front of the item reference. Translating to a Digital Link therefore means
 * reassembling the key (indicator, company prefix, reference), computing the check digit and percent-decoding the
 * alphanumeric components. The reverse direction needs the company prefix length, which a Digital Link does not carry,
 * so it is not offered here.
 */
import { withCheckDigit } from './check-digit.js';
import { CANONICAL_DIGITAL_LINK_BASE, formatDigitalLink, type AiValue } from './digital-link.js';
import { boundedMemo } from './memo.js';
import { fail, ok, type Gs1Result } from './result.js';

export type EpcUriForm = 'id' | 'class' | 'idpat';

export interface ParsedEpcUrn {
  form: EpcUriForm;
  /** The EPC scheme as written in the URI, lower-cased: `sgtin`, `sscc`, `lgtin`, … */
  scheme: string;
  companyPrefix: string;
  /** The same identifier as GS1 element strings: the Digital Link primary key and its qualifiers. */
  primaryKey: AiValue;
  qualifiers: AiValue[];
}

/** EPC schemes that are not built on a GS1 key and so have no Digital Link form (TDS §6.3). */
export const NON_GS1_EPC_SCHEMES: ReadonlySet<string> = new Set(['gid', 'usdod', 'adi', 'bic', 'imovn']);

/** Characters a GS3A3 component (serial numbers and other alphanumeric references) may carry unescaped. */
const GS3A3_RAW = /^[A-Za-z0-9!'()*+,\-.:;=_]$/;
/** A component without escapes, the common case: it decodes to itself. */
const GS3A3_PLAIN = /^[A-Za-z0-9!'()*+,\-.:;=_]+$/;
/** Characters of set 82 that may appear in a GS3A3 component escaped. */
const CSET82_CHAR = /^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]$/;

/**
 * Decodes an alphanumeric EPC URI component (TDS "GS3A3Component"). `"`, `%`, `&`, `/`, `<`, `>` and `?` must be
 * escaped there; other characters of set 82 are accepted escaped or not, as URIs in circulation do both.
 */
function decodeGs3a3(component: string, what: string, maxLength: number): Gs1Result<string> {
  if (component.length <= maxLength && GS3A3_PLAIN.test(component)) return ok(component);
  let out = '';
  for (let i = 0; i < component.length; i += 1) {
    const char = component[i]!;
    if (char === '%') {
      const hex = component.slice(i + 1, i + 3);
      const decoded = /^[0-9A-Fa-f]{2}$/.test(hex) ? String.fromCharCode(parseInt(hex, 16)) : '';
      if (!CSET82_CHAR.test(decoded)) return fail(`${what}: "%${hex}" is not an escaped character of set 82`);
      out += decoded;
      i += 2;
    } else if (GS3A3_RAW.test(char)) {
      out += char;
    } else {
      return fail(`${what}: character "${char}" must be percent-escaped or is not allowed in an EPC URI`);
    }
  }
  if (out.length === 0) return fail(`${what} is empty`);
  if (out.length > maxLength) return fail(`${what} is ${out.length} characters long, at most ${maxLength} allowed`);
  return ok(out);
}

/** Decodes a CPI component part reference: set 39 (digits, upper-case letters, `-`, and `#` and `/` escaped). */
function decodeCpiReference(component: string, maxLength: number): Gs1Result<string> {
  const decoded = component.replace(/%23/gi, '#').replace(/%2F/gi, '/');
  if (!/^[0-9A-Z#\-/]+$/.test(decoded) || /[#/]/.test(component)) {
    return fail('CPI component/part reference may contain only digits, upper-case letters, "-", %23 and %2F');
  }
  if (decoded.length > maxLength) {
    return fail(`CPI component/part reference is ${decoded.length} characters long, at most ${maxLength} allowed`);
  }
  return ok(decoded);
}

const COMPANY_PREFIX = /^[0-9]{6,12}$/;
const DIGITS = /^[0-9]*$/;

/**
 * A numeric reference whose length the company prefix decides: the two together make up the key (`keyDigits`). The
 * message gives both views, since a reader may not know that the prefix length fixes the reference length.
 */
function digits(value: string, length: number, what: string, keyDigits: number): Gs1Result<string> {
  if (value.length !== length) {
    const together = `company prefix and reference must have ${keyDigits} digits together, not ${keyDigits - length + value.length}`;
    const plural = length === 1 ? '' : 's';
    return fail(`${what} must be ${length} digit${plural} for this company prefix, got "${value}" (${together})`);
  }
  if (!DIGITS.test(value)) return fail(`${what} must be digits only, got "${value}"`);
  return ok(value);
}

/** Splits a URI body into `count` dot-separated fields; the last field keeps any further dots (a serial may have them). */
function fields(body: string, count: number): string[] | undefined {
  const out: string[] = [];
  let from = 0;
  for (let i = 1; i < count; i += 1) {
    const dot = body.indexOf('.', from);
    if (dot < 0) return undefined;
    out.push(body.slice(from, dot));
    from = dot + 1;
  }
  out.push(body.slice(from));
  return out;
}

interface Layout {
  /** Number of dot-separated fields after the scheme name. */
  fields: number;
  /** Builds the element strings from the fields, the first field being a checked company prefix. */
  build(cp: string, f: string[]): Gs1Result<{ primaryKey: AiValue; qualifiers: AiValue[] }>;
}

type Built = Gs1Result<{ primaryKey: AiValue; qualifiers: AiValue[] }>;

/** A Map, not the object literal: a scheme named "constructor" must not find Object.prototype's, and lookups are faster. */
const layouts = (table: Record<string, Layout>): ReadonlyMap<string, Layout> => new Map(Object.entries(table));
const key = (ai: string, value: string, qualifiers: AiValue[] = []): Built => ok({ primaryKey: { ai, value }, qualifiers });

/** GTIN from company prefix and "indicator + item reference" (13 digits together); the indicator moves to the front. */
function gtin(cp: string, itemRefAndIndicator: string): Gs1Result<string> {
  const ref = digits(itemRefAndIndicator, 13 - cp.length, 'indicator digit and item reference', 13);
  if (!ref.ok) return ref;
  return ok(withCheckDigit(itemRefAndIndicator[0] + cp + itemRefAndIndicator.slice(1)));
}

/** A key made of company prefix + fixed-length numeric reference + check digit (GLN, GSRN, GSIN, …). */
function numericKey(cp: string, reference: string, totalWithoutCheck: number, what: string): Gs1Result<string> {
  const ref = digits(reference, totalWithoutCheck - cp.length, what, totalWithoutCheck);
  return ref.ok ? ok(withCheckDigit(cp + reference)) : ref;
}

const ID_LAYOUTS = layouts({
  sgtin: {
    fields: 3,
    build(cp, [, ref, serial]) {
      const g = gtin(cp, ref!);
      if (!g.ok) return g;
      const s = decodeGs3a3(serial!, 'serial number', 20);
      return s.ok ? key('01', g.value, [{ ai: '21', value: s.value }]) : s;
    },
  },
  sscc: {
    fields: 2,
    build(cp, [, serialRef]) {
      // The extension digit leads the serial reference in the URI and the SSCC alike, but goes before the prefix.
      const ref = digits(serialRef!, 17 - cp.length, 'extension digit and serial reference', 17);
      return ref.ok ? key('00', withCheckDigit(serialRef![0] + cp + serialRef!.slice(1))) : ref;
    },
  },
  sgln: {
    fields: 3,
    build(cp, [, locationRef, extension]) {
      const gln = numericKey(cp, locationRef!, 12, 'location reference');
      if (!gln.ok) return gln;
      const ext = decodeGs3a3(extension!, 'GLN extension', 20);
      if (!ext.ok) return ext;
      // TDS: extension "0" stands for "no extension", i.e. the GLN itself.
      return key('414', gln.value, ext.value === '0' ? [] : [{ ai: '254', value: ext.value }]);
    },
  },
  grai: {
    fields: 3,
    build(cp, [, assetType, serial]) {
      const grai = numericKey(cp, assetType!, 12, 'asset type');
      if (!grai.ok) return grai;
      const s = decodeGs3a3(serial!, 'GRAI serial component', 16);
      // AI (8003) puts a filler 0 in front of the 13-digit GRAI.
      return s.ok ? key('8003', `0${grai.value}${s.value}`) : s;
    },
  },
  giai: {
    fields: 2,
    build(cp, [, assetRef]) {
      const ref = decodeGs3a3(assetRef!, 'individual asset reference', 30 - cp.length);
      return ref.ok ? key('8004', cp + ref.value) : ref;
    },
  },
  gsrn: {
    fields: 2,
    build(cp, [, serviceRef]) {
      const gsrn = numericKey(cp, serviceRef!, 17, 'service reference');
      return gsrn.ok ? key('8018', gsrn.value) : gsrn;
    },
  },
  gsrnp: {
    fields: 2,
    build(cp, [, serviceRef]) {
      const gsrn = numericKey(cp, serviceRef!, 17, 'service reference');
      return gsrn.ok ? key('8017', gsrn.value) : gsrn;
    },
  },
  gdti: {
    fields: 3,
    build(cp, [, documentType, serial]) {
      const gdti = numericKey(cp, documentType!, 12, 'document type');
      if (!gdti.ok) return gdti;
      const s = decodeGs3a3(serial!, 'GDTI serial component', 17);
      return s.ok ? key('253', gdti.value + s.value) : s;
    },
  },
  cpi: {
    fields: 3,
    build(cp, [, partRef, serial]) {
      const ref = decodeCpiReference(partRef!, 30 - cp.length);
      if (!ref.ok) return ref;
      if (!/^(0|[1-9][0-9]{0,11})$/.test(serial!)) {
        return fail(`CPI serial must be 1–12 digits without leading zeros, got "${serial}"`);
      }
      return key('8010', cp + ref.value, [{ ai: '8011', value: serial! }]);
    },
  },
  sgcn: {
    fields: 3,
    build(cp, [, couponRef, serial]) {
      const gcn = numericKey(cp, couponRef!, 12, 'coupon reference');
      if (!gcn.ok) return gcn;
      if (!/^[0-9]{1,12}$/.test(serial!)) return fail(`SGCN serial component must be 1–12 digits, got "${serial}"`);
      return key('255', gcn.value + serial);
    },
  },
  ginc: {
    fields: 2,
    build(cp, [, consignmentRef]) {
      const ref = decodeGs3a3(consignmentRef!, 'consignment reference', 30 - cp.length);
      return ref.ok ? key('401', cp + ref.value) : ref;
    },
  },
  gsin: {
    fields: 2,
    build(cp, [, shipperRef]) {
      const gsin = numericKey(cp, shipperRef!, 16, 'shipper reference');
      return gsin.ok ? key('402', gsin.value) : gsin;
    },
  },
  itip: {
    fields: 5,
    build(cp, [, ref, piece, total, serial]) {
      const g = gtin(cp, ref!);
      if (!g.ok) return g;
      const pt = itipPieceTotal(piece!, total!);
      if (!pt.ok) return pt;
      const s = decodeGs3a3(serial!, 'serial number', 20);
      return s.ok ? key('8006', g.value + pt.value, [{ ai: '21', value: s.value }]) : s;
    },
  },
  upui: {
    fields: 3,
    build(cp, [, ref, tpx]) {
      const g = gtin(cp, ref!);
      if (!g.ok) return g;
      const t = decodeGs3a3(tpx!, 'third party controlled serial extension', 28);
      return t.ok ? key('01', g.value, [{ ai: '235', value: t.value }]) : t;
    },
  },
  pgln: {
    fields: 2,
    build(cp, [, partyRef]) {
      const gln = numericKey(cp, partyRef!, 12, 'party reference');
      return gln.ok ? key('417', gln.value) : gln;
    },
  },
});

function itipPieceTotal(piece: string, total: string): Gs1Result<string> {
  if (!/^[0-9]{2}$/.test(piece) || !/^[0-9]{2}$/.test(total)) return fail('ITIP piece and total must be 2 digits each');
  if (Number(piece) < 1 || Number(piece) > Number(total)) return fail(`ITIP piece ${piece} of total ${total} is invalid`);
  return ok(piece + total);
}

const CLASS_LAYOUTS = layouts({
  lgtin: {
    fields: 3,
    build(cp, [, ref, lot]) {
      const g = gtin(cp, ref!);
      if (!g.ok) return g;
      const l = decodeGs3a3(lot!, 'lot number', 20);
      return l.ok ? key('01', g.value, [{ ai: '10', value: l.value }]) : l;
    },
  },
});

/**
 * Pattern URIs (TDS §8) whose pattern stops exactly at the serial, so that the class they denote is itself a GS1 key
 * (GTIN, GRAI without serial, GDTI without serial, …). Patterns with more wildcards have no Digital Link form.
 */
const PATTERN_LAYOUTS = layouts({
  sgtin: {
    fields: 3,
    build(cp, [, ref]) {
      const g = gtin(cp, ref!);
      return g.ok ? key('01', g.value) : g;
    },
  },
  grai: {
    fields: 3,
    build(cp, [, assetType]) {
      const grai = numericKey(cp, assetType!, 12, 'asset type');
      return grai.ok ? key('8003', `0${grai.value}`) : grai;
    },
  },
  gdti: {
    fields: 3,
    build(cp, [, documentType]) {
      const gdti = numericKey(cp, documentType!, 12, 'document type');
      return gdti.ok ? key('253', gdti.value) : gdti;
    },
  },
  sgcn: {
    fields: 3,
    build(cp, [, couponRef]) {
      const gcn = numericKey(cp, couponRef!, 12, 'coupon reference');
      return gcn.ok ? key('255', gcn.value) : gcn;
    },
  },
  cpi: {
    fields: 3,
    build(cp, [, partRef]) {
      const ref = decodeCpiReference(partRef!, 30 - cp.length);
      return ref.ok ? key('8010', cp + ref.value) : ref;
    },
  },
  itip: {
    fields: 5,
    build(cp, [, ref, piece, total]) {
      const g = gtin(cp, ref!);
      if (!g.ok) return g;
      const pt = itipPieceTotal(piece!, total!);
      return pt.ok ? key('8006', g.value + pt.value) : pt;
    },
  },
});

const EPC_URI = /^urn:epc:(id|class|idpat):([A-Za-z0-9]+):(.*)$/i;

/**
 * Parses an EPC pure identity URI (`urn:epc:id:…`), an EPC class URI (`urn:epc:class:lgtin:…`) or an EPC pattern URI
 * whose class is a GS1 key (`urn:epc:idpat:sgtin:CP.REF.*` and the like) into the equivalent GS1 element strings.
 */
export function parseEpcUrn(urn: string): Gs1Result<ParsedEpcUrn> {
  const m = EPC_URI.exec(urn);
  if (!m) return fail('not an EPC URI of the form urn:epc:id|class|idpat:<scheme>:<fields>');
  return parseEpcParts(m[1]!.toLowerCase() as EpcUriForm, m[2]!.toLowerCase(), m[3]!);
}

function parseEpcParts(form: EpcUriForm, scheme: string, body: string): Gs1Result<ParsedEpcUrn> {
  // Built on demand: a valid URI, the common case, never shows it.
  const label = () => `urn:epc:${form}:${scheme}`;

  if (form === 'id' && NON_GS1_EPC_SCHEMES.has(scheme)) {
    return fail(`${label()} is an EPC scheme not based on a GS1 key; it has no GS1 Digital Link form`);
  }
  const layout = (form === 'id' ? ID_LAYOUTS : form === 'class' ? CLASS_LAYOUTS : PATTERN_LAYOUTS).get(scheme);
  if (!layout) {
    return fail(
      form === 'idpat'
        ? `${label()} patterns have no GS1 Digital Link form (only patterns ending in a single "*" over sgtin, grai, gdti, sgcn, cpi or itip do)`
        : `unknown EPC scheme ${label()}`,
    );
  }

  const f = fields(body, layout.fields);
  if (!f) return fail(`${label()} needs ${layout.fields} dot-separated fields, got "${body}"`);
  if (form === 'idpat') {
    if (f[f.length - 1] !== '*') return fail(`${label()} pattern must end in ".*" to have a GS1 Digital Link form`);
    if (f.slice(0, -1).includes('*')) {
      return fail(`${label()} pattern with a wildcard before the serial has no GS1 Digital Link form`);
    }
  }
  const cp = f[0]!;
  if (!COMPANY_PREFIX.test(cp)) return fail(`${label()}: GS1 Company Prefix must be 6–12 digits, got "${cp}"`);
  const built = layout.build(cp, f);
  if (!built.ok) return fail(`${label()}: ${built.reason}`);
  return ok({ form, scheme, companyPrefix: cp, ...built.value });
}

/** The GS1 Digital Link URI (canonical form, or on `base`) equivalent to an EPC URI. */
export function epcUrnToDigitalLink(urn: string, base: string = CANONICAL_DIGITAL_LINK_BASE): Gs1Result<string> {
  const parsed = parseEpcUrn(urn);
  if (!parsed.ok) return parsed;
  try {
    return ok(formatDigitalLink(parsed.value, base));
  } catch (error) {
    // parseEpcUrn checks every field, so this is a guard: a translation result, not an exception, is the contract.
    return fail(error instanceof Error ? error.message : String(error));
  }
}

// --- Checking EPC URIs that have no Digital Link form ------------------------------------------------------------------

/** One component of an alphanumeric field of a non-GS1 scheme: a character of set 82 as EPC URIs write it. */
const GS3A3_COMPONENT = "(?:[A-Za-z0-9!'()*+,.:;=_-]|%[0-9A-Fa-f]{2})+";

interface NonGs1Scheme {
  readonly fields: number;
  readonly pattern: RegExp;
  /** What the body must hold, for messages. */
  readonly expected: string;
}

/**
 * The Tag Data Standard's schemes not built on a GS1 key. They are checked for shape only: their check characters
 * (BIC, IMO number) are the business of their own registries.
 */
const NON_GS1_SCHEMES: ReadonlyMap<string, NonGs1Scheme> = new Map([
  [
    'gid',
    {
      fields: 3,
      pattern: /^[0-9]+\.[0-9]+\.[0-9]+$/,
      expected: 'manager number, object class and serial number, in digits',
    },
  ],
  ['usdod', { fields: 2, pattern: /^[^.]+\.[0-9]+$/, expected: 'CAGE or DoDAAC code and a serial number in digits' }],
  [
    'adi',
    {
      fields: 3,
      pattern: new RegExp(`^[^.]*\\.[^.]*\\.${GS3A3_COMPONENT}$`),
      expected: 'CAGE or DoDAAC code, part number and serial number',
    },
  ],
  [
    'bic',
    {
      fields: 1,
      pattern: /^[A-Z]{3}[UJZR][0-9]{7}$/,
      expected: 'an ISO 6346 container code (owner code, category U, J, Z or R, 7 digits)',
    },
  ],
  ['imovn', { fields: 1, pattern: /^[0-9]{7}$/, expected: 'a 7-digit IMO vessel number' }],
]);

/** True when the EPC Tag Data Standard defines `scheme` (lower case) for EPC URIs of this form. */
export function isEpcScheme(form: EpcUriForm, scheme: string): boolean {
  if (form === 'class') return CLASS_LAYOUTS.has(scheme);
  return ID_LAYOUTS.has(scheme) || NON_GS1_SCHEMES.has(scheme);
}

/**
 * Why an EPC pure-identity, class or pattern URI is malformed, or undefined when it is well formed. Unlike
 * {@link parseEpcUrn} it also takes the forms that have no Digital Link: schemes not built on a GS1 key, and patterns
 * with more than one wildcard or over a key without a class level (`urn:epc:idpat:sscc:0614141.*`). GS1 fields are
 * checked as parseEpcUrn checks them (lengths, characters, company prefix); a wildcard stands for any value, and once
 * a field is `*` all later ones are. `repeated` says the caller expects to ask about this URI again (a location, a
 * lot): the answer is then kept, since capture validation meets those in event after event.
 */
export function epcUriProblem(urn: string, options: { repeated?: boolean } = {}): string | undefined {
  if (isPlainItemUrn(urn)) return undefined;
  return epcUriProblemMemo(urn, options.repeated ?? false) ?? undefined;
}

/**
 * Item-level SGTINs and SSCCs with a plain serial: the forms that arrive once per item, so the memo cannot help them,
 * and that a pattern decides without the full parse. Only a yes is answered here; anything else, broken or merely
 * unusual (escapes, upper case), takes the full parse, which would say yes to all of these too.
 */
const PLAIN_SGTIN = /^urn:epc:id:sgtin:([0-9]{6,12})\.([0-9]{1,7})\.[A-Za-z0-9!'()*+,\-.:;=_]{1,20}$/;
const PLAIN_SSCC = /^urn:epc:id:sscc:([0-9]{6,12})\.([0-9]{5,11})$/;

function isPlainItemUrn(urn: string): boolean {
  const m = PLAIN_SGTIN.exec(urn);
  if (m !== null) return m[1]!.length + m[2]!.length === 13;
  const n = PLAIN_SSCC.exec(urn);
  return n !== null && n[1]!.length + n[2]!.length === 17;
}

const epcUriProblemMemo = boundedMemo(4096, (urn): string | null => {
  const m = EPC_URI.exec(urn);
  if (!m) return 'not an EPC URI of the form urn:epc:id|class|idpat:<scheme>:<fields>';
  const form = m[1]!.toLowerCase() as EpcUriForm;
  const scheme = m[2]!.toLowerCase();
  if (!isEpcScheme(form, scheme)) return `unknown EPC scheme urn:epc:${form}:${scheme}`;
  const body = m[3]!;
  return (form === 'idpat' ? patternProblem(scheme, body) : identityProblem(form, scheme, body)) ?? null;
});

function identityProblem(form: 'id' | 'class', scheme: string, body: string): string | undefined {
  const nonGs1 = form === 'id' ? NON_GS1_SCHEMES.get(scheme) : undefined;
  if (nonGs1 === undefined) {
    const parsed = parseEpcParts(form, scheme, body);
    return parsed.ok ? undefined : parsed.reason;
  }
  return nonGs1.pattern.test(body) ? undefined : `urn:epc:id:${scheme} must hold ${nonGs1.expected}, got "${body}"`;
}

/**
 * Values that may stand in for a wildcard after the reference field, so that the fields before it are checked by the
 * scheme's own layout: a serial or extension "0", ITIP piece 01 of 99.
 */
const WILDCARD_STAND_INS: Readonly<Record<string, readonly string[]>> = { itip: ['01', '99', '0'] };

function patternProblem(scheme: string, body: string): string | undefined {
  const label = `urn:epc:idpat:${scheme}`;
  const nonGs1 = NON_GS1_SCHEMES.get(scheme);
  const layout = ID_LAYOUTS.get(scheme);
  const count = nonGs1?.fields ?? layout!.fields;
  const f = fields(body, count);
  if (!f) return `${label} pattern needs ${count} dot-separated fields, got "${body}"`;
  const firstWild = f.indexOf('*');
  for (let i = 0; i < count; i += 1) {
    // A "*" inside a value would make the pattern ambiguous, so it is refused even where the value allows one.
    if (firstWild >= 0 && i >= firstWild ? f[i] !== '*' : f[i]!.includes('*')) {
      return `${label} pattern: a field is either a value or "*", and once a field is "*" all later ones are, got "${body}"`;
    }
  }
  if (f[0] === '') return `${label} pattern has an empty first field`;
  if (firstWild < 0) return identityProblem('id', scheme, body);
  if (firstWild === 0 || nonGs1 !== undefined) return undefined;
  const cp = f[0]!;
  if (!COMPANY_PREFIX.test(cp)) return `${label}: GS1 Company Prefix must be 6–12 digits, got "${cp}"`;
  // With the reference a wildcard, the company prefix was all there was to check.
  if (firstWild === 1) return undefined;
  const standIns = WILDCARD_STAND_INS[scheme] ?? ['0'];
  const filled = f.map((field, i) => (i < firstWild ? field : standIns[i - 2] ?? '0'));
  const built = layout!.build(cp, filled);
  return built.ok ? undefined : `${label}: ${built.reason}`;
}
