import { sql, type RawBuilder } from 'kysely';
import type { Executor } from './database.js';
import { isPostgres } from './dialect.js';

/**
 * Reading the identifier index (table `postings`), whose entries are JSON arrays of [seq, role] pairs: each dialect
 * unpacks JSON its own way, so the SQL for it lives here.
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
  const terms = termCondition(match);
  const roles = sql.join(match.roles);
  return isPostgres(db)
    ? sql<number>`(select (j.value ->> 0)::bigint from postings p cross join jsonb_array_elements(p.entries::jsonb) as j(value) where ${terms} and j.value ->> 1 in (${roles}))`
    : sql<number>`(select j.value ->> 0 from postings p, json_each(p.entries) j where ${terms} and j.value ->> 1 in (${roles}))`;
}

/**
 * Whether an event (its `object_ids` column, as `objectIdsColumn` names it) names a thing that `subjectId` has an event about,
 * in one of `roles`: the tenancy rule's "history of what a subject has held".
 */
export function namesThingHeldBy(db: Executor, objectIdsColumn: string, subjectId: string, roles: string[]): RawBuilder<boolean> {
  const roleList = sql.join(roles);
  const objectIds = sql.ref(objectIdsColumn);
  return isPostgres(db)
    ? sql<boolean>`exists (select 1 from jsonb_array_elements_text(${objectIds}::jsonb) as t(term)
        join postings p on p.term = t.term collate "C"
        cross join jsonb_array_elements(p.entries::jsonb) as j(value)
        join event_subjects hs on hs.seq = (j.value ->> 0)::bigint and hs.subject_id = ${subjectId}
        where j.value ->> 1 in (${roleList}))`
    : sql<boolean>`exists (select 1 from json_each(${objectIds}) t
        join postings p on p.term = t.value
        join json_each(p.entries) j
        join event_subjects hs on hs.seq = j.value ->> 0 and hs.subject_id = ${subjectId}
        where j.value ->> 1 in (${roleList}))`;
}

/** Exact terms by key lookup, prefixes as key ranges (terms are compared byte by byte on both dialects). */
function termCondition(match: PostingMatch): RawBuilder<boolean> {
  const conditions: RawBuilder<boolean>[] = [];
  if (match.terms.length) conditions.push(sql<boolean>`p.term in (${sql.join(match.terms)})`);
  for (const prefix of match.prefixes) {
    conditions.push(prefix === '' ? sql<boolean>`true` : sql<boolean>`(p.term >= ${prefix} and p.term < ${prefixEnd(prefix)})`);
  }
  return conditions.length ? sql<boolean>`(${sql.join(conditions, sql` or `)})` : sql<boolean>`false`;
}

/** The least string greater than every string starting with `prefix`. */
function prefixEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}
