import { randomBytes } from 'node:crypto';
import { uuidv7 } from 'uuidv7';
import { canReadProduct, canReadSubject, canRecordFor, ensure, readScope } from '../access/policy.js';
import type { Principal } from '../access/principal.js';
import { recordAudit } from '../audit/audit.service.js';
import { prepareDocument } from '../capture/prepare.js';
import { storeDocumentIn } from '../capture/capture.writer.js';
import { codeUri, parseCodeUri } from '../codes/code-uri.js';
import { CANONICAL_DIGITAL_LINK_BASE, parseDigitalLink, type AiValue } from '../codes/gs1/digital-link.js';
import { formatElementString } from '../codes/gs1/element-string.js';
import { validateAiValue } from '../codes/gs1/application-identifiers.js';
import { withCheckDigit } from '../codes/gs1/check-digit.js';
import { PLATFORM_CODE_SCHEME, mintPlatformCode } from '../codes/platform-code.js';
import { identifierOf, scanCode, schemeById } from '../codes/registry.js';
import type { Database, Executor } from '../db/index.js';
import { DomainError, conflict, forbidden, invalid, notFound, tooLarge } from '../domain/errors.js';
import type { Page, Product, ProductClass, Subject } from '../domain/master-data.js';
import { EventsRepository } from '../events/events.repository.js';
import { RecallRepository, type RecallSummary } from '../recall/recall.repository.js';
import { labelSheetPdf, labelsZpl, MAX_LABELS, renderSymbol, type Label, type Symbology } from '../labels/index.js';
import { ProductsRepository } from '../products/products.repository.js';
import { SubjectsRepository } from '../subjects/subjects.repository.js';
import { IssuanceRepository, type CodeBatch, type RegisteredCode } from './issuance.repository.js';

/** What the platform mints itself. Everything else an authority assigns, and is imported. */
export const MINTED_SCHEMES = ['gs1-sgtin', 'gs1-sscc', PLATFORM_CODE_SCHEME] as const;
export type MintedScheme = (typeof MINTED_SCHEMES)[number];

export const MAX_CODES_PER_REQUEST = 1_000_000;
export const MAX_IMPORT_CODES = 100_000;
/** EPCIS events name at most this many codes each: a commissioning of a million codes is a hundred events. */
export const CODES_PER_EVENT = 10_000;
/** Rounds of minting replacements for codes found taken before giving up (each round is far likelier to succeed). */
const MINT_ROUNDS = 16;

const EPCIS_CONTEXT = 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld';
/** China Standard Time: the offset events recorded by the platform carry. */
const TIME_ZONE_OFFSET = '+08:00';

const SERIAL_ALPHABETS = {
  // Crockford's base 32: unambiguous when read aloud or typed, all RFC 3986 unreserved, all in GS1 character set 82.
  alphanumeric: '0123456789ABCDEFGHJKMNPQRSTVWXYZ',
  numeric: '0123456789',
} as const;

export interface IssueInput {
  scheme: MintedScheme;
  quantity: number;
  /** The product the codes are for; required except for SSCCs. */
  productId?: string;
  /** The issuing subject when no product says (SSCCs); defaults to the acting subject. */
  subjectId?: string;
  lot?: string;
  /** ISO 8601 date. */
  expiry?: string;
  /** GS1 serials: characters per serial (default 12). */
  serialLength?: number;
  serialCharacters?: keyof typeof SERIAL_ALPHABETS;
  /** SSCCs: the company prefix to issue under (default the subject's first) and the extension digit (default 0). */
  companyPrefix?: string;
  extensionDigit?: number;
}

export interface ImportInput {
  /** The scheme the codes are in, e.g. `vet-drug-code`; every code must validate in it. */
  scheme: string;
  codes: string[];
  productId?: string;
  subjectId?: string;
  lot?: string;
  expiry?: string;
}

export interface IssuedBatch {
  batch: CodeBatch;
  /** The eventIDs of the commissioning events that record the issuance. */
  eventIds: string[];
}

/** A code as the registry describes it. */
export interface CodeView {
  /** The identifier events use: canonical GS1 Digital Link, or urn:zhuisu:{scheme}:{code}. */
  code: string;
  /** The code as printed under the symbol: `(01)…(21)…`, `(00)…`, or the scheme's own spelling. */
  text: string;
  /** The platform's public page for it: what a QR code on its label carries. */
  link: string;
  status: 'issued' | 'void';
  voidedAt: string | null;
}

