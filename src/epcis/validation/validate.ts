/**
 * Validation of EPCIS 2.0 JSON/JSON-LD capture input: EPCISDocument and EPCISQueryDocument bodies, and single events.
 *
 * Pure: no I/O, no clock. Two layers run on every event:
 *   1. ajv, with the schemas of schemas.ts compiled once at module load: fields, JSON types, required fields, enums,
 *      formats (real timestamps with a time zone, absolute URIs, ±14:00 offsets);
 *   2. hand-written checks for what a static schema cannot say: user extension fields must be namespaced with a
 *      prefix the document declares, CBV vocabularies, GS1 identifiers (read with the parsers of src/codes/gs1), and
 *      the rules that depend on `action` or on several fields (parentID, children, inputs/outputs, ILMD, sensor report
 *      `type`).
 *
 * Validation is atomic per document: every error is collected (up to MAX_ERRORS), each with the index of its event in
 * the eventList, a JSON pointer from the document root and an English message. The caller rejects the whole document
 * if anything is wrong.
 *
 * Decisions (see docs/EPCIS-CONFORMANCE.md):
 *   - `@context` is required on every document, whether sent as application/ld+json or application/json: EPCIS 2.0
 *     JSON is JSON-LD either way, the standard's JSON schema requires it, and without it no extension prefix can be
 *     resolved. A standalone event (validateEpcisEvent without a document context) must carry its own.
 *   - Remote contexts are not fetched. The prefixes of the EPCIS context (epcis, cbv, cbvmda, gs1, rdfs, owl, xsd,
 *     dcterms) are always known; any other prefix must be declared inline in an `@context` object.
 *   - A sensorReport without `type` is accepted only when it carries `exception` (an alarm or error report); a value
 *     without a measurement type cannot be interpreted.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import {
  EPCIS_CONTEXT_PREFIXES,
  normaliseBizStep,
  normaliseBizTransactionType,
  normaliseComponent,
  normaliseDisposition,
  normaliseErrorReason,
  normaliseSensorAlertType,
  normaliseSensorMeasurementType,
  normaliseSourceDestinationType,
  type VocabularyResult,
} from '../cbv.js';
import { isDateTimeStamp, isTimeZoneOffset } from './datetime.js';
import { checkIdentifier, isAbsoluteUri, type IdentifierRole } from './identifiers.js';
import {
  DOCUMENT_BODY,
  EPCIS_DOCUMENT,
  EPCIS_HEADER,
  EPCIS_QUERY_DOCUMENT,
  ERROR_DECLARATION,
  EVENT_SCHEMAS,
  EVENT_TYPES,
  HEX_BINARY_PATTERN,
  MAX_KEY_LENGTH,
  QUERY_DOCUMENT_BODY,
  QUERY_RESULTS,
  RESULTS_BODY,
  SENSOR_ELEMENT,
  SENSOR_METADATA,
  SENSOR_REPORT,
  UOM_PATTERN,
  type EventType,
} from './schemas.js';

/** At most this many errors are reported for one document; validation stops once it is reached. */
export const MAX_ERRORS = 100;

export interface ValidationIssue {
  /** 0-based index of the event in the document's eventList; absent for errors in the envelope. */
  eventIndex?: number;
  /** JSON pointer (RFC 6901) of the offending field from the document root, e.g. `/epcisBody/eventList/3/bizStep`. */
  pointer: string;
  message: string;
}

export type DocumentKind = 'EPCISDocument' | 'EPCISQueryDocument';

export type ValidationResult<K extends string = DocumentKind> =
  | { ok: true; kind: K; events: Record<string, unknown>[] }
  | { ok: false; errors: ValidationIssue[]; truncated?: boolean };

export interface EventValidationContext {
  /**
   * The `@context` of the document the event came in. When given, the event may use the prefixes it declares and
   * needs no `@context` of its own; when absent, the event is standalone and must carry one.
   */
  documentContext?: unknown;
  /** Index of the event in its eventList, reported on every error. */
  eventIndex?: number;
  /** JSON pointer of the event inside its document (e.g. `/epcisBody/eventList/3`); errors are reported below it. */
  pointer?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// ajv, compiled once.

const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, strictTypes: false });
ajv.addFormat('date-time', { type: 'string', validate: isDateTimeStamp });
ajv.addFormat('uri', { type: 'string', validate: isAbsoluteUri });
ajv.addFormat('time-zone-offset', { type: 'string', validate: isTimeZoneOffset });

