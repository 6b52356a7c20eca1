import { uuidv7 } from 'uuidv7';
import type { Principal } from '../access/principal.js';
import { recordAudit } from '../audit/audit.service.js';
import { regionWithin } from '../codes/region.js';
import type { Executor, FederationMemberTable, FederationRecordTable, RecallNoticeTable, RecallTable } from '../db/index.js';
import { forbidden, invalid } from '../domain/errors.js';
import type { Location, Product, Subject } from '../domain/master-data.js';
import { isSummary, summarise } from '../epcis/summary.js';
import { parseEntry, recordDigest } from '../log/entries.js';
import { ProductsRepository } from '../products/products.repository.js';
import { RecallRepository } from '../recall/recall.repository.js';
import type { Affected, Outcome } from '../recall/recall.service.js';
import { SubjectsRepository } from '../subjects/subjects.repository.js';
import { FederationRepository, type OutgoingEvent, type OutgoingLeaf } from './federation.repository.js';

/**
 * What rides in a batch besides new events (docs/FEDERATION.md, "What flows"): the master data, corrections and
 * notice acknowledgements whose leaves lie in the batch's range of the sender's log. The sender reads them from its
 * store as they are now; the upstream applies them in the transaction that moves the member's position, so a batch
 * is taken whole or not at all.
 *
 * Who wins: a subject is matched on its 主体码, a location on its GLN (else its local code under its subject), a
 * product on its GTIN (else its local code under its owner). The first copy to arrive is applied and kept up to date
 * by the member that brought it; a member bringing a record that was here first (the upstream's own, or another
 * member's) is linked to it and changes nothing in it.
 */

/** One event or correction in a batch, with the @context it was captured under and its owning subject at the sender. */
export interface BatchEvent {
  context: unknown;
  event: Record<string, unknown>;
  /** The sender's id of the subject that captured it; absent or null for events no subject owns there. */
  owner?: string | null;
}

/**
 * The summary of an event or correction whose leaf is `leaf` of the sender's log (docs/FEDERATION.md, "Summaries"):
 * the event cut down by `summarise`, with its marker carrying the full event's hash.
 */
export interface BatchSummary {
  leaf: number;
  event: Record<string, unknown>;
  owner?: string | null;
}

/** How the sender sends the events it holds in full; events it holds as summaries go up as summaries either way. */
export interface OutgoingOptions {
  mode: 'full' | 'summaries';
  /** This platform's log origin and public address: where a summary says its event is held. */
  origin: string;
  url: string | null;
}

export type BatchRecord =
  | { type: 'subject'; subject: Subject }
  | { type: 'location'; location: Location }
  | { type: 'product'; product: Product }
  | { type: 'notice-ack'; noticeId: string; recallId: string; acknowledgedAt: string; outcome: Outcome }
  | { type: 'recall'; recall: RecallCopy };

const RECORD_TYPES = ['subject', 'location', 'product', 'notice-ack', 'recall'] as const;

/**
 * The sender's side: the events, corrections and records among the leaves [from, to), in log order. An event goes as
 * a summary in summaries mode, and whenever what is stored here is itself a summary.
 */
