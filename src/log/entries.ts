import { createHash } from 'node:crypto';

/**
 * What a leaf of the transparency log says, as one line of UTF-8 text: the kind of record, the record's own id, and
 * the digest that pins its content.
 *
 *   event <eventID> <CBV 2.0 event hash>            a captured event (the hash is recomputed from the stored body)
 *   correction <eventID> sha-256:<hex>              an errorDeclaration recorded against a stored event
 *   audit <audit id> sha-256:<hex>                  an audited write: master data, recalls, notices, keys, captures
 *
 * The sha-256 digests are over the canonical JSON (keys sorted, no spaces) of the record as stored, so anyone holding
 * the record can recompute them.
 */

export type LogEntryKind = 'event' | 'correction' | 'audit';

export interface LogEntry {
  kind: LogEntryKind;
  /** eventID for events and corrections, the audit entry's id for audits. */
  ref: string;
  digest: string;
  /** For events and corrections: the event's seq, by which its leaf is found. Not part of the entry text. */
  seq?: number;
}

export function formatEntry(entry: LogEntry): string {
  if (/\s/.test(entry.ref) || /\s/.test(entry.digest)) throw new Error(`a log entry's id and digest hold no spaces: ${entry.kind} ${entry.ref}`);
  return `${entry.kind} ${entry.ref} ${entry.digest}\n`;
}

export function parseEntry(text: string): LogEntry | undefined {
  const match = /^(event|correction|audit) (\S+) (\S+)\n$/.exec(text);
  return match ? { kind: match[1] as LogEntryKind, ref: match[2]!, digest: match[3]! } : undefined;
}

/** JSON with object keys sorted at every level and no insignificant space: one text for one value. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The digest a correction or audit entry carries: sha-256 over the record's canonical JSON. */
export function recordDigest(record: unknown): string {
  return `sha-256:${createHash('sha256').update(canonicalJson(record)).digest('hex')}`;
}
