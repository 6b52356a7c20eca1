/**
 * GS1 identifiers as the event store meets them: EPC URIs, GS1 Digital Link URIs on any domain, and arbitrary URIs
 * (EPCIS lets an EPC be any URI). {@link normaliseIdentifier} gives every GS1 identifier one spelling, the canonical
 * Digital Link on https://id.gs1.org, so that a URN captured from one partner and a Digital Link captured from
 * another are recognised as the same object.
 */
import { hasValidCheckDigit, withCheckDigit } from './check-digit.js';
import { NON_GS1_EPC_SCHEMES, parseEpcUrn } from './epc-urn.js';
import {
  CANONICAL_DIGITAL_LINK_BASE,
  formatDigitalLink,
  looksLikeDigitalLink,
  parseDigitalLink,
  type AiValue,
} from './digital-link.js';
import { fail, ok, type Gs1Result } from './result.js';

export * from './check-digit.js';
export * from './application-identifiers.js';
export * from './digital-link.js';
export * from './epc-urn.js';
export type { Gs1Result } from './result.js';

export type IdentifierKind =
  | 'item' // one trade item or component instance: GTIN + serial, GTIN + TPX, ITIP + serial, CPID + serial
  | 'class' // a product or asset class without instance: GTIN, ITIP, CPID, GMN, GRAI without serial
  | 'lot' // a batch: GTIN + lot, ITIP + lot
  | 'container' // logistic units and their groupings: SSCC, GINC, GSIN
  | 'location' // GLN of a physical location, with or without extension
  | 'party' // GLN of a party, GSRN of a service provider or recipient
  | 'asset' // GRAI with serial, GIAI
  | 'document' // GDTI, GCN
  | 'other';

export type IdentifierScheme = 'digital-link' | 'epc-urn' | 'other-uri';

export type NormalisedIdentifier =
  | { ok: true; canonical: string; scheme: IdentifierScheme; kind: IdentifierKind }
  | { ok: false; reason: string };

/** A GS1 identifier reduced to its key and key qualifiers, whatever syntax it arrived in. */
export interface Gs1Identifier {
  scheme: 'digital-link' | 'epc-urn';
  primaryKey: AiValue;
  qualifiers: AiValue[];
}

/** What kind of object a GS1 key with these qualifiers identifies. */
export function identifierKind(primaryKey: AiValue, qualifiers: readonly AiValue[]): IdentifierKind {
  const has = (ai: string) => qualifiers.some((q) => q.ai === ai);
  switch (primaryKey.ai) {
    case '01':
    case '8006':
      return has('21') || has('235') ? 'item' : has('10') ? 'lot' : 'class';
    case '8010':
      return has('8011') ? 'item' : 'class';
    case '8013':
      return 'class';
    case '00':
    case '401':
    case '402':
      return 'container';
    case '414':
      return 'location';
    case '415':
    case '417':
    case '8017':
    case '8018':
      return 'party';
    case '8003':
      // AI (8003) is a filler 0 and the 13-digit GRAI; anything after that is the serial component.
      return primaryKey.value.length > 14 ? 'asset' : 'class';
    case '8004':
      return 'asset';
    case '253':
    case '255':
      return 'document';
    default:
      return 'other';
  }
}

const EPC_URI_PREFIX = /^urn:epc:/i;
const HTTP_URI_PREFIX = /^https?:\/\//i;
const ABSOLUTE_URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s\u0000-\u001f\u007f]+$/;

/**
 * Reads a GS1 identifier from an EPC URI or a Digital Link URI. Returns undefined when `input` is not meant as a GS1
 * identifier at all (another URI scheme, or an http URL without a Digital Link path), and a failure when it is meant
 * as one but is broken.
 */
export function parseGs1Identifier(input: string): Gs1Result<Gs1Identifier> | undefined {
  if (EPC_URI_PREFIX.test(input)) {
    const parsed = parseEpcUrn(input);
    if (!parsed.ok) return parsed;
    return ok({ scheme: 'epc-urn', primaryKey: parsed.value.primaryKey, qualifiers: parsed.value.qualifiers });
  }
  if (HTTP_URI_PREFIX.test(input) && looksLikeDigitalLink(input)) {
    const parsed = parseDigitalLink(input);
    if (!parsed.ok) return fail(`broken GS1 Digital Link: ${parsed.reason}`);
    return ok({ scheme: 'digital-link', primaryKey: parsed.value.primaryKey, qualifiers: parsed.value.qualifiers });
  }
  return undefined;
}

const NON_GS1_EPC_KIND: Record<string, IdentifierKind> = {
  gid: 'item',
  usdod: 'item',
  adi: 'item',
  bic: 'container',
  imovn: 'asset',
};

