import { uuidv7 } from 'uuidv7';
import { ensure } from '../access/policy.js';
import { systemPrincipal, type Principal } from '../access/principal.js';
import { recordAudit } from '../audit/audit.service.js';
import { canonicalLinkParts } from '../codes/gs1/digital-link.js';
import { isRegionCode } from '../codes/region.js';
import { identifierOf, scanCode, schemeById } from '../codes/registry.js';
import type { CodeReading } from '../codes/scheme.js';
import { parseVerifierKey, verifierFromKey } from '../crypto/signed-note.js';
import type { LogSigningKeys } from '../crypto/signing-keys.js';
import type { Database, ResolverEntryTable } from '../db/index.js';
import { conflict, DomainError, invalid, notFound } from '../domain/errors.js';
import type { PlatformLevel } from '../domain/platform.js';
import { canonicalIdentifier, glnIn } from '../epcis/event-index.js';
import { summaryMarker } from '../epcis/summary.js';
import { thingsNamed } from '../epcis/things.js';
import type { TransparencyLog } from '../log/log.service.js';
import type { TracedEvent, TraceResult, TraceService } from '../trace/trace.service.js';
import { answerProblem, vouchBody, type ResolvedPlatform, type ResolvedStep, type Resolution } from './answer.js';
import { ResolverRepository } from './resolver.repository.js';

/**
 * 通查通识 (docs/RESOLVER.md): any code asked at any level is answered from local data, else by the member the
 * directory says holds it, else by the upstream. A fetched answer is checked before it is passed on: its checkpoint's
 * signature with the key this platform knows for the platform it asked, and every step's inclusion proof. A hop
 * counter and the list of platforms the question already passed (which are never asked again) stop loops.
 *
 * The query is public: it is computed over every event, like a recall, and answers only what a consumer may see.
 */

export const RESOLVER_ENTRY_KINDS = ['gtin-company-prefix', 'subject-code', 'region', 'scheme'] as const;
export type ResolverEntryKind = (typeof RESOLVER_ENTRY_KINDS)[number];
/** The holder of an entry that this platform holds itself. */
export const HERE = 'here';
/** enterprise → city → province → national and down again is six; a question passed on more often is answered locally. */
export const MAX_RESOLVE_HOPS = 6;
export const RESOLVE_TIMEOUT_MS = 4_000;
export const HOPS_HEADER = 'zhuisu-resolve-hops';
/** The log origins of the platforms the question passed, comma-separated: none of them is asked again. */
export const VIA_HEADER = 'zhuisu-resolve-via';
/** A GS1 company prefix is 4 to 12 digits; without GS1's prefix-length table a learned entry takes the longest. */
const MAX_COMPANY_PREFIX = 12;
/** Levels of packing a consumer's item is followed through: unit, case, pallet, container. */
const CARRIER_DEPTH = 4;

export interface ResolverEntry {
  id: string;
  kind: ResolverEntryKind;
  value: string;
  /** A member's id, or `here`. */
  holder: string;
  source: 'learned' | 'registered';
  createdAt: string;
  createdBy: string;
}

export interface EntryInput {
  kind: ResolverEntryKind;
  value: string;
  holder: string;
}

/** Where the question comes from: how many platforms passed it on, and which. */
export interface ResolveRequest {
  hops: number;
  via: string[];
}

const isAdmin = (p: Principal) => p.role === 'platform_admin';
const isPlatformAuditor = (p: Principal) => p.role === 'auditor' && p.subjectId === null;

export class ResolverService {
  constructor(
    private readonly database: Database,
    private readonly deps: {
      trace: TraceService;
      log: TransparencyLog;
      keys: LogSigningKeys;
      level: PlatformLevel;
      regionCode: string | null;
      upstreamUrl: string | null;
      upstreamToken: string | null;
      timeoutMs?: number;
      fetch?: typeof fetch;
    },
  ) {}

  // --- the directory ---------------------------------------------------------------------------------------------

