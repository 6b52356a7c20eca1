import { sql, type RawBuilder } from 'kysely';
import type { Executor } from './database.js';
import { isPostgres } from './dialect.js';
import { LIST_PLACEHOLDER, rowsWithList } from './statements.js';

/**
 * Reading the identifier index (table `postings`, whose entries are JSON arrays of [seq, role] pairs) and the lists
 * of things events name (`events.object_ids`, JSON arrays): each dialect unpacks JSON its own way, so the SQL for it
 * lives here.
 */

export interface PostingMatch {
  /** Exact terms. */
  terms: string[];
  /** Terms starting with one of these. */
  prefixes: string[];
  /** Only entries with one of these roles. */
  roles: string[];
}

/** A subquery yielding the seq of every event with a posting that matches. */
export function postedSeqs(db: Executor, match: PostingMatch): RawBuilder<number> {
  const terms = termCondition(match, db);
  const roles = sql.join(match.roles);
  return isPostgres(db)
    ? sql<number>`(select (j.value ->> 0)::bigint from postings p cross join jsonb_array_elements(p.entries::jsonb) as j(value) where ${terms} and j.value ->> 1 in (${roles}))`
    : sql<number>`(select j.value ->> 0 from postings p, json_each(p.entries) j where ${terms} and j.value ->> 1 in (${roles}))`;
}

/**
 * The seqs of every event with a posting that matches, in no particular order. The postings are fetched by key and
 * unpacked here: SQLite's `json_each` costs about as much again as finding the rows, and a caller that reads every
 * matching event (a trace level) holds the list anyway.
 */
export async function postedSeqList(db: Executor, match: PostingMatch): Promise<number[]> {
  const rows = await sql<{ entries: string }>`select p.entries from postings p where ${termCondition(match, db)}`.execute(db);
  const roles = new Set(match.roles);
  const seqs = new Set<number>();
  for (const { entries } of rows.rows) addPostedSeqs(entries, roles, seqs);
  return [...seqs];
}

/**
 * As `postedSeqList` for exact terms, each group's terms in its own roles (a trace level's instances in the roles of
 * instances, its classes in those of classes): one statement for all of them.
 */
export async function postedSeqsOfTerms(db: Executor, groups: readonly { terms: readonly string[]; roles: readonly string[] }[]): Promise<number[]> {
  const rolesOf = new Map<string, Set<string>>();
  for (const group of groups) {
    for (const term of group.terms) {
      const roles = rolesOf.get(term);
      if (roles) for (const role of group.roles) roles.add(role);
      else rolesOf.set(term, new Set(group.roles));
    }
  }
  const rows = await rowsWithList(
    db,
    'postings-of-terms',
    () => ({ compile: () => sql<{ term: string; entries: string }>`select p.term, p.entries from postings p where ${textAmong(db, 'p.term', LIST_PLACEHOLDER)}`.compile(db) }),
    [...rolesOf.keys()],
  );
  const seqs = new Set<number>();
  for (const { term, entries } of rows) addPostedSeqs(entries, rolesOf.get(term)!, seqs);
  return [...seqs];
}

function addPostedSeqs(entries: string, roles: ReadonlySet<string>, into: Set<number>): void {
  for (const [seq, role] of JSON.parse(entries) as [number, string][]) if (roles.has(role)) into.add(Number(seq));
}

/**
 * Whether an event (its `object_ids` column, as `objectIdsColumn` names it) names a thing that one of the events
 * concerning `subjectId` names too: the tenancy rule's "history of what a subject has held". The things the subject
 * has held are gathered once per query (the subquery does not depend on the outer event), so each candidate event
 * costs a lookup per thing it names.
 */
export function namesThingHeldBy(db: Executor, objectIdsColumn: string, subjectId: string): RawBuilder<boolean> {
  const objectIds = sql.ref(objectIdsColumn);
  return isPostgres(db)
    ? sql<boolean>`exists (select 1 from jsonb_array_elements_text(${objectIds}::jsonb) as t(term) where t.term in (
        select h.term from event_subjects hs join events he on he.seq = hs.seq
          cross join jsonb_array_elements_text(he.object_ids::jsonb) as h(term)
        where hs.subject_id = ${subjectId}))`
    : sql<boolean>`exists (select 1 from json_each(${objectIds}) t where t.value in (
        select h.value from event_subjects hs join events he on he.seq = hs.seq, json_each(he.object_ids) h
        where hs.subject_id = ${subjectId}))`;
}

/**
 * `column` is one of the given event seqs, sent as one JSON parameter: a list of any length (a trace that already
 * holds ten thousand events) stays one bound parameter. PostgreSQL gets the list as an array to scan the index with:
 * written as `in (subquery)` its planner guessed the list's size and joined, several times slower for the hundreds
 * of seqs a trace level sends.
 */
export function seqAmong(db: Executor, column: string, seqs: readonly number[]): RawBuilder<boolean> {
  const list = JSON.stringify(seqs);
  return isPostgres(db)
    ? sql<boolean>`${sql.ref(column)} = any(array(select (jsonb_array_elements_text(${list}::jsonb))::bigint))`
    : sql<boolean>`${sql.ref(column)} in (select value from json_each(${list}))`;
}

/**
 * Exact terms by key lookup, prefixes as key ranges (terms are compared byte by byte on both dialects). Many terms
 * (a trace level names hundreds) go as one JSON parameter: one statement text whatever their number.
 */
function termCondition(match: PostingMatch, db: Executor): RawBuilder<boolean> {
  const conditions: RawBuilder<boolean>[] = [];
  if (match.terms.length > 8) conditions.push(textAmong(db, 'p.term', match.terms));
  else if (match.terms.length) conditions.push(sql<boolean>`p.term in (${sql.join(match.terms)})`);
  for (const prefix of match.prefixes) {
    conditions.push(prefix === '' ? sql<boolean>`true` : sql<boolean>`(p.term >= ${prefix} and p.term < ${prefixEnd(prefix)})`);
  }
  return conditions.length ? sql<boolean>`(${sql.join(conditions, sql` or `)})` : sql<boolean>`false`;
}

/** The least string greater than every string starting with `prefix`. */
function prefixEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

/** `column` is one of the given texts, sent as one JSON parameter (on PostgreSQL an array, as `seqAmong` says). */
export function textAmong(db: Executor, column: string, texts: readonly string[]): RawBuilder<boolean> {
  const list = JSON.stringify(texts);
  return isPostgres(db)
    ? sql<boolean>`${sql.ref(column)} = any(array(select jsonb_array_elements_text(${list}::jsonb)))`
    : sql<boolean>`${sql.ref(column)} in (select value from json_each(${list}))`;
}