export async function outgoingContent(db: Executor, from: number, to: number, options: OutgoingOptions): Promise<{ events: BatchEvent[]; summaries: BatchSummary[]; records: BatchRecord[] }> {
  const repo = new FederationRepository(db);
  const subjects = new SubjectsRepository(db);
  const products = new ProductsRepository(db);
  const recalls = new RecallRepository(db);
  const leaves = await repo.leavesInLog(from, to);
  const seqs = [...new Set(leaves.filter((l) => l.recordSeq !== null).map((l) => l.recordSeq!))];
  const stored = await repo.eventsBySeq(seqs);
  const declarations = await repo.declarationsOf(leaves.filter((l) => l.kind === 'correction').map((l) => l.recordSeq!));
  const regions = options.mode === 'summaries' ? await repo.regionsOfSeqs(seqs) : new Map<number, string[]>();

  const events: BatchEvent[] = [];
  const summaries: BatchSummary[] = [];
  const send = (leaf: OutgoingLeaf, stored: OutgoingEvent, event: Record<string, unknown>, context: unknown) => {
    if (options.mode === 'full' && !isSummary(event)) events.push({ context, event, owner: stored.ownerSubjectId });
    else summaries.push({ leaf: leaf.idx, event: summarise(event, parseEntry(leaf.entry)!.ref, { hash: stored.hash, heldBy: options.origin, url: options.url, regions: regions.get(stored.seq) ?? [] }), owner: stored.ownerSubjectId });
  };
  const records: BatchRecord[] = [];
  const sent = new Set<string>();
  // Each record once per batch, as it is now; a location or product is preceded by its subject, so the upstream can
  // place it whatever the order its leaves came in.
  const addSubject = async (id: string) => {
    if (sent.has(`subject ${id}`)) return;
    sent.add(`subject ${id}`);
    const subject = await subjects.findById(id);
    if (subject) records.push({ type: 'subject', subject });
  };
  // A recall started here, whole as it is now: one that came down from the upstream goes back as acknowledgements only.
  const addRecall = async (id: string | undefined) => {
    if (id === undefined || sent.has(`recall ${id}`)) return;
    sent.add(`recall ${id}`);
    const recall = await recalls.find(id);
    if (!recall || (await repo.isReceivedRecall(id))) return;
    records.push({ type: 'recall', recall: recallCopy(recall, await recalls.notices(id), (notice) => notice.subject_id) });
  };

  for (const leaf of leaves) {
    if (leaf.kind === 'event' || leaf.kind === 'correction') {
      const event = stored.get(leaf.recordSeq!);
      if (!event) continue;
      const body = JSON.parse(event.body) as Record<string, unknown>;
      const context = event.context === null ? null : (JSON.parse(event.context) as unknown);
      if (leaf.kind === 'event') {
        send(leaf, event, body, context);
        continue;
      }
      // The leaf names the declaration by its digest: several may be recorded against one event.
      const digest = parseEntry(leaf.entry)?.digest;
      const declaration = declarations.find((d) => d.seq === leaf.recordSeq && recordDigest(JSON.parse(d.errorDeclaration)) === digest);
      if (declaration) send(leaf, event, { ...body, errorDeclaration: JSON.parse(declaration.errorDeclaration) as unknown }, context);
      continue;
    }
    const key = `${leaf.targetType} ${leaf.targetId}`;
    if (leaf.targetId === null || (['location', 'product', 'recall_notice'].includes(leaf.targetType!) && sent.has(key))) continue;
    switch (leaf.targetType) {
      case 'subject':
        await addSubject(leaf.targetId);
        break;
      case 'location': {
        const location = await subjects.findLocation(leaf.targetId);
        if (!location) break;
        await addSubject(location.subjectId);
        records.push({ type: 'location', location });
        break;
      }
      case 'product': {
        const found = await products.findById(leaf.targetId);
        if (!found) break;
        const { ownerRegionCode: _, ...product } = found;
        await addSubject(product.ownerSubjectId);
        records.push({ type: 'product', product });
        break;
      }
      case 'recall_notice': {
        const notice = await repo.receivedNotice(leaf.targetId);
        if (notice?.status === 'acknowledged') {
          records.push({ type: 'notice-ack', noticeId: notice.id, recallId: notice.recall_id, acknowledgedAt: notice.acknowledged_at!, outcome: JSON.parse(notice.outcome!) as Outcome });
        } else if (!notice) {
          await addRecall((await recalls.notice(leaf.targetId))?.recall_id);
        }
        break;
      }
      case 'recall':
        await addRecall(leaf.targetId);
        break;
    }
    sent.add(key);
  }
  return { events, summaries, records };
}