export type RandomSource = (size: number) => Buffer;

export type LabelFormat = 'pdf' | 'zpl';

export interface LabelRequest {
  format: LabelFormat;
  /** Default: a QR code of the public link for minted codes, Data Matrix of the code itself for imported ones. */
  symbology?: Symbology;
  /** What a QR or Data Matrix carries: the platform's public link, or the code as the sector prints it. */
  payload?: 'link' | 'code';
  /** Position of the first code to print and how many (a print run restarted after a jam). */
  from?: number;
  count?: number;
  columns?: number;
  rows?: number;
}

export class IssuanceService {
  constructor(
    private readonly database: Database,
    private readonly publicUrl: string,
    /** Where the random parts of minted codes come from; node's CSPRNG unless a test needs to force a collision. */
    private readonly random: RandomSource = randomBytes,
  ) {}

  /** Mints `quantity` new codes and records them as commissioning events, all in one transaction. */
  async issue(actor: Principal, input: IssueInput): Promise<IssuedBatch> {
    const random = bufferedRandom(this.random);
    checkQuantity(input.quantity, MAX_CODES_PER_REQUEST);
    const { subject, product } = await this.owner(actor, input);
    const lot = optionalLot(input.lot, input.scheme.startsWith('gs1-'));
    const expiry = optionalDate(input.expiry, 'expiry');
    const mint = this.minter(input, subject, product, random);
    return retriedOnContention(() => this.database.transaction(async (trx) => {
      const repo = new IssuanceRepository(trx, this.database);
      const batch = newBatch(subject.id, product?.id ?? null, input.scheme, 'minted', lot, expiry, input.quantity);
      await repo.insertBatch(toRow(batch, actor));
      const eventIds: string[] = [];
      for (let from = 0; from < input.quantity; from += CODES_PER_EVENT) {
        const count = Math.min(CODES_PER_EVENT, input.quantity - from);
        const codes = await mintInto(repo, batch.id, count, await mint(trx, count));
        eventIds.push(...(await this.record(trx, actor, subject.id, commissioning(codes, lot, expiry))));
      }
      await repo.setEvents(batch.id, eventIds);
      await recordAudit(trx, actor, { action: 'codes.issue', targetType: 'code_batch', targetId: batch.id, subjectId: subject.id, changes: { scheme: input.scheme, quantity: input.quantity, productId: product?.id ?? null, lot, expiry } });
      return { batch: { ...batch, eventIds }, eventIds };
    }));
  }

  /**
   * Registers codes an authority assigned (兽药 codes from the national system, 码上放心, 特种设备代码, 雷管 codes …):
   * every code must validate in the named scheme and be new, or nothing is registered.
   */
  async import(actor: Principal, input: ImportInput): Promise<IssuedBatch> {
    checkQuantity(input.codes.length, MAX_IMPORT_CODES);
    const scheme = schemeById(input.scheme);
    if (!scheme) throw invalid('unknown-scheme', `unknown scheme "${input.scheme}"`, [{ pointer: '/scheme', message: 'not a known scheme id' }]);
    const { subject, product } = await this.owner(actor, input);
    const lot = optionalText(input.lot, 'lot', 20);
    const expiry = optionalDate(input.expiry, 'expiry');
    const identifiers = readAll(input.codes, input.scheme);
    for (const identifier of identifiers) checkMayRegister(identifier, subject, product);
    return this.database.transaction(async (trx) => {
      const repo = new IssuanceRepository(trx, this.database);
      const taken = await repo.registered(identifiers);
      if (taken.size) {
        const first = [...taken].slice(0, 20);
        throw conflict('code-registered', `${taken.size} of the codes are registered already`, first.map((code) => ({ pointer: `/codes/${identifiers.indexOf(code)}`, message: `${code} is registered already` })));
      }
      const batch = newBatch(subject.id, product?.id ?? null, input.scheme, 'imported', lot, expiry, identifiers.length);
      await repo.insertBatch(toRow(batch, actor));
      const inserted = await repo.insertNewCodes(identifiers.map((code) => ({ code, batch_id: batch.id, voided_at: null })));
      // Another import of the same code committed between the check and the insert: refuse rather than half-register.
      if (inserted.size !== identifiers.length) throw conflict('code-registered', 'some of the codes were registered by another request at the same time');
      const eventIds: string[] = [];
      for (let from = 0; from < identifiers.length; from += CODES_PER_EVENT) {
        eventIds.push(...(await this.record(trx, actor, subject.id, commissioning(identifiers.slice(from, from + CODES_PER_EVENT), lot, expiry))));
      }
      await repo.setEvents(batch.id, eventIds);
      await recordAudit(trx, actor, { action: 'codes.import', targetType: 'code_batch', targetId: batch.id, subjectId: subject.id, changes: { scheme: input.scheme, quantity: identifiers.length, productId: product?.id ?? null, lot, expiry } });
      return { batch: { ...batch, eventIds }, eventIds };
    });
  }

