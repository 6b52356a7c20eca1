/**
 * Deterministic generator of realistic EPCIS 2.0 / CBV 2.0 traceability chains, for the capture and trace-query
 * benchmarks (1M–10M events) and for tests.
 *
 * The world is one province (浙江): pig farms and vegetable bases, slaughterhouses and packers, cold-chain
 * distribution centres, wholesale markets and supermarket chains, each with a GS1 company prefix under 69x, GLNs for
 * its sites, a 统一社会信用代码 and a real GB/T 2260 region. Every production batch becomes one chain:
 *
 *   farm commissioning → farm ships, processor receives (pigs: quarantine inspection) → TransformationEvent(s)
 *   (pigs: killing, then cutting into serialised retail packs; vegetables: washing and bagging into a lot) →
 *   packing items into cases and cases onto a pallet (SSCC) → shipping to a distribution centre or market
 *   (cold chain: inspection with a temperature sensor report) → receiving → unpacking the pallet → shipping cases to
 *   1–2 supermarket stores (sometimes with a TransactionEvent) → receiving → retail_selling.
 *
 * With the defaults (8 farms, 4 processors, 2 distribution centres, 2 markets, 12 retailers, 48 items per batch) a
 * batch is about 21 events, and the mix (measured over 10M events; every 1,000-event window of five seeds stayed
 * inside the bounds in brackets, and the tests hold whole runs to them) is: commissioning 12% [10–15], shipping and receiving
 * 36% [30–40], transformation 7% [5–10], aggregation 22% [15–25], retail selling 18% [10–20], inspection 3% and
 * transaction 1.5%. More items per batch mean more packing events per chain and shift the mix towards aggregation.
 *
 * The 'lots' shape (`shape: 'lots'`, for the trace benchmark) follows lots instead of animals: every batch is
 *
 *   farm lots commissioned by quantity (pigs by the head, vegetables by the kilogram) → farm ships, processor receives
 *   → TransformationEvent(s) turning the farm lots into product lots (pigs: killing into a carcass lot, then cutting
 *   it into two retail cuts; vegetables: washing and bagging) → commissioning the serialised retail packs of each
 *   product lot, with the lot in their ILMD (cbvmda:lotNumber) → packing packs into cases and cases onto pallets →
 *   shipping the pallets to a distribution centre or market → receiving → shipping whole pallets on to 1–2 stores →
 *   receiving → unpacking pallets and cases in the store → retail_selling of some packs.
 *
 * With the default 240 packs per batch a farm lot's forward trace reaches 255 – 270 things (its product lots,
 * their packs, cases and pallets), a pack's backward trace its lot, the carcass lot and the farm lots behind them. A
 * batch is about 55 (vegetables) to 85 (pork) events.
 *
 * Why it is shaped the way it is:
 *   - Each subject writes identifiers in its own syntax (EPC URNs, GS1 Digital Links, or Digital Link EPCs with sgln
 *     locations), as client systems do; so one pig is an sgtin URN in the farm's events and a Digital Link in the
 *     slaughterhouse's, and a trace query has to normalise to follow it.
 *   - Every batch draws from its own PRNG seeded by (seed, batch number), and every serial, lot and SSCC is derived
 *     from the batch number. A batch therefore does not depend on the batches before it: `firstBatch` lets several
 *     workers generate disjoint slices of one data set, and the slices concatenate to the single-run output.
 *   - Generation is batch by batch and nothing of a finished batch is kept, so memory stays flat however many events
 *     are produced. Within a batch events are sorted by time, and a dependent event is always strictly later than
 *     what it depends on, so the stream is in causal order. Batches overlap in time (a chain spans days, batches
 *     start a minute apart), so the stream as a whole is not sorted by eventTime.
 *   - Per-event identifiers are built by string concatenation, not through the validating formatters of
 *     src/codes/gs1, which would cost more than the rest of the generator; the site, party and product identifiers
 *     are derived once through `epcUrnToDigitalLink`, and the tests check both spellings name the same object.
 *
 * Pure: no I/O; imports only src/codes and node built-ins.
 */
import { ZHUISU_VOCABULARY } from '../src/epcis/json-ld.js';
import { isoString, MS_PER_DAY } from '../src/epcis/time.js';
import { seededRandom } from '../test/support/random.js';
import { withCheckDigit } from '../src/codes/gs1/check-digit.js';
import { epcUrnToDigitalLink } from '../src/codes/gs1/epc-urn.js';
import { formatUscc } from '../src/codes/uscc.js';

export const EPCIS_CONTEXT_URL = 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld';
/** Prefix of zhuisu's own extension fields (certificates, vehicle plates) in the generated documents. */
export const ZS_PREFIX = 'zs';
export const ZS_NAMESPACE = ZHUISU_VOCABULARY;
export const TIME_ZONE_OFFSET = '+08:00';

// ---------------------------------------------------------------------------------------------------------------
// Public types.

export type GeneratedRole = 'producer' | 'processor' | 'wholesaler' | 'retailer' | 'logistics';
export type IdentifierSyntax = 'epc-urn' | 'digital-link' | 'mixed';
/** What one batch is: 'mixed' the animal-by-animal chain of the capture benchmark, 'lots' lots down to serialised packs. */
export type ChainShape = 'mixed' | 'lots';

export interface GeneratedLocation {
  /** GLN-13 with check digit. */
  gln: string;
  name: string;
  regionCode: string;
  /** farm, slaughterhouse, packing_centre, warehouse, market or store. */
  kind: string;
}

export interface GeneratedProduct {
  /** GTIN-13 with check digit. */
  gtin: string;
  name: string;
  spec: string;
  productClass: 'edible_agricultural';
}

export interface GeneratedSubject {
  key: string;
  name: string;
  /** 统一社会信用代码. */
  subjectCode: string;
  regionCode: string;
  companyPrefix: string;
  roles: GeneratedRole[];
  locations: GeneratedLocation[];
  /** The GLN naming the subject as a party (owning_party in source and destination lists). */
  partyGln: string;
  products: GeneratedProduct[];
  /** How this subject's events spell identifiers: 'mixed' means Digital Link EPCs with sgln/pgln locations. */
  identifierSyntax: IdentifierSyntax;
}

export interface ChainOptions {
  /** Reduced to 32 bits. */
  seed: number;
  /** Number of production batches (chains) to generate. */
  batches: number;
  /** Number of the first batch; slices [firstBatch, firstBatch + batches) of one seed concatenate. Default 0. */
  firstBatch?: number;
  farms?: number;
  processors?: number;
  distributionCentres?: number;
  markets?: number;
  retailers?: number;
  /** Default 'mixed'; see the module comment for 'lots'. */
  shape?: ChainShape;
  /**
   * Retail units made from each batch (default 48, or 240 in the 'lots' shape). Larger values mean more packing
   * events per chain and shift the mix.
   */
  itemsPerBatch?: number;
  /** When batch 0 starts, as epoch milliseconds or an ISO 8601 date-time. Default 2024-01-01T00:00:00+08:00. */
  start?: number | string;
  /** Time between the starts of consecutive batches. Default 60. */
  batchIntervalSeconds?: number;
}

export interface DocumentOptions extends ChainOptions {
  /** Events per EPCISDocument; the last document may hold fewer. */
  eventsPerDocument: number;
}

export type GeneratedEvent = Record<string, unknown>;

export type EventCategory =
  | 'commissioning'
  | 'shipping_receiving'
  | 'transformation'
  | 'aggregation'
  | 'retail_selling'
  | 'inspection'
  | 'transaction'
  | 'other';

// ---------------------------------------------------------------------------------------------------------------
// Public API.

/** The supply network alone, so that a caller can register subjects, locations and products before capturing. */
export function generateSubjects(options: Omit<ChainOptions, 'batches'> & { batches?: number }): GeneratedSubject[] {
  return buildNetwork(resolve({ batches: 0, ...options })).actors.map((actor) => actor.subject);
}

/** A whole data set in memory: for tests and small runs. Use {@link generateDocuments} for large ones. */
export function generateChain(options: ChainOptions): { subjects: GeneratedSubject[]; events: GeneratedEvent[] } {
  const config = resolve(options);
  const network = buildNetwork(config);
  const events: GeneratedEvent[] = [];
  for (let b = config.firstBatch; b < config.firstBatch + config.batches; b++) {
    for (const event of batchEvents(network, config, b)) events.push(event);
  }
  return { subjects: network.actors.map((actor) => actor.subject), events };
}

/** The events one by one, in causal order, generated batch by batch. */
export function* generateEvents(options: ChainOptions): Generator<GeneratedEvent, void, undefined> {
  const config = resolve(options);
  const network = buildNetwork(config);
  for (let b = config.firstBatch; b < config.firstBatch + config.batches; b++) yield* batchEvents(network, config, b);
}

