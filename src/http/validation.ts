import Ajv, { type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

/**
 * Request validation. Bodies are checked strictly: no type coercion, no silently dropped fields (an unknown field is a
 * 400), every error reported. Query strings and path parameters arrive as text, so there numbers are coerced.
 */
function makeAjv(options: Options) {
  const ajv = new Ajv.default({ allErrors: true, removeAdditional: false, useDefaults: true, strict: false, ...options });
  addFormats.default(ajv);
  return ajv;
}

const bodyAjv = makeAjv({ coerceTypes: false });
const textAjv = makeAjv({ coerceTypes: 'array' });

export const validatorCompiler: FastifySchemaCompiler<any> = ({ schema, httpPart }) =>
  (httpPart === 'body' ? bodyAjv : textAjv).compile(schema as object);
