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
