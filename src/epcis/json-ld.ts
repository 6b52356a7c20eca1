import { EPCIS_CONTEXT_PREFIXES } from './cbv.js';

/** zhuisu's vocabulary for Chinese traceability data elements (检疫证号, 检验结果 …) carried as EPCIS extensions. */
export const ZHUISU_VOCABULARY = 'urn:zhuisu:vocab:';

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Prefix → namespace IRI, from the EPCIS context and the inline parts of the document's (and event's) `@context`.
 * Remote contexts are never fetched: a URL entry stands for the standard EPCIS context, whose prefixes are built in.
 */
export function collectPrefixes(...contexts: unknown[]): Map<string, string> {
  const prefixes = new Map(Object.entries(EPCIS_CONTEXT_PREFIXES));
  const visit = (context: unknown): void => {
    if (Array.isArray(context)) {
      context.forEach(visit);
      return;
    }
    if (!isObject(context)) return;
    for (const [term, definition] of Object.entries(context)) {
      if (term.startsWith('@')) continue;
      if (typeof definition === 'string') prefixes.set(term, definition);
      else if (isObject(definition) && typeof definition['@id'] === 'string') prefixes.set(term, definition['@id']);
    }
  };
  contexts.forEach(visit);
  return prefixes;
}

/** `prefix:name` → namespace IRI + name when the prefix is known; full IRIs and unknown prefixes stay as written. */
export function expandTerm(term: string, prefixes: ReadonlyMap<string, string>): string {
  const colon = term.indexOf(':');
  if (colon <= 0 || /^(https?|urn):/i.test(term)) return term;
  const namespace = prefixes.get(term.slice(0, colon));
  return namespace ? namespace + term.slice(colon + 1) : term;
}

const STANDARD_PREFIXES: ReadonlyMap<string, string> = new Map(Object.entries(EPCIS_CONTEXT_PREFIXES));

/**
 * The namespace `prefix` stands for: what `collectPrefixes(documentContext, eventContext).get(prefix)` gives, found by
 * looking for that prefix alone. Capture expands a few terms per event, and building the whole map for every event
 * cost more than the rest of indexing it; looking again on each call, rather than keeping a map per context object,
 * stays right if a caller changes a context between calls.
 */
function resolvePrefix(prefix: string, documentContext: unknown, eventContext: unknown): string | undefined {
  // collectPrefixes never takes an @-keyword from a context, and lets a later definition override an earlier one.
  if (!prefix.startsWith('@')) {
    const found = lastDefinition(eventContext, prefix) ?? lastDefinition(documentContext, prefix);
    if (found !== undefined) return found;
  }
  return STANDARD_PREFIXES.get(prefix);
}

const isEnumerableOwn = (object: object, key: string): boolean => Object.prototype.propertyIsEnumerable.call(object, key);

function lastDefinition(context: unknown, prefix: string): string | undefined {
  if (Array.isArray(context)) {
    for (let i = context.length - 1; i >= 0; i -= 1) {
      const found = lastDefinition(context[i], prefix);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  // Own enumerable properties only, the ones Object.entries gives collectPrefixes.
  if (!isObject(context) || !isEnumerableOwn(context, prefix)) return undefined;
  const definition = context[prefix];
  if (typeof definition === 'string') return definition;
  // A definition of another shape defines nothing, and leaves an earlier one in force.
  return isObject(definition) && typeof definition['@id'] === 'string' ? definition['@id'] : undefined;
}

const ABSOLUTE_TERM = /^(https?|urn):/i;

/**
 * {@link expandTerm} against the prefixes `collectPrefixes(documentContext, eventContext)` would collect, looked up as
 * needed by {@link resolvePrefix}.
 */
export function expandTermIn(term: string, documentContext: unknown, eventContext: unknown): string {
  const colon = term.indexOf(':');
  if (colon <= 0 || ABSOLUTE_TERM.test(term)) return term;
  const namespace = resolvePrefix(term.slice(0, colon), documentContext, eventContext);
  return namespace ? namespace + term.slice(colon + 1) : term;
}
