/**
 * The one error taxonomy of zhuisu. Services and domain code throw `DomainError`s; the HTTP layer maps `kind` to a
 * status in exactly one place (src/http/problem.ts), the CLI prints `message`. `code` is a stable, machine-readable
 * identifier clients may branch on; it never changes once published.
 */
export type ErrorKind =
  | 'invalid' // the input breaks a rule: malformed, wrong type, unknown field, failed check character
  | 'unauthenticated' // no credentials, or credentials that are unknown, revoked or expired
  | 'forbidden' // credentials are fine but do not carry the right for this action or this data
  | 'not_found'
  | 'conflict' // the input is valid but clashes with stored state (duplicate 主体码, stale status transition)
  | 'too_large' // the request exceeds a documented size or count limit
  | 'too_many_requests' // the caller must wait before trying again (repeated failed sign-ins); details carry retryAfterSeconds
  | 'unprocessable' // well-formed, but its content fails a check the protocol distinguishes from malformed input (a proof that does not verify)
  | 'unsupported_media_type'
  | 'unavailable' // a dependency (database, upstream platform) cannot serve now; retrying may help
  | 'bad_gateway' // another platform asked on the caller's behalf answered wrongly, or an answer that fails its checks
  | 'gateway_timeout' // another platform asked on the caller's behalf did not answer in time
  | 'internal';

export interface ErrorDetail {
  /** JSON-pointer-like path to the offending field, e.g. `/epcisBody/eventList/3/bizStep`. */
  pointer?: string;
  message: string;
  [extra: string]: unknown;
}

export class DomainError extends Error {
  readonly kind: ErrorKind;
  readonly code: string;
  readonly details: ErrorDetail[];

  constructor(kind: ErrorKind, code: string, message: string, details: ErrorDetail[] = []) {
    super(message);
    this.name = 'DomainError';
    this.kind = kind;
    this.code = code;
    this.details = details;
  }
}

export const invalid = (code: string, message: string, details: ErrorDetail[] = []) =>
  new DomainError('invalid', code, message, details);
export const notFound = (code: string, message: string) => new DomainError('not_found', code, message);
export const forbidden = (code: string, message: string) => new DomainError('forbidden', code, message);
export const unprocessable = (code: string, message: string, details: ErrorDetail[] = []) => new DomainError('unprocessable', code, message, details);
export const conflict = (code: string, message: string, details: ErrorDetail[] = []) =>
  new DomainError('conflict', code, message, details);
export const unauthenticated = (code: string, message: string) => new DomainError('unauthenticated', code, message);
export const tooLarge = (code: string, message: string) => new DomainError('too_large', code, message);

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}
