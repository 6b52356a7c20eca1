import { epcUrnToDigitalLink } from '../codes/gs1/index.js';
import { normaliseBizStep, normaliseDisposition, normaliseErrorReason, normaliseSensorMeasurementType } from './cbv.js';
import { canonicalIdentifier, shortType, type FieldScope, type IdentifierRole, type PostingRole } from './event-index.js';
import { collectPrefixes, expandTerm } from './json-ld.js';
import { unstorableProblem } from './validation/storable-text.js';

/** Field names in queries may use the EPCIS context's prefixes (cbvmda:lotNumber) and those captured documents declared. */
const STANDARD_PREFIXES = collectPrefixes();

/**
 * The SimpleEventQuery of the EPCIS 2.0 REST binding, parsed from query-string parameters into a checked structure.
 * Multiple values are `|`-separated. An unknown parameter is an error, not ignored: a typo must not silently widen a
 * query.
 */

/** EXISTS asks only that the field is there, whatever its value. */
export type FieldOperator = 'EQ' | 'GT' | 'GE' | 'LT' | 'LE' | 'EXISTS';

export interface MatchCondition {
  roles: PostingRole[];
  /** Exact canonical identifiers. */
  values: string[];
  /** Canonical prefixes from `urn:epc:idpat:` patterns. */
  prefixes: string[];
}

export interface FieldCondition {
  scope: FieldScope;
  name: string;
  operator: FieldOperator;
  values: string[];
}

/** What a sensor parameter asks of a report, by its EPCIS name (the metadata's device, times and rules included). */
export type SensorField =
  | 'type'
  | 'deviceID'
  | 'time'
  | 'startTime'
  | 'endTime'
  | 'value'
  | 'minValue'
  | 'maxValue'
  | 'meanValue'
  | 'sDev'
  | 'percRank'
  | 'percValue'
  | 'stringValue'
  | 'booleanValue'
  | 'hexBinaryValue'
  | 'uriValue'
  | 'dataProcessingMethod'
  | 'microorganism'
  | 'chemicalSubstance'
  | 'bizRules';

export interface SensorCondition {
  field: SensorField;
  operator: Exclude<FieldOperator, 'EXISTS'>;
  /** Text for EQ on text fields; numbers (times in ms) otherwise. */
  values: (string | number)[];
  /** The unit a measured value is compared in: only reports in that unit match (no conversion). */
  uom?: string;
}

export interface EventQuery {
  eventTypes?: string[];
  eventTime: { ge?: number; lt?: number };
  recordTime: { ge?: number; lt?: number };
  actions?: string[];
  bizSteps?: string[];
  dispositions?: string[];
  eventIds?: string[];
  match: MatchCondition[];
  fields: FieldCondition[];
  errorDeclarationExists?: boolean;
  /** When the event was declared in error (ms). */
  errorDeclarationTime: { ge?: number; lt?: number };
  errorReasons?: string[];
  correctiveEventIds?: string[];
  /** Conditions every one of which one sensor report of the event meets; [] asks only for some sensor report. */
  sensor?: SensorCondition[];
  orderBy: 'eventTime' | 'recordTime' | 'capture';
  orderDirection: 'ASC' | 'DESC';
  eventCountLimit?: number;
  /** More matching events than this is an error, not a shorter answer. */
  maxEventCount?: number;
  perPage: number;
}

export class QueryParameterError extends Error {
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(message);
  }
}

export const DEFAULT_PER_PAGE = 30;
export const MAX_VALUES_PER_PARAMETER = 1000;
export const MAX_VALUES_PER_QUERY = 5000;
export const MAX_PER_PAGE = 1000;

const EVENT_TYPES = ['ObjectEvent', 'AggregationEvent', 'TransactionEvent', 'TransformationEvent', 'AssociationEvent'];
const ACTIONS = ['ADD', 'OBSERVE', 'DELETE'];

/** The roles in which each MATCH_ parameter finds an identifier. */
export const MATCH_ROLES: Readonly<Record<string, readonly IdentifierRole[]>> = {
  MATCH_epc: ['epc', 'child'],
  MATCH_parentID: ['parent'],
  MATCH_inputEPC: ['input'],
  MATCH_outputEPC: ['output'],
  MATCH_anyEPC: ['epc', 'child', 'parent', 'input', 'output'],
  MATCH_epcClass: ['epc_class', 'child_class'],
  MATCH_inputEPCClass: ['input_class'],
  MATCH_outputEPCClass: ['output_class'],
  MATCH_anyEPCClass: ['epc_class', 'child_class', 'input_class', 'output_class'],
};

/** A location that is a GLN without extension, in canonical Digital Link form. */
const GLN_LOCATION = /^https:\/\/id\.gs1\.org\/414\/\d{13}$/;

