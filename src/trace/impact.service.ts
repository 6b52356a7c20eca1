import type { Principal } from '../access/principal.js';
import { CANONICAL_DIGITAL_LINK_BASE, parseDigitalLink } from '../codes/gs1/digital-link.js';
import { identifierOf, scanCode } from '../codes/registry.js';
import { regionName, regionPath } from '../codes/region.js';
import type { Database } from '../db/index.js';
import { invalid, tooLarge, type ErrorDetail } from '../domain/errors.js';
import { normaliseBizStep, normaliseDisposition } from '../epcis/cbv.js';
import { shortType } from '../epcis/event-index.js';
import type { ExportedProofs, TransparencyLog } from '../log/log.service.js';
import { addProofSheet, addSheet, csvText, newWorkbook, xlsxBuffer, XLSX_TYPE, type Column } from './spreadsheet.js';
import { TraceRepository, type TraceLocation, type TraceSubject } from './trace.repository.js';
import { DEFAULT_TRACE_DEPTH, MAX_TRACE_NODES, type TracedEvent, type TraceNode, type TraceService } from './trace.service.js';

/**
 * Impact assessment (流向范围及影响评估): where the goods of one code or a set of lots went, who holds how much of
 * them, and every movement they made, built on forward traces. Each trace reads only what the asking key may read,
 * so an assessment is narrowed by the same tenancy rule as the trace, with nothing to add here.
 *
 * Quantities never mix units of measure: they are summed per unit, an instance (a serial, an SSCC) counting 1 'EA',
 * a quantity without a unit counting in 'EA' as well (EPCIS: a count of instances). A container moved whole counts as
 * the traced goods packed into it by then, so a pallet of four affected items ships 4 EA, not 1.
 */

/** More codes than this in one request are refused: each is a trace of its own. */
export const MAX_IMPACT_CODES = 100;
/** Movements beyond this are refused rather than cut: a recall list that stops half-way looks complete. */
export const MAX_IMPACT_MOVEMENTS = 200_000;

export interface Amount {
  uom: string;
  quantity: number;
}

/** One side of a movement: a subject (主体) and its place, either of which may be unknown. */
export interface ImpactParty {
  subjectId: string | null;
  subjectCode: string | null;
  subjectName: string | null;
  gln: string | null;
  locationName: string | null;
}

/** A movement of one traced thing (its fields as in ImpactThing). */
export interface ImpactMovement extends ImpactThing {
  eventID: string;
  eventType: string;
  /** As recorded, with its offset. */
  eventTime: string;
  timeZoneOffset: string;
  bizStep: string | null;
  disposition: string | null;
  /** Null when the event names the class without a quantity. */
  quantity: number | null;
  uom: string | null;
  /** For a container: the traced goods packed into it when it moved. */
  contents: Amount[];
  from: ImpactParty;
  to: ImpactParty;
  /** Where it happened: the region of the place, else of the acting subject. */
  regionCode: string | null;
  region: string | null;
}

export interface ImpactBalance {
  uom: string;
  /** Commissioned there (ObjectEvent ADD) or made there by a transformation. */
  produced: number;
  received: number;
  shipped: number;
  /** bizStep retail_selling. */
  sold: number;
  /** bizStep dispensing. */
  dispensed: number;
  /** Used up there as the input of a transformation. */
  consumed: number;
  /** produced + received − shipped − sold − dispensed − consumed. */
  remaining: number;
}

export interface ImpactHolder {
  /** A registered subject, or an unregistered place known only by its GLN (then subjectId is null). */
  subjectId: string | null;
  subjectCode: string | null;
  name: string | null;
  regionCode: string | null;
  region: string | null;
  glns: string[];
  balances: ImpactBalance[];
  movements: number;
  firstDate: string | null;
  lastDate: string | null;
}

export interface ImpactRegion {
  level: 'province' | 'city' | 'county';
  code: string;
  name: string | null;
  subjectIds: string[];
  locationGlns: string[];
}

export interface ImpactThing {
  /** The thing: its identifier, and the code as printed. */
  code: string;
  text: string;
  kind: string;
  productName: string | null;
  gtin: string | null;
  lot: string | null;
}