  /**
   * Voids codes (a misprint, a damaged label, a cancelled order): they stay registered, so they are never issued again,
   * and a decommissioning event records the void. Codes void already are reported, not voided twice.
   */
  async void(actor: Principal, input: { codes: string[]; reason?: string }): Promise<{ voided: string[]; alreadyVoid: string[]; eventIds: string[] }> {
    checkQuantity(input.codes.length, MAX_IMPORT_CODES);
    const reason = optionalText(input.reason, 'reason', 200);
    const identifiers = readAll(input.codes);
    return this.database.transaction(async (trx) => {
      const repo = new IssuanceRepository(trx, this.database);
      const found = await repo.find(identifiers);
      const missing = identifiers.filter((code) => !found.has(code));
      if (missing.length) {
        throw notFound('code-not-registered', `${missing.length} of the codes are not registered: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`);
      }
      const owners = new Set([...found.values()].map((entry) => entry.batch.subjectId));
      for (const owner of owners) ensure(canRecordFor(actor, owner), 'not-permitted', 'codes are voided by the users of the subject that issued them');
      const at = new Date().toISOString();
      const voided = await repo.markVoid(identifiers, at);
      const fresh = new Set(voided);
      const eventIds: string[] = [];
      for (const owner of owners) {
        const ownCodes = voided.filter((code) => found.get(code)!.batch.subjectId === owner);
        for (let from = 0; from < ownCodes.length; from += CODES_PER_EVENT) {
          eventIds.push(...(await this.record(trx, actor, owner, decommissioning(ownCodes.slice(from, from + CODES_PER_EVENT), reason))));
        }
      }
      await recordAudit(trx, actor, { action: 'codes.void', targetType: 'code', targetId: voided[0] ?? null, subjectId: owners.size === 1 ? [...owners][0]! : null, changes: { count: voided.length, reason } });
      return { voided, alreadyVoid: identifiers.filter((code) => !fresh.has(code)), eventIds };
    });
  }

  async batch(actor: Principal, id: string): Promise<CodeBatch> {
    const batch = await new IssuanceRepository(this.database.db).batch(id);
    if (!batch) throw notFound('batch-not-found', `no code batch ${id}`);
    ensure(canReadBatch(actor, batch));
    const { ownerRegionCode: _, productClass: __, ...view } = batch;
    return view;
  }

  async batches(actor: Principal, filter: { subjectId?: string; productId?: string; cursor?: string; limit?: number }): Promise<Page<CodeBatch>> {
    const limit = filter.limit ?? 50;
    const items = await new IssuanceRepository(this.database.db).batches(readScope(actor), { ...filter, limit });
    return { items, nextCursor: items.length === limit ? items[items.length - 1]!.id : null };
  }

  /**
   * A batch's codes in issue order, a page at a time (the cursor is the position of the last code seen). The batch's
   * commissioning events list them, 10,000 an event, so a page reads one or two events.
   */
  async codes(actor: Principal, batchId: string, cursor: string | undefined, limit: number): Promise<Page<CodeView>> {
    const batch = await this.batch(actor, batchId);
    const after = cursor === undefined ? -1 : Number(cursor);
    if (!Number.isSafeInteger(after) || after < -1) throw invalid('invalid-cursor', 'cursor must be the position of the last code seen');
    const from = after + 1;
    const to = Math.min(batch.quantity, from + limit);
    const events = new EventsRepository(this.database.db);
    const codes: string[] = [];
    for (let index = Math.floor(from / CODES_PER_EVENT); from + codes.length < to; index += 1) {
      const event = await events.findByEventId(batch.eventIds[index]!);
      const listed = event!.body.epcList as string[];
      const offset = index * CODES_PER_EVENT;
      codes.push(...listed.slice(Math.max(0, from - offset), to - offset));
    }
    const voids = await new IssuanceRepository(this.database.db).voids(codes);
    const items = codes.map((code) => this.view(code, voids.get(code) ?? null));
    return { items, nextCursor: to < batch.quantity ? String(to - 1) : null };
  }

