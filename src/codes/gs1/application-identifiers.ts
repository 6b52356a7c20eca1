/**
 * GS1 Application Identifiers: the format of each AI's value (GS1 General Specifications §3, as made machine-readable
 * by the GS1 Barcode Syntax Dictionary), the rules on which AIs must or must not appear together in one element string,
 * and, for the AIs that are GS1 Digital Link primary keys, which key qualifiers may follow them in a Digital Link path
 * and in which order (GS1 Digital Link URI Syntax).
 *
 * The table follows the current Barcode Syntax Dictionary entry by entry: every AI it defines, with its title, format,
 * predefined-length flag, mandatory associations (`req`), invalid pairings (`ex`), Digital Link key qualifiers and
 * whether it may travel as a Digital Link data attribute.
 *
 * Formats use the General Specifications notation: `N` numeric, `X` the AI encodable character set 82, `Y` the
 * character set 39 (CPID), `Z` the character set 64 (URI-safe base64, the digital signature), `N13` exactly 13, `X..20`
 * up to 20, `[ ]` an optional trailing component, followed by the checks that apply to a component (`csum` GS1 check
 * digit, `yymmdd` a date, `iso3166` a country code, and so on). The checks that place the GS1 Company Prefix inside a
 * key are left out: they need the prefix-length table of GS1, which the platform does not carry.
 */
import { hasValidCheckDigit, hasValidGmnCheckPair } from './check-digit.js';
import { fail, ok, type Gs1Result } from './result.js';

export type AiCharset = 'N' | 'X' | 'Y' | 'Z';

/** A content rule beyond length and character set, applied to one component. */
export type AiComponentCheck =
  | 'csum' // last digit is the GS1 mod-10 check digit of the component
  | 'csumalpha' // last two characters are the GMN check character pair
  | 'yymmdd' // a calendar date
  | 'yymmd0' // a calendar date where day 00 means "end of month"
  | 'yyyymmdd' // a calendar date with a four-digit year
  | 'hhmm' // a time of day, hours and minutes
  | 'hh' // an hour 00–23
  | 'mi' // a minute 00–59
  | 'ss' // a second 00–59
  | 'zero' // the digit 0 (the filler digit in front of a GRAI)
  | 'nozeroprefix' // a number without leading zeros (the single digit 0 is allowed)
  | 'nonzero' // a number other than zero
  | 'pieceoftotal' // NNMM: piece NN of a total MM, 01 ≤ NN ≤ MM
  | 'hasnondigit' // at least one character that is not a digit
  | 'iso3166' // an ISO 3166-1 numeric country code
  | 'iso3166999' // an ISO 3166-1 numeric country code, or 999 for "not known"
  | 'iso3166alpha2' // an ISO 3166-1 alpha-2 country code
  | 'iso4217' // an ISO 4217 numeric currency code
  | 'iban' // an International Bank Account Number (ISO 13616), mod-97 checked
  | 'latitude' // ten digits, 0 to 1800000000 (latitude + 90, in 10⁻⁷ degrees)
  | 'longitude' // ten digits, 0 to 3600000000 (longitude + 180, in 10⁻⁷ degrees)
  | 'yesno' // 0 or 1
  | 'hyphen' // the character "-" (a negative temperature)
  | 'winding' // winding direction: 0, 1 or 9
  | 'importeridx' // the importer index of EU 2018/574: one of - 0-9 A-Z _ a-z
  | 'mediatype' // an AIDC media type: 01–10 or 80–99
  | 'iso5218' // sex of a person: 0, 1, 2 or 9
  | 'posinseqslash' // "position/total", both without leading zeros, position ≤ total
  | 'pcenc' // percent-encoded text: every "%" starts a two-digit hex escape
  // The last three are recorded from the dictionary but not verified here: their code lists (UN/ECE Recommendation 21
  // package types, the North American coupon layouts) are too large for what the platform does with them.
  | 'packagetype'
  | 'couponcode'
  | 'couponposoffer';

export interface AiComponent {
  readonly charset: AiCharset;
  readonly min: number;
  readonly max: number;
  /** Optional components come last, as in the General Specifications; once one is absent, all later ones are. */
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
  /** True when the AI may appear as a data attribute in the query string of a Digital Link. */
  readonly digitalLinkAttribute: boolean;
  /**
   * Mandatory associations. Every entry must be met; an entry is a list of alternatives, and an alternative is met when
   * all of its AIs are present. AIs may be patterns in which `n` stands for any digit, e.g. `31nn`.
   */
  readonly requires: readonly (readonly (readonly string[])[])[];
  /** AIs or patterns that must not appear in the same element string. An AI never excludes itself. */
  readonly excludes: readonly string[];
}

/** The 82 characters of the GS1 AI encodable character set 82 (General Specifications figure 7.11-1). */
export const CSET82 = '!"%&\'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz';
/** The 39 characters of the GS1 AI encodable character set 39 (figure 7.11-2), used by the CPID. */
export const CSET39 = '#-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

const CHARSET_PATTERN: Record<AiCharset, RegExp> = {
  N: /^[0-9]*$/,
  X: /^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]*$/,
  Y: /^[#\-/0-9A-Z]*$/,
  // Base64 with the URI-safe alphabet; "=" padding is optional and only at the end.
  Z: /^[A-Za-z0-9_-]*={0,2}$/,
};