export interface ImpactAssessment {
  assessedAt: string;
  /** What was asked for: each code as scanned and the identifier it was read as. */
  codes: { scanned: string; code: string }[];
  /** The things reached that the key may read any event of. */
  things: ImpactThing[];
  subjects: (TraceSubject & { region: string | null })[];
  locations: (TraceLocation & { region: string | null })[];
  regions: ImpactRegion[];
  holders: ImpactHolder[];
  /** Over all holders, per unit. */
  totals: ImpactBalance[];
  movements: ImpactMovement[];
  warnings: string[];
  /** When asked for: the transparency log's proof of every movement's event, to check the export offline. */
  proofs?: ExportedProofs;
}

export type SpreadsheetFormat = 'xlsx' | 'csv';

export interface Spreadsheet {
  body: Buffer;
  contentType: string;
  filename: string;
  assessment: ImpactAssessment;
}

const MOVEMENT_STEPS = new Set(['shipping', 'receiving', 'retail_selling', 'dispensing']);
const EACH = 'EA';

/** What an event says about one traced thing. */
interface Mention {
  event: TracedEvent;
  code: string;
  quantity: number | null;
  uom: string | null;
  role: 'moved' | 'produced' | 'consumed';
}

interface AggregationLink {
  child: string;
  time: number;
  quantity: number | null;
  uom: string | null;
}

export class ImpactService {
  constructor(
    private readonly database: Database,
    private readonly trace: TraceService,
    private readonly log: TransparencyLog,
  ) {}