  /**
   * Labels for a batch's codes: an A4 sheet (PDF) or ZPL for a thermal printer. Each label carries the symbol and,
   * under it, the code as text, the product and the lot. Voided codes are left out: they must never be applied.
   */
  async labels(actor: Principal, batchId: string, request: LabelRequest): Promise<{ contentType: string; body: Buffer | string; printed: number }> {
    const batch = await this.batch(actor, batchId);
    const from = request.from ?? 0;
    const count = Math.min(request.count ?? MAX_LABELS, batch.quantity - from);
    if (!Number.isInteger(from) || from < 0 || from >= batch.quantity) throw invalid('invalid-range', `from must be 0 to ${batch.quantity - 1}`, [{ pointer: '/from', message: 'out of range' }]);
    if (count > MAX_LABELS) throw tooLarge('too-many-labels', `at most ${MAX_LABELS} labels a request; page with from and count`);
    const page = await this.codes(actor, batchId, from === 0 ? undefined : String(from - 1), count);
    const product = batch.productId ? await new ProductsRepository(this.database.db).findById(batch.productId) : undefined;
    const symbology = request.symbology ?? (batch.origin === 'minted' ? 'qr' : 'datamatrix');
    const payload = request.payload ?? (batch.origin === 'minted' ? 'link' : 'code');
    const productLine = product ? [product.name, product.spec].filter(Boolean).join(' ') : undefined;
    const lotLine = [batch.lot && `批号 ${batch.lot}`, batch.expiry && `有效期至 ${batch.expiry}`].filter(Boolean).join('  ') || undefined;
    const labels: Label[] = page.items
      .filter((code) => code.status === 'issued')
      .map((code) => ({
        symbol: { symbology, text: symbolText(code, symbology, payload, batch) },
        lines: [humanReadable(code, batch), productLine, lotLine].filter((line): line is string => Boolean(line)),
      }));
    if (labels.length === 0) throw conflict('nothing-to-print', 'every code in this range is void');
    const layout = { ...(request.columns ? { columns: request.columns } : {}), ...(request.rows ? { rows: request.rows } : {}) };
    if (request.format === 'zpl') return { contentType: 'text/plain; charset=utf-8', body: labelsZpl(labels), printed: labels.length };
    return { contentType: 'application/pdf', body: await labelSheetPdf(labels, { ...layout, title: `zhuisu ${batch.id}` }), printed: labels.length };
  }

  /** One code's symbol as SVG or PNG, for a web page or a document. */
  async symbol(actor: Principal, scanned: string, format: 'svg' | 'png', symbology: Symbology = 'qr'): Promise<string | Buffer> {
    const entry = await this.lookup(actor, scanned);
    return renderSymbol({ symbology, text: symbolText(entry, symbology, entry.batch.origin === 'minted' ? 'link' : 'code', entry.batch) }, format);
  }

  /**
   * What the registry knows of a scanned code: its batch, product, status and the open recalls that reach it; not
   * found when never registered.
   */
  async lookup(actor: Principal, scanned: string): Promise<CodeView & { batch: CodeBatch; recalls: RecallSummary[] }> {
    const identifier = readAll([scanned])[0]!;
    const entry = (await new IssuanceRepository(this.database.db).find([identifier])).get(identifier);
    if (!entry) throw notFound('code-not-registered', `${identifier} is not registered on this platform`);
    ensure(canReadBatch(actor, { ...entry.batch, ownerRegionCode: entry.ownerRegionCode, productClass: entry.productClass }));
    const recalls = (await new RecallRepository(this.database.db).openRecallsOf([identifier])).get(identifier) ?? [];
    return { ...this.view(entry.code, entry.voidedAt), batch: entry.batch, recalls };
  }

  /** The public view of a registered identifier. */
  view(code: string, voidedAt: string | null): CodeView {
    return { code, text: printedText(code), link: publicLink(this.publicUrl, code), status: voidedAt === null ? 'issued' : 'void', voidedAt };
  }

