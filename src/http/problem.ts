import type { FastifyError } from 'fastify';
import { DomainError, type ErrorDetail, type ErrorKind } from '../domain/errors.js';

/** The one place where an error kind becomes an HTTP status. */
export const STATUS_BY_KIND: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  too_many_requests: 429,
  unprocessable: 422,
  unsupported_media_type: 415,
  unavailable: 503,
  bad_gateway: 502,
  gateway_timeout: 504,
  internal: 500,
};

export const PROBLEM_TYPE_PREFIX = 'urn:zhuisu:problem:';

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  instance?: string;
  requestId?: string;
  errors?: ErrorDetail[];
}

const TITLES: Record<ErrorKind, string> = {
  invalid: 'Invalid request',
  unauthenticated: 'Authentication required',
  forbidden: 'Not permitted',
  not_found: 'Not found',
  conflict: 'Conflict',
  too_large: 'Request too large',
  too_many_requests: 'Too many requests',
  unprocessable: 'Unprocessable content',
  unsupported_media_type: 'Unsupported media type',
  unavailable: 'Service unavailable',
  bad_gateway: 'Bad gateway',
  gateway_timeout: 'Gateway timeout',
  internal: 'Internal error',
};

/**
 * Turns anything thrown while serving a request into a DomainError: framework errors (broken JSON, schema
 * validation, body limits) get their kind here, and unknown errors become `internal` without leaking their text.
 */
export function asDomainError(error: unknown): DomainError {
  if (error instanceof DomainError) return error;
  const e = error as FastifyError & { validation?: { instancePath?: string; message?: string; params?: Record<string, unknown> }[]; validationContext?: string };
  if (e?.validation) {
    const where = e.validationContext ?? 'body';
    const details = e.validation.map((v) => {
      const extra = v.params?.additionalProperty ? `/${String(v.params.additionalProperty)}` : '';
      const missing = v.params?.missingProperty ? `/${String(v.params.missingProperty)}` : '';
      const pointer = `${v.instancePath ?? ''}${extra}${missing}`;
      const message = v.params?.additionalProperty
        ? 'unknown field'
        : (v.message ?? 'invalid');
      return { pointer: pointer || '/', message, in: where };
    });
    const first = details[0]!;
    return new DomainError('invalid', 'validation-failed', `${where}${first.pointer === '/' ? '' : ' ' + first.pointer}: ${first.message}`, details);
  }
  switch (e?.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new DomainError('invalid', 'invalid-json', e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ? 'the body is empty but declared as JSON' : 'the body is not valid JSON');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new DomainError('too_large', 'body-too-large', e.message);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new DomainError('unsupported_media_type', 'unsupported-media-type', 'send the body as application/json');
    case 'FST_ERR_CTP_INVALID_TYPE':
      return new DomainError('invalid', 'invalid-content-type', 'the Content-Type header is malformed');
    default:
      break;
  }
  if (e instanceof SyntaxError) return new DomainError('invalid', 'invalid-json', 'the body is not valid JSON');
  const status = typeof e?.statusCode === 'number' ? e.statusCode : 500;
  if (status === 413) return new DomainError('too_large', 'body-too-large', 'the request body is too large');
  if (status === 415) return new DomainError('unsupported_media_type', 'unsupported-media-type', 'unsupported media type');
  if (status >= 400 && status < 500) return new DomainError('invalid', 'bad-request', e?.message ?? 'bad request');
  return new DomainError('internal', 'internal-error', 'an unexpected error occurred; it has been logged');
}

export function toProblem(error: DomainError, instance?: string, requestId?: string): Problem {
  return {
    type: PROBLEM_TYPE_PREFIX + error.code,
    title: TITLES[error.kind],
    status: STATUS_BY_KIND[error.kind],
    code: error.code,
    detail: error.message,
    ...(instance ? { instance } : {}),
    ...(requestId ? { requestId } : {}),
    ...(error.details.length ? { errors: error.details } : {}),
  };
}
