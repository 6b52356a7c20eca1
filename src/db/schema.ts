import type { Generated } from 'kysely';
import type { FieldScope } from '../epcis/event-index.js';

/**
 * Row shapes of every table, shared by both dialects. Portable types only: text for identifiers, ISO-8601 UTC
 * timestamps (they sort correctly as text) and JSON documents; integers stay within JavaScript's safe range.
 */
export interface SubjectTable {
  id: string;
  subject_code: string;
  kind: 'organisation' | 'person';
  name: string;
  roles: string; // JSON array of SubjectRole
  region_code: string;
  status: 'active' | 'suspended' | 'blacklisted';
  status_reason: string | null;
  address: string | null;
  contact: string | null; // JSON object
  licences: string; // JSON array
  person_id_cipher: string | null;
  person_id_index: string | null;
  created_at: string;
  updated_at: string;
}

export interface CompanyPrefixTable {
  prefix: string;
  subject_id: string;
}

export interface LocationTable {
  id: string;
  subject_id: string;
  gln: string | null;
  local_code: string | null;
  name: string;
  kind: string | null;
  address: string | null;
  region_code: string;
  status: 'active' | 'closed';
  created_at: string;
  updated_at: string;
}

export interface ProductTable {
  id: string;
  owner_subject_id: string;
  gtin: string | null;
  local_code: string | null;
  name: string;
  spec: string | null;
  product_class: string;
  category: string | null;
  status: 'active' | 'discontinued';
  created_at: string;
  updated_at: string;
}

export interface UserTable {
  id: string;
  username: string;
  display_name: string;
  role: string;
  subject_id: string | null;
  region_prefix: string | null;
  departments: string; // JSON array
  product_classes: string; // JSON array
  status: 'active' | 'disabled';
  created_at: string;
  updated_at: string;
  /** scrypt$N$r$p$salt$hash, or null for a user who signs in with API keys only. */
  password_hash: string | null;
  password_changed_at: string | null;
}

