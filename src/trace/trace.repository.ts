import { LIST_PLACEHOLDER, rowsWithList, textAmong, type Executor } from '../db/index.js';

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

/**
 * The master data a trace result names: who holds things, where, and what they are. Each lookup is one statement,
 * compiled once, its keys sent as one list however many there are.
 */
export class TraceRepository {
  constructor(private readonly db: Executor) {}

  async subjects(ids: string[]): Promise<Map<string, TraceSubject>> {
    const found = new Map<string, TraceSubject>();
    const rows = await rowsWithList(this.db, 'trace.subjects', () =>
      this.db.selectFrom('subjects').select(['id', 'subject_code', 'name', 'region_code', 'roles']).where(textAmong(this.db, 'id', LIST_PLACEHOLDER)),
      ids,
    );
    for (const r of rows) {
      found.set(r.id, traceSubject(r));
    }
    return found;
  }

  /** Registered locations by their 13-digit GLN, and the subjects owning them: one statement for both. */
  async placesWithOwners(glns: string[]): Promise<{ locations: Map<string, TraceLocation>; subjects: Map<string, TraceSubject> }> {
    const locations = new Map<string, TraceLocation>();
    const subjects = new Map<string, TraceSubject>();
    const rows = await rowsWithList(this.db, 'trace.placesWithOwners', () =>
      this.db
        .selectFrom('locations as l')
        .innerJoin('subjects as s', 's.id', 'l.subject_id')
        .select(['l.id', 'l.gln', 'l.name', 'l.subject_id', 'l.region_code', 's.subject_code', 's.name as subject_name', 's.region_code as subject_region_code', 's.roles'])
        .where(textAmong(this.db, 'l.gln', LIST_PLACEHOLDER)),
      glns,
    );
    for (const r of rows) {
      locations.set(r.gln!, { gln: r.gln!, id: r.id, name: r.name, subjectId: r.subject_id, regionCode: r.region_code });
      if (!subjects.has(r.subject_id)) {
        subjects.set(r.subject_id, traceSubject({ id: r.subject_id, subject_code: r.subject_code, name: r.subject_name, region_code: r.subject_region_code, roles: r.roles }));
      }
    }
    return { locations, subjects };
  }

  /**
   * The subject whose GS1 company prefix each number (a party GLN, a GTIN without its indicator digit) starts with:
   * prefixes never nest, so at most one matches.
   */
  async prefixOwners(numbers: string[]): Promise<Map<string, string>> {
    const candidates = new Set<string>();
    for (const n of numbers) for (let length = 4; length <= 12 && length <= n.length; length += 1) candidates.add(n.slice(0, length));
    const found = new Map<string, string>();
    const rows = await rowsWithList(this.db, 'trace.prefixOwners', () =>
      this.db.selectFrom('subject_company_prefixes').select(['prefix', 'subject_id']).where(textAmong(this.db, 'prefix', LIST_PLACEHOLDER)),
      [...candidates],
    );
    const owners = new Map(rows.map((r) => [r.prefix, r.subject_id]));
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
    const rows = await rowsWithList(this.db, 'trace.productsByGtin', () =>
      this.db.selectFrom('products').select(['id', 'name', 'gtin', 'product_class', 'owner_subject_id']).where(textAmong(this.db, 'gtin', LIST_PLACEHOLDER)),
      gtins,
    );
    for (const r of rows) {
      found.set(r.gtin!, { id: r.id, name: r.name, gtin: r.gtin, productClass: r.product_class, ownerSubjectId: r.owner_subject_id });
    }
    return found;
  }

  /** The products of registered codes that carry no GTIN (platform and authority codes), by their identifier. */
  async productsOfCodes(codes: string[]): Promise<Map<string, TraceProduct>> {
    const found = new Map<string, TraceProduct>();
    const rows = await rowsWithList(this.db, 'trace.productsOfCodes', () =>
      this.db
        .selectFrom('issued_codes as c')
        .innerJoin('code_batches as b', 'b.id', 'c.batch_id')
        .innerJoin('products as p', 'p.id', 'b.product_id')
        .select(['c.code', 'p.id', 'p.name', 'p.gtin', 'p.product_class', 'p.owner_subject_id'])
        .where(textAmong(this.db, 'c.code', LIST_PLACEHOLDER)),
      codes,
    );
    for (const r of rows) {
      found.set(r.code, { id: r.id, name: r.name, gtin: r.gtin, productClass: r.product_class, ownerSubjectId: r.owner_subject_id });
    }
    return found;
  }
}

function traceSubject(row: { id: string; subject_code: string; name: string; region_code: string; roles: string }): TraceSubject {
  return { id: row.id, subjectCode: row.subject_code, name: row.name, regionCode: row.region_code, roles: JSON.parse(row.roles) as string[] };
}