/**
 * One spelling per identifier.
 * - EPC URIs and Digital Links on any domain become the canonical Digital Link on https://id.gs1.org: numeric AIs,
 *   14-digit GTIN, qualifiers in order, values percent-encoded. Data attributes in the query string describe the
 *   object rather than name it and are left out.
 * - EPC URIs of schemes not based on a GS1 key (gid, usdod, adi, bic, imovn) have no Digital Link and are kept as
 *   written.
 * - Any other absolute URI is returned unchanged: EPCIS allows arbitrary URIs as identifiers.
 * - Something that is meant as a GS1 identifier but is broken (a wrong check digit, a malformed EPC URI, a Digital
 *   Link with misplaced qualifiers) is an error, never passed through as an "other" URI.
 * Surrounding whitespace is ignored.
 */
export function normaliseIdentifier(input: string): NormalisedIdentifier {
  const text = input.trim();
  if (text === '') return { ok: false, reason: 'identifier is empty' };
  const common = commonIdentifier(text);
  if (common !== undefined) return common;

  const scheme = /^urn:epc:id:([A-Za-z0-9]+):/i.exec(text)?.[1]?.toLowerCase();
  if (scheme !== undefined && NON_GS1_EPC_SCHEMES.has(scheme)) {
    if (!ABSOLUTE_URI.test(text) || text.length === `urn:epc:id:${scheme}:`.length) {
      return { ok: false, reason: `urn:epc:id:${scheme} URI is malformed` };
    }
    return { ok: true, canonical: text, scheme: 'epc-urn', kind: NON_GS1_EPC_KIND[scheme] ?? 'other' };
  }

  const gs1 = parseGs1Identifier(text);
  if (gs1 !== undefined) {
    if (!gs1.ok) return { ok: false, reason: gs1.reason };
    const { primaryKey, qualifiers } = gs1.value;
    return {
      ok: true,
      canonical: formatDigitalLink({ primaryKey, qualifiers }),
      scheme: gs1.value.scheme,
      kind: identifierKind(primaryKey, qualifiers),
    };
  }

  if (!ABSOLUTE_URI.test(text)) return { ok: false, reason: 'not an absolute URI (scheme:…)' };
  return { ok: true, canonical: text, scheme: 'other-uri', kind: 'other' };
}

// --- The common spellings, without the general parse --------------------------------------------------------------
//
// Capture canonicalises every identifier of every event, and item serials and SSCCs are each met about once, so no
// memo helps them. The forms below are what client systems send nearly all the time; they are recognised by a pattern
// and translated directly. Only a valid identifier is answered here, and only when the answer is certain to be the
// general path's: every value is confined to characters that are both RFC 3986 unreserved (percent-encoding leaves
// them alone) and in AI set 82 and GS3A3 (no escapes to decode), within the AI's length. Anything else, valid or not,
// takes the general path, which alone words the failures.

/** A lot, serial or GLN extension that decodes to itself and that the Digital Link writes as is, up to 20 characters. */
const PLAIN = '[A-Za-z0-9_.-]{1,20}';

const CANONICAL_GTIN_LINK = new RegExp(`^https://id\\.gs1\\.org/01/([0-9]{14})(/10/${PLAIN})?(/21/${PLAIN})?$`);
const CANONICAL_SSCC_LINK = /^https:\/\/id\.gs1\.org\/00\/([0-9]{18})$/;
const CANONICAL_GLN_LINK = new RegExp(`^https://id\\.gs1\\.org/(414|417)/([0-9]{13})(/254/${PLAIN})?$`);
const PLAIN_SGTIN_URN = new RegExp(`^urn:epc:id:sgtin:([0-9]{6,12})\\.([0-9]{1,7})\\.(${PLAIN})$`);
const PLAIN_LGTIN_URN = new RegExp(`^urn:epc:class:lgtin:([0-9]{6,12})\\.([0-9]{1,7})\\.(${PLAIN})$`);
const PLAIN_SSCC_URN = /^urn:epc:id:sscc:([0-9]{6,12})\.([0-9]{5,11})$/;
const PLAIN_SGLN_URN = new RegExp(`^urn:epc:id:sgln:([0-9]{6,12})\\.([0-9]{0,6})\\.(${PLAIN})$`);
const PLAIN_PGLN_URN = /^urn:epc:id:pgln:([0-9]{6,12})\.([0-9]{0,6})$/;

const EPC_ID = 'urn:epc:id:';
const DIGITAL_LINK_BASE = `${CANONICAL_DIGITAL_LINK_BASE}/`;
/** The first two characters of a Digital Link path, as one number to compare. */
const twoChars = (s: string) => s.charCodeAt(0) * 256 + s.charCodeAt(1);
const GTIN_KEY = twoChars('01');
const SSCC_KEY = twoChars('00');
const GLN_KEY = twoChars('41');


