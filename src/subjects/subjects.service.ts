import { uuidv7 } from 'uuidv7';
import { canReadSubject, canRegisterSubject, canSupervise, canWriteMasterData, ensure, readScope } from '../access/policy.js';
import { systemPrincipal, type Principal } from '../access/principal.js';
import { recordAudit } from '../audit/audit.service.js';
import { hasValidCheckDigit } from '../codes/gs1/check-digit.js';
import { formatPersonCode } from '../codes/person-code.js';
import { isRegionCode, isRegionPrefix } from '../codes/region.js';
import { parseResidentId } from '../codes/resident-id.js';
import { parseUscc } from '../codes/uscc.js';
import { IdentityVault } from '../crypto/identity-vault.js';
import type { Database, Executor } from '../db/index.js';
import { conflict, invalid, notFound } from '../domain/errors.js';
import type { Location, Page, Subject, SubjectRole, SubjectStatus } from '../domain/master-data.js';
import { SubjectsRepository } from './subjects.repository.js';

export interface SubjectInput {
  kind: Subject['kind'];
  /** 统一社会信用代码, for organisations. */
  subjectCode?: string;
  /** 身份证号, for natural persons; sealed at rest and never returned. */
  personId?: string;
  name: string;
  roles: SubjectRole[];
  regionCode: string;
  address?: string | null;
  contact?: Subject['contact'];
  licences?: Subject['licences'];
  companyPrefixes?: string[];
}

export type SubjectPatch = Partial<Pick<SubjectInput, 'name' | 'roles' | 'regionCode' | 'address' | 'contact' | 'licences' | 'companyPrefixes'>>;

export interface LocationInput {
  gln?: string | null;
  localCode?: string | null;
  name: string;
  kind?: string | null;
  address?: string | null;
  regionCode: string;
}

export type LocationPatch = Partial<Omit<LocationInput, 'gln' | 'localCode'>> & { status?: Location['status'] };

const PERSON_CODE_COUNTER = 'person_subject_code';

export class SubjectsService {
  constructor(
    private readonly database: Database,
    private readonly vault: IdentityVault,
  ) {}

  async register(actor: Principal, input: SubjectInput): Promise<Subject> {
    ensure(canRegisterSubject(actor), 'not-permitted', 'only a platform admin registers subjects (备案)');
    checkRegion(input.regionCode, '/regionCode');
    const prefixes = normalisePrefixes(input.companyPrefixes ?? []);
    const now = new Date().toISOString();
    const id = uuidv7();

    return this.database.transaction(async (trx) => {
      const repo = new SubjectsRepository(trx);
      let subjectCode: string;
      let personCipher: string | null = null;
      let personIndex: string | null = null;
      if (input.kind === 'organisation') {
        if (input.personId !== undefined) throw invalid('field-not-allowed', 'an organisation has no personId', [{ pointer: '/personId', message: 'not allowed for organisations' }]);
        const uscc = parseUscc(input.subjectCode ?? '');
        if (!uscc.ok) throw invalid('invalid-subject-code', `subjectCode: ${uscc.reason}`, [{ pointer: '/subjectCode', message: uscc.reason }]);
        subjectCode = uscc.value.code;
        if (await repo.findByCode(subjectCode)) throw conflict('subject-exists', `a subject with 主体码 ${subjectCode} is already registered`);
      } else {
        if (input.subjectCode !== undefined) throw invalid('field-not-allowed', 'the subject code of a person is issued by the platform', [{ pointer: '/subjectCode', message: 'not allowed for persons' }]);
        const person = parseResidentId(input.personId ?? '');
        // The reason may quote the number; keep it out of the message.
        if (!person.ok) throw invalid('invalid-person-id', 'personId is not a valid 公民身份号码', [{ pointer: '/personId', message: 'not a valid 公民身份号码 (length, birth date or check character)' }]);
        personIndex = this.vault.blindIndex(person.value.id);
        if (await repo.existsByPersonIndex(personIndex)) throw conflict('subject-exists', 'this person is already registered as a subject');
        personCipher = this.vault.seal(person.value.id);
        subjectCode = formatPersonCode(input.regionCode, await nextCounter(trx, PERSON_CODE_COUNTER));
      }
      await checkPrefixesFree(repo, prefixes);
      await repo.insert({
        subject: {
          id,
          subject_code: subjectCode,
          kind: input.kind,
          name: input.name.trim(),
          roles: JSON.stringify(unique(input.roles)),
          region_code: input.regionCode,
          status: 'active',
          status_reason: null,
          address: input.address ?? null,
          contact: input.contact ? JSON.stringify(input.contact) : null,
          licences: JSON.stringify(input.licences ?? []),
          person_id_cipher: personCipher,
          person_id_index: personIndex,
          created_at: now,
          updated_at: now,
        },
        companyPrefixes: prefixes,
      });
      await recordAudit(trx, actor, {
        action: 'subject.register',
        targetType: 'subject',
        targetId: id,
        subjectId: id,
        changes: { subjectCode, kind: input.kind, name: input.name, roles: input.roles, regionCode: input.regionCode, companyPrefixes: prefixes },
      });
      return (await repo.findById(id))!;
    });
  }