/**
 * EPCISDocuments of `eventsPerDocument` events each (the last one possibly fewer), in causal order. Streaming: only
 * the document being filled and the batch being cut up are held.
 */
export function* generateDocuments(options: DocumentOptions): Generator<Record<string, unknown>, void, undefined> {
  const perDocument = options.eventsPerDocument;
  if (!Number.isInteger(perDocument) || perDocument < 1) {
    throw new RangeError(`eventsPerDocument must be a positive integer, got ${String(perDocument)}`);
  }
  const config = resolve(options);
  const network = buildNetwork(config);
  let eventList: GeneratedEvent[] = [];
  let latest = 0;
  for (let b = config.firstBatch; b < config.firstBatch + config.batches; b++) {
    const events = batchEvents(network, config, b);
    for (let i = 0; i < events.length; i++) {
      eventList.push(events[i]!);
      const t = network.lastTimes[i]!;
      if (t > latest) latest = t;
      if (eventList.length === perDocument) {
        yield epcisDocument(eventList, latest);
        eventList = [];
        latest = 0;
      }
    }
  }
  if (eventList.length > 0) yield epcisDocument(eventList, latest);
}

/** The `@context` every generated document carries: the EPCIS 2.0 context and the `zs` prefix. */
export function documentContext(): unknown[] {
  return [EPCIS_CONTEXT_URL, { [ZS_PREFIX]: ZS_NAMESPACE }];
}

/** Which part of the mix an event belongs to; the benchmarks report the mix with it. */
export function eventCategory(event: GeneratedEvent): EventCategory {
  switch (event.type) {
    case 'TransformationEvent':
      return 'transformation';
    case 'AggregationEvent':
      return 'aggregation';
    case 'TransactionEvent':
      return 'transaction';
    case 'ObjectEvent':
      switch (event.bizStep) {
        case 'commissioning':
          return 'commissioning';
        case 'shipping':
        case 'receiving':
          return 'shipping_receiving';
        case 'retail_selling':
          return 'retail_selling';
        case 'inspecting':
          return 'inspection';
        default:
          return 'other';
      }
    default:
      return 'other';
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Options.

interface Config {
  shape: ChainShape;
  seed: number;
  batches: number;
  firstBatch: number;
  farms: number;
  processors: number;
  distributionCentres: number;
  markets: number;
  retailers: number;
  itemsPerBatch: number;
  startMs: number;
  intervalMs: number;
}

const DEFAULT_START = '2024-01-01T00:00:00+08:00';

function count(value: number | undefined, fallback: number, name: string, min: number): number {
  const n = value ?? fallback;
  if (!Number.isInteger(n) || n < min) throw new RangeError(`${name} must be an integer ≥ ${min}, got ${String(n)}`);
  return n;
}

function resolve(options: ChainOptions): Config {
  if (!Number.isFinite(options.seed)) throw new RangeError(`seed must be a number, got ${String(options.seed)}`);
  const start = options.start ?? DEFAULT_START;
  const startMs = typeof start === 'number' ? start : Date.parse(start);
  if (!Number.isFinite(startMs)) throw new RangeError(`start is not a date-time: ${String(start)}`);
  const interval = options.batchIntervalSeconds ?? 60;
  if (!(interval > 0)) throw new RangeError(`batchIntervalSeconds must be positive, got ${String(interval)}`);
  const shape = options.shape ?? 'mixed';
  if (shape !== 'mixed' && shape !== 'lots') throw new RangeError(`shape must be 'mixed' or 'lots', got ${String(shape)}`);
  const config: Config = {
    shape,
    seed: Math.trunc(options.seed) >>> 0,
    batches: count(options.batches, 0, 'batches', 0),
    firstBatch: count(options.firstBatch, 0, 'firstBatch', 0),
    farms: count(options.farms, 8, 'farms', 1),
    processors: count(options.processors, 4, 'processors', 1),
    distributionCentres: count(options.distributionCentres, 2, 'distributionCentres', 0),
    markets: count(options.markets, 2, 'markets', 0),
    retailers: count(options.retailers, 12, 'retailers', 1),
    itemsPerBatch: count(options.itemsPerBatch, shape === 'lots' ? 240 : 48, 'itemsPerBatch', 1),
    startMs: Math.floor(startMs),
    intervalMs: Math.round(interval * 1000),
  };
  if (config.distributionCentres + config.markets < 1) {
    throw new RangeError('at least one distribution centre or market is needed');
  }
  if (config.farms + config.processors + config.distributionCentres + config.markets + config.retailers > 10_000) {
    // Company prefixes are drawn from 100,000 seven-digit stems by rejection; well below that, drawing stays quick.
    throw new RangeError('at most 10,000 subjects');
  }
  return config;
}

// ---------------------------------------------------------------------------------------------------------------
// Randomness: mulberry32, small and fast; quality is ample for picking sizes and gaps.

class Rng {
  readonly next: () => number;

  constructor(seed: number) {
    this.next = seededRandom(seed);
  }

  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.next() * list.length)]!;
  }

  digits(n: number): string {
    let out = '';
    for (let i = 0; i < n; i++) out += String(Math.floor(this.next() * 10));
    return out;
  }
}

/** A 32-bit avalanche (the murmur3 finaliser), so that neighbouring batch numbers get unrelated streams. */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

function batchSeed(seed: number, batch: number): number {
  return mix32(seed ^ mix32((batch + 0x9e3779b9) | 0) ^ Math.floor(batch / 4294967296));
}

// ---------------------------------------------------------------------------------------------------------------
// Time: every event is at +08:00; formatting by hand because Date#toISOString would also need the offset applied
// and is several times slower on the hot path.

const HOUR = 3_600_000;
const MINUTE = 60_000;
const DAY = 86_400_000;
const OFFSET_MS = 8 * HOUR;
const PAD2 = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const PAD3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/** YYYY-MM-DD of a day number (days since 1970-01-01). */
function civilDate(days: number): string {
  return isoString(days * MS_PER_DAY).slice(0, 10);
}

/** Local (+08:00) calendar date of an instant. */
function localDate(ms: number): string {
  return civilDate(Math.floor((ms + OFFSET_MS) / DAY));
}

/** YYMMDD, as lot numbers carry it. */
function lotDate(ms: number): string {
  const date = localDate(ms);
  return date.slice(2, 4) + date.slice(5, 7) + date.slice(8, 10);
}

function formatTime(ms: number): string {
  const local = ms + OFFSET_MS;
  const days = Math.floor(local / DAY);
  let rest = local - days * DAY;
  const h = Math.floor(rest / HOUR);
  rest -= h * HOUR;
  const m = Math.floor(rest / MINUTE);
  rest -= m * MINUTE;
  const s = Math.floor(rest / 1000);
  return `${civilDate(days)}T${PAD2[h]}:${PAD2[m]}:${PAD2[s]}.${PAD3[rest - s * 1000]}+08:00`;
}

// ---------------------------------------------------------------------------------------------------------------
// The supply network.

/** Real GB/T 2260 codes of 浙江 (checked against data/regions/regions.json by the tests), with short place names. */
const FARM_REGIONS: readonly (readonly [string, string])[] = [
  ['330122', '桐庐'], ['330127', '淳安'], ['330182', '建德'], ['330225', '象山'], ['330226', '宁海'],
  ['330324', '永嘉'], ['330326', '平阳'], ['330421', '嘉善'], ['330424', '海盐'], ['330521', '德清'],
  ['330522', '长兴'], ['330523', '安吉'], ['330624', '新昌'], ['330681', '诸暨'], ['330723', '武义'],
  ['330726', '浦江'], ['330822', '常山'], ['330824', '开化'], ['330825', '龙游'], ['330881', '江山'],
];
const PROCESSOR_REGIONS: readonly (readonly [string, string])[] = [
  ['330109', '萧山'], ['330110', '余杭'], ['330212', '鄞州'], ['330381', '瑞安'], ['330481', '海宁'],
  ['330782', '义乌'], ['330603', '柯桥'], ['330502', '吴兴'], ['330604', '上虞'], ['330281', '余姚'],
];
const HUB_REGIONS: readonly (readonly [string, string])[] = [
  ['330114', '钱塘'], ['330113', '临平'], ['330206', '北仑'], ['330303', '龙湾'], ['330411', '秀洲'],
  ['330703', '金东'], ['330211', '镇海'], ['330304', '瓯海'],
];
const URBAN_REGIONS: readonly (readonly [string, string])[] = [
  ['330102', '上城'], ['330105', '拱墅'], ['330106', '西湖'], ['330108', '滨江'], ['330203', '海曙'],
  ['330205', '江北'], ['330302', '鹿城'], ['330402', '南湖'], ['330502', '吴兴'], ['330602', '越城'],
  ['330702', '婺城'], ['330802', '柯城'],
];
/** Licence-plate letters of the prefectures above (浙A 杭州 … 浙H 衢州). */
const PLATE_LETTERS: Readonly<Record<string, string>> = {
  '3301': 'A', '3302': 'B', '3303': 'C', '3306': 'D', '3305': 'E', '3304': 'F', '3307': 'G', '3308': 'H',
};
const TRADE_NAMES = ['兴旺', '丰禾', '绿源', '康牧', '金穗', '瑞丰', '田园', '宏达', '万家', '新农', '鲜达', '之江',
  '惠民', '永盛', '嘉禾', '华鲜', '百味', '恒通', '富春', '钱江'];
