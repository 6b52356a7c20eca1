import { DomainError } from '../domain/errors.js';

interface DriverError {
  code?: string;
  message?: string;
  constraint?: string;
  detail?: string;
}

/**
 * Turns a storage error into a DomainError. Services check their rules first and give precise messages; this is the
 * safety net for races between those checks and the write (two requests registering the same 主体码 at once).
 */
export function translateDatabaseError(error: unknown): Error {
  const e = (error ?? {}) as DriverError;
  const code = e.code ?? '';
  const message = e.message ?? String(error);
  if (code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    const field = uniqueField(e);
    return new DomainError('conflict', 'duplicate', field ? `${field} is already registered` : 'duplicate record', [
      { message: 'unique constraint', ...(field ? { field } : {}) },
    ]);
  }
  if (code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
    return new DomainError('invalid', 'reference-missing', 'a referenced record does not exist');
  }
  if (code === '23502' || code === '23514' || code === 'SQLITE_CONSTRAINT_NOTNULL' || code === 'SQLITE_CONSTRAINT_CHECK') {
    return new DomainError('invalid', 'constraint-violated', 'the record breaks a storage constraint');
  }
  if (code === '40001' || code === '40P01' || code === 'SQLITE_BUSY') {
    return new DomainError('unavailable', 'write-contention', 'the database is busy; retry the request');
  }
  if (code === 'ECONNREFUSED' || code === '57P01' || code === '08006' || code === '08001') {
    return new DomainError('unavailable', 'database-unavailable', 'the database cannot be reached');
  }
  return error instanceof Error ? error : new Error(message);
}

function uniqueField(e: DriverError): string | undefined {
  // SQLite: "UNIQUE constraint failed: subjects.subject_code"; PostgreSQL: detail "Key (subject_code)=(…) already exists."
  const sqlite = /constraint failed: ([\w.]+(?:, [\w.]+)*)/.exec(e.message ?? '');
  if (sqlite?.[1]) return sqlite[1].split(', ').map((c) => c.split('.').pop()).join(', ');
  const pgDetail = /Key \(([^)]+)\)/.exec(e.detail ?? '');
  if (pgDetail?.[1]) return pgDetail[1];
  return e.constraint;
}