/** Parameters that steer paging rather than filter; the HTTP layer reads them, the parser lets them through. */
const PAGING = new Set(['perPage', 'nextPageToken']);

/** EQ_{ns:field}, EQ_ILMD_{ns:field}, EQ_INNER_{ns:field}, EQ_INNER_ILMD_{ns:field}, and the other operators alike. */
const FIELD_PARAMETER = /^(EQ|GT|GE|LT|LE|EXISTS)_(INNER_)?(ILMD_)?(.+)$/;
/** Field families of the standard that the event index does not hold: refused rather than read as extension names. */
const UNSUPPORTED_FAMILY = /^(ERROR_DECLARATION|SENSORELEMENT|SENSORMETADATA|SENSORREPORT)_/;
/** Sensor values compared in a unit: GT_maxValue_CEL. */
const SENSOR_VALUE = /^(EQ|GT|GE|LT|LE)_(value|minValue|maxValue|meanValue|sDev|percValue)_([A-Za-z0-9]{1,3})$/;
const SENSOR_TIME = /^(GE|LT)_(time|startTime|endTime)$/;
const SENSOR_RANK = /^(GT|GE|LT|LE)_percRank$/;
const SENSOR_TEXT: Readonly<Record<string, SensorField>> = {
  EQ_dataProcessingMethod: 'dataProcessingMethod',
  EQ_microorganism: 'microorganism',
  EQ_chemicalSubstance: 'chemicalSubstance',
  EQ_bizRules: 'bizRules',
  EQ_stringValue: 'stringValue',
  EQ_uriValue: 'uriValue',
};
/** The binding's query schema spells these with an underscore before Time, the standard's text without. */
const ERROR_DECLARATION_TIME = /^(GE|LT)_errorDeclaration_?Time$/;
/** EQ_source_<type>, EQ_destination_<type>, EQ_bizTransaction_<type>: the type is a CBV word or a URI. */
const PARTY_PARAMETER = /^EQ_(source|destination|bizTransaction)_(.+)$/;