  async assess(actor: Principal, scanned: string[], depth = DEFAULT_TRACE_DEPTH, options: { proofs?: boolean } = {}): Promise<ImpactAssessment> {
    const codes = identifyAll(scanned);
    const nodes = new Map<string, TraceNode>();
    const events = new Map<string, Map<string, TracedEvent>>();
    const lotOf = new Map<string, string>();
    const children = new Map<string, AggregationLink[]>();
    const subjects = new Map<string, TraceSubject>();
    const locations = new Map<string, TraceLocation>();
    const warnings: string[] = [];
    for (const { code } of codes) {
      const { result, events: read } = await this.trace.traceWithEvents(actor, code, 'forward', depth);
      const codeOf = new Map(result.nodes.map((n) => [n.id, n.code]));
      for (const node of result.nodes) {
        if (!nodes.has(node.code)) nodes.set(node.code, node);
        const mine = events.get(node.code) ?? new Map<string, TracedEvent>();
        for (const e of read.get(node.id) ?? []) mine.set(e.eventID, e);
        events.set(node.code, mine);
      }
      for (const edge of result.edges) {
        const [from, to] = [codeOf.get(edge.from)!, codeOf.get(edge.to)!];
        if (edge.relation === 'lot') lotOf.set(to, from);
        if (edge.relation === 'aggregation') {
          const list = children.get(to) ?? [];
          if (!list.some((l) => l.child === from && l.time === Date.parse(edge.eventTime))) list.push({ child: from, time: Date.parse(edge.eventTime), quantity: edge.quantity, uom: edge.uom });
          children.set(to, list);
        }
      }
      for (const s of result.subjects) subjects.set(s.id, s);
      for (const l of result.locations) if (l.id !== null) locations.set(l.gln, l);
      for (const w of result.warnings) if (!warnings.includes(w)) warnings.push(w);
      if (nodes.size > MAX_TRACE_NODES) throw tooLarge('impact-too-large', `the assessment reaches more than ${MAX_TRACE_NODES.toLocaleString('en')} things; assess fewer codes at a time or lower depth`);
    }

    const mentions: Mention[] = [];
    const seen = new Set<string>();
    for (const [code, list] of events) {
      for (const event of list.values()) {
        const key = `${event.eventID}\u0000${code}`;
        if (seen.has(key)) continue;
        seen.add(key);
        mentions.push(...mentionsOf(event, code));
      }
    }
    const moved = mentions.filter((m) => m.role === 'moved');
    if (moved.length > MAX_IMPACT_MOVEMENTS) throw tooLarge('impact-too-large', `the assessment has more than ${MAX_IMPACT_MOVEMENTS.toLocaleString('en')} movements; assess fewer codes at a time`);

    // Parties and places named only as sources or destinations are not among the trace's places: look them up too.
    const repo = new TraceRepository(this.database.db);
    const glns = new Set<string>();
    const partyGlns = new Set<string>();
    for (const m of mentions) {
      const s = sidesOf(m.event);
      for (const side of [s.from, s.to]) {
        if (side.location) glns.add(side.location);
        if (side.party) partyGlns.add(side.party);
      }
      if (s.place) glns.add(s.place);
    }
    const unknownPlaces = [...new Set([...glns, ...partyGlns])].filter((g) => !locations.has(g));
    const places = await repo.placesWithOwners(unknownPlaces);
    for (const [gln, l] of places.locations) locations.set(gln, l);
    for (const [id, s] of places.subjects) if (!subjects.has(id)) subjects.set(id, s);
    const owners = await repo.prefixOwners([...partyGlns].filter((g) => !locations.has(g)));
    const wanted = [...locations.values()].map((l) => l.subjectId).concat([...owners.values()]).filter((id) => !subjects.has(id));
    for (const [id, s] of await repo.subjects([...new Set(wanted)])) subjects.set(id, s);

    const ownerOf = (gln: string | null): string | null => (gln ? (locations.get(gln)?.subjectId ?? owners.get(gln) ?? null) : null);
    const party = (subjectId: string | null, gln: string | null): ImpactParty => {
      const subject = subjectId ? subjects.get(subjectId) : undefined;
      const place = gln ? locations.get(gln) : undefined;
      return { subjectId: subject?.id ?? null, subjectCode: subject?.subjectCode ?? null, subjectName: subject?.name ?? null, gln, locationName: place?.name ?? null };
    };

    const thingOf = (code: string): ImpactThing => {
      const node = nodes.get(code)!;
      const lot = lotNumber(code) ?? (lotOf.has(code) ? lotNumber(lotOf.get(code)!) : null);
      return { code, text: node.text, kind: node.kind, productName: node.product?.name ?? null, gtin: node.product?.gtin ?? gtinOf(code), lot };
    };
    const contentsOf = (code: string, time: number, path: Set<string> = new Set()): Amount[] => {
      const amounts = new Map<string, number>();
      path.add(code);
      for (const link of children.get(code) ?? []) {
        if (link.time > time || path.has(link.child)) continue;
        const inner = contentsOf(link.child, time, path);
        const kind = nodes.get(link.child)?.kind;
        const own = inner.length ? inner : link.quantity !== null ? [{ uom: link.uom ?? EACH, quantity: link.quantity }] : kind === 'lot' || kind === 'class' ? [] : [{ uom: EACH, quantity: 1 }];
        for (const a of own) amounts.set(a.uom, (amounts.get(a.uom) ?? 0) + a.quantity);
      }
      path.delete(code);
      return [...amounts].map(([uom, quantity]) => ({ uom, quantity }));
    };

    const holders = new Map<string, HolderTally>();
    const tally = (subjectId: string | null, gln: string | null): HolderTally | undefined => {
      const key = subjectId ?? (gln ? `gln:${gln}` : null);
      if (!key) return undefined;
      let h = holders.get(key);
      if (!h) {
        h = { subjectId, gln: subjectId ? null : gln, glns: new Set(), balances: new Map(), movements: 0, first: null, last: null };
        holders.set(key, h);
      }
      if (gln) h.glns.add(gln);
      return h;
    };
    const count = (h: HolderTally | undefined, field: BalanceField, amounts: Amount[], event: TracedEvent) => {
      if (!h) return;
      for (const a of amounts) {
        const b = h.balances.get(a.uom) ?? emptyBalance(a.uom);
        b[field] += a.quantity;
        h.balances.set(a.uom, b);
      }
      seenAt(h, event);
    };

    const movements: ImpactMovement[] = [];
    // A TransactionEvent often restates an ObjectEvent's movement under a purchase order: the goods moved once.
    const restated = new Set(mentions.filter((m) => m.role === 'moved' && m.event.type === 'ObjectEvent').map(movementKey));
    for (const m of mentions) {
      const e = m.event;
      const sides = sidesOf(e);
      const own: Amount[] = m.quantity === null ? [] : [{ uom: m.uom ?? EACH, quantity: m.quantity }];
      const thing = thingOf(m.code);
      const contents = thing.kind === 'container' ? contentsOf(m.code, e.time) : [];
      const amounts = contents.length ? contents : own;
      if (m.role !== 'moved') {
        const placeOwner = ownerOf(sides.place);
        count(tally(placeOwner, sides.place), m.role, amounts, e);
        continue;
      }
      const step = stepOf(e.bizStep);
      // Who hands over: the owning party when known, else whoever has the place it left from; who takes it, likewise.
      const fromGln = sides.from.location ?? (step === 'receiving' ? null : sides.place);
      const toGln = sides.to.location ?? (step === 'receiving' ? sides.place : null);
      const fromSubject = ownerOf(sides.from.party) ?? ownerOf(fromGln);
      const toSubject = ownerOf(sides.to.party) ?? ownerOf(toGln);
      const sender = tally(fromSubject, fromGln);
      const receiver = tally(toSubject, toGln);
      for (const h of new Set([sender, receiver])) if (h) h.movements += 1;
      const field: BalanceField | null = step === 'shipping' ? 'shipped' : step === 'receiving' ? 'received' : step === 'retail_selling' ? 'sold' : step === 'dispensing' ? 'dispensed' : null;
      // A holder's dates are those of its own acts: the receiver's of a receipt, the sender's of a shipment or a sale.
      const actor = field === 'received' ? receiver : sender;
      if (field && !(e.type === 'TransactionEvent' && restated.has(movementKey(m)))) {
        count(actor, field, amounts, e);
      } else if (field && actor) {
        seenAt(actor, e);
      } else if (!field) {
        for (const h of [sender, receiver]) if (h) seenAt(h, e);
      }
      const from = party(fromSubject, fromGln);
      const to = party(toSubject, toGln);
      const where = (step === 'receiving' ? toGln : fromGln) ?? sides.place;
      const actingSubject = step === 'receiving' ? toSubject : fromSubject;
      const regionCode = (where ? locations.get(where)?.regionCode : undefined) ?? (actingSubject ? subjects.get(actingSubject)?.regionCode : undefined) ?? null;
      movements.push({
        eventID: e.eventID,
        eventType: e.type,
        eventTime: e.eventTime,
        timeZoneOffset: offsetOf(e),
        bizStep: step,
        disposition: e.disposition ? normalised(normaliseDisposition(e.disposition), e.disposition) : null,
        code: m.code,
        text: thing.text,
        kind: thing.kind,
        productName: thing.productName,
        gtin: thing.gtin,
        lot: thing.lot,
        quantity: m.quantity,
        uom: m.quantity === null ? (m.uom ?? null) : (m.uom ?? EACH),
        contents,
        from,
        to,
        regionCode,
        region: regionCode ? regionLabel(regionCode) : null,
      });
    }
    movements.sort((a, b) => Date.parse(a.eventTime) - Date.parse(b.eventTime) || a.eventID.localeCompare(b.eventID) || a.code.localeCompare(b.code));

    const affectedSubjects = new Set<string>([...subjects.keys()]);
    for (const h of holders.values()) if (h.subjectId) affectedSubjects.add(h.subjectId);
    const subjectList = [...affectedSubjects].map((id) => subjects.get(id)!).filter(Boolean).sort(byRegionThenName);
    const locationList = [...locations.values()].sort((a, b) => a.regionCode.localeCompare(b.regionCode) || a.gln.localeCompare(b.gln));

    const holderList: ImpactHolder[] = [...holders.values()].map((h) => {
      const subject = h.subjectId ? subjects.get(h.subjectId) : undefined;
      const place = h.gln ? locations.get(h.gln) : undefined;
      const regionCode = subject?.regionCode ?? place?.regionCode ?? null;
      return {
        subjectId: h.subjectId,
        subjectCode: subject?.subjectCode ?? null,
        name: subject?.name ?? place?.name ?? null,
        regionCode,
        region: regionCode ? regionLabel(regionCode) : null,
        glns: [...h.glns].sort(),
        balances: [...h.balances.values()].map(withRemaining).sort((a, b) => a.uom.localeCompare(b.uom)),
        movements: h.movements,
        firstDate: h.first?.eventTime ?? null,
        lastDate: h.last?.eventTime ?? null,
      };
    });
    holderList.sort((a, b) => (a.regionCode ?? '~').localeCompare(b.regionCode ?? '~') || (a.name ?? '').localeCompare(b.name ?? '') || (a.subjectId ?? '').localeCompare(b.subjectId ?? ''));

    const totals = new Map<string, ImpactBalance>();
    for (const h of holderList) {
      for (const b of h.balances) {
        const t = totals.get(b.uom) ?? emptyBalance(b.uom);
        for (const f of BALANCE_FIELDS) t[f] += b[f];
        totals.set(b.uom, t);
      }
    }

    const readable = [...nodes.keys()].filter((code) => (events.get(code)?.size ?? 0) > 0);
    return {
      assessedAt: new Date().toISOString(),
      codes,
      things: readable.map(thingOf),
      subjects: subjectList.map((s) => ({ ...s, region: regionLabel(s.regionCode) })),
      locations: locationList.map((l) => ({ ...l, region: regionLabel(l.regionCode) })),
      regions: regionsOf(subjectList, locationList),
      holders: holderList,
      totals: [...totals.values()].map(withRemaining).sort((a, b) => a.uom.localeCompare(b.uom)),
      movements,
      warnings,
      ...(options.proofs ? { proofs: await this.log.inclusions({ events: movements.map((m) => m.eventID) }) } : {}),
    };
  }

