import type { Executor, FederationMemberTable, ResolverEntryTable } from '../db/index.js';

/** The resolver directory's entries and the pinned key of the upstream. */
export class ResolverRepository {
  constructor(private readonly db: Executor) {}

  async insertEntry(row: ResolverEntryTable): Promise<void> {
    await this.db.insertInto('resolver_entries').values(row).execute();
  }

  /** Learned entries: one already there (learned or registered) is kept as it is. */
  async insertLearned(rows: ResolverEntryTable[]): Promise<void> {
    for (const row of rows) {
      await this.db
        .insertInto('resolver_entries')
        .values(row)
        .onConflict((oc) => oc.columns(['kind', 'value', 'holder']).doNothing())
        .execute();
    }
  }

  async entry(id: string): Promise<ResolverEntryTable | undefined> {
    return this.db.selectFrom('resolver_entries').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async entryFor(kind: ResolverEntryTable['kind'], value: string, holder: string): Promise<ResolverEntryTable | undefined> {
    return this.db.selectFrom('resolver_entries').selectAll().where('kind', '=', kind).where('value', '=', value).where('holder', '=', holder).executeTakeFirst();
  }

  async deleteEntry(id: string): Promise<void> {
    await this.db.deleteFrom('resolver_entries').where('id', '=', id).execute();
  }

  async entries(filter: { kind?: ResolverEntryTable['kind']; holder?: string }): Promise<ResolverEntryTable[]> {
    let query = this.db.selectFrom('resolver_entries').selectAll();
    if (filter.kind !== undefined) query = query.where('kind', '=', filter.kind);
    if (filter.holder !== undefined) query = query.where('holder', '=', filter.holder);
    return query.orderBy('kind').orderBy('value').orderBy('id').execute();
  }

  /** The entries of `kind` whose value is one of `values`. */
  async matching(kind: ResolverEntryTable['kind'], values: string[]): Promise<ResolverEntryTable[]> {
    if (values.length === 0) return [];
    return this.db.selectFrom('resolver_entries').selectAll().where('kind', '=', kind).where('value', 'in', values).orderBy('id').execute();
  }

  async member(id: string): Promise<FederationMemberTable | undefined> {
    return this.db.selectFrom('federation_members').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async memberByOrigin(origin: string): Promise<FederationMemberTable | undefined> {
    return this.db.selectFrom('federation_members').selectAll().where('log_origin', '=', origin).executeTakeFirst();
  }

  async upstreamKey(upstreamUrl: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('resolver_upstream_keys').select('verifier_key').where('upstream_url', '=', upstreamUrl).executeTakeFirst();
    return row?.verifier_key;
  }

  /** Pins the key unless one is pinned already; answers the key pinned, which the first to pin decided. */
  async pinUpstreamKey(upstreamUrl: string, verifierKey: string, at: string): Promise<string> {
    await this.db
      .insertInto('resolver_upstream_keys')
      .values({ upstream_url: upstreamUrl, verifier_key: verifierKey, pinned_at: at })
      .onConflict((oc) => oc.column('upstream_url').doNothing())
      .execute();
    return (await this.upstreamKey(upstreamUrl))!;
  }
}