const CROPS: readonly (readonly [string, string])[] = [
  ['青菜', '400g/袋'], ['番茄', '500g/盒'], ['黄瓜', '500g/袋'], ['西兰花', '350g/袋'], ['茄子', '500g/袋'],
  ['白萝卜', '1kg/袋'],
];
const PORK_CUTS: readonly (readonly [string, string])[] = [
  ['冷鲜猪里脊', '400g/盒'], ['冷鲜五花肉', '500g/盒'], ['冷鲜猪前腿肉', '500g/盒'], ['冷鲜猪排骨', '500g/盒'],
];
/** Characters allowed in the organisation-code body of a USCC (digits and letters without I, O, Z, S, V). */
const USCC_BODY = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const DL = 'https://id.gs1.org';

type Kind = 'pork' | 'veg';

/** An identifier in both spellings; events pick the one their recording subject uses. */
interface Pair {
  urn: string;
  dl: string;
}

interface Site {
  location: GeneratedLocation;
  id: Pair;
  /** Read points: sub-locations 1–3 (pens or fields, docks, packing lines, tills). */
  point: Pair[];
}

interface Item {
  gtin14: string;
  /** "companyPrefix.indicatorAndItemReference", the part of an sgtin/lgtin URN before the serial or lot. */
  urnBody: string;
}

interface Actor {
  subject: GeneratedSubject;
  index: number;
  cp: string;
  epcDl: boolean;
  locDl: boolean;
  party: Pair;
  sites: Site[];
  kinds: readonly Kind[];
  /** Products by purpose: live pig / crops at farms; carcass, cuts and bagged crops at processors. */
  items: Item[];
  crops: number[];
  plateLetter: string;
}

interface Network {
  actors: Actor[];
  farms: Record<Kind, Actor[]>;
  allFarms: Actor[];
  processors: Record<Kind, Actor[]>;
  hubs: Record<Kind, Actor[]>;
  retailers: Actor[];
  /** Event times of the batch last generated, parallel to its events (read by generateDocuments). */
  lastTimes: number[];
  /** SSCC serial references reserved per batch; see {@link ssccPair}. */
  containerStride: number;
}

function pairFromUrn(urn: string): Pair {
  const dl = epcUrnToDigitalLink(urn);
  if (!dl.ok) throw new Error(`generator built a bad EPC URI ${urn}: ${dl.reason}`);
  return { urn, dl: dl.value };
}

const PORK_CASE = 16;
const VEG_CASE = 24;
const CASES_PER_PALLET = 8;
const LOTS_PORK_CASE = 12;
const LOTS_VEG_CASE = 20;

function buildNetwork(config: Config): Network {
  const rng = new Rng(mix32(config.seed ^ 0x5bd1e995));
  const stems = new Set<string>();
  const actors: Actor[] = [];

  function companyPrefix(length: number): string {
    // Distinct seven-digit stems guarantee that no prefix is the start of another, which would let a GLN or GTIN of
    // one company equal one of another.
    for (;;) {
      const stem = `69${rng.int(0, 9)}${rng.digits(4)}`;
      if (stems.has(stem)) continue;
      stems.add(stem);
      return stem + rng.digits(length - 7);
    }
  }

  function actor(
    key: string,
    name: string,
    kindOfCode: '91' | '93',
    region: readonly [string, string],
    roles: GeneratedRole[],
    kinds: readonly Kind[],
    prefixLength: number,
  ): Actor {
    const cp = companyPrefix(prefixLength);
    const roll = rng.next();
    const syntax: IdentifierSyntax = roll < 0.45 ? 'epc-urn' : roll < 0.8 ? 'digital-link' : 'mixed';
    let body = '';
    for (let i = 0; i < 8; i++) body += USCC_BODY[rng.int(0, USCC_BODY.length - 1)]!;
    const refDigits = 12 - cp.length;
    const partyRef = '0'.padStart(refDigits, '0');
    const subject: GeneratedSubject = {
      key,
      name,
      subjectCode: formatUscc(kindOfCode, region[0], body),
      regionCode: region[0],
      companyPrefix: cp,
      roles,
      locations: [],
      partyGln: withCheckDigit(cp + partyRef),
      products: [],
      identifierSyntax: syntax,
    };
    const a: Actor = {
      subject,
      index: actors.length,
      cp,
      epcDl: syntax !== 'epc-urn',
      locDl: syntax === 'digital-link',
      party: pairFromUrn(`urn:epc:id:pgln:${cp}.${partyRef}`),
      sites: [],
      kinds,
      items: [],
      crops: [],
      plateLetter: PLATE_LETTERS[region[0].slice(0, 4)] ?? 'A',
    };
    actors.push(a);
    return a;
  }

  function site(a: Actor, name: string, regionCode: string, kind: string): void {
    const ref = String(a.sites.length + 1).padStart(12 - a.cp.length, '0');
    const location: GeneratedLocation = { gln: withCheckDigit(a.cp + ref), name, regionCode, kind };
    a.subject.locations.push(location);
    const point: Pair[] = [];
    for (let ext = 1; ext <= 3; ext++) point.push(pairFromUrn(`urn:epc:id:sgln:${a.cp}.${ref}.${ext}`));
    a.sites.push({ location, id: pairFromUrn(`urn:epc:id:sgln:${a.cp}.${ref}.0`), point });
  }

  function product(a: Actor, name: string, spec: string): void {
    // Item references from 101 on keep GTINs visibly apart from the GLNs (1, 2, …) of the same prefix.
    const ref = String(a.items.length + 101).padStart(12 - a.cp.length, '0');
    const gtin = withCheckDigit(a.cp + ref);
    a.subject.products.push({ gtin, name, spec, productClass: 'edible_agricultural' });
    a.items.push({ gtin14: `0${gtin}`, urnBody: `${a.cp}.0${ref}` });
  }

  // Names must not repeat: a platform operator looking at two "浙江嘉禾优选连锁有限公司" would suspect a data error.
  const salt = rng.int(0, TRADE_NAMES.length - 1);
  const brands = new Set<string>();
  const brandOf = (place: string, i: number, suffix = ''): string => {
    const word = TRADE_NAMES[(i * 7 + salt) % TRADE_NAMES.length]!;
    let brand = place + word + suffix;
    for (let n = 2; brands.has(brand); n++) brand = `${place}${word}${n}${suffix}`;
    brands.add(brand);
    return brand;
  };
  const pad = (i: number) => String(i + 1).padStart(2, '0');
  const farms: Record<Kind, Actor[]> = { pork: [], veg: [] };
  const processors: Record<Kind, Actor[]> = { pork: [], veg: [] };
  const hubs: Record<Kind, Actor[]> = { pork: [], veg: [] };
  const retailers: Actor[] = [];

  // A sole farm is a pig farm; vegetable batches then never happen.
  for (let i = 0; i < config.farms; i++) {
    const region = FARM_REGIONS[(i * 3 + rng.int(0, 2)) % FARM_REGIONS.length]!;
    const brand = brandOf(region[1], i);
    if (i % 2 === 0) {
      const a = actor(`farm-${pad(i)}`, `${brand}生猪养殖有限公司`, '91', region, ['producer'], ['pork'], rng.int(7, 9));
      site(a, `${brand}生猪养殖场`, region[0], 'farm');
      product(a, '生猪', '活体');
      farms.pork.push(a);
    } else {
      // Vegetable growers are typically 农民专业合作社, which register with type 93.
      const a = actor(`farm-${pad(i)}`, `${brand}蔬菜专业合作社`, '93', region, ['producer'], ['veg'], rng.int(7, 9));
      site(a, `${brand}蔬菜基地`, region[0], 'farm');
      const first = rng.int(0, CROPS.length - 1);
      for (const crop of [first, (first + 1 + rng.int(0, CROPS.length - 2)) % CROPS.length]) {
        product(a, CROPS[crop]![0], '散装');
        a.crops.push(crop);
      }
      farms.veg.push(a);
    }
  }

  for (let i = 0; i < config.processors; i++) {
    const region = PROCESSOR_REGIONS[(i * 3 + rng.int(0, 2)) % PROCESSOR_REGIONS.length]!;
    const brand = brandOf(region[1], i + 3);
    // A sole processor does both, so that every batch has somewhere to go.
    const kinds: Kind[] = config.processors === 1 ? ['pork', 'veg'] : i % 2 === 0 ? ['pork'] : ['veg'];
    const pork = kinds.includes('pork');
    // Processors issue the SSCCs; a 7–8 digit prefix leaves 8–9 digits of serial reference.
    const a = actor(`processor-${pad(i)}`, `${brand}${pork ? '肉类食品' : '农产品'}有限公司`, '91', region, ['processor'], kinds, rng.int(7, 8));
    if (pork) {
      site(a, `${brand}屠宰加工厂`, region[0], 'slaughterhouse');
      product(a, '白条猪', '胴体');
      for (const [name, spec] of PORK_CUTS) product(a, name, spec);
    }
    if (kinds.includes('veg')) {
      site(a, `${brand}分拣包装中心`, region[0], 'packing_centre');
      for (const [name, spec] of CROPS) product(a, name, spec);
    }
    for (const kind of kinds) processors[kind].push(a);
  }

  for (let i = 0; i < config.distributionCentres; i++) {
    const region = HUB_REGIONS[(i * 3 + rng.int(0, 2)) % HUB_REGIONS.length]!;
    const brand = brandOf(region[1], i + 5);
    const a = actor(`dc-${pad(i)}`, `${brand}冷链物流有限公司`, '91', region, ['logistics'], ['pork', 'veg'], rng.int(7, 9));
    site(a, `${brand}冷链配送中心`, region[0], 'warehouse');
    hubs.pork.push(a);
  }
  for (let i = 0; i < config.markets; i++) {
    const region = HUB_REGIONS[(i * 3 + 1 + rng.int(0, 2)) % HUB_REGIONS.length]!;
    const brand = brandOf(region[1], i + 9);
    const a = actor(`market-${pad(i)}`, `${brand}农副产品批发市场有限公司`, '91', region, ['wholesaler'], ['pork', 'veg'], rng.int(7, 9));
    site(a, `${brand}农副产品批发市场`, region[0], 'market');
    hubs.veg.push(a);
  }
  // Meat goes through the cold-chain centres and vegetables through the markets, unless one kind of hub is missing.
  if (hubs.pork.length === 0) hubs.pork = hubs.veg;
  if (hubs.veg.length === 0) hubs.veg = hubs.pork;

  for (let i = 0; i < config.retailers; i++) {
    const hq = URBAN_REGIONS[(i * 5 + rng.int(0, 4)) % URBAN_REGIONS.length]!;
    const brand = brandOf('', i + 11, ['超市', '生鲜', '优选'][i % 3]);
    const a = actor(`retailer-${pad(i)}`, `浙江${brand}连锁有限公司`, '91', hq, ['retailer'], ['pork', 'veg'], rng.int(7, 9));
    const stores = rng.int(1, 3);
    for (let s = 0; s < stores; s++) {
      const region = s === 0 ? hq : rng.pick(URBAN_REGIONS);
      site(a, `${brand}${region[1]}${s === 0 ? '' : `${s + 1}号`}店`, region[0], 'store');
    }
    retailers.push(a);
  }

  // A 'lots' batch packs each product lot into its own cases: two lots can leave one part-filled case more.
  const maxCases =
    config.shape === 'lots'
      ? Math.ceil(config.itemsPerBatch / Math.min(LOTS_PORK_CASE, LOTS_VEG_CASE)) + 1
      : Math.ceil(config.itemsPerBatch / Math.min(PORK_CASE, VEG_CASE));
  const containerStride = maxCases + Math.ceil(maxCases / CASES_PER_PALLET);
  const capacity = Math.min(...actors.filter((a) => a.subject.roles.includes('processor')).map((a) => 10 ** (16 - a.cp.length)));
  if ((config.firstBatch + config.batches) * containerStride > capacity) {
    throw new RangeError(
      `SSCC serial references would run out: ${config.firstBatch + config.batches} batches × ${containerStride} ` +
        `containers exceed ${capacity}`,
    );
  }
  const allFarms = farms.pork.concat(farms.veg);
  return { actors, farms, allFarms, processors, hubs, retailers, lastTimes: [], containerStride };
}