  /** The subject the codes belong to and the product they are for, with the actor's right to record for it checked. */
  private async owner(actor: Principal, input: { productId?: string; subjectId?: string }): Promise<{ subject: Subject; product: Product | undefined }> {
    const products = new ProductsRepository(this.database.db);
    const subjects = new SubjectsRepository(this.database.db);
    let product: (Product & { ownerRegionCode: string }) | undefined;
    if (input.productId !== undefined) {
      product = await products.findById(input.productId);
      if (!product) throw notFound('product-not-found', `no product ${input.productId}`);
      ensure(canReadProduct(actor, { subjectId: product.ownerSubjectId, regionCode: product.ownerRegionCode, productClass: product.productClass as ProductClass }));
      if (product.status !== 'active') throw conflict('product-discontinued', `product ${product.id} is discontinued; codes are issued for active products`);
    }
    const subjectId = product?.ownerSubjectId ?? input.subjectId ?? actor.onBehalfOf ?? actor.subjectId;
    if (!subjectId) throw invalid('subject-required', 'name the product or the subject the codes are for', [{ pointer: '/subjectId', message: 'required when no product is given' }]);
    if (product && input.subjectId !== undefined && input.subjectId !== product.ownerSubjectId) {
      throw invalid('subject-mismatch', 'the product belongs to another subject than the one named', [{ pointer: '/subjectId', message: 'must be the product owner' }]);
    }
    const subject = await subjects.findById(subjectId);
    if (!subject) throw notFound('subject-not-found', `no subject ${subjectId}`);
    ensure(canReadSubject(actor, { subjectId: subject.id, regionCode: subject.regionCode }));
    ensure(canRecordFor(actor, subject.id), 'not-permitted', 'codes are issued by the users of an active subject, or by a platform admin');
    if (subject.status !== 'active') throw conflict('subject-not-active', `subject ${subject.subjectCode} is ${subject.status}; it cannot issue codes`);
    return { subject, product };
  }

  /** The minting function for the requested scheme, after checking the platform may mint it for this subject. */
  private minter(input: IssueInput, subject: Subject, product: Product | undefined, random: RandomSource): (trx: Executor, count: number) => Promise<() => string> {
    switch (input.scheme) {
      case 'gs1-sgtin': {
        if (!product) throw invalid('product-required', 'GS1 serials are issued for a product', [{ pointer: '/productId', message: 'required' }]);
        const gtin = product.gtin;
        if (!gtin) throw invalid('gtin-required', `product ${product.id} has no GTIN; issue platform codes for it instead`, [{ pointer: '/scheme', message: 'the product has no GTIN' }]);
        if (!subject.companyPrefixes.some((prefix) => gtin.startsWith(prefix, 1))) {
          throw forbidden('not-prefix-owner', `GTIN ${gtin} is not under a GS1 company prefix registered to ${subject.subjectCode}; only the prefix owner serialises it`);
        }
        const length = input.serialLength ?? 12;
        if (!Number.isInteger(length) || length < 6 || length > 20) throw invalid('invalid-serial-length', 'serialLength must be 6 to 20 (AI 21 holds up to 20 characters)', [{ pointer: '/serialLength', message: 'out of range' }]);
        const alphabet = SERIAL_ALPHABETS[input.serialCharacters ?? 'alphanumeric'];
        return async () => () => `${CANONICAL_DIGITAL_LINK_BASE}/01/${gtin}/21/${randomString(random, alphabet, length)}`;
      }
      case 'gs1-sscc': {
        const prefix = input.companyPrefix ?? subject.companyPrefixes[0];
        if (!prefix) throw invalid('company-prefix-required', `${subject.subjectCode} has no GS1 company prefix registered; SSCCs are issued under one`, [{ pointer: '/companyPrefix', message: 'no prefix' }]);
        if (!subject.companyPrefixes.includes(prefix)) throw forbidden('not-prefix-owner', `GS1 company prefix ${prefix} is not registered to ${subject.subjectCode}`);
        const extension = input.extensionDigit ?? 0;
        if (!Number.isInteger(extension) || extension < 0 || extension > 9) throw invalid('invalid-extension-digit', 'extensionDigit must be 0 to 9', [{ pointer: '/extensionDigit', message: 'out of range' }]);
        const referenceLength = 16 - prefix.length;
        return async (trx, count) => {
          // SSCC serial references are drawn in order: the space under a prefix is too small for random draws without repeats.
          const first = await new IssuanceRepository(trx).drawFromCounter(`sscc:${extension}${prefix}`, count);
          if (first + count > 10 ** referenceLength) throw conflict('serial-range-exhausted', `the SSCC serial references of ${extension}${prefix} are used up`);
          let next = first;
          return () => `${CANONICAL_DIGITAL_LINK_BASE}/00/${withCheckDigit(`${extension}${prefix}${String(next++).padStart(referenceLength, '0')}`)}`;
        };
      }
      case PLATFORM_CODE_SCHEME: {
        if (!product) throw invalid('product-required', 'platform codes are issued for a product', [{ pointer: '/productId', message: 'required' }]);
        return async () => () => codeUri(PLATFORM_CODE_SCHEME, mintPlatformCode(subject.regionCode, random));
      }
      default:
        throw invalid('unknown-scheme', `the platform mints ${MINTED_SCHEMES.join(', ')}; other schemes are imported`, [{ pointer: '/scheme', message: 'not minted here' }]);
    }
  }

