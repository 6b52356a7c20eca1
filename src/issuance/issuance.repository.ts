import type { ReadScope } from '../access/policy.js';
import type { CodeBatchTable, Database, Executor, IssuedCodeTable } from '../db/index.js';

export interface CodeBatch {
  id: string;
  subjectId: string;
  productId: string | null;
  scheme: string;
  origin: 'minted' | 'imported';
  lot: string | null;
  expiry: string | null;
  quantity: number;
  /** The commissioning events that record the batch; together they list its codes in issue order. */
  eventIds: string[];
  createdAt: string;
}

/** A registered code with what the tenancy rule needs to decide who may read it. */
export interface RegisteredCode {
  code: string;
  voidedAt: string | null;
  batch: CodeBatch;
  ownerRegionCode: string;
  productClass: string | null;
}

const KEYS_PER_LOOKUP = 1_000;

export class IssuanceRepository {
  constructor(
    private readonly db: Executor,
    /** For bulk writes; only writers need it. */
    private readonly database?: Database,
  ) {}

  async insertBatch(row: CodeBatchTable): Promise<void> {
    await this.db.insertInto('code_batches').values(row).execute();
  }

  async setEvents(batchId: string, eventIds: string[]): Promise<void> {
    await this.db.updateTable('code_batches').set({ event_ids: JSON.stringify(eventIds) }).where('id', '=', batchId).execute();
  }

  /**
   * Inserts codes that are not registered yet and returns the ones that went in. A code already registered (by any
   * batch, also one committing at the same moment on another connection) is skipped, never overwritten: the caller
   * sees which were taken and mints others in their place.
   */
  async insertNewCodes(rows: IssuedCodeTable[]): Promise<Set<string>> {
    if (!this.database) throw new Error('IssuanceRepository writes codes only when given the database');
    return this.database.insertNew(this.db, 'issued_codes', rows, 'code');
  }

  /** Which of `codes` are registered already. */
  async registered(codes: string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (let i = 0; i < codes.length; i += KEYS_PER_LOOKUP) {
      const rows = await this.db.selectFrom('issued_codes').select('code').where('code', 'in', codes.slice(i, i + KEYS_PER_LOOKUP)).execute();
      for (const row of rows) found.add(row.code);
    }
    return found;
  }

  /** The registry entries of `codes` (those registered), with their batches and owners. */
  async find(codes: string[]): Promise<Map<string, RegisteredCode>> {
    const found = new Map<string, RegisteredCode>();
    for (let i = 0; i < codes.length; i += KEYS_PER_LOOKUP) {
      const rows = await this.db
        .selectFrom('issued_codes as c')
        .innerJoin('code_batches as b', 'b.id', 'c.batch_id')
        .innerJoin('subjects as s', 's.id', 'b.subject_id')
        .leftJoin('products as p', 'p.id', 'b.product_id')
        .selectAll('b')
        .select(['c.code', 'c.voided_at', 's.region_code', 'p.product_class'])
        .where('c.code', 'in', codes.slice(i, i + KEYS_PER_LOOKUP))
        .execute();
      for (const row of rows) {
        found.set(row.code, {
          code: row.code,
          voidedAt: row.voided_at,
          batch: toBatch(row),
          ownerRegionCode: row.region_code,
          productClass: row.product_class,
        });
      }
    }
    return found;
  }

  /** Marks codes void; returns the ones that were not void before. */
  async markVoid(codes: string[], at: string): Promise<string[]> {
    const changed: string[] = [];
    for (let i = 0; i < codes.length; i += KEYS_PER_LOOKUP) {
      const rows = await this.db
        .updateTable('issued_codes')
        .set({ voided_at: at })
        .where('code', 'in', codes.slice(i, i + KEYS_PER_LOOKUP))
        .where('voided_at', 'is', null)
        .returning('code')
        .execute();
      changed.push(...rows.map((r) => r.code));
    }
    return changed;
  }

  async batch(id: string): Promise<(CodeBatch & { ownerRegionCode: string; productClass: string | null }) | undefined> {
    const row = await this.db
      .selectFrom('code_batches as b')
      .innerJoin('subjects as s', 's.id', 'b.subject_id')
      .leftJoin('products as p', 'p.id', 'b.product_id')
      .selectAll('b')
      .select(['s.region_code', 'p.product_class'])
      .where('b.id', '=', id)
      .executeTakeFirst();
    return row ? { ...toBatch(row), ownerRegionCode: row.region_code, productClass: row.product_class } : undefined;
  }

  async batches(scope: ReadScope, filter: { subjectId?: string; productId?: string; cursor?: string; limit: number }): Promise<CodeBatch[]> {
    let query = this.db
      .selectFrom('code_batches as b')
      .innerJoin('subjects as s', 's.id', 'b.subject_id')
      .leftJoin('products as p', 'p.id', 'b.product_id')
      .selectAll('b');
    if (scope.kind === 'subject') query = query.where('b.subject_id', '=', scope.subjectId);
    if (scope.kind === 'region') {
      query = query.where('s.region_code', 'like', `${scope.regionPrefix}%`);
      // A regulator supervises products of its classes; batches of bare logistic units (no product) are the subject's own business.
      query = scope.productClasses.length ? query.where('p.product_class', 'in', scope.productClasses) : query.where('b.id', '=', '');
    }
    if (filter.subjectId) query = query.where('b.subject_id', '=', filter.subjectId);
    if (filter.productId) query = query.where('b.product_id', '=', filter.productId);
    if (filter.cursor) query = query.where('b.id', '<', filter.cursor);
    const rows = await query.orderBy('b.id', 'desc').limit(filter.limit).execute();
    return rows.map(toBatch);
  }

  /** When each of `codes` (registered ones) was voided; absent when it stands. */
  async voids(codes: string[]): Promise<Map<string, string>> {
    const voided = new Map<string, string>();
    for (let i = 0; i < codes.length; i += KEYS_PER_LOOKUP) {
      const rows = await this.db.selectFrom('issued_codes').select(['code', 'voided_at']).where('code', 'in', codes.slice(i, i + KEYS_PER_LOOKUP)).where('voided_at', 'is not', null).execute();
      for (const row of rows) voided.set(row.code, row.voided_at!);
    }
    return voided;
  }

  /**
   * Takes `count` numbers from a named counter (SSCC serial references of one company prefix): the counter row is
   * locked until the transaction ends, so two issuers never draw the same numbers.
   */
  async drawFromCounter(name: string, count: number): Promise<number> {
    await this.db.insertInto('counters').values({ name, value: 0 }).onConflict((oc) => oc.column('name').doNothing()).execute();
    const row = await this.db
      .updateTable('counters')
      .set((eb) => ({ value: eb('value', '+', count) }))
      .where('name', '=', name)
      .returning('value')
      .executeTakeFirstOrThrow();
    return Number(row.value) - count;
  }
}

function toBatch(row: CodeBatchTable): CodeBatch {
  return {
    id: row.id,
    subjectId: row.subject_id,
    productId: row.product_id,
    scheme: row.scheme,
    origin: row.origin,
    lot: row.lot,
    expiry: row.expiry,
    quantity: Number(row.quantity),
    eventIds: JSON.parse(row.event_ids) as string[],
    createdAt: row.created_at,
  };
}