// ---------------------------------------------------------------------------------------------------------------
// Identifiers on the hot path.

const id = (pair: Pair, a: Actor): string => (a.locDl ? pair.dl : pair.urn);

function serials(item: Item, from: number, to: number, a: Actor): string[] {
  const out = new Array<string>(to - from);
  if (a.epcDl) {
    const head = `${DL}/01/${item.gtin14}/21/`;
    for (let i = from; i < to; i++) out[i - from] = head + i;
  } else {
    const head = `urn:epc:id:sgtin:${item.urnBody}.`;
    for (let i = from; i < to; i++) out[i - from] = head + i;
  }
  return out;
}

function lotClass(item: Item, lot: string, a: Actor): string {
  return a.epcDl ? `${DL}/01/${item.gtin14}/10/${lot}` : `urn:epc:class:lgtin:${item.urnBody}.${lot}`;
}

/** Serial references are batch × stride + n, so SSCCs never repeat within a run or across batch slices. */
function ssccPair(a: Actor, serialReference: number, extension: number): Pair {
  const ref = String(serialReference).padStart(16 - a.cp.length, '0');
  return { urn: `urn:epc:id:sscc:${a.cp}.${extension}${ref}`, dl: `${DL}/00/${withCheckDigit(extension + a.cp + ref)}` };
}

const pick = (pairs: Pair[], a: Actor): string[] => pairs.map((p) => (a.epcDl ? p.dl : p.urn));

function bizTransaction(owner: Actor, kind: string, batch: number, n: number): string {
  return `urn:epcglobal:cbv:bt:${owner.subject.partyGln}:${kind.toUpperCase()}${batch}-${n}`;
}

function parties(recorder: Actor, from: Actor, fromSite: Site, to: Actor, toSite: Site) {
  return {
    sourceList: [
      { type: 'owning_party', source: id(from.party, recorder) },
      { type: 'location', source: id(fromSite.id, recorder) },
    ],
    destinationList: [
      { type: 'owning_party', destination: id(to.party, recorder) },
      { type: 'location', destination: id(toSite.id, recorder) },
    ],
  };
}

// ---------------------------------------------------------------------------------------------------------------
// One batch.

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

/** What both shapes build a batch's events with; `finish` gives them in time order. */
function batchBuilder(network: Network) {
  const timed: { t: number; event: GeneratedEvent }[] = [];
  const emit = (t: number, event: GeneratedEvent) => {
    event.eventTime = formatTime(t);
    timed.push({ t, event });
  };
  // eventTime is filled in by emit; the placeholder keeps the usual field order (type, eventTime, offset, …).
  const ev = (type: string): GeneratedEvent => ({ type, eventTime: '', eventTimeZoneOffset: TIME_ZONE_OFFSET });
  /** An OBSERVE ObjectEvent of `what` (its epcList or quantityList) at a site: the shape of every hop of a chain. */
  const observation = (what: Record<string, unknown>, bizStep: string, disposition: string, readPoint: string, bizLocation?: string): GeneratedEvent => ({
    ...ev('ObjectEvent'),
    ...what,
    action: 'OBSERVE',
    bizStep,
    disposition,
    readPoint: { id: readPoint },
    ...(bizLocation ? { bizLocation: { id: bizLocation } } : {}),
  });
  const orders = (po: string, desadv: string) => [{ type: 'po', bizTransaction: po }, { type: 'desadv', bizTransaction: desadv }];
  /**
   * The events sorted by time. Times are kept beside the events in `network.lastTimes` (same order) so that
   * documents can carry a creationDate without parsing timestamps back.
   */
  const finish = (): GeneratedEvent[] => {
    // Stable: events at the same instant keep the order they were built in, which is causal.
    timed.sort((x, y) => x.t - y.t);
    const events = new Array<GeneratedEvent>(timed.length);
    const times = network.lastTimes;
    times.length = timed.length;
    for (let i = 0; i < timed.length; i++) {
      events[i] = timed[i]!.event;
      times[i] = timed[i]!.t;
    }
    return events;
  };
  return { emit, ev, observation, orders, finish };
}