  /** Stores one document of events in the caller's transaction; returns their eventIDs. */
  private async record(trx: Executor, actor: Principal, owner: string, events: Record<string, unknown>[]): Promise<string[]> {
    const document = { '@context': [EPCIS_CONTEXT], type: 'EPCISDocument', schemaVersion: '2.0', creationDate: new Date().toISOString(), epcisBody: { eventList: events } };
    const job = await storeDocumentIn(this.database, trx, { actor, owner, prepared: prepareDocument(document), id: uuidv7() });
    if (job.status !== 'succeeded') throw new DomainError('internal', 'event-not-recorded', `the platform's own event was refused: ${job.errors.map((e) => e.message).join('; ')}`);
    return job.eventIDs;
  }
}

/**
 * Two issuers that draw the same serial at once each wait for the other's insert; when they wait on each other
 * (PostgreSQL aborts one as a deadlock, SQLite reports busy) the whole issuance runs again with fresh draws: nothing
 * of the aborted attempt was committed.
 */
async function retriedOnContention<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof DomainError && error.code === 'write-contention') || attempt >= CONTENTION_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 50 * attempt));
    }
  }
}

const CONTENTION_ATTEMPTS = 5;

/**
 * Registers `count` freshly minted codes. A minted code that is taken already (a random draw
 * repeating one issued before, or one another issuer commits at the same moment) is replaced by another draw, so the
 * batch gets exactly `count` codes, each registered once for ever.
 */
async function mintInto(repo: IssuanceRepository, batchId: string, count: number, next: () => string): Promise<string[]> {
  const codes: string[] = new Array(count);
  let open = Array.from({ length: count }, (_, i) => i);
  for (let round = 0; round < MINT_ROUNDS && open.length; round += 1) {
    const drawn = new Set<string>();
    const rows = [];
    for (const slot of open) {
      let code = next();
      // A repeat inside this draw would only be refused by the key; draw again at once.
      for (let tries = 0; drawn.has(code) && tries < MINT_ROUNDS; tries += 1) code = next();
      drawn.add(code);
      codes[slot] = code;
      rows.push({ code, batch_id: batchId, voided_at: null });
    }
    // Every issuer inserts in key order, so two that meet on several keys meet on the first of them, not crosswise.
    rows.sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
    const inserted = await repo.insertNewCodes(rows);
    open = open.filter((slot) => !inserted.has(codes[slot]!));
  }
  if (open.length) throw conflict('code-space-exhausted', `${open.length} codes could not be minted without repeating issued ones; use longer serials`);
  return codes;
}

function readAll(scanned: string[], scheme?: string): string[] {
  const problems: { pointer: string; message: string }[] = [];
  const identifiers: string[] = [];
  const seen = new Map<string, number>();
  scanned.forEach((text, i) => {
    const result = scanCode(text, scheme);
    if (!result.ok) {
      problems.push({ pointer: `/codes/${i}`, message: result.reason });
      return;
    }
    const identifier = identifierOf(result.readings[0]!);
    const before = seen.get(identifier);
    if (before !== undefined) problems.push({ pointer: `/codes/${i}`, message: `the same code as /codes/${before}` });
    seen.set(identifier, i);
    identifiers.push(identifier);
  });
  if (problems.length) throw invalid('invalid-codes', `${problems.length} of the codes cannot be taken: ${problems[0]!.message}`, problems.slice(0, 100));
  return identifiers;
}