const CHARSET_NAME: Record<AiCharset, string> = {
  N: 'digits',
  X: 'characters of the GS1 AI encodable character set 82',
  Y: 'characters of the GS1 AI encodable character set 39',
  Z: 'characters of the GS1 AI encodable character set 64 (URI-safe base64)',
};

const COMPONENT_SPEC = /^(\[)?([NXYZ])(\d+)?(?:\.\.(\d+))?((?:,[a-z0-9]+)*)(\])?$/;
const KNOWN_CHECKS = new Set<string>([
  'csum', 'csumalpha', 'yymmdd', 'yymmd0', 'yyyymmdd', 'hhmm', 'hh', 'mi', 'ss', 'zero', 'nozeroprefix', 'nonzero',
  'pieceoftotal', 'hasnondigit', 'iso3166', 'iso3166999', 'iso3166alpha2', 'iso4217', 'iban', 'latitude', 'longitude',
  'yesno', 'hyphen', 'winding', 'importeridx', 'mediatype', 'iso5218', 'posinseqslash', 'pcenc', 'packagetype',
  'couponcode', 'couponposoffer',
]);

function parseFormat(format: string): AiComponent[] {
  const components = format.split(' ').map((spec) => {
    const m = COMPONENT_SPEC.exec(spec);
    if (!m) throw new Error(`bad AI format component "${spec}"`);
    const [, open, charset, fixedOrMin, max, checkList, close] = m;
    if (Boolean(open) !== Boolean(close)) throw new Error(`unbalanced optional component "${spec}"`);
    const checks = (checkList ?? '').split(',').filter(Boolean);
    for (const check of checks) if (!KNOWN_CHECKS.has(check)) throw new Error(`unknown AI check "${check}"`);
    // "N6" is exactly 6, "X..20" is 1 to 20, "N6..12" is 6 to 12.
    const lo = max === undefined ? Number(fixedOrMin) : fixedOrMin === undefined ? 1 : Number(fixedOrMin);
    const hi = max === undefined ? Number(fixedOrMin) : Number(max);
    const optional = Boolean(open);
    return { charset: charset as AiCharset, min: lo, max: hi, optional, checks: checks as AiComponentCheck[] };
  });
  // Values are cut into components left to right, so only the last component may vary in length and nothing
  // mandatory may follow an optional part; a table entry breaking that could not be read back unambiguously.
  components.forEach((c, i) => {
    const last = i === components.length - 1;
    if (!last && c.min !== c.max) throw new Error(`only the last component of "${format}" may vary in length`);
    if (i > 0 && components[i - 1]!.optional && !c.optional) {
      throw new Error(`mandatory part after optional in "${format}"`);
    }
  });
  return components;
}

interface EntryOptions {
  /** Predefined length (§7.8.5 figure 7.8.5-2): these AIs never need an FNC1 separator. */
  fixed?: boolean;
  /** Digital Link primary key with alternative qualifier sequences, e.g. [['22', '10', '21'], ['235']]. */
  dl?: string[][];
  decimalPlaces?: number;
  /** Mandatory associations in the dictionary's notation, one string per `req=`: `01,02` or `01+21,8006+21`. */
  req?: string | string[];
  /** Invalid pairings in the dictionary's notation: `01,02,31nn`. */
  ex?: string;
  /** False for the AIs that must not travel as Digital Link data attributes (key qualifiers and a few others). */
  attribute?: boolean;
}

const TABLE = new Map<string, AiDefinition>();

function define(ai: string, format: string, title: string, options: EntryOptions = {}): void {
  const components = parseFormat(format);
  const minLength = components.filter((c) => !c.optional).reduce((n, c) => n + c.min, 0);
  const maxLength = components.reduce((n, c) => n + c.max, 0);
  const req = options.req === undefined ? [] : Array.isArray(options.req) ? options.req : [options.req];
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
    digitalLinkAttribute: options.attribute ?? true,
    requires: req.map((entry) => entry.split(',').map((alternative) => alternative.split('+'))),
    excludes: options.ex === undefined ? [] : options.ex.split(','),
  };
  TABLE.set(ai, definition);
}

/** Defines a family of measure AIs such as 310n, where the fourth digit is the number of decimal places. */
function defineMeasures(
  prefix: string,
  format: string,
  title: string,
  lastDigitMax: number,
  options: Omit<EntryOptions, 'decimalPlaces'>,
): void {
  for (let n = 0; n <= lastDigitMax; n += 1) define(`${prefix}${n}`, format, title, { ...options, decimalPlaces: n });
}

