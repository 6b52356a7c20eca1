/**
 * Builders of valid EPCIS 2.0 JSON-LD events and documents for tests.
 *
 * Each builder returns a fresh, valid object with plain defaults (GS1 company prefix 0614141, UTC+08:00), which
 * `overrides` are merged over at the top level. An override whose value is `undefined` removes the field, so a test
 * can say `objectEvent({ action: undefined })` for "an ObjectEvent without action". Nothing is shared between calls:
 * tests may mutate what they get.
 */

export type JsonObject = Record<string, unknown>;
export type Overrides = Record<string, unknown>;

export const EPCIS_CONTEXT_URL = 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld';
/** Extension prefix declared by `epcisDocument()` unless its `@context` is overridden. */
export const EXAMPLE_PREFIX = 'example';
export const EXAMPLE_NAMESPACE = 'https://ns.example.com/epcis/';
export const DEFAULT_EVENT_TIME = '2024-05-01T08:30:00.000+08:00';
export const DEFAULT_TIME_ZONE_OFFSET = '+08:00';

// --- identifiers ---------------------------------------------------------------------------------------------

const COMPANY_PREFIX = '0614141';

/** An SGTIN EPC URN of the default company prefix and product, e.g. `urn:epc:id:sgtin:0614141.107346.1`. */
export const sgtin = (serial: string | number = 1, itemReference = '107346'): string =>
  `urn:epc:id:sgtin:${COMPANY_PREFIX}.${itemReference}.${serial}`;
/** An SSCC EPC URN (a logistic unit, typically a parentID). */
export const sscc = (serialReference: string | number = 1234567890): string =>
  `urn:epc:id:sscc:${COMPANY_PREFIX}.${String(serialReference).padStart(10, '0')}`;
/** An SGLN EPC URN (a location: readPoint, bizLocation, source/destination). */
export const sgln = (extension: string | number = 0, locationReference = '00777'): string =>
  `urn:epc:id:sgln:${COMPANY_PREFIX}.${locationReference}.${extension}`;
/** A PGLN EPC URN (a party: owning_party / possessing_party). */
export const pgln = (partyReference = '00777'): string => `urn:epc:id:pgln:${COMPANY_PREFIX}.${partyReference}`;
/** An LGTIN EPC class URN (a batch: the epcClass of a quantity element). */
export const lgtin = (lot: string | number = 'LOT1', itemReference = '107346'): string =>
  `urn:epc:class:lgtin:${COMPANY_PREFIX}.${itemReference}.${lot}`;
/** A quantity element. */
export const quantity = (amount = 10, epcClass = lgtin(), uom: string | undefined = 'KGM'): JsonObject =>
  uom === undefined ? { epcClass, quantity: amount } : { epcClass, quantity: amount, uom };

// --- events --------------------------------------------------------------------------------------------------

function build(base: JsonObject, overrides: Overrides): JsonObject {
  for (const key of Object.keys(overrides)) {
    if (overrides[key] === undefined) delete base[key];
    else base[key] = overrides[key];
  }
  return base;
}

function common(type: string): JsonObject {
  return { type, eventTime: DEFAULT_EVENT_TIME, eventTimeZoneOffset: DEFAULT_TIME_ZONE_OFFSET };
}

/** An ObjectEvent commissioning one SGTIN: ADD, commissioning, active, at sgln(0) read point. */
export function objectEvent(overrides: Overrides = {}): JsonObject {
  return build(
    {
      ...common('ObjectEvent'),
      epcList: [sgtin(1)],
      action: 'ADD',
      bizStep: 'commissioning',
      disposition: 'active',
      readPoint: { id: sgln(1) },
      bizLocation: { id: sgln(0) },
    },
    overrides,
  );
}

