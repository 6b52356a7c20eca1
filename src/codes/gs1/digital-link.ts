/**
 * GS1 Digital Link URIs (GS1 Digital Link URI Syntax; ISO/IEC 18975):
 *
 *   https://{any domain}{/optional path prefix}/{primary key AI}/{value}{/qualifier AI/value …}{?data attributes}
 *
 * The domain and path prefix carry no identity: `https://brand.example/shop/01/09506000134352` and
 * `https://id.gs1.org/01/09506000134352` name the same GTIN. The canonical form puts the identifier on
 * `https://id.gs1.org`, uses numeric AIs (never the deprecated convenience alphas such as `/gtin/`), writes a GTIN in
 * its 14-digit form, orders the key qualifiers as the standard prescribes and percent-encodes every character that is
 * not an RFC 3986 unreserved character.
 */
import { invalid } from '../../domain/errors.js';
import {
  DIGITAL_LINK_CONVENIENCE_ALPHAS,
  checkQualifierSequence,
  getApplicationIdentifier,
  isDigitalLinkPrimaryKey,
  isKeyQualifierOf,
  orderQualifiers,
  validateAiValue,
} from './application-identifiers.js';
import { hasValidCheckDigit } from './check-digit.js';
import { boundedMemo } from './memo.js';
import { fail, ok, type Gs1Result } from './result.js';

export const CANONICAL_DIGITAL_LINK_BASE = 'https://id.gs1.org';

export interface AiValue {
  ai: string;
  value: string;
}

export interface DigitalLinkParts {
  primaryKey: AiValue;
  /** Key qualifiers, in the order the standard prescribes for the primary key. */
  qualifiers: AiValue[];
  /** GS1 data attributes from the query string, in the order found. */
  attributes: AiValue[];
}

export interface ParsedDigitalLink extends DigitalLinkParts {
  /** Scheme and authority as written, e.g. `https://brand.example`. */
  origin: string;
  /** Path segments before the primary key, e.g. `/shop`; empty when the key starts the path. */
  pathPrefix: string;
  /** Query parameters that are not GS1 AIs (`linkType`, tracking parameters, …), decoded, in the order found. */
  otherParameters: { name: string; value: string }[];
}

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
const ALL_UNRESERVED = /^[A-Za-z0-9\-._~]*$/;

/**
 * Percent-encodes a value for a Digital Link path segment or query value. Everything except the RFC 3986 unreserved
 * characters is encoded, with upper-case hex digits: the AI character set 82 contains `/`, `?`, `&`, `%` and others
 * that would otherwise be read as URI delimiters, and one fixed rule gives one canonical spelling.
 */