  async registerEntry(actor: Principal, input: EntryInput): Promise<ResolverEntry> {
    ensure(isAdmin(actor), 'resolver-not-permitted', 'only platform admins register resolver entries');
    const value = normaliseValue(input.kind, input.value);
    const repo = new ResolverRepository(this.database.db);
    if (input.holder !== HERE && !(await repo.member(input.holder))) throw notFound('resolver-unknown-member', `no member ${input.holder} is registered here`);
    if (await repo.entryFor(input.kind, value, input.holder)) throw conflict('resolver-entry-exists', `${input.kind} ${value} is already listed for ${input.holder}`);
    const row: ResolverEntryTable = { id: uuidv7(), kind: input.kind, value, holder: input.holder, source: 'registered', created_at: new Date().toISOString(), created_by: actor.actor };
    await this.database.transaction(async (trx) => {
      await new ResolverRepository(trx).insertEntry(row);
      await recordAudit(trx, actor, { action: 'resolver.entry.register', targetType: 'resolver_entry', targetId: row.id, subjectId: null, changes: { kind: row.kind, value, holder: row.holder } });
    });
    return entryOf(row);
  }

  async listEntries(actor: Principal, filter: { kind?: ResolverEntryKind; holder?: string } = {}): Promise<ResolverEntry[]> {
    ensure(isAdmin(actor) || isPlatformAuditor(actor), 'resolver-not-permitted', 'the resolver directory is read by platform admins and platform auditors');
    return (await new ResolverRepository(this.database.db).entries(filter)).map(entryOf);
  }

  async deleteEntry(actor: Principal, id: string): Promise<void> {
    ensure(isAdmin(actor), 'resolver-not-permitted', 'only platform admins remove resolver entries');
    const entry = await new ResolverRepository(this.database.db).entry(id);
    if (!entry) throw notFound('resolver-entry-not-found', `no resolver entry ${id}`);
    await this.database.transaction(async (trx) => {
      await new ResolverRepository(trx).deleteEntry(id);
      await recordAudit(trx, actor, { action: 'resolver.entry.delete', targetType: 'resolver_entry', targetId: id, subjectId: null, changes: { kind: entry.kind, value: entry.value, holder: entry.holder } });
    });
  }

  /**
   * What a member's forwarded events teach: the company prefixes of the GS1 keys they name are held by that member.
   * Derived from stored data, so not audited; an entry already there is kept.
   */
  async learn(memberId: string, events: readonly Record<string, unknown>[]): Promise<void> {
    const prefixes = new Set<string>();
    for (const event of events) {
      for (const thing of thingsNamed(event)) {
        const digits = gs1KeyDigits(canonicalIdentifier(thing));
        if (digits) prefixes.add(digits.slice(0, MAX_COMPANY_PREFIX));
      }
    }
    const repo = new ResolverRepository(this.database.db);
    // Batch after batch names the same products: only prefixes not listed for the member yet are written.
    const listed = new Set((await repo.matching('gtin-company-prefix', [...prefixes])).filter((e) => e.holder === memberId).map((e) => e.value));
    const at = new Date().toISOString();
    const rows = [...prefixes]
      .filter((value) => !listed.has(value))
      .map((value): ResolverEntryTable => ({ id: uuidv7(), kind: 'gtin-company-prefix', value, holder: memberId, source: 'learned', created_at: at, created_by: 'federation' }));
    await repo.insertLearned(rows);
  }

  // --- the query -------------------------------------------------------------------------------------------------

