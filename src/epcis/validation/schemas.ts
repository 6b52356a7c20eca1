/**
 * JSON Schemas (draft-07 keywords, compiled by ajv) for the structure of EPCIS 2.0 JSON/JSON-LD documents and events,
 * written for zhuisu from the data definitions of the EPCIS 2.0 standard (§7 event model, §9 JSON binding).
 *
 * They cover what a schema expresses well: which fields exist, their JSON types, required fields, enumerations and
 * formats. What depends on other fields or on the document's `@context` is checked in code (validate.ts):
 *   - user extension fields: objects are left open here; validate.ts requires every key it does not know to be
 *     namespaced (the key sets come from the `properties` below, so there is one list of fields);
 *   - CBV vocabularies (bizStep, disposition, …): typed here as non-empty strings, checked against src/epcis/cbv.ts;
 *   - GS1 identifier shapes, action-dependent rules (parentID, children, ILMD), sensor-report `type`.
 *
 * Formats are zhuisu's own (registered in validate.ts): `date-time` is xsd:dateTimeStamp (time zone required, real
 * calendar date), `uri` is an absolute URI, `time-zone-offset` is ±hh:mm within ±14:00.
 */
import type { SchemaObject } from 'ajv';

export const UOM_PATTERN = '^[A-Z0-9]{2,3}$';
/**
 * The longest identifier, vocabulary value or extension field name accepted. Each of them is a key of some index, and
 * PostgreSQL's B-tree entries hold at most about 2,700 bytes: 512 characters stay under it in any script.
 */
export const MAX_KEY_LENGTH = 512;
export const HEX_BINARY_PATTERN = '^(?:[0-9A-Fa-f]{2})+$';

const STRING = { type: 'string' } as const;
const NUMBER = { type: 'number' } as const;
const BOOLEAN = { type: 'boolean' } as const;
const OBJECT = { type: 'object' } as const;
const URI = { type: 'string', format: 'uri', maxLength: MAX_KEY_LENGTH } as const;
const DATE_TIME = { type: 'string', format: 'date-time' } as const;
const URI_LIST = { type: 'array', items: URI } as const;
/** A CBV-or-URI value; which one is decided by src/epcis/cbv.ts. */
const VOCABULARY_VALUE = { type: 'string', minLength: 1, maxLength: MAX_KEY_LENGTH } as const;
/** UN/CEFACT Recommendation 20 unit code, e.g. KGM, CEL, A93. */
const UOM = { type: 'string', pattern: UOM_PATTERN } as const;
/** `@context` is checked in code: its shape decides which extension prefixes are declared. */
const ANY = {} as const;

export const ACTIONS = ['ADD', 'OBSERVE', 'DELETE'] as const;
const ACTION = { type: 'string', enum: ACTIONS } as const;

/** `quantity` may be omitted (the amount is unknown); `uom` qualifies a quantity, so it needs one. */
const QUANTITY_ELEMENT = {
  type: 'object',
  required: ['epcClass'],
  additionalProperties: false,
  properties: { epcClass: URI, quantity: { type: 'number', minimum: 0 }, uom: UOM },
  dependencies: { uom: ['quantity'] },
} as const;
const QUANTITY_LIST = { type: 'array', items: QUANTITY_ELEMENT } as const;

/** readPoint and bizLocation: an identifier plus, possibly, namespaced extensions. */
const LOCATION = { type: 'object', required: ['id'], properties: { id: URI } } as const;

const BIZ_TRANSACTION = {
  type: 'object',
  required: ['bizTransaction'],
  additionalProperties: false,
  properties: { type: VOCABULARY_VALUE, bizTransaction: URI },
} as const;

/** A sourceList or destinationList entry: a typed party or place, named by `source` or `destination`. */
const partyOrPlace = <K extends 'source' | 'destination'>(key: K) =>
  ({
    type: 'object',
    required: ['type', key],
    additionalProperties: false,
    properties: { type: VOCABULARY_VALUE, [key]: URI } as { type: typeof VOCABULARY_VALUE } & Record<K, typeof URI>,
  }) as const;

const SOURCE = partyOrPlace('source');
const DESTINATION = partyOrPlace('destination');

const PERSISTENT_DISPOSITION = {
  type: 'object',
  properties: {
    set: { type: 'array', items: VOCABULARY_VALUE },
    unset: { type: 'array', items: VOCABULARY_VALUE },
  },
} as const;