/** The region a member's code covers as a scope prefix: 330000 → 33, 330100 → 3301, 330106 → 330106. */
function memberScope(regionCode: string): string {
  return regionCode.endsWith('0000') ? regionCode.slice(0, 2) : regionCode.endsWith('00') ? regionCode.slice(0, 4) : regionCode;
}

function malformed(index: number, reason: string) {
  return invalid('federation-batch-malformed', `malformed batch: records/${index} ${reason}`, [{ pointer: `/payload/records/${index}`, message: reason }]);
}

const isText = (value: unknown): value is string => typeof value === 'string' && value !== '';
const isNullableText = (value: unknown) => value === null || typeof value === 'string';

/**
 * Checks a batch's records before anything is written: their shape, and that a member with a region brings master
 * data of that region only (a city registers no subject of another province).
 */
export function checkRecords(member: FederationMemberTable, records: unknown): asserts records is BatchRecord[] {
  if (!Array.isArray(records)) throw invalid('federation-batch-malformed', 'malformed batch: records is not a list', [{ pointer: '/payload/records', message: 'not a list' }]);
  const scope = member.region_code === null ? null : memberScope(member.region_code);
  const outside = (i: number, what: string, regionCode: string) => {
    if (scope !== null && !regionWithin(regionCode, scope)) {
      throw forbidden('federation-record-outside-region', `records/${i}: ${what} is in region ${regionCode}, outside the region ${member.region_code} of ${member.log_origin}; the batch was refused`);
    }
  };
  records.forEach((value, i) => {
    const record = value as Record<string, unknown> | null;
    if (record === null || typeof record !== 'object' || !RECORD_TYPES.includes(record.type as never)) throw malformed(i, `is not one of ${RECORD_TYPES.join(', ')}`);
    const field = record.type === 'notice-ack' ? 'outcome' : (record.type as string);
    const body = record[field] as Record<string, unknown> | null;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw malformed(i, `has no ${field}`);
    switch (record.type) {
      case 'subject':
        if (!isText(body.id) || !isText(body.subjectCode) || !isText(body.name) || !isText(body.regionCode) || !['organisation', 'person'].includes(body.kind as string)) throw malformed(i, 'is not a subject');
        if (!Array.isArray(body.roles) || !Array.isArray(body.licences) || !Array.isArray(body.companyPrefixes) || !isNullableText(body.address)) throw malformed(i, 'is not a subject');
        outside(i, `subject ${body.subjectCode}`, body.regionCode);
        break;
      case 'location':
        if (!isText(body.id) || !isText(body.subjectId) || !isText(body.name) || !isText(body.regionCode) || !isNullableText(body.gln) || !isNullableText(body.localCode)) throw malformed(i, 'is not a location');
        if (!['active', 'closed'].includes(body.status as string)) throw malformed(i, 'is not a location');
        outside(i, `location ${body.gln ?? body.localCode}`, body.regionCode);
        break;
      case 'product':
        if (!isText(body.id) || !isText(body.ownerSubjectId) || !isText(body.name) || !isText(body.productClass) || !isNullableText(body.gtin) || !isNullableText(body.localCode)) throw malformed(i, 'is not a product');
        if (!['active', 'discontinued'].includes(body.status as string)) throw malformed(i, 'is not a product');
        break;
      case 'notice-ack':
        if (!isText(record.noticeId) || !isText(record.recallId) || !isText(record.acknowledgedAt)) throw malformed(i, 'is not a notice acknowledgement');
        break;
      case 'recall': {
        const notices = body.notices as Record<string, unknown>[];
        if (!isText(body.id) || !isText(body.reason) || !['recall', 'stop_trade'].includes(body.kind as string) || !['open', 'closed'].includes(body.status as string) || !Array.isArray(body.roots) || !Array.isArray(notices)) {
          throw malformed(i, 'is not a recall');
        }
        notices.forEach((n, j) => {
          if (n === null || typeof n !== 'object' || !isText(n.id) || !isText(n.subjectId) || !isText(n.regionCode) || !Array.isArray(n.holdings) || !['notified', 'acknowledged'].includes(n.status as string)) throw malformed(i, `notice ${j} is not a notice`);
          outside(i, `the notice ${String(n.id)} of recall ${body.id}`, n.regionCode);
        });
        break;
      }
    }
  });
}