/** The events of batch `b`, sorted by time. */
function batchEvents(network: Network, config: Config, b: number): GeneratedEvent[] {
  if (config.shape === 'lots') return lotBatchEvents(network, config, b);
  const rng = new Rng(batchSeed(config.seed, b));
  const { emit, ev, observation, orders, finish } = batchBuilder(network);

  const items = config.itemsPerBatch;
  const t0 = config.startMs + b * config.intervalMs + rng.int(0, config.intervalMs - 1);
  const firstFarm = rng.pick(network.allFarms);
  const kind: Kind = firstFarm.kinds[0]!;
  // Vegetables: one crop per batch, so that the packer turns like into like.
  const crop = kind === 'veg' ? rng.pick(firstFarm.crops) : -1;
  const sources = [firstFarm];
  if (rng.chance(0.35)) {
    const partners = network.farms[kind].filter((f) => f !== firstFarm && (crop < 0 || f.crops.includes(crop)));
    if (partners.length > 0) sources.push(rng.pick(partners));
  }
  const processor = rng.pick(network.processors[kind]);
  const plant = processor.sites.find((s) => s.location.kind === (kind === 'pork' ? 'slaughterhouse' : 'packing_centre'))!;
  const hub = rng.pick(network.hubs[kind]);
  const hubSite = hub.sites[0]!;
  const day = lotDate(t0);
  let n = 0; // business document counter within the batch

  // -- farms: commissioning, shipping to the processor, receiving there.
  let readyAt = t0;
  const pigSerials: [Item, number, number][] = []; // live-pig GTIN and serial range per farm
  const produceLots: [Item, string, number][] = []; // crop GTIN, lot, kg
  for (let f = 0; f < sources.length; f++) {
    const farm = sources[f]!;
    const farmSite = farm.sites[0]!;
    let t = t0 + rng.int(0, 6 * HOUR);
    const pens = rng.int(1, 3);
    const farmEpcs: string[] = [];
    const farmQuantities: Record<string, unknown>[] = [];
    const firstSerial = b * 1000 + f * 100;
    let serial = firstSerial;
    for (let p = 0; p < pens; p++) {
      t += rng.int(10 * MINUTE, 50 * MINUTE);
      const e = ev('ObjectEvent');
      if (kind === 'pork') {
        const pigs = rng.int(8, 14);
        const tags = serials(farm.items[0]!, serial, serial + pigs, farm);
        serial += pigs;
        for (const tag of tags) farmEpcs.push(tag);
        e.epcList = tags;
      } else {
        const lot = `H${day}${b}-${f}${p}`;
        const kg = rng.int(200, 800);
        const item = farm.items[farm.crops.indexOf(crop)]!;
        produceLots.push([item, lot, kg]);
        e.quantityList = [{ epcClass: lotClass(item, lot, farm), quantity: kg, uom: 'KGM' }];
        farmQuantities.push({ epcClass: lotClass(item, lot, farm), quantity: kg, uom: 'KGM' });
      }
      e.action = 'ADD';
      e.bizStep = 'commissioning';
      e.disposition = 'active';
      e.readPoint = { id: id(farmSite.point[p]!, farm) };
      e.bizLocation = { id: id(farmSite.id, farm) };
      e.ilmd =
        kind === 'pork'
          ? { 'cbvmda:countryOfOrigin': 'CN', 'zs:earTagBatch': `${farm.subject.regionCode}${day}${p + 1}` }
          : { 'cbvmda:lotNumber': `H${day}${b}-${f}${p}`, 'cbvmda:countryOfOrigin': 'CN' };
      emit(t, e);
    }
    if (kind === 'pork') pigSerials.push([farm.items[0]!, firstSerial, serial]);

    // Pigs wait a day or two for transport and the quarantine certificate; vegetables leave the same day.
    t += kind === 'pork' ? rng.int(12 * HOUR, 40 * HOUR) : rng.int(1 * HOUR, 5 * HOUR);
    const po = bizTransaction(processor, 'po', b, n++);
    const desadv = bizTransaction(farm, 'desadv', b, n++);
    const ship = observation(kind === 'pork' ? { epcList: farmEpcs } : { quantityList: farmQuantities }, 'shipping', 'in_transit', id(farmSite.point[0]!, farm));
    ship.bizTransactionList = orders(po, desadv);
    Object.assign(ship, parties(farm, farm, farmSite, processor, plant));
    const certificate = `${farm.subject.regionCode.slice(0, 2)}${rng.digits(9)}`;
    if (kind === 'pork') {
      ship['zs:quarantineCertificate'] = certificate;
      ship['zs:vehiclePlate'] = `浙${farm.plateLetter}${rng.digits(5)}`;
    }
    emit(t, ship);

    t += rng.int(90 * MINUTE, 5 * HOUR);
    const received =
      kind === 'pork'
        ? { epcList: serials(farm.items[0]!, firstSerial, serial, processor) }
        : { quantityList: produceLots.slice(-pens).map(([item, lot, kg]) => ({ epcClass: lotClass(item, lot, processor), quantity: kg, uom: 'KGM' })) };
    const receive = observation(received, 'receiving', 'in_progress', id(plant.point[0]!, processor), id(plant.id, processor));
    receive.bizTransactionList = orders(po, desadv);
    Object.assign(receive, parties(processor, farm, farmSite, processor, plant));
    emit(t, receive);

    if (kind === 'pork' && rng.chance(0.3)) {
      // Ante-mortem inspection (宰前检疫) of the delivered pigs.
      t += rng.int(10 * MINUTE, 40 * MINUTE);
      const inspect = observation({ epcList: (receive.epcList as string[]).slice() }, 'inspecting', 'conformant', id(plant.point[0]!, processor), id(plant.id, processor));
      inspect['zs:quarantineCertificate'] = certificate;
      emit(t, inspect);
    }
    if (t > readyAt) readyAt = t;
  }

  // -- processor: transformation(s).
  let t = readyAt + rng.int(2 * HOUR, 10 * HOUR);
  const line = id(plant.point[1]!, processor);
  const plantId = id(plant.id, processor);
  const retailLot = `${kind === 'pork' ? 'P' : 'V'}${day}${b}`;
  let product: Item;
  let quantityLot = ''; // vegetables: the bag lot, in the processor's syntax
  if (kind === 'pork') {
    const carcass = processor.items[0]!;
    const carcassLot = `C${day}${b}`;
    let pigs = 0;
    const inputs: string[] = [];
    for (const [item, from, to] of pigSerials) {
      pigs += to - from;
      for (const tag of serials(item, from, to, processor)) inputs.push(tag);
    }
    const kg = round1(pigs * (70 + rng.next() * 20));
    const slaughterCertificate = `${processor.subject.regionCode}${day}${String(b % 100000).padStart(5, '0')}`;
    const kill = ev('TransformationEvent');
    kill.inputEPCList = inputs;
    kill.outputQuantityList = [{ epcClass: lotClass(carcass, carcassLot, processor), quantity: kg, uom: 'KGM' }];
    kill.bizStep = 'killing';
    kill.disposition = 'in_progress';
    kill.readPoint = { id: line };
    kill.bizLocation = { id: plantId };
    kill.ilmd = { 'cbvmda:lotNumber': carcassLot, 'zs:slaughterCertificate': slaughterCertificate };
    emit(t, kill);

    t += rng.int(3 * HOUR, 8 * HOUR);
    const cutIndex = rng.int(1, processor.items.length - 1);
    product = processor.items[cutIndex]!;
    const cut = ev('TransformationEvent');
    cut.inputQuantityList = [{ epcClass: lotClass(carcass, carcassLot, processor), quantity: kg, uom: 'KGM' }];
    cut.outputEPCList = serials(product, b * items, b * items + items, processor);
    cut.bizStep = 'commissioning';
    cut.disposition = 'active';
    cut.readPoint = { id: line };
    cut.bizLocation = { id: plantId };
    cut.ilmd = {
      'cbvmda:lotNumber': retailLot,
      'cbvmda:itemExpirationDate': localDate(t + 5 * DAY),
      'zs:slaughterCertificate': slaughterCertificate,
    };
    emit(t, cut);
  } else {
    // Packers list their pork products first when they do both; crops follow in CROPS order.
    product = processor.items[processor.items.length - CROPS.length + crop]!;
    const pack = ev('TransformationEvent');
    pack.inputQuantityList = produceLots.map(([item, lot, kg]) => ({ epcClass: lotClass(item, lot, processor), quantity: kg, uom: 'KGM' }));
    quantityLot = lotClass(product, retailLot, processor);
    pack.outputQuantityList = [{ epcClass: quantityLot, quantity: items }];
    pack.bizStep = 'commissioning';
    pack.disposition = 'active';
    pack.readPoint = { id: line };
    pack.bizLocation = { id: plantId };
    pack.ilmd = {
      'cbvmda:lotNumber': retailLot,
      'cbvmda:itemExpirationDate': localDate(t + 7 * DAY),
      'cbvmda:countryOfOrigin': 'CN',
      'zs:pesticideTestReport': `NC${day}${rng.digits(6)}`,
    };
    emit(t, pack);
  }

  // -- packing: items into cases, cases onto pallets.
  const caseSize = kind === 'pork' ? PORK_CASE : VEG_CASE;
  const caseCount = Math.ceil(items / caseSize);
  const palletCount = Math.ceil(caseCount / CASES_PER_PALLET);
  const containerBase = b * network.containerStride;
  const cases: Pair[] = [];
  const pallets: Pair[] = [];
  for (let c = 0; c < caseCount; c++) cases.push(ssccPair(processor, containerBase + c, rng.int(0, 9)));
  for (let p = 0; p < palletCount; p++) pallets.push(ssccPair(processor, containerBase + caseCount + p, rng.int(0, 9)));
  const caseFirst = (c: number) => b * items + c * caseSize;
  const caseEnd = (c: number) => Math.min(b * items + items, caseFirst(c) + caseSize);
  t += rng.int(30 * MINUTE, 2 * HOUR);
  for (let c = 0; c < caseCount; c++) {
    t += rng.int(1 * MINUTE, 4 * MINUTE);
    const e = ev('AggregationEvent');
    e.parentID = processor.epcDl ? cases[c]!.dl : cases[c]!.urn;
    if (kind === 'pork') e.childEPCs = serials(product, caseFirst(c), caseEnd(c), processor);
    else e.childQuantityList = [{ epcClass: quantityLot, quantity: caseEnd(c) - caseFirst(c) }];
    e.action = 'ADD';
    e.bizStep = 'packing';
    e.disposition = 'in_progress';
    e.readPoint = { id: line };
    e.bizLocation = { id: plantId };
    emit(t, e);
  }
  for (let p = 0; p < palletCount; p++) {
    t += rng.int(3 * MINUTE, 10 * MINUTE);
    const e = ev('AggregationEvent');
    e.parentID = processor.epcDl ? pallets[p]!.dl : pallets[p]!.urn;
    e.childEPCs = pick(cases.slice(p * CASES_PER_PALLET, (p + 1) * CASES_PER_PALLET), processor);
    e.action = 'ADD';
    e.bizStep = 'packing';
    e.disposition = 'in_progress';
    e.readPoint = { id: id(plant.point[2]!, processor) };
    e.bizLocation = { id: plantId };
    emit(t, e);
  }

  // -- processor to hub.
  const coldChain = kind === 'pork' || rng.chance(0.5);
  t += rng.int(1 * HOUR, 6 * HOUR);
  const shippedAt = t;
  const po = bizTransaction(hub, 'po', b, n++);
  const desadv = bizTransaction(processor, 'desadv', b, n++);
  const ship = observation({ epcList: pick(pallets, processor) }, 'shipping', 'in_transit', id(plant.point[0]!, processor));
  ship.bizTransactionList = orders(po, desadv);
  Object.assign(ship, parties(processor, processor, plant, hub, hubSite));
  emit(t, ship);

  t += rng.int(1 * HOUR, 4 * HOUR);
  if (coldChain && rng.chance(0.5)) {
    // Arrival check of the truck's temperature logger before the goods are accepted.
    const inspect = observation({ epcList: pick(pallets, hub) }, 'inspecting', 'conformant', id(hubSite.point[0]!, hub), id(hubSite.id, hub));
    const mean = kind === 'pork' ? 1.5 + rng.next() * 2 : 3 + rng.next() * 3;
    const logger = `${processor.cp}L${String(processor.index).padStart(3, '0')}${rng.int(1, 40)}`;
    inspect.sensorElementList = [
      {
        sensorMetadata: {
          startTime: formatTime(shippedAt),
          endTime: formatTime(t),
          deviceID: hub.epcDl ? `${DL}/8004/${logger}` : `urn:epc:id:giai:${processor.cp}.${logger.slice(processor.cp.length)}`,
        },
        sensorReport: [
          {
            type: 'Temperature',
            minValue: round1(mean - 0.5 - rng.next()),
            maxValue: round1(mean + 0.5 + rng.next()),
            meanValue: round1(mean),
            uom: 'CEL',
          },
        ],
      },
    ];
    emit(t, inspect);
    t += rng.int(10 * MINUTE, 30 * MINUTE);
  } else {
    t += rng.int(10 * MINUTE, 40 * MINUTE);
  }
  const receive = observation({ epcList: pick(pallets, hub) }, 'receiving', 'in_progress', id(hubSite.point[0]!, hub), id(hubSite.id, hub));
  receive.bizTransactionList = orders(po, desadv);
  Object.assign(receive, parties(hub, processor, plant, hub, hubSite));
  emit(t, receive);

  // -- hub: unpack the pallets.
  for (let p = 0; p < palletCount; p++) {
    t += rng.int(20 * MINUTE, 3 * HOUR);
    const e = ev('AggregationEvent');
    e.parentID = hub.epcDl ? pallets[p]!.dl : pallets[p]!.urn;
    e.childEPCs = pick(cases.slice(p * CASES_PER_PALLET, (p + 1) * CASES_PER_PALLET), hub);
    e.action = 'DELETE';
    e.bizStep = 'unpacking';
    e.disposition = 'in_progress';
    e.readPoint = { id: id(hubSite.point[1]!, hub) };
    e.bizLocation = { id: id(hubSite.id, hub) };
    emit(t, e);
  }
  const unpackedAt = t;

  // -- hub to stores, and sales there.
  const shipments = Math.min(caseCount, rng.int(1, 2));
  const first = rng.int(0, network.retailers.length - 1);
  let caseCursor = 0;
  for (let r = 0; r < shipments; r++) {
    const retailer = network.retailers[(first + r) % network.retailers.length]!;
    const store = rng.pick(retailer.sites);
    const take = r === shipments - 1 ? caseCount - caseCursor : Math.max(1, Math.round(caseCount / shipments));
    const shipCases = cases.slice(caseCursor, caseCursor + take);
    const firstCase = caseCursor;
    caseCursor += take;

    let ts = unpackedAt + rng.int(1 * HOUR, 10 * HOUR);
    const retailPo = bizTransaction(retailer, 'po', b, n++);
    const hubDesadv = bizTransaction(hub, 'desadv', b, n++);
    if (rng.chance(0.2)) {
      // The hub invoices the store's order against the cases picked for it.
      const tx = ev('TransactionEvent');
      tx.bizTransactionList = [
        { type: 'po', bizTransaction: retailPo },
        { type: 'inv', bizTransaction: bizTransaction(hub, 'inv', b, n++) },
      ];
      tx.epcList = pick(shipCases, hub);
      tx.action = 'ADD';
      tx.readPoint = { id: id(hubSite.point[1]!, hub) };
      tx.bizLocation = { id: id(hubSite.id, hub) };
      Object.assign(tx, parties(hub, hub, hubSite, retailer, store));
      emit(ts, tx);
      ts += rng.int(20 * MINUTE, 2 * HOUR);
    }
    const out = observation({ epcList: pick(shipCases, hub) }, 'shipping', 'in_transit', id(hubSite.point[0]!, hub));
    out.bizTransactionList = orders(retailPo, hubDesadv);
    Object.assign(out, parties(hub, hub, hubSite, retailer, store));
    emit(ts, out);

    ts += rng.int(1 * HOUR, 4 * HOUR);
    const inbound = observation({ epcList: pick(shipCases, retailer) }, 'receiving', 'sellable_accessible', id(store.point[0]!, retailer), id(store.id, retailer));
    inbound.bizTransactionList = orders(retailPo, hubDesadv);
    Object.assign(inbound, parties(retailer, hub, hubSite, retailer, store));
    emit(ts, inbound);

    // Sales: the first items of the delivered cases, one basket at a time.
    let next = caseFirst(firstCase);
    const end = caseEnd(firstCase + take - 1);
    const sales = rng.int(1, 4);
    const storeId = id(store.id, retailer);
    const till = id(store.point[1]!, retailer);
    const saleClass = kind === 'veg' ? lotClass(product, retailLot, retailer) : '';
    for (let s = 0; s < sales && next < end; s++) {
      ts += rng.int(20 * MINUTE, 10 * HOUR);
      const basket = Math.min(rng.int(1, 2), end - next);
      const sold = kind === 'pork' ? { epcList: serials(product, next, next + basket, retailer) } : { quantityList: [{ epcClass: saleClass, quantity: basket }] };
      next += basket;
      const sale = observation(sold, 'retail_selling', 'retail_sold', till, storeId);
      emit(ts, sale);
    }
  }

  return finish();
}

