import type { CompiledQuery } from 'kysely';
import type { Executor } from './database.js';

/**
 * Statements compiled once per database handle: on the hottest paths (a trace's dozen reads, a consumer page's recall
 * check) building a statement through the query builder took as long as running it. Keyed by what shapes the
 * statement; the list that changes between runs is put in when it runs (`rowsWithList`).
 *
 * PostgreSQL also prepares them, once per connection (`preparedName`): a prepared statement is not parsed and
 * analysed again on each run, which saved about a tenth of a millisecond of each round trip of a trace.
 */
const compiled = new WeakMap<object, Map<string, CompiledQuery>>();
/** Keys are few (a shape per reader scope); the bound only guards against an unforeseen many. */
const MOST_KEPT = 1_000;

/** Names for the texts of statements compiled once: a name always stands for the same text. */
const names = new Map<string, string>();

export function compiledOnce<Row>(db: Executor, key: string, build: () => { compile(): CompiledQuery<Row> }): CompiledQuery<Row> {
  let statements = compiled.get(db);
  if (!statements) compiled.set(db, (statements = new Map()));
  let statement = statements.get(key) as CompiledQuery<Row> | undefined;
  if (!statement) {
    if (statements.size >= MOST_KEPT) statements.clear();
    statement = build().compile();
    statements.set(key, statement);
    // Texts are never forgotten: a connection may hold the statement under its name, and the name must not change.
    if (!names.has(statement.sql) && names.size < MOST_KEPT) names.set(statement.sql, `zhuisu_${names.size + 1}`);
  }
  return statement;
}

/** The name to prepare a statement's text under, if it is one compiled once. */
export function preparedName(text: string): string | undefined {
  return names.get(text);
}

/**
 * Stands for a list sent as one JSON parameter (`seqAmong`, `textAmong`) while a statement is compiled once;
 * `rowsWithList` puts the list of each run in its place.
 */
export const LIST_PLACEHOLDER = ['\u0000list\u0000'] as unknown as readonly never[];
const PLACEHOLDER_TEXT = JSON.stringify(LIST_PLACEHOLDER);

/** The statement with its list placeholder replaced by `list`. */
function withList<Row>(statement: CompiledQuery<Row>, list: readonly unknown[]): CompiledQuery<Row> {
  const text = JSON.stringify(list);
  return { ...statement, parameters: statement.parameters.map((p) => (p === PLACEHOLDER_TEXT ? text : p)) };
}

/** The rows of a statement compiled once under `key` (built with `LIST_PLACEHOLDER`), run with `list` in its place; none for an empty list. */
export async function rowsWithList<Row>(db: Executor, key: string, build: () => { compile(): CompiledQuery<Row> }, list: readonly unknown[]): Promise<Row[]> {
  if (list.length === 0) return [];
  return (await db.executeQuery(withList(compiledOnce(db, key, build), list))).rows;
}