export const ERROR_DECLARATION = {
  type: 'object',
  required: ['declarationTime'],
  properties: { declarationTime: DATE_TIME, reason: VOCABULARY_VALUE, correctiveEventIDs: URI_LIST },
} as const;

export const SENSOR_METADATA = {
  type: 'object',
  properties: {
    time: DATE_TIME,
    startTime: DATE_TIME,
    endTime: DATE_TIME,
    deviceID: URI,
    deviceMetadata: URI,
    rawData: URI,
    dataProcessingMethod: URI,
    bizRules: URI,
  },
} as const;

export const SENSOR_REPORT = {
  type: 'object',
  properties: {
    type: VOCABULARY_VALUE,
    exception: VOCABULARY_VALUE,
    deviceID: URI,
    deviceMetadata: URI,
    rawData: URI,
    dataProcessingMethod: URI,
    bizRules: URI,
    time: DATE_TIME,
    microorganism: URI,
    chemicalSubstance: URI,
    coordinateReferenceSystem: URI,
    value: NUMBER,
    component: VOCABULARY_VALUE,
    stringValue: STRING,
    booleanValue: BOOLEAN,
    hexBinaryValue: { type: 'string', pattern: HEX_BINARY_PATTERN },
    uriValue: URI,
    minValue: NUMBER,
    maxValue: NUMBER,
    meanValue: NUMBER,
    sDev: NUMBER,
    percRank: NUMBER,
    percValue: NUMBER,
    uom: UOM,
  },
} as const;

export const SENSOR_ELEMENT = {
  type: 'object',
  required: ['sensorReport'],
  properties: {
    sensorMetadata: SENSOR_METADATA,
    sensorReport: { type: 'array', minItems: 1, items: SENSOR_REPORT },
  },
} as const;

/** One certificate URI, or several. */
const CERTIFICATION_INFO = { type: ['string', 'array'], format: 'uri', items: URI } as const;

const COMMON_PROPERTIES = {
  '@context': ANY,
  type: STRING,
  eventTime: DATE_TIME,
  recordTime: DATE_TIME,
  eventTimeZoneOffset: { type: 'string', format: 'time-zone-offset' },
  eventID: URI,
  certificationInfo: CERTIFICATION_INFO,
  errorDeclaration: ERROR_DECLARATION,
} as const;
const COMMON_REQUIRED = ['type', 'eventTime', 'eventTimeZoneOffset'] as const;

/** The "why, where, with what" fields every event type except TransformationEvent's lack of `action` shares. */
const CONTEXT_PROPERTIES = {
  bizStep: VOCABULARY_VALUE,
  disposition: VOCABULARY_VALUE,
  persistentDisposition: PERSISTENT_DISPOSITION,
  readPoint: LOCATION,
  bizLocation: LOCATION,
  bizTransactionList: { type: 'array', items: BIZ_TRANSACTION },
  sourceList: { type: 'array', items: SOURCE },
  destinationList: { type: 'array', items: DESTINATION },
  sensorElementList: { type: 'array', items: SENSOR_ELEMENT },
} as const;

export const OBJECT_EVENT = {
  type: 'object',
  required: [...COMMON_REQUIRED, 'action'],
  properties: {
    ...COMMON_PROPERTIES,
    epcList: URI_LIST,
    quantityList: QUANTITY_LIST,
    action: ACTION,
    ...CONTEXT_PROPERTIES,
    ilmd: OBJECT,
  },
} as const;

export const AGGREGATION_EVENT = {
  type: 'object',
  required: [...COMMON_REQUIRED, 'action'],
  properties: {
    ...COMMON_PROPERTIES,
    parentID: URI,
    childEPCs: URI_LIST,
    childQuantityList: QUANTITY_LIST,
    action: ACTION,
    ...CONTEXT_PROPERTIES,
  },
} as const;

export const TRANSACTION_EVENT = {
  type: 'object',
  required: [...COMMON_REQUIRED, 'bizTransactionList', 'action'],
  properties: {
    ...COMMON_PROPERTIES,
    parentID: URI,
    epcList: URI_LIST,
    quantityList: QUANTITY_LIST,
    action: ACTION,
    ...CONTEXT_PROPERTIES,
    bizTransactionList: { type: 'array', minItems: 1, items: BIZ_TRANSACTION },
  },
} as const;