/**
 * The events of batch `b` in the 'lots' shape, sorted by time: lots from the farms to the packs, packs to the stores.
 * Things are named by lot wherever they are handled by quantity, and each pack's commissioning records its lot, so
 * that a trace has to go through lot membership as well as transformations and aggregation.
 */
function lotBatchEvents(network: Network, config: Config, b: number): GeneratedEvent[] {
  const rng = new Rng(batchSeed(config.seed, b));
  const { emit, ev, observation, orders, finish } = batchBuilder(network);
  const amount = (epcClass: string, quantity: number, uom: string | undefined) => (uom ? { epcClass, quantity, uom } : { epcClass, quantity });

  const items = config.itemsPerBatch;
  const t0 = config.startMs + b * config.intervalMs + rng.int(0, config.intervalMs - 1);
  const firstFarm = rng.pick(network.allFarms);
  const kind: Kind = firstFarm.kinds[0]!;
  const crop = kind === 'veg' ? rng.pick(firstFarm.crops) : -1;
  const sources = [firstFarm];
  if (rng.chance(0.35)) {
    const partners = network.farms[kind].filter((f) => f !== firstFarm && (crop < 0 || f.crops.includes(crop)));
    if (partners.length > 0) sources.push(rng.pick(partners));
  }
  const processor = rng.pick(network.processors[kind]);
  const plant = processor.sites.find((s) => s.location.kind === (kind === 'pork' ? 'slaughterhouse' : 'packing_centre'))!;
  const hub = rng.pick(network.hubs[kind]);
  const hubSite = hub.sites[0]!;
  const day = lotDate(t0);
  let n = 0; // business document counter within the batch

  // -- farms: lots commissioned by quantity, shipped to the processor and received there.
  let readyAt = t0;
  const farmLots: [Item, string, number, string | undefined][] = []; // product, lot, quantity, unit (none: a head count)
  for (let f = 0; f < sources.length; f++) {
    const farm = sources[f]!;
    const farmSite = farm.sites[0]!;
    const item = kind === 'pork' ? farm.items[0]! : farm.items[farm.crops.indexOf(crop)]!;
    let t = t0 + rng.int(0, 6 * HOUR);
    const lots = rng.int(1, 3);
    const mine: [Item, string, number, string | undefined][] = [];
    for (let p = 0; p < lots; p++) {
      t += rng.int(10 * MINUTE, 50 * MINUTE);
      const lot = `${kind === 'pork' ? 'Z' : 'H'}${day}${b}-${f}${p}`;
      const quantity = kind === 'pork' ? rng.int(8, 14) : rng.int(200, 800);
      const uom = kind === 'pork' ? undefined : 'KGM';
      const e = ev('ObjectEvent');
      e.quantityList = [amount(lotClass(item, lot, farm), quantity, uom)];
      e.action = 'ADD';
      e.bizStep = 'commissioning';
      e.disposition = 'active';
      e.readPoint = { id: id(farmSite.point[p]!, farm) };
      e.bizLocation = { id: id(farmSite.id, farm) };
      e.ilmd =
        kind === 'pork'
          ? { 'cbvmda:lotNumber': lot, 'cbvmda:countryOfOrigin': 'CN', 'zs:earTagBatch': `${farm.subject.regionCode}${day}${p + 1}` }
          : { 'cbvmda:lotNumber': lot, 'cbvmda:countryOfOrigin': 'CN' };
      emit(t, e);
      mine.push([item, lot, quantity, uom]);
    }

    // Pigs wait a day or two for transport and the quarantine certificate; vegetables leave the same day.
    t += kind === 'pork' ? rng.int(12 * HOUR, 40 * HOUR) : rng.int(1 * HOUR, 5 * HOUR);
    const po = bizTransaction(processor, 'po', b, n++);
    const desadv = bizTransaction(farm, 'desadv', b, n++);
    const ship = observation({ quantityList: mine.map(([it, lot, q, uom]) => amount(lotClass(it, lot, farm), q, uom)) }, 'shipping', 'in_transit', id(farmSite.point[0]!, farm));
    ship.bizTransactionList = orders(po, desadv);
    Object.assign(ship, parties(farm, farm, farmSite, processor, plant));
    const certificate = `${farm.subject.regionCode.slice(0, 2)}${rng.digits(9)}`;
    if (kind === 'pork') {
      ship['zs:quarantineCertificate'] = certificate;
      ship['zs:vehiclePlate'] = `浙${farm.plateLetter}${rng.digits(5)}`;
    }
    emit(t, ship);

    t += rng.int(90 * MINUTE, 5 * HOUR);
    const delivered = () => mine.map(([it, lot, q, uom]) => amount(lotClass(it, lot, processor), q, uom));
    const receive = observation({ quantityList: delivered() }, 'receiving', 'in_progress', id(plant.point[0]!, processor), id(plant.id, processor));
    receive.bizTransactionList = orders(po, desadv);
    Object.assign(receive, parties(processor, farm, farmSite, processor, plant));
    emit(t, receive);

    if (kind === 'pork' && rng.chance(0.3)) {
      t += rng.int(10 * MINUTE, 40 * MINUTE);
      const inspect = observation({ quantityList: delivered() }, 'inspecting', 'conformant', id(plant.point[0]!, processor), id(plant.id, processor));
      inspect['zs:quarantineCertificate'] = certificate;
      emit(t, inspect);
    }
    for (const lot of mine) farmLots.push(lot);
    if (t > readyAt) readyAt = t;
  }

  // -- processor: farm lots into product lots.
  let t = readyAt + rng.int(2 * HOUR, 10 * HOUR);
  const line = id(plant.point[1]!, processor);
  const plantId = id(plant.id, processor);
  const inputs = farmLots.map(([it, lot, q, uom]) => amount(lotClass(it, lot, processor), q, uom));
  const productLots: [Item, string, number][] = []; // product, lot, packs
  let shelfLife: number;
  if (kind === 'pork') {
    shelfLife = 5 * DAY;
    const carcass = processor.items[0]!;
    const carcassLot = `C${day}${b}`;
    const heads = farmLots.reduce((sum, [, , q]) => sum + q, 0);
    const kg = round1(heads * (70 + rng.next() * 20));
    const slaughterCertificate = `${processor.subject.regionCode}${day}${String(b % 100000).padStart(5, '0')}`;
    const kill = ev('TransformationEvent');
    kill.inputQuantityList = inputs;
    kill.outputQuantityList = [{ epcClass: lotClass(carcass, carcassLot, processor), quantity: kg, uom: 'KGM' }];
    kill.bizStep = 'killing';
    kill.disposition = 'in_progress';
    kill.readPoint = { id: line };
    kill.bizLocation = { id: plantId };
    kill.ilmd = { 'cbvmda:lotNumber': carcassLot, 'zs:slaughterCertificate': slaughterCertificate };
    emit(t, kill);

    // Two different cuts of the carcass, each its own lot; a sole processor's items go on with crops after the cuts.
    t += rng.int(3 * HOUR, 8 * HOUR);
    const first = rng.int(1, PORK_CUTS.length);
    const second = 1 + ((first - 1 + rng.int(1, PORK_CUTS.length - 1)) % PORK_CUTS.length);
    const split = items < 2 ? items : rng.int(Math.max(1, Math.round(items * 0.35)), Math.min(items - 1, Math.round(items * 0.65)));
    productLots.push([processor.items[first]!, `P${day}${b}A`, split]);
    if (items - split > 0) productLots.push([processor.items[second]!, `P${day}${b}B`, items - split]);
    const cut = ev('TransformationEvent');
    cut.inputQuantityList = [{ epcClass: lotClass(carcass, carcassLot, processor), quantity: kg, uom: 'KGM' }];
    cut.outputQuantityList = productLots.map(([it, lot, packs]) => ({ epcClass: lotClass(it, lot, processor), quantity: packs }));
    cut.bizStep = 'creating_class_instance';
    cut.disposition = 'in_progress';
    cut.readPoint = { id: line };
    cut.bizLocation = { id: plantId };
    cut.ilmd = { 'cbvmda:itemExpirationDate': localDate(t + shelfLife), 'zs:slaughterCertificate': slaughterCertificate };
    emit(t, cut);
  } else {
    shelfLife = 7 * DAY;
    const product = processor.items[processor.items.length - CROPS.length + crop]!;
    const lot = `V${day}${b}`;
    productLots.push([product, lot, items]);
    const pack = ev('TransformationEvent');
    pack.inputQuantityList = inputs;
    pack.outputQuantityList = [{ epcClass: lotClass(product, lot, processor), quantity: items }];
    pack.bizStep = 'creating_class_instance';
    pack.disposition = 'in_progress';
    pack.readPoint = { id: line };
    pack.bizLocation = { id: plantId };
    pack.ilmd = {
      'cbvmda:lotNumber': lot,
      'cbvmda:itemExpirationDate': localDate(t + shelfLife),
      'cbvmda:countryOfOrigin': 'CN',
      'zs:pesticideTestReport': `NC${day}${rng.digits(6)}`,
    };
    emit(t, pack);
  }

  // -- the packs of each lot: labelled (commissioned with their lot) and packed into cases of their own lot.
  const caseSize = kind === 'pork' ? LOTS_PORK_CASE : LOTS_VEG_CASE;
  const containerBase = b * network.containerStride;
  let containers = 0;
  const cases: { pair: Pair; product: Item; from: number; to: number }[] = [];
  let serial = b * items;
  for (const [product, lot, packs] of productLots) {
    t += rng.int(20 * MINUTE, 1 * HOUR);
    const e = ev('ObjectEvent');
    e.epcList = serials(product, serial, serial + packs, processor);
    e.action = 'ADD';
    e.bizStep = 'commissioning';
    e.disposition = 'active';
    e.readPoint = { id: line };
    e.bizLocation = { id: plantId };
    e.ilmd = { 'cbvmda:lotNumber': lot, 'cbvmda:itemExpirationDate': localDate(t + shelfLife) };
    emit(t, e);
    for (let from = serial; from < serial + packs; from += caseSize) {
      cases.push({ pair: ssccPair(processor, containerBase + containers++, rng.int(0, 9)), product, from, to: Math.min(serial + packs, from + caseSize) });
    }
    serial += packs;
  }
  for (const c of cases) {
    t += rng.int(1 * MINUTE, 4 * MINUTE);
    const e = ev('AggregationEvent');
    e.parentID = processor.epcDl ? c.pair.dl : c.pair.urn;
    e.childEPCs = serials(c.product, c.from, c.to, processor);
    e.action = 'ADD';
    e.bizStep = 'packing';
    e.disposition = 'in_progress';
    e.readPoint = { id: line };
    e.bizLocation = { id: plantId };
    emit(t, e);
  }
  const pallets: { pair: Pair; cases: typeof cases }[] = [];
  for (let c = 0; c < cases.length; c += CASES_PER_PALLET) {
    pallets.push({ pair: ssccPair(processor, containerBase + containers++, rng.int(0, 9)), cases: cases.slice(c, c + CASES_PER_PALLET) });
  }
  for (const pallet of pallets) {
    t += rng.int(3 * MINUTE, 10 * MINUTE);
    const e = ev('AggregationEvent');
    e.parentID = processor.epcDl ? pallet.pair.dl : pallet.pair.urn;
    e.childEPCs = pick(pallet.cases.map((c) => c.pair), processor);
    e.action = 'ADD';
    e.bizStep = 'packing';
    e.disposition = 'in_progress';
    e.readPoint = { id: id(plant.point[2]!, processor) };
    e.bizLocation = { id: plantId };
    emit(t, e);
  }
  const palletPairs = pallets.map((p) => p.pair);

  // -- processor to hub.
  t += rng.int(1 * HOUR, 6 * HOUR);
  const shippedAt = t;
  const po = bizTransaction(hub, 'po', b, n++);
  const desadv = bizTransaction(processor, 'desadv', b, n++);
  const ship = observation({ epcList: pick(palletPairs, processor) }, 'shipping', 'in_transit', id(plant.point[0]!, processor));
  ship.bizTransactionList = orders(po, desadv);
  Object.assign(ship, parties(processor, processor, plant, hub, hubSite));
  emit(t, ship);
  t += rng.int(1 * HOUR, 4 * HOUR);
  if ((kind === 'pork' || rng.chance(0.5)) && rng.chance(0.5)) {
    // Arrival check of the truck's temperature logger before the goods are accepted.
    const inspect = observation({ epcList: pick(palletPairs, hub) }, 'inspecting', 'conformant', id(hubSite.point[0]!, hub), id(hubSite.id, hub));
    const mean = kind === 'pork' ? 1.5 + rng.next() * 2 : 3 + rng.next() * 3;
    inspect.sensorElementList = [
      {
        sensorMetadata: { startTime: formatTime(shippedAt), endTime: formatTime(t) },
        sensorReport: [{ type: 'Temperature', minValue: round1(mean - 0.5 - rng.next()), maxValue: round1(mean + 0.5 + rng.next()), meanValue: round1(mean), uom: 'CEL' }],
      },
    ];
    emit(t, inspect);
  }
  t += rng.int(10 * MINUTE, 40 * MINUTE);
  const receive = observation({ epcList: pick(palletPairs, hub) }, 'receiving', 'in_progress', id(hubSite.point[0]!, hub), id(hubSite.id, hub));
  receive.bizTransactionList = orders(po, desadv);
  Object.assign(receive, parties(hub, processor, plant, hub, hubSite));
  emit(t, receive);
  const receivedAt = t;

  // -- hub to stores: whole pallets, unpacked in the store, some packs sold.
  const shipments = Math.min(pallets.length, rng.int(1, 2));
  const firstRetailer = rng.int(0, network.retailers.length - 1);
  let palletCursor = 0;
  for (let r = 0; r < shipments; r++) {
    const retailer = network.retailers[(firstRetailer + r) % network.retailers.length]!;
    const store = rng.pick(retailer.sites);
    const take = r === shipments - 1 ? pallets.length - palletCursor : Math.max(1, Math.round(pallets.length / shipments));
    const sent = pallets.slice(palletCursor, palletCursor + take);
    palletCursor += take;
    const sentPairs = sent.map((p) => p.pair);

    let ts = receivedAt + rng.int(2 * HOUR, 20 * HOUR);
    const retailPo = bizTransaction(retailer, 'po', b, n++);
    const hubDesadv = bizTransaction(hub, 'desadv', b, n++);
    if (rng.chance(0.2)) {
      const tx = ev('TransactionEvent');
      tx.bizTransactionList = [
        { type: 'po', bizTransaction: retailPo },
        { type: 'inv', bizTransaction: bizTransaction(hub, 'inv', b, n++) },
      ];
      tx.epcList = pick(sentPairs, hub);
      tx.action = 'ADD';
      tx.readPoint = { id: id(hubSite.point[1]!, hub) };
      tx.bizLocation = { id: id(hubSite.id, hub) };
      Object.assign(tx, parties(hub, hub, hubSite, retailer, store));
      emit(ts, tx);
      ts += rng.int(20 * MINUTE, 2 * HOUR);
    }
    const out = observation({ epcList: pick(sentPairs, hub) }, 'shipping', 'in_transit', id(hubSite.point[0]!, hub));
    out.bizTransactionList = orders(retailPo, hubDesadv);
    Object.assign(out, parties(hub, hub, hubSite, retailer, store));
    emit(ts, out);

    ts += rng.int(1 * HOUR, 4 * HOUR);
    const storeId = id(store.id, retailer);
    const inbound = observation({ epcList: pick(sentPairs, retailer) }, 'receiving', 'sellable_not_accessible', id(store.point[0]!, retailer), storeId);
    inbound.bizTransactionList = orders(retailPo, hubDesadv);
    Object.assign(inbound, parties(retailer, hub, hubSite, retailer, store));
    emit(ts, inbound);

    const backroom = id(store.point[2]!, retailer);
    const shelved: [Item, number][] = [];
    for (const pallet of sent) {
      ts += rng.int(20 * MINUTE, 3 * HOUR);
      const e = ev('AggregationEvent');
      e.parentID = retailer.epcDl ? pallet.pair.dl : pallet.pair.urn;
      e.childEPCs = pick(pallet.cases.map((c) => c.pair), retailer);
      e.action = 'DELETE';
      e.bizStep = 'unpacking';
      e.disposition = 'in_progress';
      e.readPoint = { id: backroom };
      e.bizLocation = { id: storeId };
      emit(ts, e);
      for (const c of pallet.cases) {
        ts += rng.int(2 * MINUTE, 20 * MINUTE);
        const u = ev('AggregationEvent');
        u.parentID = retailer.epcDl ? c.pair.dl : c.pair.urn;
        u.childEPCs = serials(c.product, c.from, c.to, retailer);
        u.action = 'DELETE';
        u.bizStep = 'unpacking';
        u.disposition = 'sellable_accessible';
        u.readPoint = { id: backroom };
        u.bizLocation = { id: storeId };
        emit(ts, u);
        for (let s = c.from; s < c.to; s++) shelved.push([c.product, s]);
      }
    }

    // Sales: baskets of 1–3 packs, spread over the shelves, over the next days.
    const till = id(store.point[1]!, retailer);
    const sales = rng.int(4, 10) * sent.length;
    let next = rng.int(0, 3);
    for (let s = 0; s < sales && next < shelved.length; s++) {
      ts += rng.int(10 * MINUTE, 4 * HOUR);
      const basket = shelved.slice(next, next + rng.int(1, 3));
      next += basket.length + rng.int(0, 6);
      const sold = basket.map(([it, serialNumber]) => serials(it, serialNumber, serialNumber + 1, retailer)[0]!);
      emit(ts, observation({ epcList: sold }, 'retail_selling', 'retail_sold', till, storeId));
    }
  }
  return finish();
}

function epcisDocument(eventList: GeneratedEvent[], latest: number): Record<string, unknown> {
  return {
    '@context': documentContext(),
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    // A document is created once its last event has happened.
    creationDate: formatTime(latest + MINUTE),
    epcisBody: { eventList },
  };
}
