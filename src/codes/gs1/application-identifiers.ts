/**
 * GS1 Application Identifiers: the format of each AI's value (GS1 General Specifications §3, as made machine-readable
 * by the GS1 Barcode Syntax Dictionary) and, for the AIs that are GS1 Digital Link primary keys, which key qualifiers
 * may follow them in a Digital Link path and in which order (GS1 Digital Link URI Syntax).
 *
 * The table covers the keys and qualifiers the event store meets in EPCIS identifiers, plus the data attributes that
 * commonly travel with them (dates, measures, lot-level master data). It is written so that element-string parsing
 * can be layered on later: every entry records whether the AI has a predefined length (no FNC1 separator needed).
 *
 * Formats use the General Specifications notation: `N` numeric, `X` the AI encodable character set 82, `Y` the
 * character set 39 (CPID), `N13` exactly 13, `X..20` up to 20, `[ ]` an optional final component, followed by the
 * checks that apply to a component (`csum` GS1 check digit, `yymmdd` a date, and so on).
 */
import { hasValidCheckDigit, hasValidGmnCheckPair } from './check-digit.js';
import { fail, ok, type Gs1Result } from './result.js';

export type AiCharset = 'N' | 'X' | 'Y';

/** A content rule beyond length and character set, applied to one component. */
export type AiComponentCheck =
  | 'csum' // last digit is the GS1 mod-10 check digit of the component
  | 'csumalpha' // last two characters are the GMN check character pair
  | 'yymmdd' // a calendar date
  | 'yymmd0' // a calendar date where day 00 means "end of month"
  | 'hhmm' // a time of day
  | 'zero' // the digit 0 (the filler digit in front of a GRAI)
  | 'nozeroprefix' // a number without leading zeros (the single digit 0 is allowed)
  | 'pieceoftotal'; // NNMM: piece NN of a total MM, 01 ≤ NN ≤ MM

export interface AiComponent {
  readonly charset: AiCharset;
  readonly min: number;
  readonly max: number;
  /** Only the last component can be optional, as in the General Specifications. */
  readonly optional: boolean;
  readonly checks: readonly AiComponentCheck[];
}

export interface AiDefinition {
  readonly ai: string;
  /** The data title from the General Specifications, e.g. `BATCH/LOT`. */
  readonly title: string;
  /** The format in General Specifications notation, e.g. `N13,csum [X..17]`. */
  readonly format: string;
  readonly components: readonly AiComponent[];
  readonly minLength: number;
  readonly maxLength: number;
  /** True for AIs whose length is predefined (§7.8.5), so no FNC1 separator follows them in an element string. */
  readonly predefinedLength: boolean;
  /** Implied decimal places, for the measure AIs whose last digit is the decimal point position (31nn–36nn, 39nn). */
  readonly decimalPlaces?: number;
  /**
   * Present when the AI is a GS1 Digital Link primary key. Each sequence lists the key qualifiers allowed after the
   * key, in the only order they may appear; any of them may be left out. An empty list means no qualifiers at all.
   */
  readonly digitalLink?: { readonly qualifierSequences: readonly (readonly string[])[] };
}

/** The 82 characters of the GS1 AI encodable character set 82 (General Specifications figure 7.11-1). */
export const CSET82 = '!"%&\'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz';
/** The 39 characters of the GS1 AI encodable character set 39 (figure 7.11-2), used by the CPID. */
export const CSET39 = '#-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

const CHARSET_PATTERN: Record<AiCharset, RegExp> = {
  N: /^[0-9]*$/,
  X: /^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]*$/,
  Y: /^[#\-/0-9A-Z]*$/,
};

const CHARSET_NAME: Record<AiCharset, string> = {
  N: 'digits',
  X: 'characters of the GS1 AI encodable character set 82',
  Y: 'characters of the GS1 AI encodable character set 39',
};

