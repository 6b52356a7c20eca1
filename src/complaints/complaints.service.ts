import { LRUCache } from 'lru-cache';
import { uuidv7 } from 'uuidv7';
import { canHandleComplaint, canReadComplaint, ensure, readScope } from '../access/policy.js';
import { systemPrincipal, type Principal } from '../access/principal.js';
import { recordAudit } from '../audit/audit.service.js';
import type { ConsumerService } from '../consumer/consumer.service.js';
import type { IdentityVault } from '../crypto/identity-vault.js';
import type { ComplaintTable, Database } from '../db/index.js';
import { DomainError, invalid, notFound } from '../domain/errors.js';
import type { Page } from '../domain/master-data.js';
import { IssuanceRepository } from '../issuance/issuance.repository.js';
import { TraceRepository } from '../trace/trace.repository.js';
import { ComplaintsRepository } from './complaints.repository.js';

export interface ComplaintInput {
  /** The code as scanned or printed: any form the scanner reads. */
  code: string;
  text: string;
  /** A phone number to call back on; optional, sealed when given. */
  contact?: string | undefined;
}

export interface Complaint {
  id: string;
  code: string;
  productName: string | null;
  producerName: string | null;
  regionCode: string | null;
  text: string;
  /** The contact opened for those who handle complaints; null for others, and when none was left. */
  contact: string | null;
  status: ComplaintTable['status'];
  createdAt: string;
  handledAt: string | null;
  handledBy: string | null;
  handlingNote: string | null;
}