/** Applies checked records at the upstream, inside the caller's transaction; returns how many changed anything. */
export async function applyRecords(trx: Executor, actor: Principal, member: FederationMemberTable, records: BatchRecord[]): Promise<number> {
  const applier = new RecordApplier(trx, actor, member);
  let applied = 0;
  for (const record of records) if (await applier.apply(record)) applied++;
  return applied;
}

/** The local owner of each forwarded event: the subject its owner at the member stands for here, when known. */
export async function localOwners(db: Executor, member: FederationMemberTable, events: BatchEvent[]): Promise<(string | null)[]> {
  const repo = new FederationRepository(db);
  const owners = new Map<string, string | null>();
  for (const owner of new Set(events.map((e) => e.owner).filter((o): o is string => typeof o === 'string'))) {
    owners.set(owner, (await repo.record(member.id, 'subject', owner))?.local_id ?? null);
  }
  return events.map((e) => (typeof e.owner === 'string' ? (owners.get(e.owner) ?? null) : null));
}

type Applied = 'created' | 'updated' | 'linked';

class RecordApplier {
  private readonly repo: FederationRepository;
  private readonly subjects: SubjectsRepository;
  private readonly products: ProductsRepository;
  private readonly now = new Date().toISOString();

  constructor(
    private readonly trx: Executor,
    private readonly actor: Principal,
    private readonly member: FederationMemberTable,
  ) {
    this.repo = new FederationRepository(trx);
    this.subjects = new SubjectsRepository(trx);
    this.products = new ProductsRepository(trx);
  }

  async apply(record: BatchRecord): Promise<boolean> {
    switch (record.type) {
      case 'subject':
        return this.subject(record.subject);
      case 'location':
        return this.location(record.location);
      case 'product':
        return this.product(record.product);
      case 'notice-ack':
        return this.noticeAck(record);
      case 'recall':
        return this.recall(record.recall);
    }
  }

  private async subject(s: Subject): Promise<boolean> {
    const known = await this.repo.record(this.member.id, 'subject', s.id);
    const fields = {
      name: s.name,
      roles: JSON.stringify(s.roles),
      region_code: s.regionCode,
      address: s.address,
      contact: s.contact ? JSON.stringify(s.contact) : null,
      licences: JSON.stringify(s.licences),
    };
    if (known) {
      if (!known.owned) return false;
      const current = (await this.subjects.findById(known.local_id))!;
      const prefixes = await this.freePrefixes(s.companyPrefixes, current.id);
      const same =
        current.name === s.name &&
        JSON.stringify(current.roles) === fields.roles &&
        current.regionCode === s.regionCode &&
        current.address === s.address &&
        JSON.stringify(current.contact) === JSON.stringify(s.contact) &&
        JSON.stringify(current.licences) === fields.licences &&
        JSON.stringify([...current.companyPrefixes].sort()) === JSON.stringify([...prefixes].sort());
      if (same) return false;
      await this.subjects.update(current.id, { ...fields, updated_at: this.now }, prefixes);
      return this.remember('subject', s.id, current.id, 'updated', current.id, { subjectCode: s.subjectCode, ...fields, companyPrefixes: prefixes });
    }
    const here = await this.subjects.findByCode(s.subjectCode);
    if (here) return this.remember('subject', s.id, here.id, 'linked', here.id, { subjectCode: s.subjectCode });
    const id = (await this.subjects.findById(s.id)) ? uuidv7() : s.id;
    const prefixes = await this.freePrefixes(s.companyPrefixes);
    // A person's identity number stays sealed at the member: it never leaves the platform that registered the person.
    await this.subjects.insert({
      subject: { id, subject_code: s.subjectCode, kind: s.kind, status: 'active', status_reason: null, created_at: this.now, updated_at: this.now, ...fields },
      companyPrefixes: prefixes,
    });
    return this.remember('subject', s.id, id, 'created', id, { subjectCode: s.subjectCode, kind: s.kind, ...fields, companyPrefixes: prefixes });
  }

