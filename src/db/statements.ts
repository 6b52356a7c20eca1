import type { CompiledQuery } from 'kysely';
import type { Executor } from './database.js';

/**
 * Statements compiled once per database handle: on the hottest paths (a trace's dozen reads, a consumer page's recall
 * check) building a statement through the query builder took as long as running it. Keyed by what shapes the
 * statement; values that change between runs are swapped in by the caller (`withParameter`).
 */
const compiled = new WeakMap<object, Map<string, CompiledQuery>>();
/** Keys are few (a shape per reader scope); the bound only guards against an unforeseen many. */
const MOST_KEPT = 1_000;

export function compiledOnce<Row>(db: Executor, key: string, build: () => { compile(): CompiledQuery<Row> }): CompiledQuery<Row> {
  let statements = compiled.get(db);
  if (!statements) compiled.set(db, (statements = new Map()));
  let statement = statements.get(key) as CompiledQuery<Row> | undefined;
  if (!statement) {
    if (statements.size >= MOST_KEPT) statements.clear();
    statement = build().compile();
    statements.set(key, statement);
  }
  return statement;
}

/** The statement with one parameter, compiled as `marker`, replaced by `value`. */
export function withParameter<Row>(statement: CompiledQuery<Row>, marker: unknown, value: unknown): CompiledQuery<Row> {
  return { ...statement, parameters: statement.parameters.map((p) => (p === marker ? value : p)) };
}