// --- Digital Link primary keys ---------------------------------------------------------------------------------------
define('00', 'N18,csum', 'SSCC', { fixed: true, dl: [[]] });
define('01', 'N14,csum', 'GTIN', { fixed: true, dl: [['22', '10', '21'], ['235']], ex: '255,37' });
define('253', 'N13,csum [X..17]', 'GDTI', { dl: [[]] });
define('255', 'N13,csum [N..12]', 'GCN', { dl: [[]], ex: '01,02,415,8006,8020,8026' });
define('401', 'X..30', 'GINC', { dl: [[]] });
define('402', 'N17,csum', 'GSIN', { dl: [[]] });
define('414', 'N13,csum', 'LOC No.', { fixed: true, dl: [['254'], ['7040']] });
define('415', 'N13,csum', 'PAY TO', { fixed: true, dl: [['8020']], req: '8020' });
define('417', 'N13,csum', 'PARTY', { fixed: true, dl: [['7040']] });
define('8003', 'N1,zero N13,csum [X..16]', 'GRAI', { dl: [[]] });
define('8004', 'X..30', 'GIAI', { dl: [['7040']] });
define('8006', 'N14,csum N4,pieceoftotal', 'ITIP', { dl: [['22', '10', '21']], ex: '01,37' });
define('8010', 'Y..30', 'CPID', { dl: [['8011']] });
define('8013', 'X..25,csumalpha', 'GMN', { dl: [[]] });
define('8017', 'N18,csum', 'GSRN - PROVIDER', { dl: [['8019']], ex: '8018' });
define('8018', 'N18,csum', 'GSRN - RECIPIENT', { dl: [['8019']], ex: '8017' });

// --- Key qualifiers --------------------------------------------------------------------------------------------------
define('10', 'X..20', 'BATCH/LOT', { req: '01,02,03,8006,8026' });
define('21', 'X..20', 'SERIAL', { req: '01,03,8006', ex: '235', attribute: false });
define('22', 'X..20', 'CPV', { req: '01', attribute: false });
define('235', 'X..28', 'TPX', { req: '01', attribute: false });
define('254', 'X..20', 'GLN EXTENSION COMPONENT', { req: '414', attribute: false });
define('7040', 'N1 X1 X1 X1,importeridx', 'UIC+EXT', { attribute: false });
define('8011', 'N..12,nozeroprefix', 'CPID SERIAL', { req: '8010', attribute: false });
define('8019', 'N..10', 'SRIN', { req: '8017,8018', attribute: false });
define('8020', 'X..25', 'REF No.', { req: '415', attribute: false });

// --- Trade item attributes -------------------------------------------------------------------------------------------
/** The AIs a trade item attribute needs one of: a GTIN, the content of a logistic unit, an MTO GTIN or an ITIP. */
const TRADE_ITEM = '01,02,03,8006,8026';
define('02', 'N14,csum', 'CONTENT', { fixed: true, ex: '01,03', req: '37' });
define('03', 'N14,csum', 'MTO GTIN', { fixed: true, ex: '01,02,37', attribute: false });
define('11', 'N6,yymmd0', 'PROD DATE', { fixed: true, req: TRADE_ITEM });
define('12', 'N6,yymmd0', 'DUE DATE', { fixed: true, req: '8020' });
define('13', 'N6,yymmd0', 'PACK DATE', { fixed: true, req: TRADE_ITEM });
define('15', 'N6,yymmd0', 'BEST BEFORE or BEST BY', { fixed: true, req: TRADE_ITEM });
define('16', 'N6,yymmd0', 'SELL BY', { fixed: true, req: TRADE_ITEM });
define('17', 'N6,yymmd0', 'USE BY or EXPIRY', { fixed: true, req: '01,02,03,255,8006,8026' });
define('20', 'N2', 'VARIANT', { fixed: true, req: '01,02,8006,8026' });
define('240', 'X..30', 'ADDITIONAL ID', { req: '01,02,8006,8026' });
define('241', 'X..30', 'CUST. PART No.', { req: '01,02,8006,8026' });
define('242', 'N..6', 'MTO VARIANT', { req: '01,02,8006,8026' });
define('243', 'X..20', 'PCN', { req: '01' });
define('250', 'X..30', 'SECONDARY SERIAL', { req: ['01,8006', '21'] });
define('251', 'X..30', 'REF. TO SOURCE', { req: '01,8006' });
define('30', 'N..8', 'VAR. COUNT', { req: '01,02' });
define('37', 'N..8', 'COUNT', { req: ['00', '02,8026'] });