  /** A GS1 company prefix already held by another subject here stays with it. */
  private async freePrefixes(prefixes: string[], subjectId?: string): Promise<string[]> {
    const free: string[] = [];
    for (const prefix of prefixes) if ((await this.subjects.overlappingPrefixes(prefix, subjectId)).length === 0) free.push(prefix);
    return free;
  }

  private async location(l: Location): Promise<boolean> {
    const subjectId = await this.localSubject(l.subjectId, 'location', l.id);
    const known = await this.repo.record(this.member.id, 'location', l.id);
    const fields = { name: l.name, kind: l.kind, address: l.address, region_code: l.regionCode, status: l.status };
    if (known) {
      if (!known.owned) return false;
      const current = (await this.subjects.findLocation(known.local_id))!;
      if (current.name === l.name && current.kind === l.kind && current.address === l.address && current.regionCode === l.regionCode && current.status === l.status) return false;
      await this.subjects.updateLocation(current.id, { ...fields, updated_at: this.now });
      return this.remember('location', l.id, current.id, 'updated', current.subjectId, { gln: l.gln, localCode: l.localCode, ...fields });
    }
    const here = (l.gln ? await this.subjects.findLocationByGln(l.gln) : undefined) ?? (l.localCode ? await this.subjects.findLocationByLocalCode(subjectId, l.localCode) : undefined);
    if (here) return this.remember('location', l.id, here.id, 'linked', here.subjectId, { gln: l.gln, localCode: l.localCode });
    const id = (await this.subjects.findLocation(l.id)) ? uuidv7() : l.id;
    await this.subjects.insertLocation({ id, subject_id: subjectId, gln: l.gln, local_code: l.localCode, created_at: this.now, updated_at: this.now, ...fields });
    return this.remember('location', l.id, id, 'created', subjectId, { gln: l.gln, localCode: l.localCode, ...fields });
  }

  private async product(p: Product): Promise<boolean> {
    const ownerId = await this.localSubject(p.ownerSubjectId, 'product', p.id);
    const known = await this.repo.record(this.member.id, 'product', p.id);
    const fields = { name: p.name, spec: p.spec, product_class: p.productClass, category: p.category, status: p.status };
    if (known) {
      if (!known.owned) return false;
      const current = (await this.products.findById(known.local_id))!;
      if (current.name === p.name && current.spec === p.spec && current.productClass === p.productClass && current.category === p.category && current.status === p.status) return false;
      await this.products.update(current.id, { ...fields, updated_at: this.now });
      return this.remember('product', p.id, current.id, 'updated', current.ownerSubjectId, { gtin: p.gtin, localCode: p.localCode, ...fields });
    }
    const here = (p.gtin ? await this.products.findByGtin(p.gtin) : undefined) ?? (p.localCode ? await this.products.findByLocalCode(ownerId, p.localCode) : undefined);
    if (here) return this.remember('product', p.id, here.id, 'linked', here.ownerSubjectId, { gtin: p.gtin, localCode: p.localCode });
    const id = (await this.products.findById(p.id)) ? uuidv7() : p.id;
    await this.products.insert({ id, owner_subject_id: ownerId, gtin: p.gtin, local_code: p.localCode, created_at: this.now, updated_at: this.now, ...fields });
    return this.remember('product', p.id, id, 'created', ownerId, { gtin: p.gtin, localCode: p.localCode, ...fields });
  }