  /** The assessment's movements as a spreadsheet: XLSX (with a second sheet per holder) or CSV. */
  async spreadsheet(actor: Principal, scanned: string[], format: SpreadsheetFormat, depth = DEFAULT_TRACE_DEPTH, options: { proofs?: boolean } = {}): Promise<Spreadsheet> {
    return spreadsheetOf(await this.assess(actor, scanned, depth, options), format);
  }
}

export async function spreadsheetOf(assessment: ImpactAssessment, format: SpreadsheetFormat): Promise<Spreadsheet> {
  const stamp = assessment.assessedAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const filename = `impact-${stamp}.${format}`;
  if (format === 'csv') return { body: Buffer.from(impactCsv(assessment), 'utf8'), contentType: 'text/csv; charset=utf-8', filename, assessment };
  return { body: await impactXlsx(assessment), contentType: XLSX_TYPE, filename, assessment };
}

// --- spreadsheets ----------------------------------------------------------------------------------------------

/** The key data elements of a movement, in the order a recall team reads them. */
export const MOVEMENT_COLUMNS: Column<ImpactMovement>[] = [
  { header: '时间 Event time', width: 20, format: 'yyyy-mm-dd hh:mm:ss', value: (m) => wallClock(m.eventTime, m.timeZoneOffset) },
  { header: '时区 Offset', width: 11, value: (m) => `UTC${m.timeZoneOffset}` },
  { header: '业务步骤 Business step', width: 16, value: (m) => m.bizStep },
  { header: '状态 Disposition', width: 14, value: (m) => m.disposition },
  { header: '追溯码 Code', width: 34, value: (m) => m.text },
  { header: '标识 Identifier', width: 50, value: (m) => m.code },
  { header: '产品 Product', width: 20, value: (m) => m.productName },
  { header: 'GTIN', width: 16, value: (m) => m.gtin },
  { header: '批号 Lot', width: 14, value: (m) => m.lot },
  { header: '数量 Quantity', width: 10, format: '#,##0.###', value: (m) => m.quantity },
  { header: '单位 UOM', width: 8, value: (m) => m.uom },
  { header: '内含 Contents', width: 14, value: (m) => (m.contents.length ? m.contents.map((a) => `${a.quantity} ${a.uom}`).join('; ') : null) },
  { header: '发出主体 From subject', width: 22, value: (m) => m.from.subjectName },
  { header: '发出主体码 From subject code', width: 22, value: (m) => m.from.subjectCode },
  { header: '发出地点 From location', width: 18, value: (m) => m.from.locationName },
  { header: '发出地点 GLN From GLN', width: 16, value: (m) => m.from.gln },
  { header: '接收主体 To subject', width: 22, value: (m) => m.to.subjectName },
  { header: '接收主体码 To subject code', width: 22, value: (m) => m.to.subjectCode },
  { header: '接收地点 To location', width: 18, value: (m) => m.to.locationName },
  { header: '接收地点 GLN To GLN', width: 16, value: (m) => m.to.gln },
  { header: '行政区划 Region code', width: 10, value: (m) => m.regionCode },
  { header: '地区 Region', width: 24, value: (m) => m.region },
  { header: '事件 Event ID', width: 44, value: (m) => m.eventID },
];