  /**
   * Re-seals, in one transaction, every person's identity number still sealed under an earlier scheme, with its blind
   * index recomputed; returns how many were re-sealed. It has to run before anyone registers a person, since the
   * uniqueness check looks for the current index only (the platform runs it at start). When nothing is left it is
   * one read and no transaction, so every start can afford it.
   */
  async resealIdentities(): Promise<number> {
    const current = `${IdentityVault.CURRENT_VERSION}.`;
    if ((await new SubjectsRepository(this.database.db).personIdentitiesNotSealedAs(current, 1)).length === 0) return 0;
    const actor = systemPrincipal('identity-reseal');
    return this.database.transaction(async (trx) => {
      const repo = new SubjectsRepository(trx);
      let resealed = 0;
      for (const row of await repo.personIdentitiesNotSealedAs(current)) {
        let plain: string;
        try {
          plain = this.vault.open(row.cipher);
        } catch (error) {
          // Most likely the key directory is not the one the data was sealed with; going on would index under a key
          // that finds none of the stored persons.
          throw new Error(`subject ${row.id}: its sealed identity number cannot be opened (${(error as Error).message}); check that ZHUISU_KEY_DIR holds the identity key it was sealed with. Nothing was re-sealed.`, { cause: error });
        }
        const index = this.vault.blindIndex(plain);
        const holder = await repo.personIndexHolder(index, row.id);
        if (holder) throw new Error(`subjects ${row.id} and ${holder} are the same person (same identity number); merge them, then restart. Nothing was re-sealed.`);
        if (!(await repo.replacePersonIdentity(row.id, row.cipher, this.vault.seal(plain), index))) continue;
        await recordAudit(trx, actor, {
          action: 'subject.identity-reseal',
          targetType: 'subject',
          targetId: row.id,
          subjectId: row.id,
          changes: { from: row.cipher.split('.', 1)[0], to: IdentityVault.CURRENT_VERSION },
        });
        resealed++;
      }
      return resealed;
    });
  }

  async get(actor: Principal, idOrCode: string): Promise<Subject> {
    const repo = new SubjectsRepository(this.database.db);
    const subject = (await repo.findById(idOrCode)) ?? (await repo.findByCode(idOrCode.toUpperCase()));
    if (!subject) throw notFound('subject-not-found', `no subject ${idOrCode}`);
    ensure(canReadSubject(actor, { subjectId: subject.id, regionCode: subject.regionCode }));
    return subject;
  }

  async list(
    actor: Principal,
    filter: { regionPrefix?: string; role?: SubjectRole; status?: SubjectStatus; query?: string; cursor?: string; limit?: number },
  ): Promise<Page<Subject>> {
    if (filter.regionPrefix !== undefined && !/^\d{0,6}$/.test(filter.regionPrefix)) {
      throw invalid('invalid-region', 'regionPrefix must be up to 6 digits');
    }
    const limit = filter.limit ?? 50;
    const query = filter.query?.replace(/[%_\\]/g, '');
    const items = await new SubjectsRepository(this.database.db).list({
      ...filter,
      ...(query ? { query } : { query: undefined }),
      scope: readScope(actor),
      limit,
    });
    return { items, nextCursor: items.length === limit ? items[items.length - 1]!.id : null };
  }