/** An AggregationEvent packing two SGTINs into an SSCC: ADD, packing, in_progress. */
export function aggregationEvent(overrides: Overrides = {}): JsonObject {
  return build(
    {
      ...common('AggregationEvent'),
      parentID: sscc(),
      childEPCs: [sgtin(1), sgtin(2)],
      action: 'ADD',
      bizStep: 'packing',
      disposition: 'in_progress',
      readPoint: { id: sgln(1) },
    },
    overrides,
  );
}

/** A TransactionEvent tying one SGTIN to a purchase order: ADD, shipping, in_transit, with source and destination. */
export function transactionEvent(overrides: Overrides = {}): JsonObject {
  return build(
    {
      ...common('TransactionEvent'),
      bizTransactionList: [{ type: 'po', bizTransaction: 'http://transaction.example.com/po/12345678' }],
      epcList: [sgtin(1)],
      action: 'ADD',
      bizStep: 'shipping',
      disposition: 'in_transit',
      sourceList: [{ type: 'owning_party', source: pgln('00777') }],
      destinationList: [{ type: 'owning_party', destination: pgln('00888') }],
    },
    overrides,
  );
}

/** A TransformationEvent turning one batch into another (no action, by definition). */
export function transformationEvent(overrides: Overrides = {}): JsonObject {
  return build(
    {
      ...common('TransformationEvent'),
      inputQuantityList: [quantity(100, lgtin('RAW1', '107340'))],
      outputQuantityList: [quantity(80, lgtin('OUT1'))],
      bizStep: 'commissioning',
      disposition: 'active',
      readPoint: { id: sgln(1) },
    },
    overrides,
  );
}

/** An AssociationEvent installing a sensor (GIAI) on a returnable asset (GRAI): ADD, installing. */
export function associationEvent(overrides: Overrides = {}): JsonObject {
  return build(
    {
      ...common('AssociationEvent'),
      parentID: `urn:epc:id:grai:${COMPANY_PREFIX}.12345.400`,
      childEPCs: [`urn:epc:id:giai:${COMPANY_PREFIX}.SENSOR1`],
      action: 'ADD',
      bizStep: 'installing',
      readPoint: { id: sgln(1) },
    },
    overrides,
  );
}

/** A sensor element with one temperature report. */
export function sensorElement(overrides: Overrides = {}): JsonObject {
  return build(
    {
      sensorMetadata: { time: DEFAULT_EVENT_TIME, deviceID: `urn:epc:id:giai:${COMPANY_PREFIX}.SENSOR1` },
      sensorReport: [{ type: 'Temperature', value: 4.5, uom: 'CEL' }],
    },
    overrides,
  );
}

// --- documents -----------------------------------------------------------------------------------------------

function envelope(type: string): JsonObject {
  return {
    '@context': [EPCIS_CONTEXT_URL, { [EXAMPLE_PREFIX]: EXAMPLE_NAMESPACE }],
    type,
    schemaVersion: '2.0',
    creationDate: '2024-05-01T09:00:00.000+08:00',
  };
}

/** An EPCISDocument (capture document) holding `events`; declares the `example:` prefix. */
export function epcisDocument(events: unknown[] = [objectEvent()], overrides: Overrides = {}): JsonObject {
  return build({ ...envelope('EPCISDocument'), epcisBody: { eventList: events } }, overrides);
}

/** An EPCISQueryDocument (query result / subscription payload) holding `events`. */
export function epcisQueryDocument(events: unknown[] = [objectEvent()], overrides: Overrides = {}): JsonObject {
  return build(
    {
      ...envelope('EPCISQueryDocument'),
      epcisBody: { queryResults: { queryName: 'SimpleEventQuery', resultsBody: { eventList: events } } },
    },
    overrides,
  );
}

/** A bare event as sent on its own (POST /events): carries its own `@context`. */
export function standaloneEvent(event: JsonObject = objectEvent()): JsonObject {
  return { '@context': [EPCIS_CONTEXT_URL, { [EXAMPLE_PREFIX]: EXAMPLE_NAMESPACE }], ...event };
}