interface HolderRow {
  holder: ImpactHolder;
  balance: ImpactBalance | null;
}

const HOLDER_COLUMNS: Column<HolderRow>[] = [
  { header: '主体 Holder', width: 24, value: (r) => r.holder.name },
  { header: '主体码 Subject code', width: 22, value: (r) => r.holder.subjectCode },
  { header: '行政区划 Region code', width: 10, value: (r) => r.holder.regionCode },
  { header: '地区 Region', width: 24, value: (r) => r.holder.region },
  { header: '地点 GLNs', width: 16, value: (r) => r.holder.glns.join(' ') || null },
  { header: '单位 UOM', width: 8, value: (r) => r.balance?.uom ?? null },
  ...(
    [
      ['生产 Produced', 'produced'],
      ['收货 Received', 'received'],
      ['发货 Shipped', 'shipped'],
      ['零售 Sold', 'sold'],
      ['调剂 Dispensed', 'dispensed'],
      ['投料 Consumed', 'consumed'],
      ['结存 Remaining', 'remaining'],
    ] as const
  ).map(([header, field]) => ({ header, width: 11, format: '#,##0.###', value: (r: HolderRow) => r.balance?.[field] ?? null })),
  { header: '首次 First', width: 20, format: 'yyyy-mm-dd hh:mm:ss', value: (r) => (r.holder.firstDate ? wallClock(r.holder.firstDate) : null) },
  { header: '最近 Last', width: 20, format: 'yyyy-mm-dd hh:mm:ss', value: (r) => (r.holder.lastDate ? wallClock(r.holder.lastDate) : null) },
];

