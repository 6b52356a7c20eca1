/**
 * Light structural checks of URIs and GS1 identifiers in EPCIS events.
 *
 * Every identifier in an event is a URI; any absolute URI is accepted. Those in a GS1 form are also checked for
 * shape: EPC pure-identity URNs (`urn:epc:id:sgtin:…`), EPC class URNs (`urn:epc:class:lgtin:…`), EPC pattern URNs
 * (`urn:epc:idpat:…`) and GS1 Digital Link URIs on the canonical resolver `https://id.gs1.org/…`: the scheme is known,
 * it has the right number of fields, numeric fields are digits, and the GS1 Company Prefix plus the reference has the
 * length the key requires (13 for a GTIN, 12 for a GLN, 17 for an SSCC…).
 *
 * Deliberately not checked here: check digits, per-field length limits of alphanumeric serials, Digital Links on other
 * domains, and the AI-level syntax of Digital Link qualifiers and attributes.
 * TODO(codes): once `src/codes/gs1/` (EPC URN and Digital Link parsing) lands, replace `checkEpcUrn` and
 * `checkDigitalLink` with calls into it, so that the capture path and the code services share one parser.
 */

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

/** One component of the GS1 AI encodable character set 82 as written in an EPC URI (percent-escapes allowed). */
const GS3A3 = "(?:[A-Za-z0-9!'()*+,.:;=_-]|%[0-9A-Fa-f]{2})+";
/** Component Part reference of a CPI: digits, upper case, `-`, and `#`/`/` escaped. */
const CPREF = '(?:[0-9A-Z-]|%2[3Ff])+';

interface EpcScheme {
  readonly pattern: RegExp;
  /** Required length of GS1 Company Prefix + the following numeric reference (capture groups 1 and 2). */
  readonly keyDigits?: number;
  /** Number of dot-separated fields, used for `urn:epc:idpat:` patterns. */
  readonly fields: number;
}

function scheme(body: string, fields: number, keyDigits?: number): EpcScheme {
  const pattern = new RegExp(`^${body}$`);
  return keyDigits === undefined ? { pattern, fields } : { pattern, fields, keyDigits };
}

/** EPC pure-identity schemes of the GS1 EPC Tag Data Standard; the first group is always the Company Prefix. */
const ID_SCHEMES: ReadonlyMap<string, EpcScheme> = new Map(Object.entries({
  sgtin: scheme(`(\\d{6,12})\\.(\\d*)\\.${GS3A3}`, 3, 13),
  sscc: scheme('(\\d{6,12})\\.(\\d*)', 2, 17),
  sgln: scheme(`(\\d{6,12})\\.(\\d*)\\.${GS3A3}`, 3, 12),
  grai: scheme(`(\\d{6,12})\\.(\\d*)\\.${GS3A3}`, 3, 12),
  giai: scheme(`(\\d{6,12})\\.()${GS3A3}`, 2),
  gsrn: scheme('(\\d{6,12})\\.(\\d*)', 2, 17),
  gsrnp: scheme('(\\d{6,12})\\.(\\d*)', 2, 17),
  gdti: scheme(`(\\d{6,12})\\.(\\d*)\\.${GS3A3}`, 3, 12),
  cpi: scheme(`(\\d{6,12})\\.()${CPREF}\\.\\d+`, 3),
  sgcn: scheme('(\\d{6,12})\\.(\\d*)\\.\\d+', 3, 12),
  ginc: scheme(`(\\d{6,12})\\.()${GS3A3}`, 2),
  gsin: scheme('(\\d{6,12})\\.(\\d*)', 2, 16),
  itip: scheme(`(\\d{6,12})\\.(\\d*)\\.\\d{2}\\.\\d{2}\\.${GS3A3}`, 5, 13),
  upui: scheme(`(\\d{6,12})\\.(\\d*)\\.${GS3A3}`, 3, 13),
  pgln: scheme('(\\d{6,12})\\.(\\d*)', 2, 12),
  gid: scheme('(\\d+)\\.(\\d+)\\.\\d+', 3),
  usdod: scheme('([^.]+)\\.()\\d+', 2),
  adi: scheme(`([^.]*)\\.()[^.]*\\.${GS3A3}`, 3),
  bic: scheme('([A-Z]{3}[UJZR])()\\d{7}', 1),
  imovn: scheme('(\\d{7})()', 1),
}));

const CLASS_SCHEMES: ReadonlyMap<string, EpcScheme> = new Map([
  ['lgtin', scheme(`(\\d{6,12})\\.(\\d*)\\.${GS3A3}`, 3, 13)],
]);

function checkScheme(spec: EpcScheme, body: string, uri: string): string | null {
  const m = spec.pattern.exec(body);
  if (m === null) return `'${uri}' is not a well-formed EPC URI`;
  if (spec.keyDigits !== undefined) {
    const length = (m[1]?.length ?? 0) + (m[2]?.length ?? 0);
    if (length !== spec.keyDigits) {
      const why = `company prefix and reference must have ${spec.keyDigits} digits together, not ${length}`;
      return `'${uri}' is not a well-formed EPC URI: ${why}`;
    }
  }
  return null;
}

/**
 * An EPC pattern: each field is a value or `*`, and once a field is `*` all later ones are too. Dots beyond the
 * scheme's field count belong to its last field (a serial may contain dots).
 */