const COMPONENT_SPEC = /^(\[)?([NXY])(\d+)?(?:\.\.(\d+))?((?:,[a-z0-9]+)*)(\])?$/;
const KNOWN_CHECKS = new Set<AiComponentCheck>([
  'csum',
  'csumalpha',
  'yymmdd',
  'yymmd0',
  'hhmm',
  'zero',
  'nozeroprefix',
  'pieceoftotal',
]);

function parseFormat(format: string): AiComponent[] {
  return format.split(' ').map((spec) => {
    const m = COMPONENT_SPEC.exec(spec);
    if (!m) throw new Error(`bad AI format component "${spec}"`);
    const [, open, charset, fixedOrMin, max, checkList, close] = m;
    if (Boolean(open) !== Boolean(close)) throw new Error(`unbalanced optional component "${spec}"`);
    const checks = (checkList ?? '').split(',').filter(Boolean) as AiComponentCheck[];
    for (const check of checks) if (!KNOWN_CHECKS.has(check)) throw new Error(`unknown AI check "${check}"`);
    // "N6" is exactly 6, "X..20" is 1 to 20, "N6..12" is 6 to 12.
    const lo = max === undefined ? Number(fixedOrMin) : fixedOrMin === undefined ? 1 : Number(fixedOrMin);
    const hi = max === undefined ? Number(fixedOrMin) : Number(max);
    return { charset: charset as AiCharset, min: lo, max: hi, optional: Boolean(open), checks };
  });
}

interface EntryOptions {
  /** Predefined length (§7.8.5 figure 7.8.5-2): these AIs never need an FNC1 separator. */
  fixed?: boolean;
  /** Digital Link primary key with alternative qualifier sequences, e.g. [['22', '10', '21'], ['235']]. */
  dl?: string[][];
  decimalPlaces?: number;
}

const TABLE = new Map<string, AiDefinition>();

function define(ai: string, format: string, title: string, options: EntryOptions = {}): void {
  const components = parseFormat(format);
  const minLength = components.filter((c) => !c.optional).reduce((n, c) => n + c.min, 0);
  const maxLength = components.reduce((n, c) => n + c.max, 0);
  const definition: AiDefinition = {
    ai,
    title,
    format,
    components,
    minLength,
    maxLength,
    predefinedLength: options.fixed ?? false,
    ...(options.decimalPlaces === undefined ? {} : { decimalPlaces: options.decimalPlaces }),
    ...(options.dl === undefined ? {} : { digitalLink: { qualifierSequences: options.dl } }),
  };
  TABLE.set(ai, definition);
}

/** Defines a family of measure AIs such as 310n, where the fourth digit is the number of decimal places. */
function defineMeasures(prefix: string, format: string, title: string, lastDigitMax: number, fixed: boolean): void {
  for (let n = 0; n <= lastDigitMax; n += 1) define(`${prefix}${n}`, format, title, { fixed, decimalPlaces: n });
}

// --- Digital Link primary keys ------------------------------------------------------------------------------------
define('00', 'N18,csum', 'SSCC', { fixed: true, dl: [[]] });
define('01', 'N14,csum', 'GTIN', { fixed: true, dl: [['22', '10', '21'], ['235']] });
define('253', 'N13,csum [X..17]', 'GDTI', { dl: [[]] });
define('255', 'N13,csum [N..12]', 'GCN', { dl: [[]] });
define('401', 'X..30', 'GINC', { dl: [[]] });
define('402', 'N17,csum', 'GSIN', { dl: [[]] });
define('414', 'N13,csum', 'LOC No.', { fixed: true, dl: [['254'], ['7040']] });
define('415', 'N13,csum', 'PAY TO', { fixed: true, dl: [['8020']] });
define('417', 'N13,csum', 'PARTY', { fixed: true, dl: [['7040']] });
define('8003', 'N1,zero N13,csum [X..16]', 'GRAI', { dl: [[]] });
define('8004', 'X..30', 'GIAI', { dl: [['7040']] });
define('8006', 'N14,csum N4,pieceoftotal', 'ITIP', { dl: [['22', '10', '21']] });
define('8010', 'Y..30', 'CPID', { dl: [['8011']] });
define('8013', 'X..25,csumalpha', 'GMN', { dl: [[]] });
define('8017', 'N18,csum', 'GSRN - PROVIDER', { dl: [['8019']] });
define('8018', 'N18,csum', 'GSRN - RECIPIENT', { dl: [['8019']] });