// --- Measures --------------------------------------------------------------------------------------------------------
// Trade and logistic measures: 6 digits, the AI's last digit gives the decimal places (0–5). A measure needs the item it
// measures (trade measures a GTIN or content, logistic measures an SSCC or GTIN), and one measure may not be given with
// two different precisions.
const TRADE = '01,02';
const LOGISTIC = '00,01';
const MEASURES: [string, string, string][] = [
  ['310', 'NET WEIGHT (kg)', TRADE], ['311', 'LENGTH (m)', TRADE], ['312', 'WIDTH (m)', TRADE],
  ['313', 'HEIGHT (m)', TRADE], ['314', 'AREA (m²)', TRADE], ['315', 'NET VOLUME (l)', TRADE],
  ['316', 'NET VOLUME (m³)', TRADE], ['320', 'NET WEIGHT (lb)', TRADE], ['321', 'LENGTH (in)', TRADE],
  ['322', 'LENGTH (ft)', TRADE], ['323', 'LENGTH (yd)', TRADE], ['324', 'WIDTH (in)', TRADE],
  ['325', 'WIDTH (ft)', TRADE], ['326', 'WIDTH (yd)', TRADE], ['327', 'HEIGHT (in)', TRADE],
  ['328', 'HEIGHT (ft)', TRADE], ['329', 'HEIGHT (yd)', TRADE], ['330', 'GROSS WEIGHT (kg)', LOGISTIC],
  ['331', 'LENGTH (m), log', LOGISTIC], ['332', 'WIDTH (m), log', LOGISTIC], ['333', 'HEIGHT (m), log', LOGISTIC],
  ['334', 'AREA (m²), log', LOGISTIC], ['335', 'VOLUME (l), log', LOGISTIC], ['336', 'VOLUME (m³), log', LOGISTIC],
  ['337', 'KG PER m²', '01'], ['340', 'GROSS WEIGHT (lb)', LOGISTIC], ['341', 'LENGTH (in), log', LOGISTIC],
  ['342', 'LENGTH (ft), log', LOGISTIC], ['343', 'LENGTH (yd), log', LOGISTIC], ['344', 'WIDTH (in), log', LOGISTIC],
  ['345', 'WIDTH (ft), log', LOGISTIC], ['346', 'WIDTH (yd), log', LOGISTIC], ['347', 'HEIGHT (in), log', LOGISTIC],
  ['348', 'HEIGHT (ft), log', LOGISTIC], ['349', 'HEIGHT (yd), log', LOGISTIC], ['350', 'AREA (in²)', TRADE],
  ['351', 'AREA (ft²)', TRADE], ['352', 'AREA (yd²)', TRADE], ['353', 'AREA (in²), log', LOGISTIC],
  ['354', 'AREA (ft²), log', LOGISTIC], ['355', 'AREA (yd²), log', LOGISTIC], ['356', 'NET WEIGHT (t oz)', TRADE],
  ['357', 'NET VOLUME (oz)', TRADE], ['360', 'NET VOLUME (qt)', TRADE], ['361', 'NET VOLUME (gal.)', TRADE],
  ['362', 'VOLUME (qt), log', LOGISTIC], ['363', 'VOLUME (gal.), log', LOGISTIC], ['364', 'VOLUME (in³)', TRADE],
  ['365', 'VOLUME (ft³)', TRADE], ['366', 'VOLUME (yd³)', TRADE], ['367', 'VOLUME (in³), log', LOGISTIC],
  ['368', 'VOLUME (ft³), log', LOGISTIC], ['369', 'VOLUME (yd³), log', LOGISTIC],
];
for (const [prefix, title, req] of MEASURES) {
  defineMeasures(prefix, 'N6', title, 5, { fixed: true, req, ex: `${prefix}n` });
}
/** A price per measure needs a variable count or one of the variable measures it is the price of. */
const PRICED_QUANTITY = '30,31nn,32nn,35nn,36nn';
defineMeasures('390', 'N..15', 'AMOUNT', 9, { req: '255,8020', ex: '390n,391n,394n,8111' });
defineMeasures('391', 'N3,iso4217 N..15', 'AMOUNT', 9, { req: '8020', ex: '391n' });
defineMeasures('392', 'N..15', 'PRICE', 9, { req: ['01', PRICED_QUANTITY], ex: '392n,393n' });
defineMeasures('393', 'N3,iso4217 N..15', 'PRICE', 9, { req: PRICED_QUANTITY, ex: '393n' });
defineMeasures('394', 'N4', 'PRCNT OFF', 3, { req: '255', ex: '394n,8111' });
defineMeasures('395', 'N6', 'PRICE/UoM', 5, { req: PRICED_QUANTITY, ex: '392n,393n,395n,8005' });

