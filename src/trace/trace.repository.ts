import type { Executor } from '../db/index.js';

export interface TraceSubject {
  id: string;
  subjectCode: string;
  name: string;
  regionCode: string;
  roles: string[];
}

export interface TraceLocation {
  gln: string;
  id: string;
  name: string;
  subjectId: string;
  regionCode: string;
}

export interface TraceProduct {
  id: string;
  name: string;
  gtin: string | null;
  productClass: string;
  ownerSubjectId: string;
}

const KEYS_PER_LOOKUP = 1_000;

/** The master data a trace result names: who holds things, where, and what they are. */
export class TraceRepository {
  constructor(private readonly db: Executor) {}

  async subjects(ids: string[]): Promise<Map<string, TraceSubject>> {
    const found = new Map<string, TraceSubject>();
    for (const chunk of chunks(ids)) {
      const rows = await this.db.selectFrom('subjects').select(['id', 'subject_code', 'name', 'region_code', 'roles']).where('id', 'in', chunk).execute();
      for (const r of rows) found.set(r.id, { id: r.id, subjectCode: r.subject_code, name: r.name, regionCode: r.region_code, roles: JSON.parse(r.roles) as string[] });
    }
    return found;
  }

  /** Registered locations by their 13-digit GLN. */
  async locations(glns: string[]): Promise<Map<string, TraceLocation>> {
    const found = new Map<string, TraceLocation>();
    for (const chunk of chunks(glns)) {
      const rows = await this.db.selectFrom('locations').select(['id', 'gln', 'name', 'subject_id', 'region_code']).where('gln', 'in', chunk).execute();
      for (const r of rows) found.set(r.gln!, { gln: r.gln!, id: r.id, name: r.name, subjectId: r.subject_id, regionCode: r.region_code });
    }
    return found;
  }

  /**
   * The subject whose GS1 company prefix each number (a party GLN, a GTIN without its indicator digit) starts with:
   * prefixes never nest, so at most one matches.
   */
  async prefixOwners(numbers: string[]): Promise<Map<string, string>> {
    const candidates = new Set<string>();
    for (const n of numbers) for (let length = 4; length <= 12 && length <= n.length; length += 1) candidates.add(n.slice(0, length));
    const owners = new Map<string, string>();
    for (const chunk of chunks([...candidates])) {
      const rows = await this.db.selectFrom('subject_company_prefixes').select(['prefix', 'subject_id']).where('prefix', 'in', chunk).execute();
      for (const r of rows) owners.set(r.prefix, r.subject_id);
    }
    const found = new Map<string, string>();
    for (const n of numbers) {
      for (let length = 4; length <= 12 && length <= n.length; length += 1) {
        const owner = owners.get(n.slice(0, length));
        if (owner) found.set(n, owner);
      }
    }
    return found;
  }

  async productsByGtin(gtins: string[]): Promise<Map<string, TraceProduct>> {
    const found = new Map<string, TraceProduct>();
    for (const chunk of chunks(gtins)) {
      const rows = await this.db.selectFrom('products').select(['id', 'name', 'gtin', 'product_class', 'owner_subject_id']).where('gtin', 'in', chunk).execute();
      for (const r of rows) found.set(r.gtin!, { id: r.id, name: r.name, gtin: r.gtin, productClass: r.product_class, ownerSubjectId: r.owner_subject_id });
    }
    return found;
  }

  /** The products of registered codes that carry no GTIN (platform and authority codes), by their identifier. */
  async productsOfCodes(codes: string[]): Promise<Map<string, TraceProduct>> {
    const found = new Map<string, TraceProduct>();
    for (const chunk of chunks(codes)) {
      const rows = await this.db
        .selectFrom('issued_codes as c')
        .innerJoin('code_batches as b', 'b.id', 'c.batch_id')
        .innerJoin('products as p', 'p.id', 'b.product_id')
        .select(['c.code', 'p.id', 'p.name', 'p.gtin', 'p.product_class', 'p.owner_subject_id'])
        .where('c.code', 'in', chunk)
        .execute();
      for (const r of rows) found.set(r.code, { id: r.id, name: r.name, gtin: r.gtin, productClass: r.product_class, ownerSubjectId: r.owner_subject_id });
    }
    return found;
  }
}

function chunks<T>(values: T[], size = KEYS_PER_LOOKUP): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}
