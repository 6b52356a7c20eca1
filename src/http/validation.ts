import Ajv, { type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

/**
 * Request validation. Bodies are checked strictly: no type coercion, no silently dropped fields (an unknown field is a
 * 400), every error reported. Query strings and path parameters arrive as text, so there numbers are coerced.
 *
 * Installed as Fastify's validator *factory*, not with setValidatorCompiler: Fastify rebuilds the compiler of any
 * plugin context that adds shared schemas, and a plain setValidatorCompiler would silently fall back to its default,
 * lenient Ajv there.
 */
function makeAjv(options: Options, externalSchemas: Record<string, unknown>) {
  const ajv = new Ajv.default({ allErrors: true, removeAdditional: false, useDefaults: true, strict: false, ...options });
  addFormats.default(ajv);
  for (const schema of Object.values(externalSchemas)) ajv.addSchema(schema as object);
  return ajv;
}

export function buildValidator(externalSchemas: Record<string, unknown> = {}): FastifySchemaCompiler<any> {
  const bodyAjv = makeAjv({ coerceTypes: false }, externalSchemas);
  const textAjv = makeAjv({ coerceTypes: 'array' }, externalSchemas);
  return ({ schema, httpPart }) => (httpPart === 'body' ? bodyAjv : textAjv).compile(schema as object);
}