export const COMPLAINT_TEXT = { min: 5, max: 1000 } as const;
/** A mainland mobile number (with or without +86) or a landline with its area code. */
const CONTACT = /^(?:(?:\+?86)?1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$/;
/** Complaints one address may send an hour: a shop's Wi-Fi may carry a few shoppers', a script sends many more. */
const PER_ADDRESS_HOURLY = 30;

/**
 * Consumer complaints (投诉举报) from a code's page. Anyone may complain about any code, one nobody holds included
 * (a code that leads nowhere is itself worth reporting). The complaint records what the page showed of the code and
 * goes to the regulators of the region that answers for it; the contact is sealed like every personal datum and
 * opened only for those who handle complaints.
 */
export class ComplaintsService {
  private readonly recent = new LRUCache<string, number[]>({ max: 50_000 });

  constructor(
    private readonly database: Database,
    private readonly consumer: ConsumerService,
    private readonly vault: IdentityVault,
  ) {}

  async submit(input: ComplaintInput, address: string | null): Promise<Complaint> {
    const text = input.text.trim();
    if ([...text].length < COMPLAINT_TEXT.min || [...text].length > COMPLAINT_TEXT.max) {
      throw invalid('invalid-complaint', `a complaint says what is wrong in ${COMPLAINT_TEXT.min} to ${COMPLAINT_TEXT.max} characters`, [{ pointer: '/text', message: 'length' }]);
    }
    const contact = input.contact?.replace(/[\s()]/g, '') || null;
    if (contact !== null && !CONTACT.test(contact)) throw invalid('invalid-contact', 'the contact is not a phone number', [{ pointer: '/contact', message: 'expected a mobile or landline number' }]);
    this.admit(address);
    // What the page shows of the code: an unreadable code is refused; one nobody holds is still taken.
    let view: Awaited<ReturnType<ConsumerService['view']>> | null = null;
    let code: string;
    try {
      view = await this.consumer.view(input.code);
      code = view.resolution.code;
    } catch (error) {
      if (!(error instanceof DomainError) || error.kind !== 'not_found') throw error;
      code = input.code.trim();
    }
    const row: ComplaintTable = {
      id: uuidv7(),
      code,
      product_name: view?.resolution.product?.name ?? null,
      producer_name: view?.producer?.name ?? null,
      region_code: view ? (view.supervisingRegion ?? (await this.ownerRegion(code, view.resolution.product?.gtin ?? null))) : null,
      text,
      contact_sealed: contact ? this.vault.seal(contact) : null,
      status: 'open',
      created_at: new Date().toISOString(),
      handled_at: null,
      handled_by: null,
      handling_note: null,
    };
    const actor: Principal = { ...systemPrincipal('public'), address };
    await this.database.transaction(async (trx) => {
      await new ComplaintsRepository(trx).insert(row);
      await recordAudit(trx, actor, { action: 'complaint.create', targetType: 'complaint', targetId: row.id, subjectId: null, changes: { code, regionCode: row.region_code } });
    });
    return this.present(row, false);
  }

  async list(actor: Principal, filter: { status?: ComplaintTable['status']; code?: string; cursor?: string; limit?: number }): Promise<Page<Complaint>> {
    const limit = Math.min(filter.limit ?? 100, 500);
    const rows = await new ComplaintsRepository(this.database.db).list(readScope(actor), { ...filter, limit });
    const items = rows.filter((r) => canReadComplaint(actor, r.region_code)).map((r) => this.present(r, canHandleComplaint(actor, r.region_code)));
    return { items, nextCursor: rows.length === limit ? rows[rows.length - 1]!.id : null };
  }

  async get(actor: Principal, id: string): Promise<Complaint> {
    const row = await new ComplaintsRepository(this.database.db).find(id);
    if (!row) throw notFound('complaint-not-found', `no complaint ${id}`);
    ensure(canReadComplaint(actor, row.region_code), 'not-permitted', 'this complaint is outside what this key may read');
    return this.present(row, canHandleComplaint(actor, row.region_code));
  }

  /** Marks a complaint handled, with what was done; done once. */
  async handle(actor: Principal, id: string, note: string): Promise<Complaint> {
    return this.database.transaction(async (trx) => {
      const repo = new ComplaintsRepository(trx);
      const row = await repo.find(id);
      if (!row) throw notFound('complaint-not-found', `no complaint ${id}`);
      ensure(canReadComplaint(actor, row.region_code), 'not-permitted', 'this complaint is outside what this key may read');
      ensure(canHandleComplaint(actor, row.region_code), 'not-permitted', 'only admins and the regulators of its region handle a complaint');
      if (row.status === 'handled') throw new DomainError('conflict', 'complaint-handled', 'the complaint was handled already');
      await repo.markHandled(id, actor.actor, note.trim(), new Date().toISOString());
      await recordAudit(trx, actor, { action: 'complaint.handle', targetType: 'complaint', targetId: id, subjectId: null, changes: { note: note.trim() } });
      return this.present((await repo.find(id))!, true);
    });
  }

  /**
   * When no step names a place or subject (codes issued and not yet used), the region of the code's owner: the
   * subject that registered the code here, else the one owning its GTIN's product.
   */
  private async ownerRegion(code: string, gtin: string | null): Promise<string | null> {
    const registered = (await new IssuanceRepository(this.database.db).find([code])).get(code);
    if (registered) return registered.ownerRegionCode;
    if (!gtin) return null;
    const master = new TraceRepository(this.database.db);
    const product = (await master.productsByGtin([gtin])).get(gtin);
    return product ? ((await master.subjects([product.ownerSubjectId])).get(product.ownerSubjectId)?.regionCode ?? null) : null;
  }

  /** Counts the address's complaints of the last hour and refuses once it has sent PER_ADDRESS_HOURLY. */
  private admit(address: string | null): void {
    if (!address) return;
    const now = Date.now();
    const times = (this.recent.get(address) ?? []).filter((t) => now - t < 3_600_000);
    if (times.length >= PER_ADDRESS_HOURLY) {
      const wait = Math.ceil((times[0]! + 3_600_000 - now) / 1000);
      throw new DomainError('too_many_requests', 'complaints-throttled', `too many complaints from this address; try again in ${wait} s`, [{ message: 'wait before complaining again', retryAfterSeconds: wait }]);
    }
    times.push(now);
    this.recent.set(address, times);
  }

  private present(row: ComplaintTable, withContact: boolean): Complaint {
    return {
      id: row.id,
      code: row.code,
      productName: row.product_name,
      producerName: row.producer_name,
      regionCode: row.region_code,
      text: row.text,
      contact: withContact && row.contact_sealed ? this.vault.open(row.contact_sealed) : null,
      status: row.status,
      createdAt: row.created_at,
      handledAt: row.handled_at,
      handledBy: row.handled_by,
      handlingNote: row.handling_note,
    };
  }
}