// --- Parties, locations and shipping ---------------------------------------------------------------------------------
define('400', 'X..30', 'ORDER NUMBER');
define('403', 'X..30', 'ROUTE', { req: '00' });
define('410', 'N13,csum', 'SHIP TO LOC', { fixed: true });
define('411', 'N13,csum', 'BILL TO', { fixed: true });
define('412', 'N13,csum', 'PURCHASE FROM', { fixed: true });
define('413', 'N13,csum', 'SHIP FOR LOC', { fixed: true });
define('416', 'N13,csum', 'PROD/SERV LOC', { fixed: true });
define('420', 'X..20', 'SHIP TO POST', { ex: '421' });
define('421', 'N3,iso3166 X..9', 'SHIP TO POST', { ex: '4307' });
define('422', 'N3,iso3166', 'ORIGIN', { req: '01,02,8006,8026', ex: '426' });
/** Up to five countries, three digits each. */
const COUNTRIES = 'N3,iso3166 [N3,iso3166] [N3,iso3166] [N3,iso3166] [N3,iso3166]';
define('423', COUNTRIES, 'COUNTRY - INITIAL PROCESS', { req: TRADE, ex: '426' });
define('424', 'N3,iso3166', 'COUNTRY - PROCESS', { req: TRADE, ex: '426' });
define('425', COUNTRIES, 'COUNTRY - DISASSEMBLY', { req: TRADE, ex: '426' });
define('426', 'N3,iso3166', 'COUNTRY - FULL PROCESS', { req: TRADE });
define('427', 'X..3', 'ORIGIN SUBDIVISION', { req: [TRADE, '422'] });
// Consumer-delivery data on a logistic unit (ship-to and return-to addresses, delivery conditions).
define('4300', 'X..35,pcenc', 'SHIP TO COMP', { req: '00' });
define('4301', 'X..35,pcenc', 'SHIP TO NAME', { req: '00' });
define('4302', 'X..70,pcenc', 'SHIP TO ADD1', { req: '00' });
define('4303', 'X..70,pcenc', 'SHIP TO ADD2', { req: '4302' });
define('4304', 'X..70,pcenc', 'SHIP TO SUB', { req: '00' });
define('4305', 'X..70,pcenc', 'SHIP TO LOC', { req: '00' });
define('4306', 'X..70,pcenc', 'SHIP TO REG', { req: '00' });
define('4307', 'X2,iso3166alpha2', 'SHIP TO COUNTRY', { req: '00' });
define('4308', 'X..30', 'SHIP TO PHONE', { req: '00' });
define('4309', 'N10,latitude N10,longitude', 'SHIP TO GEO', { req: '00' });
define('4310', 'X..35,pcenc', 'RTN TO COMP', { req: '00' });
define('4311', 'X..35,pcenc', 'RTN TO NAME', { req: '00' });
define('4312', 'X..70,pcenc', 'RTN TO ADD1', { req: '00' });
define('4313', 'X..70,pcenc', 'RTN TO ADD2', { req: '4312' });
define('4314', 'X..70,pcenc', 'RTN TO SUB', { req: '00' });
define('4315', 'X..70,pcenc', 'RTN TO LOC', { req: '00' });
define('4316', 'X..70,pcenc', 'RTN TO REG', { req: '00' });
define('4317', 'X2,iso3166alpha2', 'RTN TO COUNTRY', { req: '00' });
define('4318', 'X..20', 'RTN TO POST', { req: '00' });
define('4319', 'X..30', 'RTN TO PHONE', { req: '00' });
define('4320', 'X..35,pcenc', 'SRV DESCRIPTION', { req: '00' });
define('4321', 'N1,yesno', 'DANGEROUS GOODS', { req: '00' });
define('4322', 'N1,yesno', 'AUTH TO LEAVE', { req: '00' });
define('4323', 'N1,yesno', 'SIG REQUIRED', { req: '00' });
define('4324', 'N6,yymmd0 N4,hhmm', 'NOT BEF DEL DT', { req: '00' });
define('4325', 'N6,yymmd0 N4,hhmm', 'NOT AFT DEL DT', { req: '00' });
define('4326', 'N6,yymmdd', 'REL DATE', { req: '00' });
define('4330', 'N6 [X1,hyphen]', 'MAX TEMP F.', { req: '00', ex: '4331' });
define('4331', 'N6 [X1,hyphen]', 'MAX TEMP C.', { req: '00', ex: '4330' });
define('4332', 'N6 [X1,hyphen]', 'MIN TEMP F.', { req: '00', ex: '4333' });
define('4333', 'N6 [X1,hyphen]', 'MIN TEMP C.', { req: '00', ex: '4332' });

// --- Food, fishery and product processing ----------------------------------------------------------------------------
define('7001', 'N13', 'NSN', { req: '01,02,8006,8026' });
define('7002', 'X..30', 'MEAT CUT', { req: TRADE });
define('7003', 'N6,yymmdd N4,hhmm', 'EXPIRY TIME', { req: TRADE });
define('7004', 'N..4', 'ACTIVE POTENCY', { req: ['01', '10'] });
define('7005', 'X..12', 'CATCH AREA', { req: TRADE });
define('7006', 'N6,yymmdd', 'FIRST FREEZE DATE', { req: TRADE });
define('7007', 'N6,yymmdd [N6,yymmdd]', 'HARVEST DATE', { req: TRADE });
define('7008', 'X..3', 'AQUATIC SPECIES', { req: TRADE });
define('7009', 'X..10', 'FISHING GEAR TYPE', { req: TRADE });
define('7010', 'X..2', 'PROD METHOD', { req: TRADE });
define('7011', 'N6,yymmdd [N4,hhmm]', 'TEST BY DATE', { req: TRADE });
define('7020', 'X..20', 'REFURB LOT', { req: ['01,8006', '416'] });
define('7021', 'X..20', 'FUNC STAT', { req: '01,8006' });
define('7022', 'X..20', 'REV STAT', { req: '7021' });
define('7023', 'X..30', 'GIAI - ASSEMBLY');
for (let n = 0; n <= 9; n += 1) define(`703${n}`, 'N3,iso3166999 X..27', `PROCESSOR # ${n}`, { req: TRADE });
define('7041', 'X..4,packagetype', 'UFRGT UNIT TYPE', { req: '00', attribute: false });