export const TRANSFORMATION_EVENT = {
  type: 'object',
  required: [...COMMON_REQUIRED],
  properties: {
    ...COMMON_PROPERTIES,
    inputEPCList: URI_LIST,
    inputQuantityList: QUANTITY_LIST,
    outputEPCList: URI_LIST,
    outputQuantityList: QUANTITY_LIST,
    transformationID: URI,
    ...CONTEXT_PROPERTIES,
    ilmd: OBJECT,
  },
} as const;

export const ASSOCIATION_EVENT = {
  type: 'object',
  required: [...COMMON_REQUIRED, 'parentID', 'action'],
  properties: {
    ...COMMON_PROPERTIES,
    parentID: URI,
    childEPCs: URI_LIST,
    childQuantityList: QUANTITY_LIST,
    action: ACTION,
    ...CONTEXT_PROPERTIES,
  },
} as const;

export const EVENT_SCHEMAS = {
  ObjectEvent: OBJECT_EVENT,
  AggregationEvent: AGGREGATION_EVENT,
  TransactionEvent: TRANSACTION_EVENT,
  TransformationEvent: TRANSFORMATION_EVENT,
  AssociationEvent: ASSOCIATION_EVENT,
} as const satisfies Record<string, SchemaObject>;
export type EventType = keyof typeof EVENT_SCHEMAS;
export const EVENT_TYPES = Object.keys(EVENT_SCHEMAS) as EventType[];

// Master data carried in the header (EPCIS 2.0 §9 / the JSON binding's vocabulary structure).
const MASTER_DATA_ATTRIBUTE = { type: 'object', required: ['id'], properties: { id: URI } } as const;
const VOCABULARY_ELEMENT = {
  type: 'object',
  required: ['id'],
  properties: { id: URI, attributes: { type: 'array', items: MASTER_DATA_ATTRIBUTE }, children: URI_LIST },
} as const;
const VOCABULARY = {
  type: 'object',
  required: ['type'],
  properties: { type: URI, vocabularyElementList: { type: 'array', items: VOCABULARY_ELEMENT } },
} as const;
const VOCABULARY_LIST = { type: 'array', items: VOCABULARY } as const;

export const EPCIS_HEADER = {
  type: 'object',
  properties: {
    epcisMasterData: { type: 'object', properties: { vocabularyList: VOCABULARY_LIST } },
  },
} as const;

/** Envelope fields shared by both document kinds (the SBDH-like header fields included). */
const ENVELOPE_PROPERTIES = {
  '@context': ANY,
  id: STRING,
  type: STRING,
  schemaVersion: { type: 'string', const: '2.0' },
  creationDate: DATE_TIME,
  instanceIdentifier: STRING,
  sender: STRING,
  receiver: STRING,
  epcisHeader: EPCIS_HEADER,
} as const;
const ENVELOPE_REQUIRED = ['@context', 'type', 'schemaVersion', 'creationDate', 'epcisBody'] as const;

/** Events are validated one by one against EVENT_SCHEMAS, so that each error names its event. */
const EVENT_LIST = { type: 'array' } as const;

export const DOCUMENT_BODY = {
  type: 'object',
  required: ['eventList'],
  properties: { eventList: EVENT_LIST },
} as const;

export const EPCIS_DOCUMENT = {
  type: 'object',
  required: ENVELOPE_REQUIRED,
  properties: { ...ENVELOPE_PROPERTIES, epcisBody: DOCUMENT_BODY },
} as const;

export const RESULTS_BODY = {
  type: 'object',
  required: ['eventList'],
  properties: { eventList: EVENT_LIST, vocabularyList: VOCABULARY_LIST },
} as const;

export const QUERY_RESULTS = {
  type: 'object',
  required: ['queryName', 'resultsBody'],
  properties: { queryName: STRING, subscriptionID: STRING, resultsBody: RESULTS_BODY },
} as const;

export const QUERY_DOCUMENT_BODY = {
  type: 'object',
  required: ['queryResults'],
  properties: { queryResults: QUERY_RESULTS },
} as const;

export const EPCIS_QUERY_DOCUMENT = {
  type: 'object',
  required: ENVELOPE_REQUIRED,
  properties: { ...ENVELOPE_PROPERTIES, epcisBody: QUERY_DOCUMENT_BODY },
} as const;