const holderRows = (a: ImpactAssessment): HolderRow[] => a.holders.flatMap((holder): HolderRow[] => (holder.balances.length ? holder.balances.map((balance) => ({ holder, balance })) : [{ holder, balance: null }]));

/** XLSX: the movements, then the per-holder summary; each with a frozen, filterable header and typed cells. */
export async function impactXlsx(assessment: ImpactAssessment): Promise<Buffer> {
  const workbook = newWorkbook(assessment.assessedAt);
  addSheet(workbook, '流向 Movements', MOVEMENT_COLUMNS, assessment.movements);
  addSheet(workbook, '主体 Holders', HOLDER_COLUMNS, holderRows(assessment));
  if (assessment.warnings.length) addSheet(workbook, '提示 Warnings', WARNING_COLUMNS, assessment.warnings);
  if (assessment.proofs) addProofSheet(workbook, assessment.proofs);
  return xlsxBuffer(workbook);
}

export const WARNING_COLUMNS: Column<string>[] = [{ header: '提示 Warning', width: 120, value: (w) => w }];

/**
 * CSV of the movements (`csvText`). Dates are wall-clock time at the event's offset, in a form Excel takes as a date.
 */
export function impactCsv(assessment: ImpactAssessment): string {
  return csvText(MOVEMENT_COLUMNS, assessment.movements);
}

/**
 * The time as the clock on the wall showed it where the event happened, as a Date whose UTC fields carry it:
 * spreadsheet dates have no zone, and a recall team reads local times.
 */
function wallClock(eventTime: string, offset = offsetIn(eventTime)): Date {
  const minutes = offsetMinutes(offset);
  return new Date(Date.parse(eventTime) + minutes * 60_000);
}

// --- reading events --------------------------------------------------------------------------------------------

type BalanceField = 'produced' | 'received' | 'shipped' | 'sold' | 'dispensed' | 'consumed';
const BALANCE_FIELDS = ['produced', 'received', 'shipped', 'sold', 'dispensed', 'consumed', 'remaining'] as const;

interface HolderTally {
  subjectId: string | null;
  gln: string | null;
  glns: Set<string>;
  balances: Map<string, ImpactBalance>;
  movements: number;
  first: TracedEvent | null;
  last: TracedEvent | null;
}