/** A subject registers GS1 codes only under its own company prefixes; an authority's codes carry no owner to check. */
function checkMayRegister(identifier: string, subject: Subject, product: Product | undefined): void {
  const link = identifier.startsWith(CANONICAL_DIGITAL_LINK_BASE) ? parseDigitalLink(identifier) : undefined;
  if (!link?.ok) return;
  const key = link.value.primaryKey;
  const digits = key.ai === '01' || key.ai === '00' ? key.value.slice(1) : key.value;
  if (!subject.companyPrefixes.some((prefix) => digits.startsWith(prefix))) {
    throw forbidden('not-prefix-owner', `${identifier} is not under a GS1 company prefix registered to ${subject.subjectCode}`);
  }
  if (product?.gtin && key.ai === '01' && key.value !== product.gtin) {
    throw invalid('gtin-mismatch', `${identifier} is for GTIN ${key.value}, not the product's ${product.gtin}`);
  }
}

function commissioning(codes: string[], lot: string | null, expiry: string | null): Record<string, unknown>[] {
  const ilmd: Record<string, string> = {};
  if (lot) ilmd['cbvmda:lotNumber'] = lot;
  if (expiry) ilmd['cbvmda:itemExpirationDate'] = expiry;
  return [{ ...eventBase(), epcList: codes, action: 'ADD', bizStep: 'commissioning', disposition: 'active', ...(Object.keys(ilmd).length ? { ilmd } : {}) }];
}

function decommissioning(codes: string[], reason: string | null): Record<string, unknown>[] {
  return [{ ...eventBase(), epcList: codes, action: 'DELETE', bizStep: 'decommissioning', disposition: 'inactive', ...(reason ? { 'cbvmda:reason': reason } : {}) }];
}

function eventBase(): Record<string, unknown> {
  return { type: 'ObjectEvent', eventTime: new Date().toISOString(), eventTimeZoneOffset: TIME_ZONE_OFFSET };
}

/** The text printed under a symbol. */
export function printedText(code: string): string {
  const uri = parseCodeUri(code);
  if (uri) return uri.code;
  const link = parseDigitalLink(code);
  if (!link.ok) return code;
  return [link.value.primaryKey, ...link.value.qualifiers].map(({ ai, value }) => `(${ai})${value}`).join('');
}

/** What a symbol of the code carries: GS1 symbols its element string, 2D codes its link or its text, Code 128 its text. */
function symbolText(code: CodeView, symbology: Symbology, payload: 'link' | 'code', batch: CodeBatch): string {
  if (symbology === 'gs1-datamatrix' || symbology === 'gs1-128') {
    if (!code.code.startsWith(`${CANONICAL_DIGITAL_LINK_BASE}/`)) throw invalid('not-gs1', `${code.text} is not a GS1 code; print it as QR, Data Matrix or Code 128`, [{ pointer: '/symbology', message: 'GS1 symbols carry GS1 keys only' }]);
    return gs1ElementText(code, batch);
  }
  if (symbology === 'code128') return code.text;
  return payload === 'link' ? code.link : code.text;
}

/**
 * The element string of a GS1 code with the batch's expiry and lot, in the order GS1 recommends for drugs and food
 * (fixed-length AIs first): (01) GTIN, (17) expiry, (10) lot, (21) serial.
 */
function gs1ElementText(code: CodeView, batch: CodeBatch): string {
  const link = parseDigitalLink(code.code);
  if (!link.ok || link.value.primaryKey.ai !== '01') return code.text;
  const serial = link.value.qualifiers.find((q) => q.ai === '21');
  const expiry = batch.expiry && { ai: '17', value: batch.expiry.replace(/-/g, '').slice(2) };
  const lot = batch.lot && { ai: '10', value: batch.lot };
  return formatElementString([link.value.primaryKey, expiry, lot, serial].filter((e): e is AiValue => Boolean(e)));
}

/** The text under the symbol: the element string with expiry and lot for GS1 item codes, the code otherwise. */
function humanReadable(code: CodeView, batch: CodeBatch): string {
  return code.code.startsWith(`${CANONICAL_DIGITAL_LINK_BASE}/01/`) ? gs1ElementText(code, batch) : code.text;
}