// --- Key qualifiers ---------------------------------------------------------------------------------------------------
define('10', 'X..20', 'BATCH/LOT');
define('21', 'X..20', 'SERIAL');
define('22', 'X..20', 'CPV');
define('235', 'X..28', 'TPX');
define('254', 'X..20', 'GLN EXTENSION COMPONENT');
define('7040', 'N1 X3', 'UIC+EXT');
define('8011', 'N..12,nozeroprefix', 'CPID SERIAL');
define('8019', 'N..10', 'SRIN');
define('8020', 'X..25', 'REF No.');

// --- Data attributes ----------------------------------------------------------------------------------------------------
define('02', 'N14,csum', 'CONTENT', { fixed: true });
define('11', 'N6,yymmd0', 'PROD DATE', { fixed: true });
define('12', 'N6,yymmd0', 'DUE DATE', { fixed: true });
define('13', 'N6,yymmd0', 'PACK DATE', { fixed: true });
define('15', 'N6,yymmd0', 'BEST BEFORE or BEST BY', { fixed: true });
define('16', 'N6,yymmd0', 'SELL BY', { fixed: true });
define('17', 'N6,yymmd0', 'USE BY or EXPIRY', { fixed: true });
define('20', 'N2', 'VARIANT', { fixed: true });
define('240', 'X..30', 'ADDITIONAL ID');
define('241', 'X..30', 'CUST. PART No.');
define('242', 'N..6', 'MTO VARIANT');
define('243', 'X..20', 'PCN');
define('250', 'X..30', 'SECONDARY SERIAL');
define('251', 'X..30', 'REF. TO SOURCE');
define('30', 'N..8', 'VAR. COUNT');
define('37', 'N..8', 'COUNT');

// Trade and logistic measures: 6 digits, the AI's last digit gives the decimal places (0–5).
const TRADE_MEASURES: [string, string][] = [
  ['310', 'NET WEIGHT (kg)'], ['311', 'LENGTH (m)'], ['312', 'WIDTH (m)'], ['313', 'HEIGHT (m)'],
  ['314', 'AREA (m²)'], ['315', 'NET VOLUME (l)'], ['316', 'NET VOLUME (m³)'], ['320', 'NET WEIGHT (lb)'],
  ['321', 'LENGTH (in)'], ['322', 'LENGTH (ft)'], ['323', 'LENGTH (yd)'], ['324', 'WIDTH (in)'],
  ['325', 'WIDTH (ft)'], ['326', 'WIDTH (yd)'], ['327', 'HEIGHT (in)'], ['328', 'HEIGHT (ft)'],
  ['329', 'HEIGHT (yd)'], ['330', 'GROSS WEIGHT (kg)'], ['331', 'LENGTH (m), log'], ['332', 'WIDTH (m), log'],
  ['333', 'HEIGHT (m), log'], ['334', 'AREA (m²), log'], ['335', 'VOLUME (l), log'], ['336', 'VOLUME (m³), log'],
  ['337', 'KG PER m²'], ['340', 'GROSS WEIGHT (lb)'], ['341', 'LENGTH (in), log'], ['342', 'LENGTH (ft), log'],
  ['343', 'LENGTH (yd), log'], ['344', 'WIDTH (in), log'], ['345', 'WIDTH (ft), log'], ['346', 'WIDTH (yd), log'],
  ['347', 'HEIGHT (in), log'], ['348', 'HEIGHT (ft), log'], ['349', 'HEIGHT (yd), log'], ['350', 'AREA (in²)'],
  ['351', 'AREA (ft²)'], ['352', 'AREA (yd²)'], ['353', 'AREA (in²), log'], ['354', 'AREA (ft²), log'],
  ['355', 'AREA (yd²), log'], ['356', 'NET WEIGHT (t oz)'], ['357', 'NET VOLUME (oz)'], ['360', 'NET VOLUME (qt)'],
  ['361', 'NET VOLUME (gal.)'], ['362', 'VOLUME (qt), log'], ['363', 'VOLUME (gal.), log'], ['364', 'VOLUME (in³)'],
  ['365', 'VOLUME (ft³)'], ['366', 'VOLUME (yd³)'], ['367', 'VOLUME (in³), log'], ['368', 'VOLUME (ft³), log'],
  ['369', 'VOLUME (yd³), log'],
];
for (const [prefix, title] of TRADE_MEASURES) defineMeasures(prefix, 'N6', title, 5, true);
defineMeasures('390', 'N..15', 'AMOUNT', 9, false);
defineMeasures('391', 'N3 N..15', 'AMOUNT', 9, false);
defineMeasures('392', 'N..15', 'PRICE', 9, false);
defineMeasures('393', 'N3 N..15', 'PRICE', 9, false);
defineMeasures('394', 'N4', 'PRCNT OFF', 3, false);
defineMeasures('395', 'N6', 'PRICE/UoM', 5, false);

