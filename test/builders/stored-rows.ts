import type { EventTable } from '../../src/db/schema.js';

/**
 * An `events` row as an earlier version wrote it, for migration tests that write data beneath the platform: the hash
 * made from the seq, the type from the body, the other columns as given or empty.
 */
export function storedEventRow(seq: number, body: Record<string, unknown>, columns: Partial<EventTable> = {}): EventTable {
  return {
    seq,
    event_id: null,
    event_hash: `ni:///sha-256;${String(seq).padStart(64, '0')}?ver=CBV2.0`,
    event_type: String(body.type),
    action: null,
    biz_step: null,
    disposition: null,
    event_time_ms: Date.parse('2026-04-01T00:00:00.000Z') + seq,
    record_time_ms: Date.parse('2026-04-02T00:00:00.000Z'),
    owner_subject_id: null,
    product_class: null,
    capture_id: 'cap-old',
    object_ids: null,
    body: JSON.stringify(body),
    ...columns,
  };
}
