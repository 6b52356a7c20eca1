import type { Executor, SubjectTable, LocationTable } from '../db/index.js';
import type { Location, Subject, SubjectRole } from '../domain/master-data.js';
import type { ReadScope } from '../access/policy.js';

export interface SubjectListFilter {
  scope: ReadScope;
  regionPrefix?: string;
  role?: SubjectRole;
  status?: Subject['status'];
  query?: string;
  cursor?: string;
  limit: number;
}

export interface NewSubjectRow {
  subject: Omit<SubjectTable, 'person_id_cipher' | 'person_id_index'> & {
    person_id_cipher?: string | null;
    person_id_index?: string | null;
  };
  companyPrefixes: string[];
}

export class SubjectsRepository {
  constructor(private readonly db: Executor) {}

  async insert(row: NewSubjectRow): Promise<void> {
    await this.db.insertInto('subjects').values(row.subject).execute();
    await this.replacePrefixes(row.subject.id, row.companyPrefixes);
  }

  async update(id: string, changes: Partial<SubjectTable>, companyPrefixes?: string[]): Promise<void> {
    await this.db.updateTable('subjects').set(changes).where('id', '=', id).execute();
    if (companyPrefixes) await this.replacePrefixes(id, companyPrefixes);
  }

  private async replacePrefixes(subjectId: string, prefixes: string[]): Promise<void> {
    await this.db.deleteFrom('subject_company_prefixes').where('subject_id', '=', subjectId).execute();
    if (prefixes.length > 0) {
      await this.db
        .insertInto('subject_company_prefixes')
        .values(prefixes.map((prefix) => ({ prefix, subject_id: subjectId })))
        .execute();
    }
  }

  async findById(id: string): Promise<Subject | undefined> {
    const row = await this.db.selectFrom('subjects').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? (await this.withPrefixes([row]))[0] : undefined;
  }

  async findByCode(subjectCode: string): Promise<Subject | undefined> {
    const row = await this.db
      .selectFrom('subjects')
      .selectAll()
      .where('subject_code', '=', subjectCode)
      .executeTakeFirst();
    return row ? (await this.withPrefixes([row]))[0] : undefined;
  }