function checkPattern(spec: EpcScheme, body: string, uri: string): string | null {
  const parts = body.split('.');
  const bad = `'${uri}' is not a well-formed EPC pattern URI`;
  if (parts.length < spec.fields) return bad;
  let wild = false;
  for (let i = 0; i < spec.fields; i++) {
    const part = i < spec.fields - 1 ? parts[i]! : parts.slice(i).join('.');
    if (part === '*') wild = true;
    else if (wild || (i === 0 && part === '') || part.includes('*')) return bad;
  }
  return null;
}

function checkEpcUrn(uri: string, role: IdentifierRole): string | null {
  // urn:epc:<kind>:<scheme>:<body>
  const kindEnd = uri.indexOf(':', 8);
  if (kindEnd < 0) return `'${uri}' is not a well-formed EPC URI`;
  const kind = uri.slice(8, kindEnd);
  const schemeEnd = uri.indexOf(':', kindEnd + 1);
  if (schemeEnd < 0) {
    return kind === 'id' || kind === 'class' || kind === 'idpat' ? `'${uri}' is not a well-formed EPC URI` : null;
  }
  const schemeName = uri.slice(kindEnd + 1, schemeEnd);
  const body = uri.slice(schemeEnd + 1);
  switch (kind) {
    case 'id': {
      if (role === 'class') {
        const expected = 'urn:epc:class:…, urn:epc:idpat:… or a GS1 Digital Link without serial';
        return `'${uri}' identifies an instance; epcClass needs a class-level identifier (${expected})`;
      }
      const spec = ID_SCHEMES.get(schemeName);
      return spec ? checkScheme(spec, body, uri) : `'${uri}' uses an unknown EPC scheme '${schemeName}'`;
    }
    case 'class': {
      if (role === 'instance') return `'${uri}' identifies a class, not an instance; list it in a quantity list`;
      const spec = CLASS_SCHEMES.get(schemeName);
      return spec ? checkScheme(spec, body, uri) : `'${uri}' uses an unknown EPC class scheme '${schemeName}'`;
    }
    case 'idpat': {
      if (role === 'instance') return `'${uri}' is a pattern, not an instance; list it in a quantity list`;
      const spec = ID_SCHEMES.get(schemeName);
      return spec ? checkPattern(spec, body, uri) : `'${uri}' uses an unknown EPC scheme '${schemeName}'`;
    }
    default:
      // urn:epc:tag:, urn:epc:raw: and other EPC URI forms are left alone.
      return null;
  }
}

/** Primary-key AIs allowed in a Digital Link path, with the exact digit count of the fixed-length numeric ones. */
const DL_PRIMARY_KEYS: ReadonlyMap<string, RegExp> = new Map(Object.entries({
  '00': /^\d{18}$/,
  '01': /^(?:\d{8}|\d{12,14})$/,
  '253': /^\d{13}[\x21-\x7e]{0,17}$/,
  '255': /^\d{13}\d{0,12}$/,
  '401': /^[\x21-\x7e]{1,30}$/,
  '402': /^\d{17}$/,
  '414': /^\d{13}$/,
  '417': /^\d{13}$/,
  '8003': /^\d{14}[\x21-\x7e]{0,16}$/,
  '8004': /^[\x21-\x7e]{1,30}$/,
  '8006': /^\d{18}$/,
  '8010': /^[\x21-\x7e]{1,30}$/,
  '8013': /^[\x21-\x7e]{1,25}$/,
  '8017': /^\d{18}$/,
  '8018': /^\d{18}$/,
}));
const AI = /^\d{2,4}$/;
const DL_ORIGIN = 'https://id.gs1.org';

function checkDigitalLink(uri: string): string | null {
  const pathStart = DL_ORIGIN.length + 1; // just after the '/' that follows the host
  let end = uri.length;
  const q = uri.indexOf('?', pathStart);
  if (q >= 0) end = q;
  const hash = uri.indexOf('#', pathStart);
  if (hash >= 0 && hash < end) end = hash;
  const segments = uri.slice(pathStart, end).split('/');
  if (segments.length > 0 && segments[segments.length - 1] === '') segments.pop();
  const key = segments[0];
  const value = segments[1];
  const keyPattern = key === undefined ? undefined : DL_PRIMARY_KEYS.get(key);
  if (keyPattern === undefined || value === undefined) {
    return `'${uri}' is not a GS1 Digital Link URI: the path must start with a primary key such as /01/{GTIN}`;
  }
  if (!keyPattern.test(decodeSafe(value))) {
    return `'${uri}' is not a GS1 Digital Link URI: '${value}' is not a valid value for AI (${key})`;
  }
  if (segments.length % 2 !== 0) return `'${uri}' is not a GS1 Digital Link URI: AIs and values must come in pairs`;
  for (let i = 2; i < segments.length; i += 2) {
    if (!AI.test(segments[i]!) || segments[i + 1] === '') {
      return `'${uri}' is not a GS1 Digital Link URI: '/${segments[i]}/${segments[i + 1]}' is not an AI and value`;
    }
  }
  return null;
}

function decodeSafe(s: string): string {
  if (s.indexOf('%') < 0) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * Returns null when `uri` (already known to be an absolute URI) is acceptable in `role`, or a message saying what is
 * wrong with it. Only GS1 forms are examined; other URIs pass.
 */
export function checkIdentifier(uri: string, role: IdentifierRole): string | null {
  if (uri.startsWith('urn:epc:')) return checkEpcUrn(uri, role);
  if (uri.startsWith('https://id.gs1.org/')) return checkDigitalLink(uri);
  if (uri.startsWith('http://id.gs1.org/')) return checkDigitalLink(`https:${uri.slice(5)}`);
  return null;
}