  /** Public: anyone may ask, and gets the consumer's view of the code. */
  async resolve(scanned: string, request: ResolveRequest): Promise<Resolution> {
    const scan = scanCode(scanned);
    if (!scan.ok) throw invalid('unreadable-code', scan.reason, [{ pointer: '/code', message: scan.reason }]);
    const reading = scan.readings[0]!;
    const code = identifierOf(reading);

    const local = await this.localAnswer(code);
    if (local) return (local.heldBy !== null && (await this.fromHolder(local.heldBy, code, request))) || local.answer;

    const holders = await this.holdersOf(reading, code);
    // This platform holds these codes by its directory: what it does not have, nobody has.
    if (holders.some((h) => h === HERE)) throw notFound('code-not-found', `${reading.canonical} is not known here, which holds its codes`);
    if (request.hops >= MAX_RESOLVE_HOPS) throw notFound('code-not-found', `${reading.canonical} is not known here, and the question went through ${request.hops} platforms already`);

    const onward: ResolveRequest = { hops: request.hops + 1, via: [...request.via, this.deps.log.origin] };
    const failures: DomainError[] = [];
    const attempt = async (ask: () => Promise<Resolution | undefined>): Promise<Resolution | undefined> => {
      try {
        return await ask();
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        failures.push(error);
        return undefined;
      }
    };

    const repo = new ResolverRepository(this.database.db);
    for (const memberId of holders) {
      const member = await repo.member(memberId);
      if (!member?.url || request.via.includes(member.log_origin)) continue;
      const answer = await attempt(() => this.ask(member.url!, member.log_key, null, code, onward));
      if (answer) return this.passOn(answer, 'member');
    }
    if (this.deps.upstreamUrl !== null) {
      const upstreamUrl = this.deps.upstreamUrl;
      const answer = await attempt(async () => {
        const key = await this.upstreamKey(upstreamUrl);
        if (request.via.includes(parseVerifierKey(key).name)) return undefined;
        return this.ask(upstreamUrl, key, this.deps.upstreamToken, code, onward);
      });
      if (answer) return this.passOn(answer, 'upstream');
    }
    // A platform that failed to answer may have had it: that is said, rather than that nobody has it.
    if (failures.length) throw failures[0];
    throw notFound('code-not-found', `${reading.canonical} is not known here${this.deps.upstreamUrl ? ' nor above' : ''}`);
  }

  private get here(): ResolvedPlatform {
    return { origin: this.deps.log.origin, level: this.deps.level, regionCode: this.deps.regionCode };
  }

  /**
   * A local answer made of summaries only, all of events one member holds (docs/FEDERATION.md, "Summaries"): that
   * member answers from the full events, certificates included, and its answer is checked like any fetched one.
   * Undefined when it cannot be asked or fails: the summaries' answer stands then.
   */
  private async fromHolder(origin: string, code: string, request: ResolveRequest): Promise<Resolution | undefined> {
    const member = await new ResolverRepository(this.database.db).memberByOrigin(origin);
    if (!member?.url || request.via.includes(origin) || request.hops >= MAX_RESOLVE_HOPS) return undefined;
    try {
      const answer = await this.ask(member.url, member.log_key, null, code, { hops: request.hops + 1, via: [...request.via, this.deps.log.origin] });
      return answer && this.passOn(answer, 'member');
    } catch (error) {
      if (error instanceof DomainError) return undefined;
      throw error;
    }
  }