export interface ApiKeyTable {
  id: string;
  user_id: string;
  name: string;
  secret_hash: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface AuditTable {
  id: string;
  at: string;
  actor: string;
  actor_user_id: string | null;
  actor_key_id: string | null;
  on_behalf_of: string | null;
  subject_id: string | null;
  action: string;
  target_type: string;
  target_id: string | null;
  changes: string | null; // JSON
  address: string | null;
  request_id: string | null;
}

export interface CounterTable {
  name: string;
  value: number;
}

export interface LogHeadTable {
  id: number;
  size: number;
}

export interface LogLeafTable {
  idx: number;
  /** What the leaf records: event, correction, audit. */
  kind: string;
  /** The record's own id (eventID, audit id). */
  ref: string;
  /** For event and correction leaves, the event's seq. */
  record_seq: number | null;
  /** The leaf's entry text, whose RFC 6962 leaf hash the tree holds. */
  entry: string;
  leaf_hash: string; // hex
}

export interface LogNodeTable {
  level: number;
  idx: number;
  hash: string; // hex
}

export interface LogRootTable {
  size: number;
  root_hash: string; // hex
  at: string;
}

export interface LogCheckpointTable {
  size: number;
  /** The checkpoint as a signed note. */
  note: string;
  signed_at: string;
}

export interface CaptureJobTable {
  id: string;
  owner_subject_id: string | null;
  actor: string;
  status: 'succeeded' | 'failed';
  event_count: number;
  created_at: string;
  errors: string; // JSON array
  warnings: string; // JSON array
  event_ids: string; // JSON array: the eventID of each event of the document, in order
  context: string | null; // JSON: the document's @context, which its events were captured under
}

export interface EventTable {
  seq: number;
  /** The client's eventID when it is not the canonical hash; null when it is (or none was sent). */
  event_id: string | null;
  event_hash: string;
  event_type: string;
  action: string | null;
  biz_step: string | null;
  disposition: string | null;
  event_time_ms: number;
  record_time_ms: number;
  owner_subject_id: string | null;
  /** Class of the first registered product the event names (by GTIN); null when none is registered. */
  product_class: string | null;
  capture_id: string;
  /** JSON array of the canonical identifiers of the things the event names (EPCs, parents, inputs, outputs, classes). */
  object_ids: string | null;
  body: string; // JSON: the event as the client sent it
}

/**
 * The identifier index: for one term (a canonical identifier or location) and one capture, the events naming it,
 * as a JSON array of [seq, role] pairs; first_seq is the first of them.
 */
export interface PostingTable {
  term: string;
  first_seq: number;
  entries: string;
}

/**
 * What the trace reads of an event: its own columns as in `events` (event_id being its eventID, or its hash where it
 * has none) and the facts of src/epcis/trace-facts.ts as JSON. Events stored before trace facts existed have no row.
 */
export interface EventTraceFactsTable {
  seq: number;
  event_id: string;
  event_type: string;
  action: string | null;
  biz_step: string | null;
  disposition: string | null;
  event_time_ms: number;
  facts: string;
}

export interface EventFieldTable {
  seq: number;
  scope: FieldScope;
  name: string;
  text_value: string | null;
  num_value: number | null;
}

/** One sensor report of an event, with its element's metadata: the columns the sensor query parameters ask. */
export interface EventSensorReportTable {
  seq: number;
  /** The report's place among the event's reports, from 0. */
  ordinal: number;
  type: string | null;
  device_id: string | null;
  time_ms: number | null;
  start_time_ms: number | null;
  end_time_ms: number | null;
  uom: string | null;
  value: number | null;
  min_value: number | null;
  max_value: number | null;
  mean_value: number | null;
  s_dev: number | null;
  perc_rank: number | null;
  perc_value: number | null;
  string_value: string | null;
  /** 'true' or 'false'. */
  boolean_value: string | null;
  hex_binary_value: string | null;
  uri_value: string | null;
  data_processing_method: string | null;
  microorganism: string | null;
  chemical_substance: string | null;
  biz_rules: string | null;
}

export interface EventSubjectTable {
  seq: number;
  subject_id: string;
  relation: string;
}

export interface EventCorrectionTable {
  declared_seq: number;
  declaration_time: string;
  reason: string | null;
  corrective_event_ids: string; // JSON array
  error_declaration: string; // JSON
  capture_id: string;
  recorded_at: string;
}

export interface EventCorrectiveIdTable {
  declared_seq: number;
  corrective_event_id: string;
}

export interface NamespaceTable {
  prefix: string;
  iri: string;
}

/** One issuance (minted) or registration (imported) request. */
export interface CodeBatchTable {
  id: string;
  subject_id: string;
  product_id: string | null;
  /** The code scheme: `gs1-sgtin`, `gs1-sscc`, `platform-code`, or the id of an authority's scheme for imports. */
  scheme: string;
  origin: 'minted' | 'imported';
  lot: string | null;
  /** ISO 8601 date. */
  expiry: string | null;
  quantity: number;
  /** JSON array: the commissioning events, which list the codes in issue order. */
  event_ids: string;
  actor: string;
  created_at: string;
}

/** Every code ever issued; never deleted, only voided. */
export interface IssuedCodeTable {
  /** The identifier the events name: canonical GS1 Digital Link, or urn:zhuisu:{scheme}:{code}. */
  code: string;
  batch_id: string;
  voided_at: string | null;
}

/** A consumer's complaint about a code (src/complaints). */
export interface ComplaintTable {
  id: string;
  /** The code's identifier (canonical Digital Link or urn:zhuisu:…). */
  code: string;
  product_name: string | null;
  producer_name: string | null;
  /** The producer's GB/T 2260 region (else the first place's): whose regulators see it. Null when nobody holds the code. */
  region_code: string | null;
  text: string;
  /** The contact the consumer left (a phone number), sealed by the identity vault. */
  contact_sealed: string | null;
  status: 'open' | 'handled';
  created_at: string;
  handled_at: string | null;
  handled_by: string | null;
  handling_note: string | null;
}

export interface RecallTable {
  id: string;
  kind: 'recall' | 'stop_trade';
  /** 召回级别 1 (most serious) to 3; null for a stop-trade order. */
  level: number | null;
  reason: string;
  status: 'open' | 'closed';
  actor: string;
  /** The subject that initiated it (a producer recalling its goods); null for regulators and admins. */
  initiator_subject_id: string | null;
  /** A regulator initiator's region prefix; null otherwise. */
  initiator_region: string | null;
  roots: string; // JSON array of the identifiers recalled
  affected: string; // JSON: subjects, locations, lots, items, quantities at the time of the recall
  created_at: string;
  closed_at: string | null;
  closing_note: string | null;
}

export interface RecallCodeTable {
  code: string;
  recall_id: string;
}

export interface RecallNoticeTable {
  id: string;
  recall_id: string;
  subject_id: string;
  region_code: string;
  holdings: string; // JSON: the codes and quantities the subject held or received
  status: 'notified' | 'acknowledged';
  created_at: string;
  acknowledged_at: string | null;
  outcome: string | null; // JSON: found, returned, destroyed per unit, and a note
}

/** A log this platform witnesses, with the latest checkpoint it cosigned (size 0 and the empty root until the first). */
export interface WitnessedLogTable {
  /** The checkpoints' first line, which names the log. */
  origin: string;
  /** The signed-note verifier key its checkpoints must be signed with. */
  vkey: string;
  size: number;
  root_hash: string; // hex
  /** The latest cosigned checkpoint as received, with the witness's cosignature appended. */
  note: string | null;
  cosigned_at: string | null;
  registered_at: string;
  registered_by: string;
}

/** A log showing two views of its history to the witness: the checkpoint cosigned before and the one refused. */
export interface WitnessAlarmTable {
  id: string;
  origin: string;
  /**
   * `fork`: same size, another root; `inconsistent`: the consistency proof sent does not verify; `forged`: a member
   * sent a checkpoint or batch its log's key did not sign.
   */
  kind: 'fork' | 'inconsistent' | 'forged';
  cosigned_note: string | null;
  submitted_note: string;
  old_size: number;
  /** The consistency proof lines as sent (base64, one a line). */
  proof: string;
  actor: string;
  request_id: string | null;
  at: string;
}

/** A platform or system registered (备案) here as a member, and how far its events arrived (docs/FEDERATION.md). */
export interface FederationMemberTable {
  id: string;
  name: string;
  kind: 'platform' | 'system';
  level: string;
  region_code: string | null;
  /** Its log's origin, which names it in a batch, and the Ed25519 verifier key its checkpoints and batches carry. */
  log_origin: string;
  log_key: string;
  /** The user its API key belongs to (role federation_member). */
  user_id: string;
  registered_at: string;
  registered_by: string;
  /** The size of the member's log up to which its batches were stored: the next batch starts at this leaf. */
  position: number;
  batches: number;
  events_received: number;
  /** Batches refused because they did not start at last_seq: re-sends after a lost answer, mostly. */
  resent: number;
  last_batch_at: string | null;
  /** Arrival minus the latest event time of the last batch. */
  last_lag_ms: number | null;
  /** Where it answers resolver queries (docs/RESOLVER.md), without a trailing slash; null when it was not given. */
  url: string | null;
  /** The form its events arrive in, as its last accepted batch said (docs/FEDERATION.md, "Summaries"). */
  mode: 'full' | 'summaries';
}

/**
 * The sender's outbox for one upstream: a cursor over the sender's log (leaf index), moved only by an acknowledged
 * batch. The log, not events.seq: leaves take their positions in commit order, seqs are drawn before it.
 */
export interface FederationOutboxTable {
  upstream_url: string;
  position: number;
  /** The log size the upstream's witness last cosigned: the next batch proves consistency from it. */
  acked_size: number;
  attempts: number;
  next_try_at: string | null;
  last_attempt_at: string | null;
  last_error: string | null;
  last_success_at: string | null;
  cosigned_checkpoint: string | null;
}

/** One line of the resolver directory (docs/RESOLVER.md): codes of this kind and value are held by `holder`. */
export interface ResolverEntryTable {
  id: string;
  kind: 'gtin-company-prefix' | 'subject-code' | 'region' | 'scheme';
  value: string;
  /** A federation member's id, or `here` for this platform. */
  holder: string;
  /** `learned` from a member's forwarded events, `registered` by a platform admin. */
  source: 'learned' | 'registered';
  created_at: string;
  created_by: string;
}

/** The upstream's log key, learned from its /log/key on first contact and kept: its answers are checked against it. */
export interface ResolverUpstreamKeyTable {
  upstream_url: string;
  verifier_key: string;
  pinned_at: string;
}

/** On the upstream: the local record a member's subject, location or product stands for (docs/FEDERATION.md). */
export interface FederationRecordTable {
  member_id: string;
  kind: 'subject' | 'location' | 'product';
  /** The record's id at the member. */
  remote_id: string;
  local_id: string;
  /** 1 when this member's copy is the one applied here; 0 when it was linked to a record that was here first. */
  owned: number;
  applied_at: string;
}

/** On the upstream: a recall a member started, shown here read-only. */
export interface FederationMemberRecallTable {
  recall_id: string;
  member_id: string;
  received_at: string;
}

/** On a member: a recall that came down from its upstream, whose acknowledgements go back up. */
export interface FederationReceivedRecallTable {
  recall_id: string;
  upstream_url: string;
  received_at: string;
}

/** One batch a member posted here, accepted or refused (docs/EVALUATION.md); lags are arrival minus event time. */
export interface FederationBatchOutcomeTable {
  id: string;
  member_id: string;
  arrived_at: string;
  outcome: 'accepted' | 'refused';
  /** The problem code a refused batch was answered with. */
  error_code: string | null;
  from_leaf: number;
  to_leaf: number;
  events: number;
  stored: number;
  earliest_event_ms: number | null;
  latest_event_ms: number | null;
  median_lag_ms: number | null;
  max_lag_ms: number | null;
}

export interface Schema {
  federation_members: FederationMemberTable;
  federation_outbox: FederationOutboxTable;
  recalls: RecallTable;
  recall_codes: RecallCodeTable;
  recall_notices: RecallNoticeTable;
  code_batches: CodeBatchTable;
  issued_codes: IssuedCodeTable;
  namespaces: NamespaceTable;
  capture_jobs: CaptureJobTable;
  events: EventTable;
  postings: PostingTable;
  event_trace_facts: EventTraceFactsTable;
  event_fields: EventFieldTable;
  event_sensor_reports: EventSensorReportTable;
  event_subjects: EventSubjectTable;
  event_corrections: EventCorrectionTable;
  event_corrective_ids: EventCorrectiveIdTable;
  subjects: SubjectTable;
  subject_company_prefixes: CompanyPrefixTable;
  locations: LocationTable;
  products: ProductTable;
  users: UserTable;
  complaints: ComplaintTable;
  api_keys: ApiKeyTable;
  audit_log: AuditTable;
  counters: CounterTable;
  log_head: LogHeadTable;
  log_leaves: LogLeafTable;
  log_nodes: LogNodeTable;
  log_roots: LogRootTable;
  log_checkpoints: LogCheckpointTable;
  witnessed_logs: WitnessedLogTable;
  witness_alarms: WitnessAlarmTable;
  resolver_entries: ResolverEntryTable;
  resolver_upstream_keys: ResolverUpstreamKeyTable;
  federation_records: FederationRecordTable;
  federation_received_recalls: FederationReceivedRecallTable;
  federation_member_recalls: FederationMemberRecallTable;
  federation_batch_outcomes: FederationBatchOutcomeTable;
}

export type { Generated };