define('400', 'X..30', 'ORDER NUMBER');
define('403', 'X..30', 'ROUTE');
define('410', 'N13,csum', 'SHIP TO LOC', { fixed: true });
define('411', 'N13,csum', 'BILL TO', { fixed: true });
define('412', 'N13,csum', 'PURCHASE FROM', { fixed: true });
define('413', 'N13,csum', 'SHIP FOR LOC', { fixed: true });
define('416', 'N13,csum', 'PROD/SERV LOC', { fixed: true });
define('420', 'X..20', 'SHIP TO POST');
define('421', 'N3 X..9', 'SHIP TO POST');
define('422', 'N3', 'ORIGIN');
define('423', 'N3 [N..12]', 'COUNTRY - INITIAL PROCESS');
define('424', 'N3', 'COUNTRY - PROCESS');
define('425', 'N3 [N..12]', 'COUNTRY - DISASSEMBLY');
define('426', 'N3', 'COUNTRY - FULL PROCESS');
define('427', 'X..3', 'ORIGIN SUBDIVISION');
define('7001', 'N13', 'NSN');
define('7002', 'X..30', 'MEAT CUT');
define('7003', 'N6,yymmdd N4,hhmm', 'EXPIRY TIME');
define('7004', 'N..4', 'ACTIVE POTENCY');
define('7005', 'X..12', 'CATCH AREA');
define('7006', 'N6,yymmdd', 'FIRST FREEZE DATE');
define('7007', 'N6,yymmdd [N6,yymmdd]', 'HARVEST DATE');
define('7008', 'X..3', 'AQUATIC SPECIES');
define('7009', 'X..10', 'FISHING GEAR TYPE');
define('7010', 'X..2', 'PROD METHOD');
define('7011', 'N6,yymmdd [N4,hhmm]', 'TEST BY DATE');
define('7020', 'X..20', 'REFURB LOT');
define('7021', 'X..20', 'FUNC STAT');
define('7022', 'X..20', 'REV STAT');
define('7023', 'X..30', 'GIAI - ASSEMBLY');
define('8001', 'N14', 'DIMENSIONS');
define('8002', 'X..20', 'CMT No.');
define('8005', 'N6', 'PRICE PER UNIT');
define('8007', 'X..34', 'IBAN');
define('8008', 'N8 [N..4]', 'PROD TIME');
define('8009', 'X..50', 'OPTSEN');
define('8012', 'X..20', 'VERSION');
define('8026', 'N14,csum N4,pieceoftotal', 'ITIP CONTENT');
define('8200', 'X..70', 'PRODUCT URL');
define('90', 'X..30', 'INTERNAL');
for (let n = 91; n <= 99; n += 1) define(String(n), 'X..90', 'INTERNAL');