  /**
   * The code's backward trace over every event stored here, with each step's proof; undefined when no event names it.
   * `heldBy` names the member holding every step's event when all of them are summaries of one member's events.
   */
  private async localAnswer(code: string): Promise<{ answer: Resolution; heldBy: string | null } | undefined> {
    const { result, events } = await this.deps.trace.traceWithEvents(systemPrincipal('resolver'), code, 'backward');
    if ((events.get(result.root)?.length ?? 0) === 0) return undefined;
    const root = result.nodes.find((n) => n.id === result.root)!;
    const carried = await this.carriedIn(root.code, root.kind);
    const byId = new Map([...events.values(), carried.events].flat().map((e) => [e.eventID, e]));
    const proofs = await this.deps.log.inclusions({ events: [...byId.keys()] });
    const leaves = new Map(proofs.events.map((p) => [p.eventID, p]));
    const locations = new Map([...result.locations, ...carried.locations].map((l) => [l.gln, l]));
    const subjects = new Map([...result.subjects, ...carried.subjects].map((s) => [s.id, s]));
    const steps: ResolvedStep[] = [];
    const holders = new Set<string | null>();
    for (const event of [...byId.values()].sort((a, b) => a.time - b.time)) {
      const leaf = leaves.get(event.eventID);
      // A leaf outside the checkpoint cannot be proved to the asker: the step is left out rather than sent unproved.
      if (!leaf) continue;
      holders.add(summaryMarker(event.body)?.heldBy ?? null);
      const gln = placeOf(event.body);
      const location = gln ? locations.get(gln) : undefined;
      const subject = location?.subjectId ? subjects.get(location.subjectId) : undefined;
      steps.push({
        eventID: event.eventID,
        eventTime: event.eventTime,
        bizStep: event.bizStep,
        disposition: event.disposition,
        place: gln ? { gln, name: location?.name ?? null, regionCode: location?.regionCode ?? null } : null,
        subject: subject ? { name: subject.name, regionCode: subject.regionCode } : null,
        certificationInfo: certificatesOf(event.body),
        proof: { leafIndex: leaf.leafIndex, leafHash: leaf.leafHash, entry: leaf.entry, inclusionProof: leaf.inclusionProof },
      });
    }
    const [holder] = holders;
    const answer: Resolution = {
      code: root.code,
      text: root.text,
      product: root.product ? { name: root.product.name, gtin: root.product.gtin, productClass: root.product.productClass } : null,
      recalled: root.recalls.some((r) => r.status === 'open'),
      recalls: root.recalls.map(({ kind, level, reason, status, createdAt }) => ({ kind, level, reason, status, createdAt })),
      steps,
      checkpoint: { treeSize: proofs.treeSize, note: proofs.checkpoint, verifierKey: proofs.verifierKey },
      answeredBy: this.here,
      route: [{ ...this.here, source: 'local' }],
      vouch: null,
    };
    return { answer, heldBy: holders.size === 1 && holder !== undefined ? holder : null };
  }

  /**
   * Where an item or a case went once packed: the events of the cases and pallets that carried it, from its packing
   * until it, or the container carrying it, was taken out. Not for a lot: its forward trace is its whole downstream,
   * which the question "where does this come from" does not need.
   */
  private async carriedIn(code: string, kind: string): Promise<Pick<TraceResult, 'locations' | 'subjects'> & { events: TracedEvent[] }> {
    if (kind !== 'item' && kind !== 'container') return { events: [], locations: [], subjects: [] };
    const { result, events } = await this.deps.trace.traceWithEvents(systemPrincipal('resolver'), code, 'forward', CARRIER_DEPTH);
    const codeOf = new Map(result.nodes.map((n) => [n.id, n.code]));
    /** Until when each container carried the code: the earliest taking-out on the way to it. */
    const until = new Map<string, number>([[result.root, Infinity]]);
    const carried: TracedEvent[] = [];
    const frontier = [result.root];
    for (let inner = frontier.shift(); inner !== undefined; inner = frontier.shift()) {
      for (const edge of result.edges) {
        if (edge.from !== inner || edge.relation !== 'aggregation' || until.has(edge.to)) continue;
        const packed = Date.parse(edge.eventTime);
        const own = events.get(edge.to) ?? [];
        const takenOut = own.find((e) => e.action === 'DELETE' && e.time >= packed && deletesChild(e.body, codeOf.get(inner)!));
        const end = Math.min(until.get(inner)!, takenOut?.time ?? Infinity);
        until.set(edge.to, end);
        for (const e of own) if (e.time >= packed && e.time <= end) carried.push(e);
        frontier.push(edge.to);
      }
    }
    return { events: carried, locations: result.locations, subjects: result.subjects };
  }