  /** The local subject a member's location or product belongs to; the sender sends the subject first, always. */
  private async localSubject(remoteId: string, what: string, id: string): Promise<string> {
    const subject = await this.repo.record(this.member.id, 'subject', remoteId);
    if (!subject) throw invalid('federation-record-orphan', `the ${what} ${id} belongs to subject ${remoteId}, which ${this.member.log_origin} has not sent`);
    return subject.local_id;
  }

  /**
   * An acknowledgement of a notice sent down to the member: only for a subject that member brought, and only the
   * first answer counts, as at any platform.
   */
  private async noticeAck(ack: Extract<BatchRecord, { type: 'notice-ack' }>): Promise<boolean> {
    const recalls = new RecallRepository(this.trx);
    const notice = await recalls.notice(ack.noticeId);
    if (!notice || notice.recall_id !== ack.recallId) throw invalid('federation-notice-unknown', `no notice ${ack.noticeId} of recall ${ack.recallId} was sent to ${this.member.log_origin}`);
    const brought = await this.repo.remoteSubjectIds(this.member.id, [notice.subject_id]);
    if (!brought.has(notice.subject_id)) throw forbidden('federation-notice-not-members', `notice ${ack.noticeId} is addressed to a subject ${this.member.log_origin} did not bring`);
    if (notice.status === 'acknowledged') return false;
    const outcome = JSON.stringify(ack.outcome);
    await recalls.acknowledge(notice.id, ack.acknowledgedAt, outcome);
    await recordAudit(this.trx, this.actor, {
      action: 'recall.acknowledge',
      targetType: 'recall_notice',
      targetId: notice.id,
      subjectId: notice.subject_id,
      changes: { ...ack.outcome, member: this.member.log_origin, acknowledgedAt: ack.acknowledgedAt },
    });
    return true;
  }

  /**
   * A recall the member started, shown here read-only with the notices of the subjects it brought (others' notices stay
   * below), kept as the member sends it: new notices, acknowledgements, its closing.
   */
  private async recall(copy: RecallCopy): Promise<boolean> {
    const recalls = new RecallRepository(this.trx);
    const here = await recalls.find(copy.id);
    // An id this platform holds for a recall of its own, or of another member, is not this member's to change.
    if (here && (await this.repo.memberOfRecall(copy.id)) !== this.member.id) return false;
    const notices: RecallNoticeTable[] = [];
    for (const n of copy.notices) {
      const subject = await this.repo.record(this.member.id, 'subject', n.subjectId);
      if (subject) notices.push({ ...noticeRow(copy.id, n), subject_id: subject.local_id });
    }
    const initiator = copy.initiatorSubjectId ? ((await this.repo.record(this.member.id, 'subject', copy.initiatorSubjectId))?.local_id ?? null) : null;
    let changes: Record<string, unknown>;
    if (!here) {
      await insertRecallCopy(this.trx, copy, `member ${this.member.log_origin}`, initiator, notices);
      await this.repo.insertMemberRecall(copy.id, this.member.id, this.now);
      changes = { status: copy.status, notices: notices.map((n) => n.id) };
    } else {
      const known = new Map((await recalls.notices(copy.id)).map((n) => [n.id, n]));
      const added = notices.filter((n) => !known.has(n.id));
      const answered = notices.filter((n) => n.status === 'acknowledged' && known.get(n.id)?.status === 'notified');
      const closing = here.status === 'open' && copy.status === 'closed';
      if (added.length === 0 && answered.length === 0 && !closing) return false;
      for (const notice of added) await this.repo.insertNotice(notice);
      for (const notice of answered) await recalls.acknowledge(notice.id, notice.acknowledged_at!, notice.outcome!);
      if (closing) await recalls.close(copy.id, copy.closedAt ?? this.now, copy.closingNote);
      changes = { status: copy.status, added: added.map((n) => n.id), acknowledged: answered.map((n) => n.id) };
    }
    await recordAudit(this.trx, this.actor, { action: 'federation.recall.apply', targetType: 'recall', targetId: copy.id, subjectId: initiator, changes: { member: this.member.log_origin, ...changes } });
    return true;
  }