const validateDocumentEnvelope = ajv.compile(EPCIS_DOCUMENT);
const validateQueryDocumentEnvelope = ajv.compile(EPCIS_QUERY_DOCUMENT);

interface EventSpec {
  readonly type: EventType;
  readonly validate: ValidateFunction;
  readonly fields: ReadonlySet<string>;
}

const EVENT_SPECS = new Map<string, EventSpec>(
  EVENT_TYPES.map((type) => {
    const schema = EVENT_SCHEMAS[type];
    return [type, { type, validate: ajv.compile(schema), fields: new Set(Object.keys(schema.properties)) }];
  }),
);

/** Every field some event type defines; used to tell a misplaced standard field from an unknown one. */
const ALL_EVENT_FIELDS = new Set(EVENT_TYPES.flatMap((type) => Object.keys(EVENT_SCHEMAS[type].properties)));

const keysOf = (schema: { properties: object }): ReadonlySet<string> => new Set(Object.keys(schema.properties));
const DOCUMENT_FIELDS = keysOf(EPCIS_DOCUMENT);
const HEADER_FIELDS = keysOf(EPCIS_HEADER);
const DOCUMENT_BODY_FIELDS = keysOf(DOCUMENT_BODY);
const QUERY_BODY_FIELDS = keysOf(QUERY_DOCUMENT_BODY);
const QUERY_RESULTS_FIELDS = keysOf(QUERY_RESULTS);
const RESULTS_BODY_FIELDS = keysOf(RESULTS_BODY);
const ERROR_DECLARATION_FIELDS = keysOf(ERROR_DECLARATION);
const SENSOR_ELEMENT_FIELDS = keysOf(SENSOR_ELEMENT);
const SENSOR_METADATA_FIELDS = keysOf(SENSOR_METADATA);
const SENSOR_REPORT_FIELDS = keysOf(SENSOR_REPORT);
const LOCATION_FIELDS: ReadonlySet<string> = new Set(['id']);
const PERSISTENT_DISPOSITION_FIELDS: ReadonlySet<string> = new Set(['set', 'unset']);
const NO_FIELDS: ReadonlySet<string> = new Set();

/** Prefixes the EPCIS JSON-LD context declares; documents may use them without declaring them again. */
export const STANDARD_PREFIXES: ReadonlySet<string> = new Set(Object.keys(EPCIS_CONTEXT_PREFIXES));

// ---------------------------------------------------------------------------------------------------------------
// Public API.

/** Validates an EPCISDocument or EPCISQueryDocument body (already parsed from JSON). */
export function validateEpcisDocument(body: unknown): ValidationResult {
  const sink = new Sink();
  if (!isObject(body)) {
    sink.add(undefined, '', 'the body must be a JSON object (an EPCISDocument or EPCISQueryDocument)');
    return sink.result();
  }
  const kind = body.type;
  let validate: ValidateFunction;
  if (kind === 'EPCISDocument') validate = validateDocumentEnvelope;
  else if (kind === 'EPCISQueryDocument') validate = validateQueryDocumentEnvelope;
  else {
    sink.add(
      undefined,
      '/type',
      kind === undefined
        ? "missing required field 'type' (EPCISDocument or EPCISQueryDocument)"
        : `'type' must be EPCISDocument or EPCISQueryDocument; got ${show(kind)}`,
    );
    return sink.result();
  }

  if (!validate(body)) reportAjvErrors(sink, undefined, '', validate.errors);
  let scope = STANDARD_PREFIXES;
  if (body['@context'] !== undefined) {
    checkContextValue(sink, undefined, '/@context', body['@context']);
    scope = extendScope(scope, body['@context']);
  }
  const checker = new Checker(sink, scope);
  checker.openObject(body, DOCUMENT_FIELDS, '');
  if (isObject(body.epcisHeader)) checker.openObject(body.epcisHeader, HEADER_FIELDS, '/epcisHeader');

  let events: unknown;
  let listPointer: string;
  const epcisBody = body.epcisBody;
  if (kind === 'EPCISDocument') {
    listPointer = '/epcisBody/eventList';
    if (isObject(epcisBody)) {
      checker.openObject(epcisBody, DOCUMENT_BODY_FIELDS, '/epcisBody');
      events = epcisBody.eventList;
    }
  } else {
    listPointer = '/epcisBody/queryResults/resultsBody/eventList';
    if (isObject(epcisBody)) {
      checker.openObject(epcisBody, QUERY_BODY_FIELDS, '/epcisBody');
      const results = epcisBody.queryResults;
      if (isObject(results)) {
        checker.openObject(results, QUERY_RESULTS_FIELDS, '/epcisBody/queryResults');
        if (isObject(results.resultsBody)) {
          checker.openObject(results.resultsBody, RESULTS_BODY_FIELDS, '/epcisBody/queryResults/resultsBody');
          events = results.resultsBody.eventList;
        }
      }
    }
  }

  if (Array.isArray(events)) {
    for (let i = 0; i < events.length; i++) {
      if (sink.full) {
        sink.truncated = true;
        break;
      }
      checker.event(events[i], i, `${listPointer}/${i}`, false);
    }
  }
  if (sink.errors.length > 0) return sink.result();
  return { ok: true, kind, events: events as Record<string, unknown>[] };
}