  async existsByPersonIndex(index: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('subjects')
      .select('id')
      .where('person_id_index', '=', index)
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * Persons whose sealed identity does not start with `currentPrefix`, i.e. was sealed under an earlier scheme. Once all
   * are re-sealed the answer is empty, so a check at every start costs one scan of the subjects, which are few.
   */
  async personIdentitiesNotSealedAs(currentPrefix: string, limit?: number): Promise<{ id: string; cipher: string }[]> {
    let query = this.db
      .selectFrom('subjects')
      .select(['id', 'person_id_cipher'])
      .where('person_id_cipher', 'is not', null)
      .where('person_id_cipher', 'not like', `${currentPrefix}%`)
      .orderBy('id');
    if (limit !== undefined) query = query.limit(limit);
    const rows = await query.execute();
    return rows.map((r) => ({ id: r.id, cipher: r.person_id_cipher! }));
  }

  /**
   * Replaces a person's sealed identity and blind index, only if the sealed value is still `expectedCipher`: a second
   * process re-sealing the same row at the same time then changes nothing. Returns whether the row was changed.
   */
  async replacePersonIdentity(id: string, expectedCipher: string, cipher: string, index: string): Promise<boolean> {
    const result = await this.db
      .updateTable('subjects')
      .set({ person_id_cipher: cipher, person_id_index: index })
      .where('id', '=', id)
      .where('person_id_cipher', '=', expectedCipher)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Another subject holding `index` than `exceptId`, if any. */
  async personIndexHolder(index: string, exceptId: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('subjects')
      .select('id')
      .where('person_id_index', '=', index)
      .where('id', '!=', exceptId)
      .executeTakeFirst();
    return row?.id;
  }

  /** Registered prefixes that overlap `prefix` (GS1 company prefixes never nest), other than the subject's own. */
  async overlappingPrefixes(prefix: string, exceptSubjectId?: string): Promise<{ prefix: string; subjectId: string }[]> {
    const shorter = Array.from({ length: prefix.length }, (_, i) => prefix.slice(0, i + 1));
    let query = this.db
      .selectFrom('subject_company_prefixes')
      .select(['prefix', 'subject_id'])
      .where((eb) => eb.or([eb('prefix', 'in', shorter), eb('prefix', 'like', `${prefix}%`)]));
    if (exceptSubjectId) query = query.where('subject_id', '!=', exceptSubjectId);
    const rows = await query.execute();
    return rows.map((r) => ({ prefix: r.prefix, subjectId: r.subject_id }));
  }

  async list(filter: SubjectListFilter): Promise<Subject[]> {
    let query = this.db.selectFrom('subjects').selectAll();
    const { scope } = filter;
    if (scope.kind === 'subject') query = query.where('id', '=', scope.subjectId);
    if (scope.kind === 'region') query = query.where('region_code', 'like', `${scope.regionPrefix}%`);
    if (filter.regionPrefix) query = query.where('region_code', 'like', `${filter.regionPrefix}%`);
    if (filter.status) query = query.where('status', '=', filter.status);
    if (filter.role) query = query.where('roles', 'like', `%"${filter.role}"%`);
    if (filter.query) {
      const q = `%${filter.query}%`;
      query = query.where((eb) => eb.or([eb('name', 'like', q), eb('subject_code', 'like', q)]));
    }
    if (filter.cursor) query = query.where('id', '>', filter.cursor);
    const rows = await query.orderBy('id').limit(filter.limit).execute();
    return this.withPrefixes(rows);
  }

  private async withPrefixes(rows: SubjectTable[]): Promise<Subject[]> {
    if (rows.length === 0) return [];
    const prefixRows = await this.db
      .selectFrom('subject_company_prefixes')
      .select(['prefix', 'subject_id'])
      .where(
        'subject_id',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('prefix')
      .execute();
    const bySubject = new Map<string, string[]>();
    for (const p of prefixRows) bySubject.set(p.subject_id, [...(bySubject.get(p.subject_id) ?? []), p.prefix]);
    return rows.map((row) => toSubject(row, bySubject.get(row.id) ?? []));
  }

  // Locations -------------------------------------------------------------------------------------------------------

  async insertLocation(row: LocationTable): Promise<void> {
    await this.db.insertInto('locations').values(row).execute();
  }

  async updateLocation(id: string, changes: Partial<LocationTable>): Promise<void> {
    await this.db.updateTable('locations').set(changes).where('id', '=', id).execute();
  }

  async findLocation(id: string): Promise<Location | undefined> {
    const row = await this.db.selectFrom('locations').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toLocation(row) : undefined;
  }

  async findLocationByGln(gln: string): Promise<Location | undefined> {
    const row = await this.db.selectFrom('locations').selectAll().where('gln', '=', gln).executeTakeFirst();
    return row ? toLocation(row) : undefined;
  }

  async findLocationByLocalCode(subjectId: string, localCode: string): Promise<Location | undefined> {
    const row = await this.db
      .selectFrom('locations')
      .selectAll()
      .where('subject_id', '=', subjectId)
      .where('local_code', '=', localCode)
      .executeTakeFirst();
    return row ? toLocation(row) : undefined;
  }

  /** Registered GLNs among `glns`, with the subject owning each location. */
  async subjectsByGlns(glns: string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    if (glns.length === 0) return found;
    const rows = await this.db.selectFrom('locations').select(['gln', 'subject_id']).where('gln', 'in', glns).execute();
    for (const r of rows) if (r.gln) found.set(r.gln, r.subject_id);
    return found;
  }

  async listLocations(subjectId: string, cursor: string | undefined, limit: number): Promise<Location[]> {
    let query = this.db.selectFrom('locations').selectAll().where('subject_id', '=', subjectId);
    if (cursor) query = query.where('id', '>', cursor);
    const rows = await query.orderBy('id').limit(limit).execute();
    return rows.map(toLocation);
  }
}

function toSubject(row: SubjectTable, companyPrefixes: string[]): Subject {
  return {
    id: row.id,
    subjectCode: row.subject_code,
    kind: row.kind,
    name: row.name,
    roles: JSON.parse(row.roles) as Subject['roles'],
    regionCode: row.region_code,
    status: row.status,
    statusReason: row.status_reason,
    address: row.address,
    contact: row.contact ? (JSON.parse(row.contact) as Subject['contact']) : null,
    licences: JSON.parse(row.licences) as Subject['licences'],
    companyPrefixes,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toLocation(row: LocationTable): Location {
  return {
    id: row.id,
    subjectId: row.subject_id,
    gln: row.gln,
    localCode: row.local_code,
    name: row.name,
    kind: row.kind,
    address: row.address,
    regionCode: row.region_code,
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