/** The platform's public page for a code: a GS1 Digital Link on the platform's own address, or `/c/{code}`. */
export function publicLink(publicUrl: string, code: string): string {
  if (code.startsWith(`${CANONICAL_DIGITAL_LINK_BASE}/`)) return publicUrl + code.slice(CANONICAL_DIGITAL_LINK_BASE.length);
  const uri = parseCodeUri(code);
  if (uri?.scheme === PLATFORM_CODE_SCHEME) return `${publicUrl}/c/${uri.code}`;
  return `${publicUrl}/c/${encodeURIComponent(code)}`;
}

function canReadBatch(actor: Principal, batch: CodeBatch & { ownerRegionCode: string; productClass: string | null }): boolean {
  if (batch.productClass === null) return canReadSubject(actor, { subjectId: batch.subjectId, regionCode: batch.ownerRegionCode });
  return canReadProduct(actor, { subjectId: batch.subjectId, regionCode: batch.ownerRegionCode, productClass: batch.productClass as ProductClass });
}

function newBatch(subjectId: string, productId: string | null, scheme: string, origin: CodeBatch['origin'], lot: string | null, expiry: string | null, quantity: number): CodeBatch {
  return { id: uuidv7(), subjectId, productId, scheme, origin, lot, expiry, quantity, eventIds: [], createdAt: new Date().toISOString() };
}

function toRow(batch: CodeBatch, actor: Principal) {
  return {
    id: batch.id,
    subject_id: batch.subjectId,
    product_id: batch.productId,
    scheme: batch.scheme,
    origin: batch.origin,
    lot: batch.lot,
    expiry: batch.expiry,
    quantity: batch.quantity,
    event_ids: JSON.stringify(batch.eventIds),
    actor: actor.actor,
    created_at: batch.createdAt,
  };
}

/** Draws from `source` in blocks: one call into the CSPRNG per 64 KiB instead of one per code. */
function bufferedRandom(source: RandomSource): RandomSource {
  const BLOCK = 65_536;
  let block: Buffer = Buffer.alloc(0);
  let at = 0;
  return (size) => {
    if (size > BLOCK) return source(size);
    if (at + size > block.length) {
      block = source(BLOCK);
      at = 0;
    }
    at += size;
    return block.subarray(at - size, at);
  };
}

/** Uniform random characters from `alphabet` (rejection sampling keeps every character equally likely). */
function randomString(random: RandomSource, alphabet: string, length: number): string {
  const limit = 256 - (256 % alphabet.length);
  let out = '';
  while (out.length < length) {
    for (const byte of random(length * 2)) {
      if (byte < limit) out += alphabet[byte % alphabet.length];
      if (out.length === length) break;
    }
  }
  return out;
}

function checkQuantity(quantity: number, max: number): void {
  if (!Number.isInteger(quantity) || quantity < 1) throw invalid('invalid-quantity', 'quantity must be a whole number of at least 1', [{ pointer: '/quantity', message: 'at least 1' }]);
  if (quantity > max) throw tooLarge('too-many-codes', `at most ${max.toLocaleString('en')} codes a request`);
}

function optionalText(value: string | undefined, field: string, max: number): string | null {
  if (value === undefined) return null;
  const text = value.trim();
  if (text === '' || text.length > max) throw invalid(`invalid-${field}`, `${field} must be 1 to ${max} characters`, [{ pointer: `/${field}`, message: 'length' }]);
  return text;
}

/** A lot that GS1 symbols will carry must be printable in AI (10): up to 20 characters of set 82. */
function optionalLot(value: string | undefined, gs1: boolean): string | null {
  const lot = optionalText(value, 'lot', 20);
  if (lot !== null && gs1) {
    const check = validateAiValue('10', lot);
    if (!check.ok) throw invalid('invalid-lot', `lot cannot be printed in a GS1 symbol: ${check.reason}`, [{ pointer: '/lot', message: check.reason }]);
  }
  return lot;
}

function optionalDate(value: string | undefined, field: string): string | null {
  if (value === undefined) return null;
  const date = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T00:00:00Z`) : undefined;
  if (!date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) {
    throw invalid(`invalid-${field}`, `${field} must be a calendar date YYYY-MM-DD`, [{ pointer: `/${field}`, message: 'not a date' }]);
  }
  return value;
}

export type { CodeBatch, RegisteredCode };