  /** Remembers which local record the member's id stands for, and audits what was done with it. */
  private async remember(kind: FederationRecordTable['kind'], remoteId: string, localId: string, outcome: Applied, subjectId: string, changes: Record<string, unknown>): Promise<true> {
    if (outcome !== 'updated') await this.repo.insertRecord({ member_id: this.member.id, kind, remote_id: remoteId, local_id: localId, owned: outcome === 'created' ? 1 : 0, applied_at: this.now });
    else await this.repo.touchRecord(this.member.id, kind, remoteId, this.now);
    await recordAudit(this.trx, this.actor, {
      action: `federation.${kind}.${outcome === 'created' ? 'create' : outcome === 'updated' ? 'update' : 'link'}`,
      targetType: kind,
      targetId: localId,
      subjectId,
      changes: { member: this.member.log_origin, remoteId, ...changes },
    });
    return true;
  }
}

/**
 * A recall as it travels between levels: down, made at the upstream, with the notices of the subjects the member
 * brought (under the member's ids); up, started at the member, with all its notices (under the member's ids).
 */
export interface RecallCopy {
  id: string;
  initiatorSubjectId: string | null;
  kind: 'recall' | 'stop_trade';
  level: number | null;
  reason: string;
  status: 'open' | 'closed';
  roots: string[];
  createdAt: string;
  closedAt: string | null;
  closingNote: string | null;
  notices: { id: string; subjectId: string; regionCode: string; holdings: string[]; status: 'notified' | 'acknowledged'; createdAt: string; acknowledgedAt: string | null; outcome: Outcome | null }[];
}

function recallCopy(recall: RecallTable, notices: RecallNoticeTable[], subjectIdOf: (notice: RecallNoticeTable) => string, initiatorSubjectId: string | null = recall.initiator_subject_id): RecallCopy {
  return {
    id: recall.id,
    initiatorSubjectId,
    kind: recall.kind,
    level: recall.level === null ? null : Number(recall.level),
    reason: recall.reason,
    status: recall.status,
    roots: JSON.parse(recall.roots) as string[],
    createdAt: recall.created_at,
    closedAt: recall.closed_at,
    closingNote: recall.closing_note,
    notices: notices.map((n) => ({
      id: n.id,
      subjectId: subjectIdOf(n),
      regionCode: n.region_code,
      holdings: JSON.parse(n.holdings) as string[],
      status: n.status,
      createdAt: n.created_at,
      acknowledgedAt: n.acknowledged_at,
      outcome: n.outcome === null ? null : (JSON.parse(n.outcome) as Outcome),
    })),
  };
}

/**
 * A recall copied from another level, inserted with its notices. What it affected here is what those notices name: their
 * subjects (by which the regulators of their regions see it) and the codes they held, marked recalled here too.
 */
async function insertRecallCopy(db: Executor, copy: RecallCopy, actor: string, initiatorSubjectId: string | null, notices: RecallNoticeTable[]): Promise<void> {
  const codes = [...new Set(notices.flatMap((n) => JSON.parse(n.holdings) as string[]))];
  const subjects = new SubjectsRepository(db);
  const affected: Affected = { subjects: [], locations: [], lots: [], items: codes, quantities: [] };
  for (const id of new Set(notices.map((n) => n.subject_id))) {
    const subject = (await subjects.findById(id))!;
    affected.subjects.push({ id, subjectCode: subject.subjectCode, name: subject.name, regionCode: subject.regionCode });
  }
  await new RecallRepository(db).insert(recallRow(copy, actor, initiatorSubjectId, affected), codes, notices);
}