const emptyBalance = (uom: string): ImpactBalance => ({ uom, produced: 0, received: 0, shipped: 0, sold: 0, dispensed: 0, consumed: 0, remaining: 0 });
const withRemaining = (b: ImpactBalance): ImpactBalance => ({ ...b, remaining: round(b.produced + b.received - b.shipped - b.sold - b.dispensed - b.consumed) });
/** Decimal quantities summed in binary drift (0.1 + 0.2); nobody weighs goods to 1e-9. */
const round = (n: number) => Math.round(n * 1e9) / 1e9;

function seenAt(h: HolderTally, e: TracedEvent): void {
  if (!h.first || e.time < h.first.time) h.first = e;
  if (!h.last || e.time > h.last.time) h.last = e;
}

function stepOf(bizStep: string | null): string | null {
  return bizStep ? normalised(normaliseBizStep(bizStep), bizStep) : null;
}

function normalised(result: { ok: true; canonical: string } | { ok: false }, raw: string): string {
  return result.ok ? result.canonical : raw;
}

/** The movements, productions and consumptions of `code` an event records. */
function mentionsOf(event: TracedEvent, code: string): Mention[] {
  const b = event.body;
  const out: Mention[] = [];
  const named = (key: string, role: Mention['role']) => {
    const list = b[key];
    if (!Array.isArray(list)) return;
    for (const v of list) if (v === code) out.push({ event, code, quantity: 1, uom: EACH, role });
  };
  const quantities = (key: string, role: Mention['role']) => {
    const list = b[key];
    if (!Array.isArray(list)) return;
    for (const q of list as Record<string, unknown>[]) {
      if (!q || q.epcClass !== code) continue;
      out.push({ event, code, quantity: typeof q.quantity === 'number' ? q.quantity : null, uom: typeof q.uom === 'string' ? q.uom : null, role });
    }
  };
  if (event.type === 'TransformationEvent') {
    named('inputEPCList', 'consumed');
    quantities('inputQuantityList', 'consumed');
    named('outputEPCList', 'produced');
    quantities('outputQuantityList', 'produced');
    return out;
  }
  if (event.type !== 'ObjectEvent' && event.type !== 'TransactionEvent') return out;
  const sides = sidesOf(event);
  const step = stepOf(event.bizStep);
  const movement = (step !== null && MOVEMENT_STEPS.has(step)) || sides.hasSourceOrDestination;
  const role: Mention['role'] | null = movement ? 'moved' : event.type === 'ObjectEvent' && event.action === 'ADD' ? 'produced' : null;
  if (!role) return out;
  named('epcList', role);
  quantities('quantityList', role);
  return out;
}

interface Side {
  party: string | null;
  location: string | null;
}

const GLN = /^https:\/\/id\.gs1\.org\/(414|417)\/(\d{13})(?:\/|$)/;

/** An event's place (business location, else read point) and its two sides, as 13-digit GLNs. */
function sidesOf(event: TracedEvent): { place: string | null; from: Side; to: Side; hasSourceOrDestination: boolean } {
  const b = event.body;
  const glnOf = (uri: unknown): string | null => (typeof uri === 'string' ? (GLN.exec(uri)?.[2] ?? null) : null);
  const side = (field: 'sourceList' | 'destinationList', key: 'source' | 'destination'): Side => {
    const list = (Array.isArray(b[field]) ? b[field] : []) as Record<string, unknown>[];
    const find = (type: string) => list.find((e) => e && typeof e.type === 'string' && shortType(e.type) === type)?.[key];
    return { party: glnOf(find('owning_party')) ?? glnOf(find('possessing_party')), location: glnOf(find('location')) };
  };
  const place = glnOf((b.bizLocation as { id?: unknown } | undefined)?.id) ?? glnOf((b.readPoint as { id?: unknown } | undefined)?.id);
  const hasSourceOrDestination = (Array.isArray(b.sourceList) && b.sourceList.length > 0) || (Array.isArray(b.destinationList) && b.destinationList.length > 0);
  return { place, from: side('sourceList', 'source'), to: side('destinationList', 'destination'), hasSourceOrDestination };
}