// --- Healthcare: national healthcare reimbursement numbers, certifications, patients ---------------------------------
const NHRN: [string, string][] = [
  ['710', 'NHRN PZN'], ['711', 'NHRN CIP'], ['712', 'NHRN CN'], ['713', 'NHRN DRN'], ['714', 'NHRN AIM'],
  ['715', 'NHRN NDC'], ['716', 'NHRN AIC'],
];
for (const [ai, title] of NHRN) define(ai, 'X..20', title, { req: '01' });
for (let n = 0; n <= 9; n += 1) define(`723${n}`, 'X2 X..28', `CERT # ${n + 1}`, { req: '01,8004' });
define('7240', 'X..20', 'PROTOCOL', { req: '01,8006' });
define('7241', 'N2,mediatype', 'AIDC MEDIA TYPE', { req: '8017,8018' });
define('7242', 'X..25', 'VCN', { req: '8017,8018' });
define('7250', 'N8,yyyymmdd', 'DOB', { req: '8018', ex: '7251' });
define('7251', 'N8,yyyymmdd N4,hhmm', 'DOB TIME', { req: '8018', ex: '7250' });
define('7252', 'N1,iso5218', 'BIO SEX', { req: '8018' });
define('7253', 'X..40,pcenc', 'FAMILY NAME', { req: '8017,8018', ex: '7256,7259' });
define('7254', 'X..40,pcenc', 'GIVEN NAME', { req: '8017,8018', ex: '7256,7259' });
define('7255', 'X..10', 'SUFFIX', { req: '8017,8018', ex: '7256,7259' });
define('7256', 'X..90,pcenc', 'FULL NAME', { req: '8017,8018' });
define('7257', 'X..70,pcenc', 'PERSON ADDR', { req: '8018' });
define('7258', 'X3,posinseqslash', 'BIRTH SEQUENCE', { req: '8018+7259' });
define('7259', 'X..40,pcenc', 'BABY', { req: '8018', ex: '7256' });

// --- Other attributes ------------------------------------------------------------------------------------------------
define('8001', 'N4,nonzero N5,nonzero N3,nonzero N1,winding N1', 'DIMENSIONS', { req: '01' });
define('8002', 'X..20', 'CMT No.');
define('8005', 'N6', 'PRICE PER UNIT', { req: TRADE });
define('8007', 'X..34,iban', 'IBAN', { req: '415' });
define('8008', 'N6,yymmdd N2,hh [N2,mi] [N2,ss]', 'PROD TIME', { req: TRADE });
define('8009', 'X..50', 'OPTSEN', { req: '00,01' });
define('8012', 'X..20', 'VERSION', { req: '01,8006' });
define('8014', 'X..25,csumalpha,hasnondigit', 'MUDI', { req: '01', attribute: false });
define('8026', 'N14,csum N4,pieceoftotal', 'ITIP CONTENT', { req: '37', ex: '02,8006' });
// A digital signature must sign an instance: a serialised key, never a class.
define('8030', 'Z..90', 'DIGSIG', { req: '00,01+21,253,255,8003,8004,8006+21,8010+8011,8017,8018' });
define('8110', 'X..70,couponcode', 'COUPON CODE (North America)');
define('8111', 'N4', 'POINTS', { req: '255' });
define('8112', 'X..70,couponposoffer', 'POSITIVE OFFER FILE COUPON (North America)');
define('8200', 'X..70', 'PRODUCT URL', { req: '01', attribute: false });
define('90', 'X..30', 'INTERNAL');
for (let n = 91; n <= 99; n += 1) define(String(n), 'X..90', 'INTERNAL');

/**
 * The length of the AIs starting with each pair of digits. GS1 allocates AIs so that the first two digits decide the
 * length of the AI (General Specifications §3.2), which is how a reader finds where an AI ends in an unbracketed
 * element string.
 */
const AI_LENGTH_BY_PREFIX = new Map<string, number>();
for (const ai of TABLE.keys()) {
  const prefix = ai.slice(0, 2);
  const known = AI_LENGTH_BY_PREFIX.get(prefix);
  if (known !== undefined && known !== ai.length) throw new Error(`AIs starting ${prefix} have different lengths`);
  AI_LENGTH_BY_PREFIX.set(prefix, ai.length);
}

/** The length of the AIs that start with these two digits, or undefined when GS1 has allocated none. */
export function aiLengthForPrefix(twoDigits: string): number | undefined {
  return AI_LENGTH_BY_PREFIX.get(twoDigits);
}

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