/** Convenience alphas of early Digital Link versions, deprecated in favour of numeric AIs but still met in the wild. */
export const DIGITAL_LINK_CONVENIENCE_ALPHAS: Readonly<Record<string, string>> = {
  cpid: '8010',
  cpsn: '8011',
  cpv: '22',
  gcn: '255',
  gdti: '253',
  giai: '8004',
  ginc: '401',
  gln: '414',
  glnx: '254',
  gmn: '8013',
  grai: '8003',
  gsin: '402',
  gsrn: '8018',
  gsrnp: '8017',
  gtin: '01',
  itip: '8006',
  lot: '10',
  party: '417',
  refno: '8020',
  ser: '21',
  srin: '8019',
  sscc: '00',
};

/** The definition of an AI, or undefined when the table does not know it. */
export function getApplicationIdentifier(ai: string): AiDefinition | undefined {
  return TABLE.get(ai);
}

/** Every AI in the table, in ascending order. */
export function listApplicationIdentifiers(): AiDefinition[] {
  return [...TABLE.values()].sort((a, b) => (a.ai < b.ai ? -1 : a.ai > b.ai ? 1 : 0));
}

export function isDigitalLinkPrimaryKey(ai: string): boolean {
  return TABLE.get(ai)?.digitalLink !== undefined;
}

/** True when `ai` may follow `primaryKey` as a key qualifier in a Digital Link path. */
export function isKeyQualifierOf(primaryKey: string, ai: string): boolean {
  const sequences = TABLE.get(primaryKey)?.digitalLink?.qualifierSequences ?? [];
  return sequences.some((sequence) => sequence.includes(ai));
}

/**
 * Checks that `qualifiers` (AIs in the order found) is allowed after `primaryKey`: all from one of the key's
 * qualifier sequences, each at most once, in that sequence's order. Returns the sequence used.
 */
export function checkQualifierSequence(primaryKey: string, qualifiers: readonly string[]): Gs1Result<readonly string[]> {
  const definition = TABLE.get(primaryKey);
  if (!definition?.digitalLink) return fail(`AI (${primaryKey}) is not a GS1 Digital Link primary key`);
  const sequences = definition.digitalLink.qualifierSequences;
  if (qualifiers.length === 0) return ok(sequences[0] ?? []);
  const sequence = sequences.find((s) => qualifiers.every((q) => s.includes(q)));
  if (!sequence) {
    const stray = qualifiers.find((q) => !sequences.some((s) => s.includes(q)));
    if (stray !== undefined) {
      const allowed = sequences.map((s) => s.join(',')).filter(Boolean);
      return fail(
        `AI (${stray}) is not a key qualifier of (${primaryKey})` +
          (allowed.length ? `; allowed: ${allowed.join(' or ')}` : '; it takes no qualifiers'),
      );
    }
    return fail(`key qualifiers ${qualifiers.map((q) => `(${q})`).join('')} of (${primaryKey}) cannot be combined`);
  }
  let last = -1;
  for (const q of qualifiers) {
    const position = sequence.indexOf(q);
    if (position === last) return fail(`key qualifier (${q}) appears twice`);
    if (position < last) {
      return fail(`key qualifiers of (${primaryKey}) must appear in the order ${sequence.map((s) => `(${s})`).join('')}`);
    }
    last = position;
  }
  return ok(sequence);
}