  async update(actor: Principal, id: string, patch: SubjectPatch): Promise<Subject> {
    return this.database.transaction(async (trx) => {
      const repo = new SubjectsRepository(trx);
      const subject = await this.load(repo, actor, id);
      ensure(canWriteMasterData(actor, subject.id), 'not-permitted', 'only the subject admin or a platform admin changes a subject');
      if (patch.regionCode !== undefined) checkRegion(patch.regionCode, '/regionCode');
      const prefixes = patch.companyPrefixes ? normalisePrefixes(patch.companyPrefixes) : undefined;
      if (prefixes) await checkPrefixesFree(repo, prefixes, subject.id);
      await repo.update(
        subject.id,
        {
          ...(patch.name !== undefined ? { name: patch.name.trim() } : {}),
          ...(patch.roles !== undefined ? { roles: JSON.stringify(unique(patch.roles)) } : {}),
          ...(patch.regionCode !== undefined ? { region_code: patch.regionCode } : {}),
          ...(patch.address !== undefined ? { address: patch.address } : {}),
          ...(patch.contact !== undefined ? { contact: patch.contact ? JSON.stringify(patch.contact) : null } : {}),
          ...(patch.licences !== undefined ? { licences: JSON.stringify(patch.licences) } : {}),
          updated_at: new Date().toISOString(),
        },
        prefixes,
      );
      await recordAudit(trx, actor, { action: 'subject.update', targetType: 'subject', targetId: subject.id, subjectId: subject.id, changes: { ...patch } });
      return (await repo.findById(subject.id))!;
    });
  }

  /** Suspends, blacklists or reinstates a subject. Its users keep read access but can no longer write. */
  async setStatus(actor: Principal, id: string, status: SubjectStatus, reason: string | null): Promise<Subject> {
    return this.database.transaction(async (trx) => {
      const repo = new SubjectsRepository(trx);
      const subject = await this.load(repo, actor, id);
      ensure(canSupervise(actor, { subjectId: subject.id, regionCode: subject.regionCode }), 'not-permitted', 'only a platform admin or a regulator of the subject\'s region changes its status');
      if (status !== 'active' && !reason?.trim()) throw invalid('reason-required', 'suspending or blacklisting needs a reason', [{ pointer: '/reason', message: 'required' }]);
      await repo.update(subject.id, { status, status_reason: status === 'active' ? null : reason!.trim(), updated_at: new Date().toISOString() });
      await recordAudit(trx, actor, { action: 'subject.status', targetType: 'subject', targetId: subject.id, subjectId: subject.id, changes: { from: subject.status, to: status, reason } });
      return (await repo.findById(subject.id))!;
    });
  }

  // Locations -------------------------------------------------------------------------------------------------------

  async addLocation(actor: Principal, subjectId: string, input: LocationInput): Promise<Location> {
    return this.database.transaction(async (trx) => {
      const repo = new SubjectsRepository(trx);
      const subject = await this.load(repo, actor, subjectId);
      ensure(canWriteMasterData(actor, subject.id), 'not-permitted', 'only the subject admin or a platform admin adds locations');
      checkRegion(input.regionCode, '/regionCode');
      const gln = input.gln?.trim() || null;
      const localCode = input.localCode?.trim() || null;
      if (!gln && !localCode) throw invalid('location-code-required', 'a location needs a GLN or a local code', [{ pointer: '/gln', message: 'gln or localCode is required' }]);
      if (gln && !(/^\d{13}$/.test(gln) && hasValidCheckDigit(gln))) throw invalid('invalid-gln', `gln ${gln} is not a valid GLN (13 digits with a GS1 check digit)`, [{ pointer: '/gln', message: 'invalid GLN' }]);
      if (gln && (await repo.findLocationByGln(gln))) throw conflict('location-exists', `GLN ${gln} is already registered`);
      if (localCode && (await repo.findLocationByLocalCode(subject.id, localCode))) throw conflict('location-exists', `local code ${localCode} is already used by this subject`);
      const now = new Date().toISOString();
      const id = uuidv7();
      await repo.insertLocation({
        id,
        subject_id: subject.id,
        gln,
        local_code: localCode,
        name: input.name.trim(),
        kind: input.kind ?? null,
        address: input.address ?? null,
        region_code: input.regionCode,
        status: 'active',
        created_at: now,
        updated_at: now,
      });
      await recordAudit(trx, actor, { action: 'location.create', targetType: 'location', targetId: id, subjectId: subject.id, changes: { ...input } });
      return (await repo.findLocation(id))!;
    });
  }

  async getLocation(actor: Principal, id: string): Promise<Location> {
    const repo = new SubjectsRepository(this.database.db);
    const location = await repo.findLocation(id);
    if (!location) throw notFound('location-not-found', `no location ${id}`);
    const owner = (await repo.findById(location.subjectId))!;
    ensure(canReadSubject(actor, { subjectId: owner.id, regionCode: owner.regionCode }));
    return location;
  }