/** The normalised form of a common spelling, or undefined to leave `text` (trimmed, not empty) to the general path. */
function commonIdentifier(text: string): NormalisedIdentifier | undefined {
  if (text.startsWith(DIGITAL_LINK_BASE)) return canonicalLink(text);
  if (text.startsWith(EPC_ID)) return plainIdUrn(text);
  if (text.startsWith('urn:epc:class:lgtin:')) {
    const m = PLAIN_LGTIN_URN.exec(text);
    const gtin = m === null ? undefined : gtinOf(m[1]!, m[2]!);
    return gtin === undefined ? undefined : urnResult(`${DIGITAL_LINK_BASE}01/${gtin}/10/${m![3]!}`, 'lot');
  }
  return undefined;
}

/** A Digital Link already in canonical form is its own canonical form, once its key's check digit is right. */
function canonicalLink(text: string): NormalisedIdentifier | undefined {
  const at = DIGITAL_LINK_BASE.length;
  // The first two digits of the path tell the keys apart: 01, 00, 41(4|7).
  const key = text.charCodeAt(at) * 256 + text.charCodeAt(at + 1);
  if (key === GTIN_KEY) {
    const m = CANONICAL_GTIN_LINK.exec(text);
    if (m === null || !hasValidCheckDigit(m[1]!)) return undefined;
    return linkResult(text, m[3] !== undefined ? 'item' : m[2] !== undefined ? 'lot' : 'class');
  }
  if (key === SSCC_KEY) {
    const m = CANONICAL_SSCC_LINK.exec(text);
    return m !== null && hasValidCheckDigit(m[1]!) ? linkResult(text, 'container') : undefined;
  }
  if (key === GLN_KEY) {
    const m = CANONICAL_GLN_LINK.exec(text);
    if (m === null || !hasValidCheckDigit(m[2]!)) return undefined;
    if (m[1] === '414') return linkResult(text, 'location');
    // A party GLN takes no GLN extension: that is the general path's error to report.
    return m[3] === undefined ? linkResult(text, 'party') : undefined;
  }
  return undefined;
}

function plainIdUrn(text: string): NormalisedIdentifier | undefined {
  const scheme = text.slice(EPC_ID.length, text.indexOf(':', EPC_ID.length));
  switch (scheme) {
    case 'sgtin': {
      const m = PLAIN_SGTIN_URN.exec(text);
      const gtin = m === null ? undefined : gtinOf(m[1]!, m[2]!);
      return gtin === undefined ? undefined : urnResult(`${DIGITAL_LINK_BASE}01/${gtin}/21/${m![3]!}`, 'item');
    }
    case 'sscc': {
      const m = PLAIN_SSCC_URN.exec(text);
      if (m === null || m[1]!.length + m[2]!.length !== 17) return undefined;
      // The extension digit leads the serial reference in the URI but goes before the company prefix in the SSCC.
      const ref = m[2]!;
      return urnResult(`${DIGITAL_LINK_BASE}00/${withCheckDigit(ref[0]! + m[1]! + ref.slice(1))}`, 'container');
    }
    case 'sgln': {
      const m = PLAIN_SGLN_URN.exec(text);
      if (m === null || m[1]!.length + m[2]!.length !== 12) return undefined;
      const gln = withCheckDigit(m[1]! + m[2]!);
      // TDS: extension "0" stands for the GLN without extension.
      const extension = m[3] === '0' ? '' : `/254/${m[3]!}`;
      return urnResult(`${DIGITAL_LINK_BASE}414/${gln}${extension}`, 'location');
    }
    case 'pgln': {
      const m = PLAIN_PGLN_URN.exec(text);
      if (m === null || m[1]!.length + m[2]!.length !== 12) return undefined;
      return urnResult(`${DIGITAL_LINK_BASE}417/${withCheckDigit(m[1]! + m[2]!)}`, 'party');
    }
    default:
      return undefined;
  }
}

/** The GTIN-14 of an SGTIN or LGTIN: the indicator digit leads the item reference in the URI and the GTIN alike. */
function gtinOf(companyPrefix: string, indicatorAndReference: string): string | undefined {
  if (companyPrefix.length + indicatorAndReference.length !== 13) return undefined;
  return withCheckDigit(indicatorAndReference[0]! + companyPrefix + indicatorAndReference.slice(1));
}

function linkResult(canonical: string, kind: IdentifierKind): NormalisedIdentifier {
  return { ok: true, canonical, scheme: 'digital-link', kind };
}

function urnResult(canonical: string, kind: IdentifierKind): NormalisedIdentifier {
  return { ok: true, canonical, scheme: 'epc-urn', kind };
}