/** The qualifiers sorted into the order the Digital Link standard prescribes for `primaryKey`. */
export function orderQualifiers<T extends { ai: string }>(primaryKey: string, qualifiers: readonly T[]): T[] {
  const sequence = TABLE.get(primaryKey)?.digitalLink?.qualifierSequences.find((s) =>
    qualifiers.every((q) => s.includes(q.ai)),
  );
  if (!sequence) return [...qualifiers];
  return [...qualifiers].sort((a, b) => sequence.indexOf(a.ai) - sequence.indexOf(b.ai));
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function checkComponent(ai: string, value: string, component: AiComponent): string | undefined {
  for (const check of component.checks) {
    switch (check) {
      case 'csum':
        if (!hasValidCheckDigit(value)) return `AI (${ai}): check digit of ${value} is wrong`;
        break;
      case 'csumalpha':
        if (!hasValidGmnCheckPair(value)) return `AI (${ai}): check character pair of ${value} is wrong`;
        break;
      case 'yymmdd':
      case 'yymmd0': {
        const yy = Number(value.slice(0, 2));
        const mm = Number(value.slice(2, 4));
        const dd = Number(value.slice(4, 6));
        if (mm < 1 || mm > 12) return `AI (${ai}): month ${value.slice(2, 4)} is not 01–12`;
        // Two-digit years resolve into a 100-year window around the current year (§7.12). For every year from 1901
        // to 2099, which covers that window until 2050, "divisible by 4" is exactly the leap-year rule.
        const days = mm === 2 && yy % 4 !== 0 ? 28 : DAYS_IN_MONTH[mm - 1]!;
        if (dd > days || (dd === 0 && check === 'yymmdd')) return `AI (${ai}): ${value} is not a valid date`;
        break;
      }
      case 'hhmm':
        if (Number(value.slice(0, 2)) > 23 || Number(value.slice(2, 4)) > 59) {
          return `AI (${ai}): ${value} is not a valid time`;
        }
        break;
      case 'zero':
        if (!/^0+$/.test(value)) return `AI (${ai}): the leading filler digit must be 0`;
        break;
      case 'nozeroprefix':
        if (value.length > 1 && value.startsWith('0')) return `AI (${ai}): ${value} must not start with 0`;
        break;
      case 'pieceoftotal': {
        const piece = Number(value.slice(0, 2));
        const total = Number(value.slice(2, 4));
        if (piece < 1 || total < 1 || piece > total) return `AI (${ai}): piece ${piece} of total ${total} is invalid`;
        break;
      }
    }
  }
  return undefined;
}

/** Names the value as well as the AI: a Digital Link carries several values, and the reader must see which one failed. */
const notValid = (value: string, definition: AiDefinition) =>
  `"${value}" is not a valid value for AI (${definition.ai}) ${definition.title}`;

/**
 * Validates an AI value: length, character set and the component checks (check digits, dates, …). The value is the
 * decoded data, not a percent-encoded URI segment. `shapeOnly` skips the component checks, to tell "looks like this
 * AI but is broken" from "is not this AI at all".
 */
export function validateAiValue(
  ai: string,
  value: string,
  options: { shapeOnly?: boolean } = {},
): Gs1Result<string> {
  const definition = TABLE.get(ai);
  if (!definition) return fail(`AI (${ai}) is unknown`);
  if (value.length < definition.minLength || value.length > definition.maxLength) {
    const expected =
      definition.minLength === definition.maxLength
        ? `${definition.minLength}`
        : `${definition.minLength}–${definition.maxLength}`;
    return fail(`${notValid(value, definition)}: length ${value.length}, expected ${expected} (${definition.format})`);
  }
  // Components are consumed left to right; only the last can vary in length, so earlier ones take their maximum.
  let rest = value;
  const components = definition.components;
  for (let index = 0; index < components.length; index += 1) {
    const component = components[index]!;
    const isLast = index === components.length - 1;
    if (rest.length === 0 && component.optional) break;
    const take = isLast ? rest.length : component.max;
    const part = rest.slice(0, take);
    rest = rest.slice(take);
    if (part.length < component.min || part.length > component.max) {
      return fail(`${notValid(value, definition)}: it does not match ${definition.format}`);
    }
    if (!CHARSET_PATTERN[component.charset].test(part)) {
      return fail(`${notValid(value, definition)}: it must contain only ${CHARSET_NAME[component.charset]}`);
    }
    const problem = options.shapeOnly ? undefined : checkComponent(ai, part, component);
    if (problem) return fail(problem);
  }
  return ok(value);
}