export function percentEncodeDigitalLinkValue(value: string): string {
  // Lots, serials and keys are nearly always unreserved characters only: one test instead of one per character.
  if (ALL_UNRESERVED.test(value)) return value;
  let out = '';
  for (const char of value) {
    if (UNRESERVED.test(char)) {
      out += char;
      continue;
    }
    for (const byte of Buffer.from(char, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes %XX escapes; undefined for a malformed escape or bytes that are not UTF-8. */
export function percentDecode(text: string): string | undefined {
  if (!text.includes('%')) return text;
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i]!;
    if (char === '%') {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return undefined;
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(char, 'utf8'));
    }
  }
  try {
    return UTF8.decode(new Uint8Array(bytes));
  } catch {
    return undefined;
  }
}

/** The numeric AI a path segment stands for: itself when it is a known AI, or the AI of a convenience alpha. */
function segmentAi(segment: string): string | undefined {
  if (/^[0-9]{2,4}$/.test(segment)) return getApplicationIdentifier(segment) ? segment : undefined;
  // Own properties only: a segment such as "constructor" must not find Object.prototype's.
  return Object.hasOwn(DIGITAL_LINK_CONVENIENCE_ALPHAS, segment) ? DIGITAL_LINK_CONVENIENCE_ALPHAS[segment] : undefined;
}

/** GTIN-8/12/13 are allowed in a Digital Link path; everything downstream works with the 14-digit form. */
function normaliseKeyValue(ai: string, value: string): string {
  return ai === '01' && SHORT_GTIN_LENGTHS.has(value.length) && /^[0-9]+$/.test(value) ? value.padStart(14, '0') : value;
}

const SHORT_GTIN_LENGTHS: ReadonlySet<number> = new Set([8, 12, 13]);

const URI_SHAPE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?(?:#.*)?$/;
const HOST_SHAPE = /^[A-Za-z0-9.-]+(?::[0-9]+)?$|^\[[0-9A-Fa-f:.]+\](?::[0-9]+)?$/;

interface Split {
  scheme: string;
  host: string;
  segments: string[];
  query: string | undefined;
}

/** The segments of a path that is empty or starts with "/": `/01/x` → `01`, `x`. */
function pathSegments(path: string): string[] {
  // By hand: split("/") and slice(1) cost three times as much, and every Digital Link in an event comes through here.
  const segments: string[] = [];
  if (path === '') return segments;
  let from = 1;
  for (;;) {
    const slash = path.indexOf('/', from);
    if (slash < 0) break;
    segments.push(path.slice(from, slash));
    from = slash + 1;
  }
  segments.push(path.slice(from));
  return segments;
}

/**
 * The key and qualifiers of a link in the canonical form `formatDigitalLink` writes (`https://id.gs1.org`, numeric
 * AIs, qualifiers in order, no query), read by its shape alone: for identifiers the event store canonicalised on
 * capture, which a trace meets by the hundred. Undefined for anything else, which parseDigitalLink reads in full.
 */
export function canonicalLinkParts(uri: string): { primaryKey: AiValue; qualifiers: AiValue[] } | undefined {
  if (!uri.startsWith(`${CANONICAL_DIGITAL_LINK_BASE}/`) || uri.includes('?') || uri.includes('#')) return undefined;
  const segments = pathSegments(uri.slice(CANONICAL_DIGITAL_LINK_BASE.length));
  if (segments.length < 2 || segments.length % 2 !== 0) return undefined;
  const pairs: AiValue[] = [];
  for (let i = 0; i < segments.length; i += 2) {
    const ai = segments[i]!;
    const value = percentDecode(segments[i + 1]!);
    if (!/^[0-9]{2,4}$/.test(ai) || value === undefined || value === '') return undefined;
    pairs.push({ ai, value });
  }
  const [primaryKey, ...qualifiers] = pairs as [AiValue, ...AiValue[]];
  if (!isDigitalLinkPrimaryKey(primaryKey.ai) || (primaryKey.ai === '01' && !/^[0-9]{14}$/.test(primaryKey.value))) return undefined;
  return { primaryKey, qualifiers };
}

function splitHttpUri(uri: string): Gs1Result<Split> {
  if (/[\s\u0000-\u001f\u007f]/.test(uri)) return fail('a URI must not contain whitespace or control characters');
  const m = URI_SHAPE.exec(uri);
  if (!m) return fail('not an absolute http(s) URI');
  const [, scheme, host, path, query] = m;
  const lowerScheme = scheme!.toLowerCase();
  if (lowerScheme !== 'https' && lowerScheme !== 'http') return fail(`scheme ${scheme} is not http or https`);
  if (!host || !HOST_SHAPE.test(host)) return fail(`"${host ?? ''}" is not a valid host`);
  const segments = pathSegments(path ?? '');
  // A trailing slash is tolerated, as resolvers do.
  if (segments.length > 0 && segments[segments.length - 1] === '') segments.pop();
  return ok({ scheme: lowerScheme, host, segments, query });
}

/**
 * Where the Digital Link part of the path starts: the first segment naming a primary key such that the rest of the
 * path is made of AI/value pairs. `shapeOnly` additionally requires the key's value to have the key's length and
 * character set, which is what tells a Digital Link from an unrelated URL whose path happens to contain `/01/`.
 */
function findPrimaryKey(segments: string[], shapeOnly: boolean): number | undefined {
  for (let i = 0; i + 1 < segments.length; i += 1) {
    const ai = segmentAi(segments[i]!);
    if (ai === undefined || !isDigitalLinkPrimaryKey(ai) || (segments.length - i) % 2 !== 0) continue;
    if (!shapeOnly) return i;
    const value = percentDecode(segments[i + 1]!);
    if (value !== undefined && validateAiValue(ai, normaliseKeyValue(ai, value), { shapeOnly: true }).ok) return i;
  }
  return undefined;
}

/**
 * True when `uri` is meant as a GS1 Digital Link, valid or not: it is on id.gs1.org, or its path has a primary key
 * followed by a value of that key's shape. Used to reject broken Digital Links instead of passing them on as
 * arbitrary URIs.
 */
export function looksLikeDigitalLink(uri: string): boolean {
  const split = splitHttpUri(uri);
  if (!split.ok) return false;
  if (split.value.host.toLowerCase() === 'id.gs1.org') return true;
  return findPrimaryKey(split.value.segments, true) !== undefined;
}

function decodeAiValue(ai: string, raw: string): Gs1Result<string> {
  if (raw === '') return fail(`AI (${ai}) has an empty value`);
  const decoded = percentDecode(raw);
  if (decoded === undefined) return fail(`AI (${ai}) value "${raw}" has a malformed percent-encoding`);
  const value = normaliseKeyValue(ai, decoded);
  const valid = validateAiValue(ai, value);
  return valid.ok ? ok(value) : valid;
}

/**
 * Parses a GS1 Digital Link URI on any domain and under any path prefix. Values are percent-decoded and validated
 * (length, character set, check digits), key qualifiers must be allowed for the key and appear in the prescribed
 * order, and GS1 AIs in the query string become data attributes. Short GTINs are returned in 14-digit form.
 */
export function parseDigitalLink(uri: string): Gs1Result<ParsedDigitalLink> {
  const split = splitHttpUri(uri);
  if (!split.ok) return split;
  const { scheme, host, segments, query } = split.value;

  // A candidate whose value has the key's shape wins over an earlier one that merely names a key, so a path prefix
  // such as /00/catalogue/ does not hide the Digital Link after it.
  const start = findPrimaryKey(segments, true) ?? findPrimaryKey(segments, false);
  if (start === undefined) {
    return fail(
      'no GS1 Digital Link primary key in the path: after any path prefix, the path must start with a primary key ' +
        'such as /01/{GTIN}, /00/{SSCC} or /414/{GLN}, followed by AI/value pairs',
    );
  }

  const primaryAi = segmentAi(segments[start]!)!;
  const primaryValue = decodeAiValue(primaryAi, segments[start + 1]!);
  if (!primaryValue.ok) return primaryValue;

  const qualifiers: AiValue[] = [];
  for (let i = start + 2; i < segments.length; i += 2) {
    const ai = segmentAi(segments[i]!);
    if (ai === undefined) return fail(`path segment "${segments[i]}" is not a GS1 Application Identifier`);
    if (!isKeyQualifierOf(primaryAi, ai)) return fail(`AI (${ai}) is not a key qualifier of (${primaryAi})`);
    const value = decodeAiValue(ai, segments[i + 1]!);
    if (!value.ok) return value;
    qualifiers.push({ ai, value: value.value });
  }
  const order = checkQualifierSequence(
    primaryAi,
    qualifiers.map((q) => q.ai),
  );
  if (!order.ok) return order;

  // A qualifier of the key that the path's qualifier sequence has no place for (a lot beside a TPX) is a data attribute.
  const definition = getApplicationIdentifier(primaryAi)!;
  const pathAis = qualifiers.map((q) => q.ai);
  const usable = (definition.digitalLink?.qualifierSequences ?? []).filter((sequence) => pathAis.every((ai) => sequence.includes(ai)));
  const belongsInPath = (ai: string) => ai === primaryAi || usable.some((sequence) => sequence.includes(ai));

  const attributes: AiValue[] = [];
  const otherParameters: { name: string; value: string }[] = [];
  for (const parameter of query ? query.split('&') : []) {
    if (parameter === '') continue;
    const eq = parameter.indexOf('=');
    // Query strings are form-encoded: "+" stands for a space.
    const rawName = (eq < 0 ? parameter : parameter.slice(0, eq)).replace(/\+/g, '%20');
    const rawValue = (eq < 0 ? '' : parameter.slice(eq + 1)).replace(/\+/g, '%20');
    const name = percentDecode(rawName);
    if (name === undefined) return fail(`query parameter "${rawName}" has a malformed percent-encoding`);
    if (!/^[0-9]+$/.test(name)) {
      const value = percentDecode(rawValue);
      if (value === undefined) return fail(`query parameter ${name} has a malformed percent-encoding`);
      otherParameters.push({ name, value });
      continue;
    }
    if (!getApplicationIdentifier(name)) return fail(`query parameter ${name} is not a known GS1 Application Identifier`);
    if (belongsInPath(name)) {
      return fail(`AI (${name}) belongs in the path of a (${primaryAi}) Digital Link, not in the query string`);
    }
    if (attributes.some((a) => a.ai === name)) return fail(`AI (${name}) appears twice in the query string`);
    const value = decodeAiValue(name, rawValue);
    if (!value.ok) return value;
    attributes.push({ ai: name, value: value.value });
  }

  return ok({
    primaryKey: { ai: primaryAi, value: primaryValue.value },
    qualifiers,
    attributes,
    origin: `${scheme}://${host}`,
    pathPrefix: start === 0 ? '' : segments.slice(0, start).map((s) => `/${s}`).join(''),
    otherParameters,
  });
}

/**
 * Why an http(s) URI meant as a GS1 Digital Link is broken (the reason {@link parseDigitalLink} gives), or undefined
 * when it is a valid Digital Link or not meant as one at all (an ordinary URL, see {@link looksLikeDigitalLink}).
 * `repeated` says the caller expects to ask about this URI again (a location, a lot): the answer is then kept, since
 * capture validation meets those in event after event.
 */
export function digitalLinkProblem(uri: string, options: { repeated?: boolean } = {}): string | undefined {
  if (isPlainGtinLink(uri)) return undefined;
  return digitalLinkProblemMemo(uri, options.repeated ?? false) ?? undefined;
}

/**
 * Canonical GTIN links with a plain lot and/or serial: the form that arrives once per item, so the memo cannot help
 * it, and that a pattern and the check digit decide without the full parse. Only a yes is answered here; anything
 * else takes the full parse, which would say yes to all of these too.
 */
const PLAIN_GTIN_LINK = /^https:\/\/id\.gs1\.org\/01\/([0-9]{14})(?:\/10\/[A-Za-z0-9_.-]{1,20})?(?:\/21\/[A-Za-z0-9_.-]{1,20})?$/;

function isPlainGtinLink(uri: string): boolean {
  const m = PLAIN_GTIN_LINK.exec(uri);
  return m !== null && hasValidCheckDigit(m[1]!);
}

const digitalLinkProblemMemo = boundedMemo(4096, (uri): string | null => {
  if (!looksLikeDigitalLink(uri)) return null;
  const parsed = parseDigitalLink(uri);
  return parsed.ok ? null : parsed.reason;
});

function compareAi(a: AiValue, b: AiValue): number {
  return a.ai < b.ai ? -1 : a.ai > b.ai ? 1 : 0;
}

/**
 * Composes a Digital Link URI from its parts: numeric AIs, key qualifiers in the prescribed order, values
 * percent-encoded, data attributes sorted by AI so that equal inputs give equal strings. Throws a DomainError
 * (`invalid`) when a part is not valid, since a caller composing a URI from unvalidated parts has a bug.
 */
export function formatDigitalLink(
  parts: { primaryKey: AiValue; qualifiers?: readonly AiValue[]; attributes?: readonly AiValue[] },
  base: string = CANONICAL_DIGITAL_LINK_BASE,
): string {
  const problem = (reason: string) => invalid('gs1.digital_link.invalid', `cannot compose a GS1 Digital Link: ${reason}`);
  const { ai: keyAi } = parts.primaryKey;
  if (!isDigitalLinkPrimaryKey(keyAi)) throw problem(`AI (${keyAi}) is not a Digital Link primary key`);
  const keyValue = normaliseKeyValue(keyAi, parts.primaryKey.value);
  const checkedKey = validateAiValue(keyAi, keyValue);
  if (!checkedKey.ok) throw problem(checkedKey.reason);

  const qualifiers = orderQualifiers(keyAi, parts.qualifiers ?? []);
  const order = checkQualifierSequence(
    keyAi,
    qualifiers.map((q) => q.ai),
  );
  if (!order.ok) throw problem(order.reason);
  for (const q of qualifiers) {
    const checked = validateAiValue(q.ai, q.value);
    if (!checked.ok) throw problem(checked.reason);
  }

  const attributes = [...(parts.attributes ?? [])].sort(compareAi);
  for (const [i, attribute] of attributes.entries()) {
    if (i > 0 && attributes[i - 1]!.ai === attribute.ai) throw problem(`AI (${attribute.ai}) given twice`);
    if (attribute.ai === keyAi || isKeyQualifierOf(keyAi, attribute.ai)) {
      throw problem(`AI (${attribute.ai}) is part of the key, not a data attribute`);
    }
    const checked = validateAiValue(attribute.ai, attribute.value);
    if (!checked.ok) throw problem(checked.reason);
  }

  const path = [{ ai: keyAi, value: keyValue }, ...qualifiers]
    .map((p) => `/${p.ai}/${percentEncodeDigitalLinkValue(p.value)}`)
    .join('');
  const query = attributes.map((a) => `${a.ai}=${percentEncodeDigitalLinkValue(a.value)}`).join('&');
  return `${base.replace(/\/+$/, '')}${path}${query ? `?${query}` : ''}`;
}

/**
 * Rewrites a Digital Link on any domain to its canonical form on https://id.gs1.org. GS1 data attributes are kept
 * (sorted by AI); other query parameters such as `linkType` are requests to a resolver, not part of the identifier,
 * and are dropped.
 */
export function canonicalDigitalLink(uri: string): Gs1Result<string> {
  const parsed = parseDigitalLink(uri);
  if (!parsed.ok) return parsed;
  return ok(formatDigitalLink(parsed.value));
}