/**
 * Validates one event: a bare event sent on its own (then it must carry its own `@context`), or an event of a document
 * whose `@context` is passed in `ctx.documentContext`.
 */
export function validateEpcisEvent(event: unknown, ctx: EventValidationContext = {}): ValidationResult<'EPCISEvent'> {
  const sink = new Sink();
  const standalone = ctx.documentContext === undefined;
  const scope = standalone ? STANDARD_PREFIXES : extendScope(STANDARD_PREFIXES, ctx.documentContext);
  new Checker(sink, scope).event(event, ctx.eventIndex, ctx.pointer ?? '', standalone);
  if (sink.errors.length > 0) return sink.result();
  return { ok: true, kind: 'EPCISEvent', events: [event as Record<string, unknown>] };
}

// ---------------------------------------------------------------------------------------------------------------
// Error collection.

class Sink {
  readonly errors: ValidationIssue[] = [];
  truncated = false;

  get full(): boolean {
    return this.errors.length >= MAX_ERRORS;
  }

  add(eventIndex: number | undefined, pointer: string, message: string): void {
    if (this.errors.length >= MAX_ERRORS) {
      this.truncated = true;
      return;
    }
    this.errors.push(eventIndex === undefined ? { pointer, message } : { eventIndex, pointer, message });
  }

