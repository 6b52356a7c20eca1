/**
 * GS1 identifiers as the event store meets them: EPC URIs, GS1 Digital Link URIs on any domain, and arbitrary URIs
 * (EPCIS lets an EPC be any URI). {@link normaliseIdentifier} gives every GS1 identifier one spelling, the canonical
 * Digital Link on https://id.gs1.org, so that a URN captured from one partner and a Digital Link captured from
 * another are recognised as the same object.
 */
import { NON_GS1_EPC_SCHEMES, parseEpcUrn } from './epc-urn.js';
import { formatDigitalLink, looksLikeDigitalLink, parseDigitalLink, type AiValue } from './digital-link.js';
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