/** @param declared - namespace prefixes captured documents declared (prefix → IRI); the EPCIS ones always apply. */
export function parseEventQuery(params: Record<string, string | undefined>, declared: ReadonlyMap<string, string> = new Map()): EventQuery {
  const prefixes = declared.size ? new Map([...declared, ...STANDARD_PREFIXES]) : STANDARD_PREFIXES;
  const query: EventQuery = { eventTime: {}, recordTime: {}, errorDeclarationTime: {}, match: [], fields: [], orderBy: 'capture', orderDirection: 'ASC', perPage: DEFAULT_PER_PAGE };
  let direction: string | undefined;
  let valueCount = 0;

  for (const [name, raw] of Object.entries(params)) {
    if (raw === undefined || PAGING.has(name)) continue;
    const values = raw.split('|').map((v) => v.trim()).filter((v) => v !== '');
    // Each value becomes a bound parameter, and the databases take some tens of thousands per statement at most.
    valueCount += values.length;
    if (values.length > MAX_VALUES_PER_PARAMETER) throw new QueryParameterError(name, `${name} takes at most ${MAX_VALUES_PER_PARAMETER} values`);
    if (valueCount > MAX_VALUES_PER_QUERY) throw new QueryParameterError(name, `a query takes at most ${MAX_VALUES_PER_QUERY} values in all`);
    for (const text of [name, ...values]) {
      const problem = unstorableProblem(text);
      if (problem) throw new QueryParameterError(name, `${name} ${problem}`);
    }
    if (name.startsWith('EXISTS_')) {
      // The XML binding's EXISTS parameters carry no value; in a query string they come empty or as `true`.
      if (values.length > 1 || (values.length === 1 && values[0] !== 'true')) throw new QueryParameterError(name, `${name} takes no value (or true)`);
    } else if (values.length === 0) throw new QueryParameterError(name, `${name} has no value`);
    const one = () => {
      if (values.length !== 1) throw new QueryParameterError(name, `${name} takes one value`);
      return values[0]!;
    };

    switch (name) {
      case 'eventType':
        for (const v of values) if (!EVENT_TYPES.includes(v)) throw new QueryParameterError(name, `eventType ${v} is not an EPCIS 2.0 event type`);
        query.eventTypes = values;
        break;
      case 'GE_eventTime':
        query.eventTime.ge = timestamp(name, one());
        break;
      case 'LT_eventTime':
        query.eventTime.lt = timestamp(name, one());
        break;
      case 'GE_recordTime':
        query.recordTime.ge = timestamp(name, one());
        break;
      case 'LT_recordTime':
        query.recordTime.lt = timestamp(name, one());
        break;
      case 'EQ_action':
        for (const v of values) if (!ACTIONS.includes(v)) throw new QueryParameterError(name, `EQ_action ${v} is not ADD, OBSERVE or DELETE`);
        query.actions = values;
        break;
      case 'EQ_bizStep':
        query.bizSteps = values.map((v) => vocabulary(name, normaliseBizStep(v)));
        break;
      case 'EQ_disposition':
        query.dispositions = values.map((v) => vocabulary(name, normaliseDisposition(v)));
        break;
      case 'EQ_readPoint':
      case 'EQ_bizLocation':
        query.match.push({ roles: [name === 'EQ_readPoint' ? 'read_point' : 'biz_location'], values: values.map(canonicalIdentifier), prefixes: [] });
        break;
      case 'WD_readPoint':
      case 'WD_bizLocation': {
        // With descendants: a GLN's sub-locations are the same GLN with an extension (AI 254), one level deep.
        const locations = values.map(canonicalIdentifier);
        const prefixes = locations.filter((l) => GLN_LOCATION.test(l)).map((l) => `${l}/254/`);
        query.match.push({ roles: [name === 'WD_readPoint' ? 'read_point' : 'biz_location'], values: locations, prefixes });
        break;
      }
      case 'EQ_eventID':
        query.eventIds = values;
        break;
      case 'EXISTS_errorDeclaration':
        query.errorDeclarationExists = true;
        break;
      case 'EQ_correctiveEventID':
        query.correctiveEventIds = values;
        break;
      case 'EQ_errorReason':
        query.errorReasons = values.map((v) => vocabulary(name, normaliseErrorReason(v)));
        break;
      case 'EQ_transformationID':
        query.match.push({ roles: ['transformation_id'], values: values.map(canonicalIdentifier), prefixes: [] });
        break;
      case 'EQ_persistentDisposition_set':
      case 'EQ_persistentDisposition_unset': {
        const role = name === 'EQ_persistentDisposition_set' ? 'persistent_disposition_set' : 'persistent_disposition_unset';
        query.match.push({ roles: [role], values: values.map((v) => vocabulary(name, normaliseDisposition(v))), prefixes: [] });
        break;
      }
      case 'orderBy': {
        const v = one();
        if (v !== 'eventTime' && v !== 'recordTime') throw new QueryParameterError(name, 'orderBy is eventTime or recordTime');
        query.orderBy = v;
        break;
      }
      case 'orderDirection':
        direction = one();
        if (direction !== 'ASC' && direction !== 'DESC') throw new QueryParameterError(name, 'orderDirection is ASC or DESC');
        break;
      case 'eventCountLimit':
        query.eventCountLimit = positiveInteger(name, one());
        break;
      case 'maxEventCount':
        query.maxEventCount = positiveInteger(name, one());
        break;
      case 'EXISTS_sensorElementList':
        query.sensor ??= [];
        break;
      default: {
        const roles = MATCH_ROLES[name];
        if (roles) {
          query.match.push(matchCondition(name, [...roles], values));
          break;
        }
        const party = PARTY_PARAMETER.exec(name);
        if (party) {
          const [, list, written] = party as unknown as [string, 'source' | 'destination' | 'bizTransaction', string];
          const type = shortType(written);
          const role = list === 'bizTransaction' ? (`biz_transaction:${type}` as const) : (`${list}:${type}` as const);
          // Transactions are identifiers of documents, compared as written; parties and places are GS1 keys.
          query.match.push({ roles: [role], values: list === 'bizTransaction' ? values : values.map(canonicalIdentifier), prefixes: [] });
          break;
        }
        const condition = sensorCondition(name, values, one);
        if (condition) {
          (query.sensor ??= []).push(condition);
          break;
        }
        const declared = ERROR_DECLARATION_TIME.exec(name);
        if (declared) {
          query.errorDeclarationTime[declared[1] === 'GE' ? 'ge' : 'lt'] = timestamp(name, one());
          break;
        }
        const field = FIELD_PARAMETER.exec(name);
        if (field && field[4]!.includes(':') && !UNSUPPORTED_FAMILY.test(field[4]!)) {
          const [, written, inner, ilmd, fieldName] = field as unknown as [string, FieldOperator, string | undefined, string | undefined, string];
          if (written !== 'EQ' && written !== 'EXISTS' && values.length !== 1) throw new QueryParameterError(name, `${name} takes one value`);
          const scope: FieldScope = ilmd ? (inner ? 'ilmd_inner' : 'ilmd') : inner ? 'ext_inner' : 'ext';
          query.fields.push({ scope, name: expandTerm(fieldName, prefixes), operator: written, values });
          break;
        }
        throw new QueryParameterError(name, `${name} is not a supported query parameter`);
      }
    }
  }
  if (query.eventCountLimit !== undefined && query.maxEventCount !== undefined) {
    throw new QueryParameterError('maxEventCount', 'eventCountLimit and maxEventCount exclude each other');
  }
  if (direction) {
    if (query.orderBy === 'capture') throw new QueryParameterError('orderDirection', 'orderDirection needs orderBy');
    query.orderDirection = direction as 'ASC' | 'DESC';
  } else if (query.orderBy !== 'capture') {
    query.orderDirection = 'DESC'; // the standard's default
  }
  const perPage = params.perPage;
  if (perPage !== undefined) {
    query.perPage = positiveInteger('perPage', perPage);
    if (query.perPage > MAX_PER_PAGE) throw new QueryParameterError('perPage', `perPage is at most ${MAX_PER_PAGE}`);
  }
  return query;
}