  /**
   * The holders the directory names for a code, most specific first: its GS1 company prefix (longest match) or its
   * 主体码, then its region (longest prefix), then its scheme.
   */
  private async holdersOf(reading: CodeReading, code: string): Promise<string[]> {
    const repo = new ResolverRepository(this.database.db);
    const holders: string[] = [];
    const add = (entries: ResolverEntryTable[]) => {
      for (const e of entries.sort((a, b) => b.value.length - a.value.length)) if (!holders.includes(e.holder)) holders.push(e.holder);
    };
    const digits = gs1KeyDigits(code);
    if (digits) add(await repo.matching('gtin-company-prefix', prefixesOf(digits, 4, MAX_COMPANY_PREFIX)));
    if (reading.scheme === 'uscc') add(await repo.matching('subject-code', [reading.canonical]));
    const region = reading.fields.region ?? reading.fields.regionCode;
    if (region && isRegionCode(region)) add(await repo.matching('region', [region.slice(0, 2), region.slice(0, 4), region]));
    add(await repo.matching('scheme', [reading.scheme]));
    return holders;
  }

  /** Fetches the answer of the platform at `url`, checked against `key`; undefined when it does not know the code. */
  private async ask(url: string, key: string, token: string | null, code: string, onward: ResolveRequest): Promise<Resolution | undefined> {
    const response = await this.get(`${url}/api/v1/resolve?code=${encodeURIComponent(code)}`, {
      accept: 'application/json',
      [HOPS_HEADER]: String(onward.hops),
      [VIA_HEADER]: onward.via.join(','),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    });
    if (response.status === 404) return undefined;
    if (response.status !== 200) throw badGateway('resolver-remote-failed', `${url} answered ${response.status}: ${detailOf(response.text)}`);
    let answer: Resolution;
    try {
      answer = JSON.parse(response.text) as Resolution;
    } catch {
      throw badGateway('resolver-answer-unverified', `${url} answered something that is not JSON`);
    }
    const problem = isResolution(answer) ? answerProblem(answer, key) : 'the answer is not a resolution';
    if (problem) throw badGateway('resolver-answer-unverified', `the answer of ${url} is refused: ${problem}`);
    // A platform of an earlier version sends no certificates: none, rather than a field missing.
    return { ...answer, steps: answer.steps.map((s) => ({ ...s, certificationInfo: Array.isArray(s.certificationInfo) ? s.certificationInfo.filter((c) => typeof c === 'string') : [] })) };
  }

  /** A fetched answer as this platform passes it on: it vouches for the answering platform's key and joins the route. */
  private passOn(answer: Resolution, source: 'member' | 'upstream'): Resolution {
    return { ...answer, route: [...answer.route, { ...this.here, source }], vouch: this.deps.keys.sign(vouchBody(answer)) };
  }

  /** The upstream's log key: pinned on first contact from its /log/key, and the pinned one from then on. */
  private async upstreamKey(upstreamUrl: string): Promise<string> {
    const repo = new ResolverRepository(this.database.db);
    const pinned = await repo.upstreamKey(upstreamUrl);
    if (pinned) return pinned;
    const response = await this.get(`${upstreamUrl}/log/key`, {});
    const key = response.text.trim();
    if (response.status !== 200) throw badGateway('resolver-remote-failed', `${upstreamUrl}/log/key answered ${response.status}`);
    try {
      verifierFromKey(key);
    } catch {
      throw badGateway('resolver-remote-failed', `${upstreamUrl}/log/key is not a signed-note verifier key`);
    }
    return repo.pinUpstreamKey(upstreamUrl, key, new Date().toISOString());
  }