  async listLocations(actor: Principal, subjectId: string, cursor?: string, limit = 100): Promise<Page<Location>> {
    const repo = new SubjectsRepository(this.database.db);
    const subject = await this.load(repo, actor, subjectId);
    const items = await repo.listLocations(subject.id, cursor, limit);
    return { items, nextCursor: items.length === limit ? items[items.length - 1]!.id : null };
  }

  async updateLocation(actor: Principal, id: string, patch: LocationPatch): Promise<Location> {
    return this.database.transaction(async (trx) => {
      const repo = new SubjectsRepository(trx);
      const location = await repo.findLocation(id);
      if (!location) throw notFound('location-not-found', `no location ${id}`);
      const owner = await this.load(repo, actor, location.subjectId);
      ensure(canWriteMasterData(actor, owner.id), 'not-permitted', 'only the subject admin or a platform admin changes locations');
      if (patch.regionCode !== undefined) checkRegion(patch.regionCode, '/regionCode');
      await repo.updateLocation(id, {
        ...(patch.name !== undefined ? { name: patch.name.trim() } : {}),
        ...(patch.kind !== undefined ? { kind: patch.kind } : {}),
        ...(patch.address !== undefined ? { address: patch.address } : {}),
        ...(patch.regionCode !== undefined ? { region_code: patch.regionCode } : {}),
        ...(patch.status !== undefined ? { status: patch.status } : {}),
        updated_at: new Date().toISOString(),
      });
      await recordAudit(trx, actor, { action: 'location.update', targetType: 'location', targetId: id, subjectId: owner.id, changes: { ...patch } });
      return (await repo.findLocation(id))!;
    });
  }

  /** Loads a subject by id or 主体码 and checks the actor may read it; writers check their right on top. */
  private async load(repo: SubjectsRepository, actor: Principal, idOrCode: string): Promise<Subject> {
    const subject = (await repo.findById(idOrCode)) ?? (await repo.findByCode(idOrCode.toUpperCase()));
    if (!subject) throw notFound('subject-not-found', `no subject ${idOrCode}`);
    ensure(canReadSubject(actor, { subjectId: subject.id, regionCode: subject.regionCode }));
    return subject;
  }
}

function checkRegion(code: string, pointer: string): void {
  if (!isRegionCode(code)) {
    throw invalid('invalid-region', `${code} is not a GB/T 2260 region code`, [{ pointer, message: 'unknown region code' }]);
  }
}

export function checkRegionPrefix(prefix: string, pointer: string): void {
  if (!isRegionPrefix(prefix)) {
    throw invalid('invalid-region', `${prefix} is not a GB/T 2260 region prefix (2, 4 or 6 digits of an existing region)`, [{ pointer, message: 'unknown region prefix' }]);
  }
}

function normalisePrefixes(prefixes: string[]): string[] {
  const cleaned = unique(prefixes.map((p) => p.trim()));
  cleaned.forEach((prefix, i) => {
    if (!/^\d{4,12}$/.test(prefix)) {
      throw invalid('invalid-company-prefix', `${prefix} is not a GS1 company prefix (4 to 12 digits)`, [{ pointer: `/companyPrefixes/${i}`, message: 'expected 4 to 12 digits' }]);
    }
  });
  for (const a of cleaned) {
    for (const b of cleaned) {
      if (a !== b && b.startsWith(a)) throw invalid('invalid-company-prefix', `company prefixes ${a} and ${b} overlap`);
    }
  }
  return cleaned;
}

async function checkPrefixesFree(repo: SubjectsRepository, prefixes: string[], subjectId?: string): Promise<void> {
  for (const prefix of prefixes) {
    const clash = await repo.overlappingPrefixes(prefix, subjectId);
    if (clash.length > 0) {
      throw conflict('company-prefix-taken', `GS1 company prefix ${prefix} overlaps ${clash[0]!.prefix}, registered to another subject`);
    }
  }
}

/** Increments a named counter inside the caller's transaction (portable: UPDATE … RETURNING runs on both dialects). */
async function nextCounter(trx: Executor, name: string): Promise<number> {
  await trx.insertInto('counters').values({ name, value: 0 }).onConflict((oc) => oc.column('name').doNothing()).execute();
  const row = await trx
    .updateTable('counters')
    .set((eb) => ({ value: eb('value', '+', 1) }))
    .where('name', '=', name)
    .returning('value')
    .executeTakeFirstOrThrow();
  return Number(row.value);
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}