  result(): { ok: false; errors: ValidationIssue[]; truncated?: boolean } {
    return this.truncated ? { ok: false, errors: this.errors, truncated: true } : { ok: false, errors: this.errors };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The hand-written layer.

type Json = Record<string, unknown>;
type Scope = ReadonlySet<string>;

/**
 * Walks one document's events. One instance per document; `index`, `base` and `scope` are set per event so that the
 * happy path allocates nothing beyond what ajv does.
 */
class Checker {
  private index: number | undefined = undefined;
  private base = '';
  private scope: Scope;

  constructor(
    private readonly sink: Sink,
    private readonly documentScope: Scope,
  ) {
    this.scope = documentScope;
  }

  private error(relativePointer: string, message: string): void {
    this.sink.add(this.index, this.base + relativePointer, message);
  }

  /** Checks the keys of an envelope-level object: known ones pass, others must be namespaced extensions. */
  openObject(obj: Json, known: ReadonlySet<string>, pointer: string): void {
    this.index = undefined;
    this.base = '';
    this.scope = this.documentScope;
    this.extensions(obj, known, pointer);
  }

  event(event: unknown, index: number | undefined, base: string, standalone: boolean): void {
    this.index = index;
    this.base = base;
    this.scope = this.documentScope;
    if (!isObject(event)) {
      this.error('', 'an event must be a JSON object');
      return;
    }
    const type = event.type;
    const spec = typeof type === 'string' ? EVENT_SPECS.get(type) : undefined;
    if (spec === undefined) {
      this.error(
        '/type',
        type === undefined
          ? `missing required field 'type' (one of ${EVENT_TYPES.join(', ')})`
          : `unknown event type ${show(type)}; expected one of ${EVENT_TYPES.join(', ')}`,
      );
      return;
    }

    // Hashing and indexing walk an event's extensions recursively; a document nested thousands deep would exhaust the
    // stack there, so it is refused here, by the field that holds it. The EPC lists are skipped: they are the longest
    // fields, and anything but strings in them is refused by their schema anyway.
    for (const key in event) {
      if (!EPC_LISTS.has(key) && nestedDeeperThan(event[key], MAX_NESTING)) {
        this.error(`/${escapePointer(key)}`, `nested deeper than ${MAX_NESTING} levels of objects and lists`);
        return;
      }
    }

    const context = event['@context'];
    if (context !== undefined) {
      checkContextValue(this.sink, index, `${base}/@context`, context);
      this.scope = extendScope(this.documentScope, context);
    } else if (standalone) {
      this.error('/@context', "missing required field '@context' (an event sent on its own must carry its own)");
    }

    if (!spec.validate(event)) reportAjvErrors(this.sink, index, base, spec.validate.errors);
    this.eventKeys(event, spec);
    this.eventFields(event);
    this.typeRules(event, spec.type);
  }

  private eventKeys(event: Json, spec: EventSpec): void {
    for (const key in event) {
      if (spec.fields.has(key)) continue;
      if (ALL_EVENT_FIELDS.has(key)) {
        this.error(`/${escapePointer(key)}`, misplacedFieldMessage(key, spec.type));
        continue;
      }
      this.extension(key, `/${escapePointer(key)}`, this.scope);
    }
  }

  private eventFields(event: Json): void {
    this.vocabulary(event.bizStep, '/bizStep', normaliseBizStep);
    this.vocabulary(event.disposition, '/disposition', normaliseDisposition);

    this.identifiers(event.epcList, 'epcList', 'instance');
    this.identifiers(event.childEPCs, 'childEPCs', 'instance');
    this.identifiers(event.inputEPCList, 'inputEPCList', 'instance');
    this.identifiers(event.outputEPCList, 'outputEPCList', 'instance');
    this.identifier(event.parentID, '/parentID', 'instance');
    this.quantities(event.quantityList, 'quantityList');
    this.quantities(event.childQuantityList, 'childQuantityList');
    this.quantities(event.inputQuantityList, 'inputQuantityList');
    this.quantities(event.outputQuantityList, 'outputQuantityList');

    this.location(event.readPoint, '/readPoint');
    this.location(event.bizLocation, '/bizLocation');
    this.bizTransactions(event.bizTransactionList);
    this.sourcesOrDestinations(event.sourceList, 'sourceList', 'source');
    this.sourcesOrDestinations(event.destinationList, 'destinationList', 'destination');
    this.persistentDisposition(event.persistentDisposition);
    this.errorDeclaration(event.errorDeclaration);
    this.sensorElements(event.sensorElementList);
    if (isObject(event.ilmd)) this.extensions(event.ilmd, NO_FIELDS, '/ilmd');
  }

  /** The rules of the standard that tie one field to another, per event type. */
  private typeRules(event: Json, type: EventType): void {
    const action = event.action;
    switch (type) {
      case 'ObjectEvent': {
        if (event.ilmd !== undefined && action !== 'ADD' && isAction(action)) {
          this.error('/ilmd', `ilmd is only allowed on an ObjectEvent whose action is ADD, not ${action}`);
        }
        const sensorOnly = nonEmptyArray(event.sensorElementList) && event.readPoint !== undefined;
        if (event.epcList === undefined && !nonEmptyArray(event.quantityList) && !sensorOnly) {
          this.error(
            '/epcList',
            'an ObjectEvent must name its objects in epcList and/or quantityList (an ObjectEvent that only reports sensor data needs sensorElementList and readPoint)',
          );
        }
        break;
      }
      case 'AggregationEvent':
      case 'AssociationEvent': {
        if (type === 'AggregationEvent' && (action === 'ADD' || action === 'DELETE') && event.parentID === undefined) {
          this.error('/parentID', `parentID is required on an AggregationEvent whose action is ${action}`);
        }
        if (
          (action === 'ADD' || action === 'OBSERVE') &&
          !nonEmptyArray(event.childEPCs) &&
          !nonEmptyArray(event.childQuantityList)
        ) {
          this.error(
            '/childEPCs',
            `an ${type} whose action is ${action} needs at least one child in childEPCs or childQuantityList`,
          );
        }
        break;
      }
      case 'TransactionEvent': {
        const named = event.epcList !== undefined || nonEmptyArray(event.quantityList);
        if (isAction(action) && action !== 'DELETE' && !named) {
          this.error(
            '/epcList',
            `a TransactionEvent whose action is ${action} must name its objects in epcList and/or quantityList`,
          );
        }
        break;
      }
      case 'TransformationEvent': {
        const input = nonEmptyArray(event.inputEPCList) || nonEmptyArray(event.inputQuantityList);
        const output = nonEmptyArray(event.outputEPCList) || nonEmptyArray(event.outputQuantityList);
        if (!(input && output) && !(event.transformationID !== undefined && (input || output))) {
          this.error(
            input ? '/outputEPCList' : '/inputEPCList',
            'a TransformationEvent needs at least one input (inputEPCList/inputQuantityList) and one output (outputEPCList/outputQuantityList), or a transformationID with at least one of them',
          );
        }
        break;
      }
    }
  }

  // -- field helpers; each assumes ajv reported wrong JSON types already, and only looks at well-typed values.

  private vocabulary(value: unknown, pointer: string, normalise: (v: unknown) => VocabularyResult): void {
    if (typeof value !== 'string' || value === '') return;
    const result = normalise(value);
    if (!result.ok) this.error(pointer, result.error);
  }

  private identifier(value: unknown, pointer: string, role: IdentifierRole): void {
    if (typeof value !== 'string' || !isAbsoluteUri(value)) return;
    const problem = checkIdentifier(value, role);
    if (problem !== null) this.error(pointer, problem);
  }

  private identifiers(list: unknown, name: string, role: IdentifierRole): void {
    if (!Array.isArray(list)) return;
    const n = list.length;
    for (let i = 0; i < n; i++) {
      const value = list[i];
      if (typeof value !== 'string' || !isAbsoluteUri(value)) continue;
      const problem = checkIdentifier(value, role);
      if (problem !== null) this.error(`/${name}/${i}`, problem);
    }
    if (n > 1) this.duplicates(list, name);
  }

  private duplicates(list: unknown[], name: string): void {
    const n = list.length;
    if (n <= 16) {
      for (let i = 1; i < n; i++) {
        for (let j = 0; j < i; j++) {
          if (list[i] === list[j]) {
            this.error(`/${name}/${i}`, `${show(list[i])} appears more than once in ${name}`);
            break;
          }
        }
      }
      return;
    }
    const seen = new Set<unknown>();
    for (let i = 0; i < n; i++) {
      if (seen.has(list[i])) this.error(`/${name}/${i}`, `${show(list[i])} appears more than once in ${name}`);
      else seen.add(list[i]);
    }
  }

  private quantities(list: unknown, name: string): void {
    if (!Array.isArray(list)) return;
    for (let i = 0; i < list.length; i++) {
      const element = list[i];
      if (isObject(element)) this.identifier(element.epcClass, `/${name}/${i}/epcClass`, 'class');
    }
  }

  private location(value: unknown, pointer: string): void {
    if (!isObject(value)) return;
    this.identifier(value.id, `${pointer}/id`, 'any');
    this.extensions(value, LOCATION_FIELDS, pointer);
  }

  private bizTransactions(list: unknown): void {
    if (!Array.isArray(list)) return;
    for (let i = 0; i < list.length; i++) {
      const element = list[i];
      if (isObject(element)) {
        this.vocabulary(element.type, `/bizTransactionList/${i}/type`, normaliseBizTransactionType);
      }
    }
  }

  private sourcesOrDestinations(list: unknown, name: string, field: 'source' | 'destination'): void {
    if (!Array.isArray(list)) return;
    for (let i = 0; i < list.length; i++) {
      const element = list[i];
      if (!isObject(element)) continue;
      this.vocabulary(element.type, `/${name}/${i}/type`, normaliseSourceDestinationType);
      this.identifier(element[field], `/${name}/${i}/${field}`, 'any');
    }
  }

  private persistentDisposition(value: unknown): void {
    if (!isObject(value)) return;
    for (const key of ['set', 'unset'] as const) {
      const list = value[key];
      if (!Array.isArray(list)) continue;
      for (let i = 0; i < list.length; i++) {
        this.vocabulary(list[i], `/persistentDisposition/${key}/${i}`, normaliseDisposition);
      }
    }
    this.extensions(value, PERSISTENT_DISPOSITION_FIELDS, '/persistentDisposition');
  }

  private errorDeclaration(value: unknown): void {
    if (!isObject(value)) return;
    this.vocabulary(value.reason, '/errorDeclaration/reason', normaliseErrorReason);
    this.extensions(value, ERROR_DECLARATION_FIELDS, '/errorDeclaration');
  }

  private sensorElements(list: unknown): void {
    if (!Array.isArray(list)) return;
    for (let i = 0; i < list.length; i++) {
      const element = list[i];
      if (!isObject(element)) continue;
      const pointer = `/sensorElementList/${i}`;
      this.extensions(element, SENSOR_ELEMENT_FIELDS, pointer);
      const metadata = element.sensorMetadata;
      if (isObject(metadata)) {
        this.extensions(metadata, SENSOR_METADATA_FIELDS, `${pointer}/sensorMetadata`);
        this.identifier(metadata.deviceID, `${pointer}/sensorMetadata/deviceID`, 'any');
        const { startTime, endTime } = metadata;
        if (
          typeof startTime === 'string' &&
          typeof endTime === 'string' &&
          isDateTimeStamp(startTime) &&
          isDateTimeStamp(endTime) &&
          Date.parse(startTime) > Date.parse(endTime)
        ) {
          this.error(`${pointer}/sensorMetadata/endTime`, 'endTime must not be before startTime');
        }
      }
      const reports = element.sensorReport;
      if (Array.isArray(reports)) {
        for (let j = 0; j < reports.length; j++) {
          const report = reports[j];
          if (isObject(report)) this.sensorReport(report, `${pointer}/sensorReport/${j}`);
        }
      }
    }
  }

  private sensorReport(report: Json, pointer: string): void {
    this.extensions(report, SENSOR_REPORT_FIELDS, pointer);
    if (report.type === undefined) {
      if (report.exception === undefined) {
        this.error(
          `${pointer}/type`,
          "missing required field 'type': a sensorReport needs a measurement type unless it reports an exception",
        );
      }
    } else {
      this.vocabulary(report.type, `${pointer}/type`, normaliseSensorMeasurementType);
    }
    this.vocabulary(report.exception, `${pointer}/exception`, normaliseSensorAlertType);
    this.vocabulary(report.component, `${pointer}/component`, normaliseComponent);
    this.identifier(report.deviceID, `${pointer}/deviceID`, 'any');
  }

  // -- user extensions

  /**
   * Every key of `obj` outside `known` must be a namespaced extension. What an extension holds is its owner's
   * business and is not examined: the XML binding lets an extension element contain un-namespaced children, and a
   * document converted from XML must stay valid.
   */
  extensions(obj: Json, known: ReadonlySet<string>, pointer: string): void {
    let scope = this.scope;
    const local = obj['@context'];
    if (local !== undefined && !known.has('@context')) {
      checkContextValue(this.sink, this.index, `${this.base}${pointer}/@context`, local);
      scope = extendScope(scope, local);
    }
    for (const key in obj) {
      if (known.has(key) || key === '@context') continue;
      this.extension(key, `${pointer}/${escapePointer(key)}`, scope);
    }
  }

  private extension(key: string, pointer: string, scope: Scope): void {
    const problem = extensionKeyProblem(key, scope);
    if (problem !== null) this.error(pointer, problem);
  }
}

/**
 * Null when `key` is a well-namespaced extension key in `scope`, else why not. Namespaced means: a term or prefix
 * declared in an `@context` (`ext1:temperature`, or a bare term the context defines), or a full URI
 * (`https://ns.example.com/epcis/temperature`, `urn:…`).
 */
const EPC_LISTS: ReadonlySet<string> = new Set(['epcList', 'childEPCs', 'inputEPCList', 'outputEPCList']);

/** How deep objects and lists may nest inside an event (the event itself is level 0). */
export const MAX_NESTING = 32;

/** Whether `value` holds objects or lists more than `limit` levels deep; iterative, so depth cannot hurt it. */
function nestedDeeperThan(value: unknown, limit: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  // Two parallel stacks rather than [node, depth] pairs: this runs on every field of every captured event.
  const nodes: object[] = [value];
  const depths: number[] = [1];
  while (nodes.length) {
    const node = nodes.pop() as Record<string, unknown>;
    const depth = depths.pop()!;
    if (depth > limit) return true;
    for (const key in node) {
      const child = node[key];
      if (typeof child === 'object' && child !== null) {
        nodes.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}

function extensionKeyProblem(key: string, scope: Scope): string | null {
  if (key.length > MAX_KEY_LENGTH) return `the field name is longer than ${MAX_KEY_LENGTH} characters`;
  const colon = key.indexOf(':');
  if (colon < 0) {
    if (scope.has(key)) return null;
    return `unknown field '${key}': user extension fields must be namespaced, as prefix:name with the prefix declared in @context, or as a full URI`;
  }
  if (colon === 0 || colon === key.length - 1) return `'${key}' is not a valid extension field name`;
  const prefix = key.slice(0, colon);
  if (scope.has(prefix)) return null;
  if (key.startsWith('//', colon + 1) || prefix === 'urn') {
    return isAbsoluteUri(key) ? null : `'${key}' is not a valid URI for an extension field name`;
  }
  return `extension field '${key}' uses the prefix '${prefix}', which is not declared in @context`;
}

/** Terms and prefixes an `@context` value adds to `parent`; returns `parent` itself when it adds none. */
function extendScope(parent: Scope, context: unknown): Scope {
  let out: Set<string> | null = null;
  const visit = (entry: unknown): void => {
    if (!isObject(entry)) return;
    for (const key in entry) {
      if (key.charCodeAt(0) === 64 /* @ */) continue;
      const definition = entry[key];
      if (typeof definition === 'string' || (isObject(definition) && typeof definition['@id'] === 'string')) {
        out ??= new Set(parent);
        out.add(key);
      }
    }
  };
  if (Array.isArray(context)) for (const entry of context) visit(entry);
  else visit(context);
  return out ?? parent;
}

function checkContextValue(sink: Sink, index: number | undefined, pointer: string, context: unknown): void {
  const bad = (why: string) => sink.add(index, pointer, `@context ${why}`);
  if (typeof context === 'string') {
    if (!isAbsoluteUri(context)) bad(`must be an absolute URI, an object, or an array of those; got ${show(context)}`);
  } else if (Array.isArray(context)) {
    if (context.length === 0) bad('must not be an empty array');
    for (let i = 0; i < context.length; i++) {
      const entry: unknown = context[i];
      if (typeof entry === 'string' ? !isAbsoluteUri(entry) : !isObject(entry)) {
        sink.add(index, `${pointer}/${i}`, `@context entries must be absolute URIs or objects; got ${show(entry)}`);
      }
    }
  } else if (!isObject(context)) {
    bad(`must be an absolute URI, an object, or an array of those; got ${show(context)}`);
  }
}

function misplacedFieldMessage(key: string, type: EventType): string {
  if (key === 'ilmd') {
    return `ilmd is not allowed on ${type}: only ObjectEvent (action ADD) and TransformationEvent carry ILMD`;
  }
  if (key === 'action' && type === 'TransformationEvent') return 'a TransformationEvent has no action';
  return `'${key}' is not a field of ${type}`;
}

// ---------------------------------------------------------------------------------------------------------------
// ajv errors in plain English.

function reportAjvErrors(
  sink: Sink,
  index: number | undefined,
  base: string,
  errors: ErrorObject[] | null | undefined,
): void {
  if (!errors) return;
  for (const e of errors) {
    const described = describeAjvError(e);
    sink.add(index, base + described.pointer, described.message);
  }
}

function describeAjvError(e: ErrorObject): { pointer: string; message: string } {
  const path = e.instancePath;
  const label = labelOf(path);
  const got = `; got ${show(e.data)}`;
  switch (e.keyword) {
    case 'required': {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      return { pointer: `${path}/${escapePointer(missing)}`, message: `missing required field '${missing}'` };
    }
    case 'additionalProperties': {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      const allowed = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      return {
        pointer: `${path}/${escapePointer(extra)}`,
        message: `unexpected field '${extra}'; this object allows only ${allowed.join(', ')}`,
      };
    }
    case 'type': {
      const wanted = (e.params as { type: string | string[] }).type;
      const list = Array.isArray(wanted) ? wanted : String(wanted).split(',');
      return { pointer: path, message: `${label} must be ${list.map(article).join(' or ')}${got}` };
    }
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
      return { pointer: path, message: `${label} must be one of ${allowed.join(', ')}${got}` };
    }
    case 'const': {
      const allowed = (e.params as { allowedValue: unknown }).allowedValue;
      return { pointer: path, message: `${label} must be ${show(allowed)}${got}` };
    }
    case 'format': {
      const format = (e.params as { format: string }).format;
      return { pointer: path, message: `${label} ${FORMAT_MESSAGES[format] ?? e.message}${got}` };
    }
    case 'pattern': {
      const pattern = (e.params as { pattern: string }).pattern;
      return { pointer: path, message: `${label} ${PATTERN_MESSAGES[pattern] ?? `must match ${pattern}`}${got}` };
    }
    case 'dependencies': {
      const { property, missingProperty } = e.params as { property: string; missingProperty: string };
      return {
        pointer: `${path}/${escapePointer(property)}`,
        message: `'${property}' is only allowed together with '${missingProperty}'`,
      };
    }
    case 'minimum':
      return { pointer: path, message: `${label} must not be negative${got}` };
    case 'minItems': {
      const limit = (e.params as { limit: number }).limit;
      return { pointer: path, message: `${label} must contain at least ${limit} element${limit === 1 ? '' : 's'}` };
    }
    case 'minLength':
      return { pointer: path, message: `${label} must not be empty` };
    default:
      return { pointer: path, message: `${label} ${e.message ?? 'is invalid'}` };
  }
}

const FORMAT_MESSAGES: Readonly<Record<string, string>> = {
  'date-time':
    'must be an RFC 3339 date-time with a time zone naming a real date and time, e.g. 2024-05-01T08:30:00.000+08:00',
  uri: 'must be an absolute URI',
  'time-zone-offset': 'must be a time zone offset ±hh:mm between -14:00 and +14:00',
};

const PATTERN_MESSAGES: Readonly<Record<string, string>> = {
  [UOM_PATTERN]: 'must be a UN/CEFACT Recommendation 20 unit code (2 or 3 upper-case letters or digits, e.g. KGM)',
  [HEX_BINARY_PATTERN]: 'must be hexadecimal (an even number of hex digits)',
};

function article(type: string): string {
  switch (type) {
    case 'object':
      return 'an object';
    case 'array':
      return 'an array';
    case 'integer':
      return 'an integer';
    default:
      return `a ${type}`;
  }
}

/** `'quantity'` for `/quantityList/0/quantity`, `'epcList[2]'` for `/epcList/2`, `the document` for the root. */
function labelOf(path: string): string {
  if (path === '') return 'the value';
  const cut = path.lastIndexOf('/');
  const last = unescapePointer(path.slice(cut + 1));
  if (/^\d+$/.test(last)) {
    const before = path.slice(0, cut);
    return `'${unescapePointer(before.slice(before.lastIndexOf('/') + 1))}[${last}]'`;
  }
  return `'${last}'`;
}

// ---------------------------------------------------------------------------------------------------------------
// Small utilities.

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isAction(value: unknown): value is 'ADD' | 'OBSERVE' | 'DELETE' {
  return value === 'ADD' || value === 'OBSERVE' || value === 'DELETE';
}

function nonEmptyArray(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0;
}

export function escapePointer(segment: string): string {
  return segment.indexOf('~') < 0 && segment.indexOf('/') < 0
    ? segment
    : segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function unescapePointer(segment: string): string {
  return segment.indexOf('~') < 0 ? segment : segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** A value as it should appear in a message: JSON, cut short. */
function show(value: unknown): string {
  let text: string;
  try {
    text = value === undefined ? 'nothing' : JSON.stringify(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