function recallRow(copy: RecallCopy, actor: string, initiatorSubjectId: string | null, affected: Affected): RecallTable {
  return {
    id: copy.id,
    kind: copy.kind,
    level: copy.level,
    reason: copy.reason,
    status: copy.status,
    actor,
    initiator_subject_id: initiatorSubjectId,
    initiator_region: null,
    roots: JSON.stringify(copy.roots),
    affected: JSON.stringify(affected),
    created_at: copy.createdAt,
    closed_at: copy.closedAt,
    closing_note: copy.closingNote,
  };
}

function noticeRow(recallId: string, n: RecallCopy['notices'][number]): RecallNoticeTable {
  return {
    id: n.id,
    recall_id: recallId,
    subject_id: n.subjectId,
    region_code: n.regionCode,
    holdings: JSON.stringify(n.holdings),
    status: n.status,
    created_at: n.createdAt,
    acknowledged_at: n.acknowledgedAt,
    outcome: n.outcome === null ? null : JSON.stringify(n.outcome),
  };
}

/** The upstream's side: the recalls that notified subjects the member brought, each with those notices only. */
export async function recallsForMember(db: Executor, member: FederationMemberTable): Promise<RecallCopy[]> {
  const recalls = new RecallRepository(db);
  const byRecall = new Map<string, { recall: RecallTable; notices: RecallNoticeTable[]; remote: Map<string, string> }>();
  for (const { notice, remoteSubjectId } of await new FederationRepository(db).noticesForMember(member.id)) {
    let entry = byRecall.get(notice.recall_id);
    if (!entry) {
      entry = { recall: (await recalls.find(notice.recall_id))!, notices: [], remote: new Map() };
      byRecall.set(notice.recall_id, entry);
    }
    entry.notices.push(notice);
    entry.remote.set(notice.id, remoteSubjectId);
  }
  // The initiator is this platform's business: a member needs the recall and its own notices.
  return [...byRecall.values()].map(({ recall, notices, remote }) => recallCopy(recall, notices, (n) => remote.get(n.id)!, null));
}

/**
 * The member's side: records recalls received from the upstream under their ids, with the notices of its own subjects,
 * so those subjects see and answer them here; the codes they held are marked recalled here too. A recall closed
 * upstream is closed here. Returns how many recalls were new or changed; each such change is audited.
 */
export async function storeRecallsDown(trx: Executor, actor: Principal, upstreamUrl: string, received: RecallCopy[]): Promise<number> {
  const repo = new FederationRepository(trx);
  const recalls = new RecallRepository(trx);
  const now = new Date().toISOString();
  let changed = 0;
  for (const down of received) {
    const notices: RecallNoticeTable[] = [];
    for (const n of down.notices) if ((await repo.subjectExists(n.subjectId)) && !(await recalls.notice(n.id))) notices.push(noticeRow(down.id, n));
    const here = await recalls.find(down.id);
    if (here && !(await repo.isReceivedRecall(down.id))) continue; // an id made here: not the upstream's to change
    const closing = here !== undefined && here.status === 'open' && down.status === 'closed';
    if (here && notices.length === 0 && !closing) continue;
    if (!here) {
      await insertRecallCopy(trx, down, `upstream ${upstreamUrl}`, null, notices);
      await repo.insertReceivedRecall(down.id, upstreamUrl, now);
    } else {
      for (const notice of notices) await repo.insertNotice(notice);
      if (closing) await recalls.close(down.id, down.closedAt ?? now, down.closingNote);
    }
    await recordAudit(trx, actor, {
      action: 'federation.recall.receive',
      targetType: 'recall',
      targetId: down.id,
      subjectId: null,
      changes: { upstream: upstreamUrl, status: down.status, notices: notices.map((n) => n.id) },
    });
    changed++;
  }
  return changed;
}