  private async get(url: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
    const timeoutMs = this.deps.timeoutMs ?? RESOLVE_TIMEOUT_MS;
    try {
      const response = await (this.deps.fetch ?? fetch)(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
      return { status: response.status, text: await response.text() };
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') throw new DomainError('gateway_timeout', 'resolver-timeout', `${url} did not answer within ${timeoutMs} ms`);
      throw badGateway('resolver-unreachable', `${url} could not be reached: ${(error as Error).message}`);
    }
  }
}

const badGateway = (code: string, message: string) => new DomainError('bad_gateway', code, message);

function entryOf(row: ResolverEntryTable): ResolverEntry {
  return { id: row.id, kind: row.kind, value: row.value, holder: row.holder, source: row.source, createdAt: row.created_at, createdBy: row.created_by };
}

/** An entry's value in the one spelling lookups compare, or 400. */
function normaliseValue(kind: ResolverEntryKind, raw: string): string {
  const value = raw.trim();
  const refuse = (why: string) => invalid('resolver-entry-value', `${kind} ${value}: ${why}`, [{ pointer: '/value', message: why }]);
  switch (kind) {
    case 'gtin-company-prefix':
      if (!/^\d{4,12}$/.test(value)) throw refuse('a GS1 company prefix is 4 to 12 digits');
      return value;
    case 'subject-code': {
      const scan = scanCode(value, 'uscc');
      if (!scan.ok) throw refuse(scan.reason);
      return scan.readings[0]!.canonical;
    }
    case 'region':
      if (!/^\d{2}(\d{2}(\d{2})?)?$/.test(value) || !isRegionCode(value.padEnd(6, '0'))) throw refuse('a region is a GB/T 2260 code or its 2- or 4-digit prefix');
      return value;
    case 'scheme':
      if (!schemeById(value)) throw refuse('not a code scheme this platform reads (GET /api/v1/codes/schemes)');
      return value;
  }
}

/**
 * The digits of a GS1 key that start with its company prefix: an indicator or extension digit goes before it in a
 * GTIN, an SSCC and a GRAI. Undefined for what is not a canonical Digital Link.
 */
function gs1KeyDigits(identifier: string): string | undefined {
  const parts = canonicalLinkParts(identifier);
  if (!parts) return undefined;
  const { ai, value } = parts.primaryKey;
  const digits = /^\d*/.exec(['01', '00', '8003'].includes(ai) ? value.slice(1) : value)![0];
  return digits.length >= 4 ? digits : undefined;
}

function prefixesOf(digits: string, from: number, to: number): string[] {
  const out: string[] = [];
  for (let length = from; length <= Math.min(to, digits.length); length += 1) out.push(digits.slice(0, length));
  return out;
}

/** An AggregationEvent DELETE that takes `child` out: naming it, or naming no children at all (everything out). */
function deletesChild(body: Record<string, unknown>, child: string): boolean {
  const children = Array.isArray(body.childEPCs) ? (body.childEPCs as unknown[]) : [];
  return children.length === 0 || children.includes(child);
}

/** EPCIS 2.0 certificationInfo: one certificate or a list of them. */
function certificatesOf(body: Record<string, unknown>): string[] {
  const info = body.certificationInfo;
  return (Array.isArray(info) ? info : [info]).filter((c): c is string => typeof c === 'string' && c !== '');
}

/** Where an event happened: its business location, else its read point, as a GLN. */
function placeOf(body: Record<string, unknown>): string | undefined {
  for (const key of ['bizLocation', 'readPoint']) {
    const id = (body[key] as { id?: unknown } | undefined)?.id;
    const gln = typeof id === 'string' ? glnIn(id) : undefined;
    if (gln) return gln;
  }
  return undefined;
}

function isResolution(value: unknown): value is Resolution {
  const a = value as Partial<Resolution> | null;
  return (
    a !== null &&
    typeof a === 'object' &&
    Array.isArray(a.steps) &&
    Array.isArray(a.route) &&
    typeof a.checkpoint?.note === 'string' &&
    typeof a.checkpoint.verifierKey === 'string' &&
    typeof a.answeredBy?.origin === 'string' &&
    a.steps.every((s) => typeof s?.eventID === 'string' && typeof s.proof?.entry === 'string' && Array.isArray(s.proof.inclusionProof))
  );
}

function detailOf(text: string): string {
  try {
    const detail = (JSON.parse(text) as { detail?: unknown }).detail;
    if (typeof detail === 'string') return detail;
  } catch {
    // not a problem document
  }
  return text.slice(0, 200);
}
