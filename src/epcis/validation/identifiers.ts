/**
 * Checks of URIs and GS1 identifiers in EPCIS events.
 *
 * Every identifier in an event is a URI; any absolute URI is accepted. Those meant as GS1 identifiers are read with the
 * parsers of `src/codes/gs1`, the ones the event hash and the event index read them with, so that capture refuses what
 * those could not read: EPC URIs (`urn:epc:id:`, `urn:epc:class:`, `urn:epc:idpat:`) and GS1 Digital Link URIs on any
 * domain (anything on id.gs1.org, or an http(s) URI whose path holds a GS1 primary key followed by a value of that
 * key's shape). Check digits, lengths and character sets of every field, key qualifiers and their order are checked.
 * EPC tag and raw URIs (`urn:epc:tag:`, `urn:epc:raw:`) pass as any URI, as do EPC patterns with more than one
 * wildcard once checked: they have no Digital Link form, so the event index keeps them as written.
 */
import { digitalLinkProblem, epcUriProblem, isEpcScheme } from '../../codes/gs1/index.js';

/**
 * An absolute URI: a scheme, a colon and at least one further character, with none of the characters RFC 3986 never
 * allows unescaped (controls, space, `"<>\^`{|}`). CURIEs such as `ext1:thing` pass: in JSON-LD they are IRIs.
 */
export function isAbsoluteUri(s: string): boolean {
  const n = s.length;
  if (n < 3) return false;
  let i = 0;
  const first = s.charCodeAt(0);
  if (!((first >= 65 && first <= 90) || (first >= 97 && first <= 122))) return false;
  for (i = 1; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 58 /* : */) break;
    const ok =
      (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46;
    if (!ok) return false;
  }
  if (i >= n - 1) return false;
  for (i++; i < n; i++) {
    const c = s.charCodeAt(i);
    if (
      c <= 32 ||
      c === 127 ||
      c === 34 /* " */ ||
      c === 60 /* < */ ||
      c === 62 /* > */ ||
      c === 92 /* \ */ ||
      c === 94 /* ^ */ ||
      c === 96 /* ` */ ||
      c === 123 /* { */ ||
      c === 124 /* | */ ||
      c === 125 /* } */
    ) {
      return false;
    }
  }
  return true;
}

/** Where an identifier sits decides whether it must name an instance, a class, or may be either. */
export type IdentifierRole = 'instance' | 'class' | 'any';

/**
 * Locations, parties and classes come back event after event, so the parsers' answers on them are worth keeping;
 * instances are mostly seen once, and keeping those would only push the others out.
 */
const recurs = (role: IdentifierRole): boolean => role !== 'instance';

function checkEpcUrn(uri: string, role: IdentifierRole): string | null {
  // urn:epc:<kind>:<scheme>:<fields>
  const kindEnd = uri.indexOf(':', 8);
  if (kindEnd < 0) return `'${uri}' is not a well-formed EPC URI`;
  const kind = uri.slice(8, kindEnd).toLowerCase();
  if (kind !== 'id' && kind !== 'class' && kind !== 'idpat') return null;
  if (kind === 'id' && role === 'class') {
    const expected = 'urn:epc:class:…, urn:epc:idpat:… or a GS1 Digital Link without serial';
    return `'${uri}' identifies an instance; epcClass needs a class-level identifier (${expected})`;
  }
  if (kind === 'class' && role === 'instance') {
    return `'${uri}' identifies a class, not an instance; list it in a quantity list`;
  }
  if (kind === 'idpat' && role === 'instance') {
    return `'${uri}' is a pattern, not an instance; list it in a quantity list`;
  }
  const problem = epcUriProblem(uri, { repeated: recurs(role) });
  if (problem === undefined) return null;
  // The scheme is looked at only now, for the message: valid URIs are the ones to keep cheap.
  const schemeEnd = uri.indexOf(':', kindEnd + 1);
  const scheme = schemeEnd < 0 ? undefined : uri.slice(kindEnd + 1, schemeEnd).toLowerCase();
  if (scheme !== undefined && !isEpcScheme(kind, scheme)) {
    return `'${uri}' uses an unknown EPC ${kind === 'class' ? 'class ' : ''}scheme '${scheme}'`;
  }
  return `'${uri}' is not a well-formed EPC ${kind === 'idpat' ? 'pattern ' : ''}URI: ${problem}`;
}

function checkHttpUri(uri: string, role: IdentifierRole): string | null {
  const problem = digitalLinkProblem(uri, { repeated: recurs(role) });
  return problem === undefined ? null : `'${uri}' is not a valid GS1 Digital Link URI: ${problem}`;
}

const EPC_URN_PREFIX = /^urn:epc:/i;
const HTTP_PREFIX = /^https?:\/\//i;

/**
 * Returns null when `uri` (already known to be an absolute URI) is acceptable in `role`, or a message saying what is
 * wrong with it. Only GS1 forms are examined; other URIs pass.
 */
export function checkIdentifier(uri: string, role: IdentifierRole): string | null {
  if (uri.startsWith('urn:epc:') || EPC_URN_PREFIX.test(uri)) return checkEpcUrn(uri, role);
  if (HTTP_PREFIX.test(uri)) return checkHttpUri(uri, role);
  return null;
}