/** What makes two records the same movement: the thing, the step, the moment, both sides and the quantity. */
function movementKey(m: Mention): string {
  const s = sidesOf(m.event);
  return [m.code, stepOf(m.event.bizStep), m.event.time, s.from.party ?? s.from.location ?? s.place, s.to.party ?? s.to.location, m.quantity, m.uom].join('\u0000');
}

function offsetOf(event: TracedEvent): string {
  const recorded = event.body.eventTimeZoneOffset;
  return typeof recorded === 'string' && /^[+-]\d{2}:\d{2}$/.test(recorded) ? recorded : offsetIn(event.eventTime);
}

function offsetIn(time: string): string {
  const m = /([+-]\d{2}:\d{2}|Z)$/.exec(time);
  return !m || m[1] === 'Z' ? '+00:00' : m[1]!;
}

function offsetMinutes(offset: string): number {
  const m = /^([+-])(\d{2}):(\d{2})$/.exec(offset);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

// --- codes, places, regions ------------------------------------------------------------------------------------

function identifyAll(scanned: string[]): { scanned: string; code: string }[] {
  if (scanned.length === 0) throw invalid('no-codes', 'name at least one code to assess', [{ pointer: '/code', message: 'missing' }]);
  if (scanned.length > MAX_IMPACT_CODES) throw tooLarge('too-many-codes', `at most ${MAX_IMPACT_CODES} codes per assessment, ${scanned.length} given`);
  const problems: ErrorDetail[] = [];
  const out: { scanned: string; code: string }[] = [];
  scanned.forEach((text, i) => {
    const result = scanCode(text, undefined, { first: true });
    if (!result.ok) return void problems.push({ pointer: `/code/${i}`, message: result.reason });
    const code = identifierOf(result.readings[0]!);
    if (!out.some((c) => c.code === code)) out.push({ scanned: text, code });
  });
  if (problems.length) throw invalid('unreadable-code', problems.length === 1 ? problems[0]!.message : `${problems.length} codes could not be read`, problems);
  return out;
}

function gtinOf(code: string): string | null {
  return /^https:\/\/id\.gs1\.org\/01\/(\d{14})/.exec(code)?.[1] ?? null;
}

function lotNumber(code: string): string | null {
  if (!code.startsWith(`${CANONICAL_DIGITAL_LINK_BASE}/01/`) || !code.includes('/10/')) return null;
  const link = parseDigitalLink(code);
  return link.ok ? (link.value.qualifiers.find((q) => q.ai === '10')?.value ?? null) : null;
}

/** '浙江省 杭州市 西湖区'; the bare code when the table does not know it. */
export function regionLabel(code: string): string | null {
  const path = regionPath(code);
  return path.length ? path.map((p) => p.name).join(' ') : null;
}

function byRegionThenName(a: TraceSubject, b: TraceSubject): number {
  return a.regionCode.localeCompare(b.regionCode) || a.name.localeCompare(b.name) || a.id.localeCompare(b.id);
}

/** Subjects and places by province (2 digits), city (4) and county (6); a code ending in 00 is not a county of its own. */
function regionsOf(subjects: TraceSubject[], locations: TraceLocation[]): ImpactRegion[] {
  const regions = new Map<string, ImpactRegion>();
  const levels = (code: string): [ImpactRegion['level'], string][] => {
    if (!/^\d{6}$/.test(code)) return [];
    const out: [ImpactRegion['level'], string][] = [['province', code.slice(0, 2)]];
    if (code.slice(2, 4) !== '00') out.push(['city', code.slice(0, 4)]);
    if (code.slice(4) !== '00') out.push(['county', code]);
    return out;
  };
  const entry = (level: ImpactRegion['level'], code: string) => {
    let r = regions.get(code);
    if (!r) {
      r = { level, code, name: regionName(code.padEnd(6, '0')) ?? null, subjectIds: [], locationGlns: [] };
      regions.set(code, r);
    }
    return r;
  };
  for (const s of subjects) for (const [level, code] of levels(s.regionCode)) entry(level, code).subjectIds.push(s.id);
  for (const l of locations) for (const [level, code] of levels(l.regionCode)) entry(level, code).locationGlns.push(l.gln);
  return [...regions.values()].sort((a, b) => a.code.localeCompare(b.code));
}
