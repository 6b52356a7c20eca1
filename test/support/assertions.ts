import assert from 'node:assert/strict';
import type { CodeScheme } from '../../src/codes/scheme.js';
import { isDomainError, type ErrorKind } from '../../src/domain/errors.js';

/**
 * Asserts that `scheme` refuses `text` with a reason matching `reason`. `near` is whether the refusal should be a near
 * miss (the text has the scheme's shape but breaks a rule) rather than "not this scheme": when scan.ts tries every
 * scheme it explains only the near misses, so a refusal of the wrong kind hides the reason even when its wording is right.
 */
export function assertRefuses(scheme: CodeScheme, text: string, reason: RegExp, near = true): void {
  const shown = `${scheme.id} ${JSON.stringify(text)}`;
  const result = scheme.parse(text);
  if (result.ok) assert.fail(`${shown} should be refused, but it was read as ${JSON.stringify(result.value.canonical)}`);
  assert.match(result.reason, reason, `${shown} was refused for a reason that does not match ${reason}: ${result.reason}`);
  assert.equal(result.near, near, `${shown} should be refused as ${near ? 'a near miss' : 'not this scheme'}: ${result.reason}`);
}

/**
 * Asserts that `run` throws a `DomainError` with `code` (and `kind`, when given), and returns its message so the test
 * can check what a user would read. For code that may reject, use `assertRejectsDomainError`.
 */
export function assertThrowsDomainError(run: () => unknown, code: string, kind?: ErrorKind): string {
  let returned: unknown;
  try {
    returned = run();
  } catch (error) {
    return checkDomainError(error, code, kind);
  }
  // A rejected promise is not a throw: without this, passing async code here would fail with a misleading message.
  if (returned instanceof Promise) assert.fail(`expected a DomainError with code ${code}, but a promise was returned: use assertRejectsDomainError`);
  assert.fail(`expected a DomainError with code ${code}, but nothing was thrown`);
}

/**
 * Asserts that `run` throws or rejects with a `DomainError` with `code` (and `kind`, when given), and returns its message.
 * Both count, so that moving validation before or after the first await does not break the test.
 */
export async function assertRejectsDomainError(run: () => unknown, code: string, kind?: ErrorKind): Promise<string> {
  try {
    await run();
  } catch (error) {
    return checkDomainError(error, code, kind);
  }
  assert.fail(`expected a DomainError with code ${code}, but nothing was thrown or rejected`);
}

function checkDomainError(error: unknown, code: string, kind: ErrorKind | undefined): string {
  assert.ok(isDomainError(error), `expected a DomainError with code ${code}, got ${String(error)}`);
  assert.equal(error.code, code, `expected code ${code}, got ${error.code}: ${error.message}`);
  if (kind !== undefined) assert.equal(error.kind, kind, `expected kind ${kind} for ${code}, got ${error.kind}: ${error.message}`);
  return error.message;
}