function timestamp(name: string, value: string): number {
  // Time zone required: a bare local time would mean different instants on different servers.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) {
    throw new QueryParameterError(name, `${name} must be an RFC 3339 date-time with a time zone`);
  }
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new QueryParameterError(name, `${name} is not a valid date-time`);
  return ms;
}

/** The condition a sensor parameter sets on a report, or undefined when `name` is not one. */
function sensorCondition(name: string, values: string[], one: () => string): SensorCondition | undefined {
  switch (name) {
    case 'EQ_type':
      return { field: 'type', operator: 'EQ', values: values.map((v) => vocabulary(name, normaliseSensorMeasurementType(v))) };
    case 'EQ_deviceID':
      return { field: 'deviceID', operator: 'EQ', values: values.map(canonicalIdentifier) };
    case 'EQ_booleanValue':
      for (const v of values) if (v !== 'true' && v !== 'false') throw new QueryParameterError(name, `${name} is true or false`);
      return { field: 'booleanValue', operator: 'EQ', values };
    case 'EQ_hexBinaryValue':
      for (const v of values) if (!/^([0-9A-Fa-f]{2})*$/.test(v)) throw new QueryParameterError(name, `${name} takes hexadecimal octets`);
      return { field: 'hexBinaryValue', operator: 'EQ', values: values.map((v) => v.toUpperCase()) };
  }
  const text = SENSOR_TEXT[name];
  if (text) return { field: text, operator: 'EQ', values };
  const time = SENSOR_TIME.exec(name);
  if (time) return { field: time[2] as SensorField, operator: time[1] as 'GE' | 'LT', values: [timestamp(name, one())] };
  const rank = SENSOR_RANK.exec(name);
  if (rank) return { field: 'percRank', operator: rank[1] as 'GT' | 'GE' | 'LT' | 'LE', values: [decimal(name, one())] };
  const measured = SENSOR_VALUE.exec(name);
  if (!measured) return undefined;
  const [, operator, field, uom] = measured as unknown as [string, Exclude<FieldOperator, 'EXISTS'>, SensorField, string];
  if (operator !== 'EQ' && values.length !== 1) throw new QueryParameterError(name, `${name} takes one value`);
  return { field, operator, values: values.map((v) => decimal(name, v)), uom: uom.toUpperCase() };
}

function decimal(name: string, value: string): number {
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(value) || !Number.isFinite(Number(value))) throw new QueryParameterError(name, `${name} must be a number`);
  return Number(value);
}

function positiveInteger(name: string, value: string): number {
  if (!/^\d{1,9}$/.test(value) || Number(value) < 1) throw new QueryParameterError(name, `${name} must be a positive integer`);
  return Number(value);
}

function vocabulary(name: string, result: { ok: boolean; canonical?: string; error?: string }): string {
  if (!result.ok || !result.canonical) throw new QueryParameterError(name, `${name}: ${result.error ?? 'invalid value'}`);
  return result.canonical;
}

/**
 * `urn:epc:idpat:sgtin:<company>.<item>.*` (and the lgtin form) names every instance and lot of one trade item; in
 * canonical Digital Link that is everything under `/01/<GTIN-14>/`. Wider patterns cannot be expressed as one
 * canonical prefix (the indicator digit precedes the company prefix) and are refused rather than mis-answered.
 */
function matchCondition(name: string, roles: IdentifierRole[], values: string[]): MatchCondition {
  const condition: MatchCondition = { roles, values: [], prefixes: [] };
  for (const value of values) {
    const pattern = /^urn:epc:idpat:(sgtin|lgtin):(\d+)\.(\d+)\.\*$/i.exec(value);
    if (pattern) {
      const link = epcUrnToDigitalLink(`urn:epc:id:sgtin:${pattern[2]}.${pattern[3]}.0`);
      if (!link.ok) throw new QueryParameterError(name, `${value}: ${link.reason}`);
      condition.prefixes.push(link.value.replace(/21\/0$/, ''));
    } else if (value.startsWith('urn:epc:idpat:')) {
      throw new QueryParameterError(name, `${value}: only item-level patterns (company.item.*) are supported`);
    } else {
      condition.values.push(canonicalIdentifier(value));
    }
  }
  return condition;
}