/** The AIs a Digital Link path may start with (GTIN 01, SSCC 00, GLN 414, …): the paths a resolver answers. */
export function digitalLinkPrimaryKeys(): string[] {
  return [...TABLE.entries()].filter(([, definition]) => definition.digitalLink !== undefined).map(([ai]) => ai);
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

// --- Mandatory associations and invalid pairings ---------------------------------------------------------------------

/** True when `ai` matches `pattern`, in which `n` stands for any digit (`310n`, `31nn`). */
export function aiMatchesPattern(pattern: string, ai: string): boolean {
  if (pattern.length !== ai.length) return false;
  for (let i = 0; i < pattern.length; i += 1) {
    if (pattern[i] !== 'n' && pattern[i] !== ai[i]) return false;
  }
  return true;
}

const describeAi = (ai: string) => {
  const title = TABLE.get(ai)?.title;
  return title === undefined ? `(${ai})` : `(${ai}) ${title}`;
};

/**
 * Checks the mandatory associations and invalid pairings of the Barcode Syntax Dictionary over a set of AIs (the AIs
 * of one element string, or of all carriers on one item). Returns the AIs, in the order given, when every rule holds;
 * otherwise the first rule broken, naming both AIs.
 */
export function checkAiAssociations(ais: readonly string[]): Gs1Result<readonly string[]> {
  const present = [...new Set(ais)];
  const has = (pattern: string) => present.some((ai) => aiMatchesPattern(pattern, ai));
  for (const ai of present) {
    const definition = TABLE.get(ai);
    if (!definition) continue;
    for (const excluded of definition.excludes) {
      const clash = present.find((other) => other !== ai && aiMatchesPattern(excluded, other));
      if (clash !== undefined) return fail(`AI ${describeAi(ai)} must not appear together with AI ${describeAi(clash)}`);
    }
  }
  for (const ai of present) {
    const definition = TABLE.get(ai);
    if (!definition) continue;
    for (const alternatives of definition.requires) {
      if (alternatives.some((group) => group.every(has))) continue;
      const wording = alternatives.map((group) => group.map((p) => `(${p})`).join(' with '));
      const needed = wording.length === 1 ? wording[0]! : `${wording.slice(0, -1).join(', ')} or ${wording.at(-1)!}`;
      return fail(`AI ${describeAi(ai)} requires ${needed} in the same element string`);
    }
  }
  return ok(ais);
}

// --- Component checks ------------------------------------------------------------------------------------------------

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** ISO 3166-1 numeric country codes. */
const ISO3166_NUMERIC = new Set(
  (
    '004 008 010 012 016 020 024 028 031 032 036 040 044 048 050 051 052 056 060 064 068 070 072 074 076 084 086 090 ' +
    '092 096 100 104 108 112 116 120 124 132 136 140 144 148 152 156 158 162 166 170 174 175 178 180 184 188 191 192 ' +
    '196 203 204 208 212 214 218 222 226 231 232 233 234 238 239 242 246 248 250 254 258 260 262 266 268 270 275 276 ' +
    '288 292 296 300 304 308 312 316 320 324 328 332 334 336 340 344 348 352 356 360 364 368 372 376 380 384 388 392 ' +
    '398 400 404 408 410 414 417 418 422 426 428 430 434 438 440 442 446 450 454 458 462 466 470 474 478 480 484 492 ' +
    '496 498 499 500 504 508 512 516 520 524 528 531 533 534 535 540 548 554 558 562 566 570 574 578 580 581 583 584 ' +
    '585 586 591 598 600 604 608 612 616 620 624 626 630 634 638 642 643 646 652 654 659 660 662 663 666 670 674 678 ' +
    '682 686 688 690 694 702 703 704 705 706 710 716 724 728 729 732 740 744 748 752 756 760 762 764 768 772 776 780 ' +
    '784 788 792 795 796 798 800 804 807 818 826 831 832 833 834 840 850 854 858 860 862 876 882 887 894'
  ).split(' '),
);

/** ISO 3166-1 alpha-2 country codes. */
const ISO3166_ALPHA2 = new Set(
  (
    'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ ' +
    'CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO ' +
    'FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE ' +
    'JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO ' +
    'MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW ' +
    'PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM ' +
    'TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW'
  ).split(' '),
);

/** ISO 4217 numeric currency codes, including the funds and precious-metal codes. */
const ISO4217_NUMERIC = new Set(
  (
    '008 012 032 036 044 048 050 051 052 060 064 068 072 084 090 096 104 108 116 124 132 136 144 152 156 170 174 188 ' +
    '191 192 203 208 214 222 230 232 238 242 262 270 292 320 324 328 332 340 344 348 352 356 360 364 368 376 388 392 ' +
    '398 400 404 408 410 414 417 418 422 426 430 434 446 454 458 462 480 484 496 498 504 512 516 524 532 533 548 554 ' +
    '558 566 578 586 590 598 600 604 608 634 643 646 654 682 690 694 702 704 706 710 728 748 752 756 760 764 776 780 ' +
    '784 788 800 807 818 826 834 840 858 860 882 886 901 925 927 928 929 930 931 932 933 934 936 938 940 941 943 944 ' +
    '946 947 948 949 950 951 952 953 955 956 957 958 959 960 961 962 963 964 965 967 968 969 970 971 972 973 975 976 ' +
    '977 978 979 980 981 984 985 986 990 994 997 999'
  ).split(' '),
);

/** The IBAN check (ISO 13616): country, check digits, account; rotated and read as a number, it is 1 modulo 97. */
function isValidIban(iban: string): boolean {
  if (!/^[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}$/.test(iban) || !ISO3166_ALPHA2.has(iban.slice(0, 2))) return false;
  let remainder = 0;
  for (const char of iban.slice(4) + iban.slice(0, 4)) {
    const digits = char >= 'A' ? String(char.charCodeAt(0) - 55) : char;
    for (const digit of digits) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder === 1;
}

function isValidDate(year: number, month: number, day: number, dayZeroAllowed: boolean): boolean {
  if (month < 1 || month > 12) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 && !leap ? 28 : DAYS_IN_MONTH[month - 1]!;
  return day <= days && (day > 0 || dayZeroAllowed);
}

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
        if (mm < 1 || mm > 12) return `AI (${ai}): month ${value.slice(2, 4)} is not 01–12`;
        // Two-digit years resolve into a 100-year window around the current year (§7.12). For every year from 1901
        // to 2099, which covers that window until 2050, "divisible by 4" is exactly the leap-year rule.
        if (!isValidDate(yy === 0 ? 2000 : yy, mm, Number(value.slice(4, 6)), check === 'yymmd0')) {
          return `AI (${ai}): ${value} is not a valid date`;
        }
        break;
      }
      case 'yyyymmdd': {
        const mm = Number(value.slice(4, 6));
        if (mm < 1 || mm > 12) return `AI (${ai}): month ${value.slice(4, 6)} is not 01–12`;
        if (!isValidDate(Number(value.slice(0, 4)), mm, Number(value.slice(6, 8)), false)) {
          return `AI (${ai}): ${value} is not a valid date`;
        }
        break;
      }
      case 'hhmm':
        if (Number(value.slice(0, 2)) > 23 || Number(value.slice(2, 4)) > 59) {
          return `AI (${ai}): ${value} is not a valid time`;
        }
        break;
      case 'hh':
        if (Number(value) > 23) return `AI (${ai}): hour ${value} is not 00–23`;
        break;
      case 'mi':
      case 'ss':
        if (Number(value) > 59) return `AI (${ai}): ${check === 'mi' ? 'minute' : 'second'} ${value} is not 00–59`;
        break;
      case 'zero':
        if (!/^0+$/.test(value)) return `AI (${ai}): the leading filler digit must be 0`;
        break;
      case 'nozeroprefix':
        if (value.length > 1 && value.startsWith('0')) return `AI (${ai}): ${value} must not start with 0`;
        break;
      case 'nonzero':
        if (/^0+$/.test(value)) return `AI (${ai}): ${value} must not be zero`;
        break;
      case 'pieceoftotal': {
        const piece = Number(value.slice(0, 2));
        const total = Number(value.slice(2, 4));
        if (piece < 1 || total < 1 || piece > total) return `AI (${ai}): piece ${piece} of total ${total} is invalid`;
        break;
      }
      case 'hasnondigit':
        if (/^[0-9]*$/.test(value)) return `AI (${ai}): ${value} must contain a character that is not a digit`;
        break;
      case 'iso3166':
        if (!ISO3166_NUMERIC.has(value)) return `AI (${ai}): ${value} is not an ISO 3166 numeric country code`;
        break;
      case 'iso3166999':
        if (value !== '999' && !ISO3166_NUMERIC.has(value)) {
          return `AI (${ai}): ${value} is neither an ISO 3166 numeric country code nor 999`;
        }
        break;
      case 'iso3166alpha2':
        if (!ISO3166_ALPHA2.has(value)) return `AI (${ai}): ${value} is not an ISO 3166 alpha-2 country code`;
        break;
      case 'iso4217':
        if (!ISO4217_NUMERIC.has(value)) return `AI (${ai}): ${value} is not an ISO 4217 numeric currency code`;
        break;
      case 'iban':
        if (!isValidIban(value)) return `AI (${ai}): ${value} is not a valid IBAN`;
        break;
      case 'latitude':
        if (Number(value) > 1800000000) return `AI (${ai}): latitude ${value} is above 1800000000`;
        break;
      case 'longitude':
        if (Number(value) > 3600000000) return `AI (${ai}): longitude ${value} is above 3600000000`;
        break;
      case 'yesno':
        if (value !== '0' && value !== '1') return `AI (${ai}): ${value} must be 0 (no) or 1 (yes)`;
        break;
      case 'hyphen':
        if (value !== '-') return `AI (${ai}): the sign character must be "-", got "${value}"`;
        break;
      case 'winding':
        if (!/^[019]$/.test(value)) return `AI (${ai}): winding direction ${value} must be 0, 1 or 9`;
        break;
      case 'importeridx':
        if (!/^[-0-9A-Z_a-z]$/.test(value)) return `AI (${ai}): importer index "${value}" must be one of - 0-9 A-Z _ a-z`;
        break;
      case 'mediatype': {
        const type = Number(value);
        if (!(type >= 1 && type <= 10) && !(type >= 80 && type <= 99)) {
          return `AI (${ai}): AIDC media type ${value} must be 01–10 or 80–99`;
        }
        break;
      }
      case 'iso5218':
        if (!/^[0129]$/.test(value)) return `AI (${ai}): ${value} must be 0, 1, 2 or 9 (ISO/IEC 5218)`;
        break;
      case 'posinseqslash': {
        const m = /^([1-9][0-9]*)\/([1-9][0-9]*)$/.exec(value);
        if (!m || Number(m[1]) > Number(m[2])) {
          return `AI (${ai}): "${value}" must be position/total without leading zeros, position at most total`;
        }
        break;
      }
      case 'pcenc':
        if (/%(?![0-9A-Fa-f]{2})/.test(value)) return `AI (${ai}): "%" in ${value} must start a two-digit hex escape`;
        break;
      case 'packagetype':
      case 'couponcode':
      case 'couponposoffer':
        break;
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
