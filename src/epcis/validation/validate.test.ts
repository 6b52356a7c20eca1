import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  aggregationEvent,
  associationEvent,
  EPCIS_CONTEXT_URL,
  epcisDocument,
  epcisQueryDocument,
  lgtin,
  objectEvent,
  quantity,
  sensorElement,
  sgln,
  sgtin,
  standaloneEvent,
  transactionEvent,
  transformationEvent,
  type JsonObject,
} from '../../../test/builders/epcis.js';
import { MAX_KEY_LENGTH } from './schemas.js';
import { MAX_ERRORS, MAX_NESTING, validateEpcisDocument, validateEpcisEvent, type ValidationIssue } from './validate.js';

// --- helpers ---------------------------------------------------------------------------------------------------

const EVENT = '/epcisBody/eventList/0';

function errorsOf(body: unknown): ValidationIssue[] {
  const result = validateEpcisDocument(body);
  assert.equal(result.ok, false, 'expected the document to be rejected');
  return result.ok ? [] : result.errors;
}

function assertValid(body: unknown): void {
  const result = validateEpcisDocument(body);
  assert.ok(result.ok, `expected a valid document, got ${JSON.stringify(!result.ok && result.errors, null, 2)}`);
}

/** The document is rejected with an error at `pointer` whose message matches `message`. */
function assertError(body: unknown, pointer: string, message: RegExp): ValidationIssue {
  const errors = errorsOf(body);
  const hit = errors.find((e) => e.pointer === pointer && message.test(e.message));
  assert.ok(hit, `no error at ${pointer} matching ${message}; got ${JSON.stringify(errors, null, 2)}`);
  return hit;
}

/** A document with one event, checked for a valid verdict. */
const validEvent = (event: JsonObject) => assertValid(epcisDocument([event]));
/** A document with one event, rejected with an error at `relative` (below the event) matching `message`. */
const invalidEvent = (event: JsonObject, relative: string, message: RegExp) =>
  assertError(epcisDocument([event]), `${EVENT}${relative}`, message);

// --- envelope --------------------------------------------------------------------------------------------------

describe('document envelope', () => {
  it('accepts an EPCISDocument and returns its events as given', () => {
    const events = [objectEvent(), aggregationEvent(), transactionEvent(), transformationEvent(), associationEvent()];
    const result = validateEpcisDocument(epcisDocument(events));
    assert.ok(result.ok);
    assert.equal(result.kind, 'EPCISDocument');
    assert.equal(result.events, events);
  });

  it('accepts an EPCISQueryDocument and takes its events from queryResults.resultsBody.eventList', () => {
    const events = [objectEvent(), transactionEvent()];
    const result = validateEpcisDocument(epcisQueryDocument(events));
    assert.ok(result.ok);
    assert.equal(result.kind, 'EPCISQueryDocument');
    assert.equal(result.events, events);
  });

  it('accepts an empty eventList', () => {
    assertValid(epcisDocument([]));
  });

  it('rejects a body that is not an object', () => {
    for (const body of [null, [], 'EPCISDocument', 3]) {
      assert.deepEqual(errorsOf(body).map((e) => e.pointer), ['']);
    }
  });

  it('rejects a missing or unknown document type', () => {
    assertError(epcisDocument([], { type: undefined }), '/type', /missing required field 'type'/);
    assertError(
      epcisDocument([], { type: 'EPCISMasterDataDocument' }),
      '/type',
      /must be EPCISDocument or EPCISQueryDocument/,
    );
  });

  it('requires @context, for plain JSON as for JSON-LD', () => {
    assertError(epcisDocument([], { '@context': undefined }), '/@context', /missing required field '@context'/);
    assertError(epcisQueryDocument([], { '@context': undefined }), '/@context', /missing required field '@context'/);
  });

  it('checks the shape of @context', () => {
    assertValid(epcisDocument([], { '@context': 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld' }));
    assertError(epcisDocument([], { '@context': 42 }), '/@context', /must be an absolute URI, an object, or an array/);
    assertError(epcisDocument([], { '@context': [] }), '/@context', /must not be an empty array/);
    assertError(epcisDocument([], { '@context': ['not a uri'] }), '/@context/0', /absolute URIs or objects/);
  });

  it('requires schemaVersion to be the string "2.0"', () => {
    assertError(epcisDocument([], { schemaVersion: '1.2' }), '/schemaVersion', /must be "2\.0"/);
    assertError(epcisDocument([], { schemaVersion: 2 }), '/schemaVersion', /must be a string/);
    assertError(epcisDocument([], { schemaVersion: undefined }), '/schemaVersion', /missing required field/);
  });

  it('requires creationDate to be a real timestamp', () => {
    assertError(epcisDocument([], { creationDate: undefined }), '/creationDate', /missing required field/);
    assertError(epcisDocument([], { creationDate: '2024-02-30T00:00:00Z' }), '/creationDate', /RFC 3339 date-time/);
  });

  it('requires epcisBody with an eventList array', () => {
    assertError(epcisDocument([], { epcisBody: undefined }), '/epcisBody', /missing required field 'epcisBody'/);
    assertError(epcisDocument([], { epcisBody: {} }), '/epcisBody/eventList', /missing required field 'eventList'/);
    assertError(epcisDocument([], { epcisBody: { eventList: {} } }), '/epcisBody/eventList', /must be an array/);
  });

  it('requires queryName and resultsBody in a query document', () => {
    const doc = epcisQueryDocument([]);
    (doc.epcisBody as JsonObject).queryResults = { resultsBody: { eventList: [] } };
    assertError(doc, '/epcisBody/queryResults/queryName', /missing required field 'queryName'/);
  });

  it('allows namespaced extension fields on the envelope and rejects un-namespaced ones', () => {
    assertValid(epcisDocument([], { 'example:batch': 'B1', sender: 'urn:epc:id:pgln:0614141.00777' }));
    assertError(epcisDocument([], { batch: 'B1' }), '/batch', /unknown field 'batch'/);
    assertError(
      epcisDocument([], { epcisHeader: { masterData: [] } }),
      '/epcisHeader/masterData',
      /unknown field 'masterData'/,
    );
  });
});

// --- event type and common fields ------------------------------------------------------------------------------

describe('event type', () => {
  it('rejects an event that is not an object', () => {
    assertError(epcisDocument(['ObjectEvent']), EVENT, /an event must be a JSON object/);
  });

  it('rejects a missing or unknown event type', () => {
    invalidEvent(objectEvent({ type: undefined }), '/type', /missing required field 'type'/);
    invalidEvent(objectEvent({ type: 'QuantityEvent' }), '/type', /unknown event type "QuantityEvent"/);
  });

  it('rejects a standard field that belongs to another event type', () => {
    invalidEvent(objectEvent({ parentID: sgtin(9) }), '/parentID', /'parentID' is not a field of ObjectEvent/);
    invalidEvent(transactionEvent({ childEPCs: [sgtin(9)] }), '/childEPCs', /not a field of TransactionEvent/);
  });
});

describe('eventTime, recordTime and eventTimeZoneOffset', () => {
  it('require eventTime and eventTimeZoneOffset', () => {
    invalidEvent(objectEvent({ eventTime: undefined }), '/eventTime', /missing required field 'eventTime'/);
    invalidEvent(
      objectEvent({ eventTimeZoneOffset: undefined }),
      '/eventTimeZoneOffset',
      /missing required field 'eventTimeZoneOffset'/,
    );
  });

  it('accept RFC 3339 timestamps with a time zone and any number of fraction digits', () => {
    for (const eventTime of [
      '2024-05-01T08:30:00Z',
      '2024-05-01T08:30:00.1+08:00',
      '2024-05-01T08:30:00.123456789-05:30',
      '2024-02-29T23:59:59Z',
      '2000-02-29T00:00:00+14:00',
    ]) {
      validEvent(objectEvent({ eventTime }));
    }
  });

  it('reject timestamps without a time zone, in other formats, or naming no real instant', () => {
    for (const eventTime of [
      '2024-05-01T08:30:00', // no time zone
      '2024-05-01 08:30:00Z', // no T
      '2024-05-01T08:30Z', // no seconds
      '22-07-2026',
      '2024-13-01T00:00:00Z', // month 13
      '2024-02-30T00:00:00Z', // 30 February
      '2023-02-29T00:00:00Z', // not a leap year
      '1900-02-29T00:00:00Z', // centuries are not leap years
      '2024-05-01T25:00:00Z', // hour 25
      '2024-05-01T24:00:00Z',
      '2024-05-01T08:60:00Z',
      '2024-05-01T08:30:60Z', // no leap seconds in xsd:dateTimeStamp
      '2024-05-01T08:30:00.Z',
      '2024-05-01T08:30:00+15:00', // offset beyond ±14:00
      '2024-05-01t08:30:00z',
    ]) {
      invalidEvent(objectEvent({ eventTime }), '/eventTime', /RFC 3339 date-time with a time zone/);
    }
    invalidEvent(objectEvent({ eventTime: 1714523400000 }), '/eventTime', /must be a string/);
  });

  it('check recordTime the same way when it is given', () => {
    validEvent(objectEvent({ recordTime: '2024-05-01T09:00:00.000Z' }));
    invalidEvent(objectEvent({ recordTime: '2024-05-01' }), '/recordTime', /RFC 3339/);
  });

  it('accept offsets ±hh:mm within -14:00..+14:00 only', () => {
    for (const eventTimeZoneOffset of ['+00:00', '-00:00', '+05:45', '-12:00', '+14:00', '-14:00']) {
      validEvent(objectEvent({ eventTimeZoneOffset }));
    }
    for (const eventTimeZoneOffset of ['+14:30', '-15:00', '+8:00', '08:00', 'Z', '+08:60', '+0800']) {
      invalidEvent(objectEvent({ eventTimeZoneOffset }), '/eventTimeZoneOffset', /between -14:00 and \+14:00/);
    }
  });
});

describe('eventID and certificationInfo', () => {
  it('require eventID to be a URI', () => {
    validEvent(objectEvent({ eventID: 'urn:uuid:374d95fc-9457-4a51-bd6a-0bba133845a8' }));
    validEvent(objectEvent({ eventID: 'ni:///sha-256;fec9667280c4710a3fa9558b7bc8ddc2?ver=CBV2.0' }));
    invalidEvent(objectEvent({ eventID: 'event 1' }), '/eventID', /must be an absolute URI/);
  });

  it('accept one certificate URI or a list of them', () => {
    validEvent(objectEvent({ certificationInfo: 'https://cert.example.org/certificate/ABC12345' }));
    validEvent(objectEvent({ certificationInfo: ['https://cert.example.org/1', 'https://cert.example.org/2'] }));
    invalidEvent(
      objectEvent({ certificationInfo: [{ 'gs1:CertificationDetails': {} }] }),
      '/certificationInfo/0',
      /'certificationInfo\[0\]' must be a string/,
    );
    invalidEvent(objectEvent({ certificationInfo: 'ABC12345' }), '/certificationInfo', /absolute URI/);
  });
});

// --- action and per-type rules ---------------------------------------------------------------------------------

describe('action', () => {
  it('is required on ObjectEvent, AggregationEvent, TransactionEvent and AssociationEvent', () => {
    for (const build of [objectEvent, aggregationEvent, transactionEvent, associationEvent]) {
      invalidEvent(build({ action: undefined }), '/action', /missing required field 'action'/);
    }
  });

  it('must be ADD, OBSERVE or DELETE', () => {
    for (const action of ['ADD', 'OBSERVE', 'DELETE']) validEvent(objectEvent({ action, ilmd: undefined }));
    invalidEvent(objectEvent({ action: 'CREATE' }), '/action', /must be one of ADD, OBSERVE, DELETE; got "CREATE"/);
    invalidEvent(objectEvent({ action: 'add' }), '/action', /must be one of/);
  });

  it('does not exist on a TransformationEvent', () => {
    invalidEvent(transformationEvent({ action: 'ADD' }), '/action', /a TransformationEvent has no action/);
  });
});

describe('ObjectEvent', () => {
  it('must name its objects in epcList and/or quantityList', () => {
    invalidEvent(
      objectEvent({ epcList: undefined }),
      '/epcList',
      /must name its objects in epcList and\/or quantityList/,
    );
    validEvent(objectEvent({ epcList: undefined, quantityList: [quantity()] }));
    // The XML binding requires the epcList element but lets it be empty; JSON follows suit.
    validEvent(objectEvent({ epcList: [], quantityList: [quantity()] }));
  });

  it('may omit objects when it only reports sensor data at a read point', () => {
    validEvent(objectEvent({ epcList: undefined, action: 'OBSERVE', sensorElementList: [sensorElement()] }));
    invalidEvent(
      objectEvent({ epcList: undefined, readPoint: undefined, sensorElementList: [sensorElement()] }),
      '/epcList',
      /sensorElementList and readPoint/,
    );
  });
});

describe('AggregationEvent', () => {
  it('requires parentID when the action is ADD or DELETE, not OBSERVE', () => {
    invalidEvent(aggregationEvent({ parentID: undefined }), '/parentID', /parentID is required .* action is ADD/);
    invalidEvent(aggregationEvent({ parentID: undefined, action: 'DELETE' }), '/parentID', /action is DELETE/);
    validEvent(aggregationEvent({ parentID: undefined, action: 'OBSERVE' }));
  });

  it('needs at least one child for ADD and OBSERVE; DELETE without children disaggregates all', () => {
    invalidEvent(aggregationEvent({ childEPCs: [] }), '/childEPCs', /needs at least one child/);
    invalidEvent(
      aggregationEvent({ childEPCs: undefined, action: 'OBSERVE' }),
      '/childEPCs',
      /needs at least one child/,
    );
    validEvent(aggregationEvent({ childEPCs: undefined, childQuantityList: [quantity()] }));
    validEvent(aggregationEvent({ childEPCs: undefined, action: 'DELETE' }));
  });
});

describe('AssociationEvent', () => {
  it('requires parentID whatever the action', () => {
    for (const action of ['ADD', 'OBSERVE', 'DELETE']) {
      invalidEvent(associationEvent({ parentID: undefined, action }), '/parentID', /missing required field 'parentID'/);
    }
  });

  it('needs at least one child unless the action is DELETE', () => {
    invalidEvent(
      associationEvent({ childEPCs: undefined }),
      '/childEPCs',
      /AssociationEvent .* needs at least one child/,
    );
    validEvent(associationEvent({ childEPCs: undefined, childQuantityList: [quantity()] }));
    validEvent(associationEvent({ childEPCs: undefined, action: 'DELETE' }));
  });
});

describe('TransactionEvent', () => {
  it('requires a non-empty bizTransactionList', () => {
    invalidEvent(
      transactionEvent({ bizTransactionList: undefined }),
      '/bizTransactionList',
      /missing required field 'bizTransactionList'/,
    );
    invalidEvent(transactionEvent({ bizTransactionList: [] }), '/bizTransactionList', /at least 1 element/);
  });

  it('must name its objects unless the action is DELETE', () => {
    invalidEvent(transactionEvent({ epcList: undefined }), '/epcList', /must name its objects/);
    validEvent(transactionEvent({ epcList: undefined, quantityList: [quantity()] }));
    validEvent(transactionEvent({ epcList: undefined, action: 'DELETE' }));
  });

  it('may carry a parentID', () => {
    validEvent(transactionEvent({ parentID: 'urn:epc:id:sscc:0614141.1234567890' }));
  });
});

describe('TransformationEvent', () => {
  it('needs an input and an output', () => {
    validEvent(transformationEvent({ inputQuantityList: undefined, inputEPCList: [sgtin(5)] }));
    invalidEvent(transformationEvent({ inputQuantityList: undefined }), '/inputEPCList', /needs at least one input/);
    invalidEvent(transformationEvent({ outputQuantityList: [] }), '/outputEPCList', /and one output/);
  });

  it('may record only one side when a transformationID links it to the other events', () => {
    validEvent(transformationEvent({ inputQuantityList: undefined, transformationID: 'urn:uuid:7b1b7b1e-0000-4000-8000-000000000001' }));
    invalidEvent(
      transformationEvent({ inputQuantityList: undefined, outputQuantityList: undefined, transformationID: 'urn:uuid:1' }),
      '/inputEPCList',
      /or a transformationID with at least one of them/,
    );
    invalidEvent(transformationEvent({ transformationID: 'T-1' }), '/transformationID', /absolute URI/);
  });
});

describe('ILMD', () => {
  it('is allowed on an ObjectEvent whose action is ADD, and on a TransformationEvent', () => {
    validEvent(objectEvent({ ilmd: { 'example:harvestDate': '2024-04-30', 'cbvmda:lotNumber': 'L1' } }));
    validEvent(transformationEvent({ ilmd: { 'cbvmda:bestBeforeDate': '2025-01-01' } }));
  });

  it('is refused on an ObjectEvent with another action', () => {
    invalidEvent(
      objectEvent({ action: 'OBSERVE', ilmd: { 'example:x': 1 } }),
      '/ilmd',
      /only allowed on an ObjectEvent whose action is ADD, not OBSERVE/,
    );
  });

  it('is refused on the other event types', () => {
    for (const build of [aggregationEvent, transactionEvent, associationEvent]) {
      invalidEvent(build({ ilmd: { 'example:x': 1 } }), '/ilmd', /ilmd is not allowed on \w+Event/);
    }
  });

  it('holds only namespaced fields', () => {
    invalidEvent(
      objectEvent({ ilmd: { materialType: 'soil' } }),
      '/ilmd/materialType',
      /unknown field 'materialType': user extension fields must be namespaced/,
    );
    invalidEvent(objectEvent({ ilmd: 'soil' }), '/ilmd', /must be an object/);
  });
});

// --- what: identifiers and quantities ------------------------------------------------------------------------

describe('EPC lists and parentID', () => {
  it('accept EPC URNs, GS1 Digital Links and any other absolute URI', () => {
    validEvent(
      objectEvent({
        epcList: [
          sgtin(1),
          'urn:epc:id:sscc:0614141.1234567890',
          'urn:epc:id:giai:4000001.111',
          'urn:epc:id:sgtin:952001.1012345.22222223333',
          'urn:epc:id:itip:4012345.012345.01.02.999',
          'https://id.gs1.org/01/09521141012345/21/2017',
          'https://id.gs1.org/00/040123450000003338',
          'https://brand.example.com/01/09521141012345/21/2018',
          'urn:example:thing:1',
        ],
      }),
    );
  });

  it('reject values that are not URIs', () => {
    invalidEvent(
      objectEvent({ epcList: ['0614141.107346.1'] }),
      '/epcList/0',
      /'epcList\[0\]' must be an absolute URI/,
    );
    invalidEvent(objectEvent({ epcList: [42] }), '/epcList/0', /must be a string/);
  });

  it('check the shape of GS1 identifiers', () => {
    invalidEvent(
      objectEvent({ epcList: ['urn:epc:id:sgtin:0614141.10734.1'] }),
      '/epcList/0',
      /must have 13 digits together, not 12/,
    );
    invalidEvent(
      objectEvent({ epcList: ['urn:epc:id:sgtin:0614141.107346'] }),
      '/epcList/0',
      /not a well-formed EPC URI/,
    );
    invalidEvent(
      objectEvent({ epcList: ['urn:epc:id:sgtn:0614141.107346.1'] }),
      '/epcList/0',
      /unknown EPC scheme 'sgtn'/,
    );
    invalidEvent(objectEvent({ epcList: ['urn:epc:id:sscc:0614141.123'] }), '/epcList/0', /17 digits/);
    invalidEvent(
      objectEvent({ epcList: ['https://id.gs1.org/01/95211410123/21/1'] }),
      '/epcList/0',
      /not a valid value for AI \(01\)/,
    );
    invalidEvent(
      objectEvent({ epcList: ['https://id.gs1.org/99/123'] }),
      '/epcList/0',
      /must start with a primary key/,
    );
    invalidEvent(aggregationEvent({ parentID: 'urn:epc:id:sscc:0614141.12' }), '/parentID', /17 digits/);
  });

  it('survive identifiers and names that collide with Object.prototype', () => {
    invalidEvent(
      objectEvent({ epcList: ['urn:epc:id:constructor:1.2'] }),
      '/epcList/0',
      /unknown EPC scheme 'constructor'/,
    );
    invalidEvent(objectEvent({ epcList: ['https://id.gs1.org/constructor/1'] }), '/epcList/0', /primary key/);
    invalidEvent(objectEvent({ type: 'constructor' }), '/type', /unknown event type/);
    invalidEvent(
      JSON.parse(JSON.stringify(objectEvent()).replace('{', '{"__proto__":1,')),
      '/__proto__',
      /unknown field/,
    );
  });

  it('hold instances, not classes or patterns', () => {
    invalidEvent(objectEvent({ epcList: [lgtin()] }), '/epcList/0', /identifies a class, not an instance/);
    invalidEvent(
      aggregationEvent({ childEPCs: ['urn:epc:idpat:sgtin:0614141.107346.*'] }),
      '/childEPCs/0',
      /is a pattern/,
    );
  });

  it('do not repeat an EPC', () => {
    invalidEvent(
      objectEvent({ epcList: [sgtin(1), sgtin(2), sgtin(1)] }),
      '/epcList/2',
      /appears more than once in epcList/,
    );
    const many = Array.from({ length: 40 }, (_, i) => sgtin(i));
    invalidEvent(objectEvent({ epcList: [...many, sgtin(7)] }), '/epcList/40', /appears more than once/);
  });
});

describe('GS1 identifiers, read with the parsers of src/codes/gs1', () => {
  it('reject EPC URIs whose fields have the wrong length or characters', () => {
    invalidEvent(
      objectEvent({ epcList: ['urn:epc:id:sgtin:0614141.1073460.2017'] }),
      '/epcList/0',
      /'urn:epc:id:sgtin:0614141\.1073460\.2017' is not a well-formed EPC URI: .*indicator digit and item reference must be 6 digits.*must have 13 digits together, not 14/,
    );
    invalidEvent(
      objectEvent({ epcList: [sgtin('20%2017')] }),
      '/epcList/0',
      /not a well-formed EPC URI: .*serial number: "%20" is not an escaped character of set 82/,
    );
    invalidEvent(objectEvent({ epcList: [sgtin('A'.repeat(21))] }), '/epcList/0', /serial number is 21 characters long, at most 20/);
    invalidEvent(
      aggregationEvent({ parentID: 'urn:epc:id:sscc:0614141.12345678x0' }),
      '/parentID',
      /extension digit and serial reference must be digits only/,
    );
    invalidEvent(
      objectEvent({ readPoint: { id: 'urn:epc:id:sgln:06141.0000777.0' } }),
      '/readPoint/id',
      /GS1 Company Prefix must be 6–12 digits, got "06141"/,
    );
  });

  it('reject an lgtin class whose lot has a character outside the GS1 character set, or is too long', () => {
    invalidEvent(
      objectEvent({ quantityList: [quantity(1, lgtin('LOT%23A'))] }),
      '/quantityList/0/epcClass',
      /'urn:epc:class:lgtin:0614141\.107346\.LOT%23A' is not a well-formed EPC URI: .*lot number: "%23" is not an escaped character of set 82/,
    );
    invalidEvent(
      transformationEvent({ outputQuantityList: [quantity(1, lgtin('L'.repeat(21)))] }),
      '/outputQuantityList/0/epcClass',
      /lot number is 21 characters long, at most 20/,
    );
  });

  it('reject Digital Links with a wrong check digit, on id.gs1.org or any other domain', () => {
    validEvent(aggregationEvent({ parentID: 'https://id.gs1.org/00/106141411234567897' }));
    invalidEvent(
      aggregationEvent({ parentID: 'https://id.gs1.org/00/106141411234567898' }),
      '/parentID',
      /'https:\/\/id\.gs1\.org\/00\/106141411234567898' is not a valid GS1 Digital Link URI: AI \(00\): check digit of 106141411234567898 is wrong/,
    );
    invalidEvent(
      objectEvent({ epcList: ['https://id.gs1.org/01/10614141073465/21/2017'] }),
      '/epcList/0',
      /AI \(01\): check digit of 10614141073465 is wrong/,
    );
    invalidEvent(
      objectEvent({ epcList: ['https://brand.example.com/shop/01/10614141073465/21/2017'] }),
      '/epcList/0',
      /AI \(01\): check digit of 10614141073465 is wrong/,
    );
    invalidEvent(
      objectEvent({ bizLocation: { id: 'https://trace.example.cn/414/0614141007772' } }),
      '/bizLocation/id',
      /AI \(414\): check digit of 0614141007772 is wrong/,
    );
    invalidEvent(
      transactionEvent({ destinationList: [{ type: 'owning_party', destination: 'https://id.gs1.org/417/0614141007772' }] }),
      '/destinationList/0/destination',
      /AI \(417\): check digit/,
    );
  });

  it('reject Digital Links with bad qualifiers: wrong characters, wrong order, not a qualifier of the key', () => {
    invalidEvent(
      objectEvent({ quantityList: [quantity(1, 'https://id.gs1.org/01/09521141012345/10/LOT%20A')] }),
      '/quantityList/0/epcClass',
      /"LOT A" is not a valid value for AI \(10\) BATCH\/LOT: it must contain only characters of the GS1 AI encodable character set 82/,
    );
    invalidEvent(
      objectEvent({ epcList: ['https://id.gs1.org/01/09521141012345/21/1/10/A'] }),
      '/epcList/0',
      /key qualifiers of \(01\) must appear in the order \(22\)\(10\)\(21\)/,
    );
    invalidEvent(
      objectEvent({ epcList: ['https://id.gs1.org/01/09521141012345/254/1'] }),
      '/epcList/0',
      /AI \(254\) is not a key qualifier of \(01\)/,
    );
  });

  it('check the fields of EPC patterns as far as they go', () => {
    validEvent(
      objectEvent({
        epcList: undefined,
        quantityList: [
          { epcClass: 'urn:epc:idpat:sgtin:*.*.*' },
          { epcClass: 'urn:epc:idpat:sscc:0614141.*' },
          { epcClass: 'urn:epc:idpat:itip:0614141.107346.01.*.*' },
        ],
      }),
    );
    invalidEvent(
      objectEvent({ quantityList: [{ epcClass: 'urn:epc:idpat:sgtin:06141.*.*' }] }),
      '/quantityList/0/epcClass',
      /not a well-formed EPC pattern URI: .*GS1 Company Prefix must be 6–12 digits/,
    );
    invalidEvent(
      objectEvent({ quantityList: [{ epcClass: 'urn:epc:idpat:sgtin:0614141.10734.*' }] }),
      '/quantityList/0/epcClass',
      /not a well-formed EPC pattern URI: .*must have 13 digits together, not 12/,
    );
  });

  it('check EPC URIs of the schemes not built on a GS1 key for shape', () => {
    validEvent(
      objectEvent({
        epcList: ['urn:epc:id:gid:95100000.12345.400', 'urn:epc:id:bic:CSQU3054383', 'urn:epc:id:imovn:9176187'],
      }),
    );
    invalidEvent(
      objectEvent({ epcList: ['urn:epc:id:gid:951A.12345.400'] }),
      '/epcList/0',
      /'urn:epc:id:gid:951A\.12345\.400' is not a well-formed EPC URI: urn:epc:id:gid must hold manager number/,
    );
  });

  it('read identifiers as the event hash and the event index do: EPC prefix and scheme in any case, convenience alphas', () => {
    validEvent(
      objectEvent({
        epcList: [
          'URN:EPC:ID:SGTIN:0614141.107346.2017',
          'urn:epc:id:SGTIN:0614141.107346.2018',
          'https://id.gs1.org/gtin/09780345418913/ser/1',
        ],
      }),
    );
    invalidEvent(
      objectEvent({ epcList: ['URN:EPC:ID:SGTIN:0614141.10734.2017'] }),
      '/epcList/0',
      /not a well-formed EPC URI: .*must have 13 digits together, not 12/,
    );
  });

  it('still accept ordinary URIs, including http URLs that merely contain numbers', () => {
    validEvent(
      objectEvent({
        epcList: ['https://blog.example/2024/01/05', 'https://example.com/products/01/123', 'urn:epc:tag:sgtin-96:3.0614141.107346.2017'],
        readPoint: { id: 'https://example.com/locations/warehouse-7' },
      }),
    );
  });
});

describe('quantity elements', () => {
  it('accept epcClass with or without quantity, and uom with a quantity', () => {
    validEvent(
      objectEvent({
        epcList: undefined,
        quantityList: [
          quantity(150, lgtin('2024-05-01'), 'KGM'),
          quantity(2.5, 'https://id.gs1.org/01/09521141012345/10/LOT9', undefined),
          { epcClass: 'urn:epc:idpat:sgtin:0614141.107346.*' },
          { epcClass: 'urn:epc:idpat:sgtin:0614141.*.*' },
        ],
      }),
    );
    invalidEvent(
      objectEvent({ quantityList: [{ epcClass: 'urn:epc:idpat:sgtin:*.107346.*' }] }),
      '/quantityList/0/epcClass',
      /not a well-formed EPC pattern URI/,
    );
  });

  it('require a URI epcClass naming a class', () => {
    invalidEvent(
      objectEvent({ quantityList: [{ quantity: 1 }] }),
      '/quantityList/0/epcClass',
      /missing required field 'epcClass'/,
    );
    invalidEvent(
      objectEvent({ quantityList: [quantity(1, sgtin(1))] }),
      '/quantityList/0/epcClass',
      /identifies an instance; epcClass needs a class-level identifier/,
    );
  });

  it('require quantity to be a non-negative number', () => {
    invalidEvent(
      objectEvent({ quantityList: [quantity('twenty' as never)] }),
      '/quantityList/0/quantity',
      /'quantity' must be a number; got "twenty"/,
    );
    invalidEvent(objectEvent({ quantityList: [quantity(-1)] }), '/quantityList/0/quantity', /must not be negative/);
  });

  it('require uom to be a UN/CEFACT Rec 20 code, given only with a quantity', () => {
    invalidEvent(
      objectEvent({ quantityList: [quantity(1, lgtin(), 'kg')] }),
      '/quantityList/0/uom',
      /UN\/CEFACT Recommendation 20 unit code/,
    );
    invalidEvent(
      objectEvent({ quantityList: [{ epcClass: lgtin(), uom: 'KGM' }] }),
      '/quantityList/0/uom',
      /only allowed together with 'quantity'/,
    );
  });

  it('allow no other field', () => {
    invalidEvent(
      objectEvent({ quantityList: [{ epcClass: lgtin(), quantity: 1, weight: 5 }] }),
      '/quantityList/0/weight',
      /unexpected field 'weight'; this object allows only epcClass, quantity, uom/,
    );
  });

  it('are checked in every quantity list', () => {
    invalidEvent(aggregationEvent({ childQuantityList: [quantity(-2)] }), '/childQuantityList/0/quantity', /negative/);
    invalidEvent(
      transformationEvent({ inputQuantityList: [quantity(-2)] }),
      '/inputQuantityList/0/quantity',
      /negative/,
    );
    invalidEvent(
      transformationEvent({ outputQuantityList: [{ epcClass: 'x' }] }),
      '/outputQuantityList/0/epcClass',
      /absolute URI/,
    );
  });
});

// --- why: vocabularies -----------------------------------------------------------------------------------------

describe('bizStep and disposition', () => {
  it('accept CBV values in any spelling and non-CBV URIs', () => {
    for (const bizStep of ['shipping', 'urn:epcglobal:cbv:bizstep:shipping', 'https://ref.gs1.org/cbv/BizStep-shipping', 'https://example.com/bizStep/grading']) {
      validEvent(objectEvent({ bizStep }));
    }
    validEvent(objectEvent({ disposition: 'urn:epcglobal:cbv:disp:in_transit' }));
  });

  it('reject bare words outside the CBV, and invented CBV URIs', () => {
    invalidEvent(objectEvent({ bizStep: 'transforming' }), '/bizStep', /a non-CBV bizStep must be a URI/);
    invalidEvent(
      objectEvent({ bizStep: 'urn:epcglobal:cbv:bizstep:transforming' }),
      '/bizStep',
      /not a CBV 2\.0 bizStep/,
    );
    invalidEvent(objectEvent({ disposition: 'in_transport' }), '/disposition', /a non-CBV disposition must be a URI/);
    invalidEvent(objectEvent({ bizStep: '' }), '/bizStep', /must not be empty/);
  });

  it('check every disposition of persistentDisposition', () => {
    validEvent(objectEvent({ persistentDisposition: { set: ['completeness_verified'], unset: ['completeness_inferred'] } }));
    invalidEvent(
      objectEvent({ persistentDisposition: { set: ['active', 'quarantined'] } }),
      '/persistentDisposition/set/1',
      /non-CBV disposition/,
    );
    invalidEvent(
      objectEvent({ persistentDisposition: { set: 'active' } }),
      '/persistentDisposition/set',
      /must be an array/,
    );
  });
});

describe('bizTransactionList', () => {
  it('requires a URI bizTransaction and a CBV or URI type', () => {
    validEvent(objectEvent({ bizTransactionList: [{ bizTransaction: 'urn:epcglobal:cbv:bt:0614141073467:1152' }] }));
    validEvent(objectEvent({ bizTransactionList: [{ type: 'urn:example:btt:contract', bizTransaction: 'urn:example:c:1' }] }));
    invalidEvent(
      objectEvent({ bizTransactionList: [{ type: 'po' }] }),
      '/bizTransactionList/0/bizTransaction',
      /missing required field/,
    );
    invalidEvent(
      objectEvent({ bizTransactionList: [{ type: 'purchase_order', bizTransaction: 'urn:example:po:1' }] }),
      '/bizTransactionList/0/type',
      /non-CBV bizTransaction type must be a URI/,
    );
  });
});

describe('sourceList and destinationList', () => {
  it('require a type and an identifier', () => {
    validEvent(objectEvent({ sourceList: [{ type: 'location', source: sgln(3) }], destinationList: [{ type: 'cbv:my_own_party', destination: sgln(4) }] }));
    invalidEvent(
      objectEvent({ sourceList: [{ source: sgln(3) }] }),
      '/sourceList/0/type',
      /missing required field 'type'/,
    );
    invalidEvent(
      objectEvent({ sourceList: [{ type: 'place', source: sgln(3) }] }),
      '/sourceList/0/type',
      /non-CBV source\/destination type/,
    );
    invalidEvent(
      objectEvent({ destinationList: [{ type: 'location', destination: 'urn:epc:id:sgln:0614141.1.0' }] }),
      '/destinationList/0/destination',
      /12 digits/,
    );
  });
});

// --- where: readPoint and bizLocation --------------------------------------------------------------------------

describe('readPoint and bizLocation', () => {
  it('require an id that is a URI', () => {
    validEvent(objectEvent({ readPoint: { id: 'https://id.gs1.org/414/0614141000005/254/1' } }));
    invalidEvent(objectEvent({ readPoint: {} }), '/readPoint/id', /missing required field 'id'/);
    invalidEvent(objectEvent({ bizLocation: { id: 'warehouse 7' } }), '/bizLocation/id', /absolute URI/);
    invalidEvent(objectEvent({ readPoint: 'urn:epc:id:sgln:0614141.00777.0' }), '/readPoint', /must be an object/);
  });

  it('allow namespaced extensions only', () => {
    validEvent(objectEvent({ bizLocation: { id: sgln(0), 'example:dock': '7' } }));
    invalidEvent(objectEvent({ readPoint: { id: sgln(1), dock: '7' } }), '/readPoint/dock', /unknown field 'dock'/);
  });
});

// --- sensor data -----------------------------------------------------------------------------------------------

describe('sensorElementList', () => {
  it('accepts metadata and reports with the standard fields', () => {
    validEvent(
      objectEvent({
        sensorElementList: [
          sensorElement({
            sensorMetadata: {
              startTime: '2024-05-01T06:00:00+08:00',
              endTime: '2024-05-01T08:00:00+08:00',
              bizRules: 'https://example.com/rules/1',
              'example:firmware': '1.2',
            },
            sensorReport: [
              { type: 'gs1:Temperature', minValue: 2.1, maxValue: 7.9, meanValue: 4.2, sDev: 0.3, uom: 'CEL' },
              { type: 'Length', value: -477979.89, component: 'northing', coordinateReferenceSystem: 'http://www.opengis.net/def/crs/EPSG/0/27700', uom: 'MTR' },
              { type: 'example:pH', stringValue: 'low', booleanValue: true, hexBinaryValue: 'f0F0', uriValue: 'https://example.com/x' },
              { type: 'Temperature', exception: 'ALARM_CONDITION', value: 9, uom: 'CEL', 'example:threshold': 8 },
            ],
          }),
        ],
      }),
    );
  });

  it('requires at least one sensorReport', () => {
    invalidEvent(
      objectEvent({ sensorElementList: [{ sensorMetadata: {} }] }),
      '/sensorElementList/0/sensorReport',
      /missing required field 'sensorReport'/,
    );
    invalidEvent(
      objectEvent({ sensorElementList: [{ sensorReport: [] }] }),
      '/sensorElementList/0/sensorReport',
      /at least 1 element/,
    );
  });

  it('accepts a report without type only when it reports an exception', () => {
    // Contested: the EPCIS XSD makes `type` optional, the JSON schema requires it. An alarm or error report needs no
    // measurement type; a measured value without one cannot be read.
    validEvent(objectEvent({ sensorElementList: [{ sensorReport: [{ exception: 'ERROR_CONDITION', uriValue: 'https://example.com/ErrorCode-A827' }] }] }));
    invalidEvent(
      objectEvent({ sensorElementList: [{ sensorReport: [{ value: 26, uom: 'CEL' }] }] }),
      '/sensorElementList/0/sensorReport/0/type',
      /needs a measurement type unless it reports an exception/,
    );
  });

  it('checks type, exception and component against the GS1 and CBV lists', () => {
    const report = (fields: JsonObject) => objectEvent({ sensorElementList: [{ sensorReport: [fields] }] });
    invalidEvent(
      report({ type: 'EffectiveDoseRate', value: 1 }),
      '/sensorElementList/0/sensorReport/0/type',
      /not a GS1 sensor measurement type/,
    );
    invalidEvent(
      report({ type: 'Temperature', exception: 'ALARM' }),
      '/sensorElementList/0/sensorReport/0/exception',
      /sensor alert type/,
    );
    invalidEvent(
      report({ type: 'Length', component: 'w' }),
      '/sensorElementList/0/sensorReport/0/component',
      /sensor component/,
    );
  });

  it('checks the JSON types and formats of report fields', () => {
    const at = '/sensorElementList/0/sensorReport/0';
    const report = (fields: JsonObject) =>
      objectEvent({ sensorElementList: [{ sensorReport: [{ type: 'Temperature', ...fields }] }] });
    invalidEvent(report({ value: '26' }), `${at}/value`, /must be a number/);
    invalidEvent(report({ booleanValue: 'true' }), `${at}/booleanValue`, /must be a boolean/);
    invalidEvent(report({ hexBinaryValue: 'abc' }), `${at}/hexBinaryValue`, /hexadecimal/);
    invalidEvent(report({ uom: 'Celsius' }), `${at}/uom`, /Recommendation 20/);
    invalidEvent(report({ time: '2024-05-01T08:00:00' }), `${at}/time`, /RFC 3339/);
    invalidEvent(report({ deviceID: 'sensor 1' }), `${at}/deviceID`, /absolute URI/);
    invalidEvent(report({ reading: 26 }), `${at}/reading`, /unknown field 'reading'/);
  });

  it('checks metadata times, including their order', () => {
    const metadata = (fields: JsonObject) =>
      objectEvent({ sensorElementList: [sensorElement({ sensorMetadata: fields })] });
    invalidEvent(metadata({ time: '2024-05-01' }), '/sensorElementList/0/sensorMetadata/time', /RFC 3339/);
    invalidEvent(
      metadata({ startTime: '2024-05-01T10:00:00Z', endTime: '2024-05-01T09:00:00Z' }),
      '/sensorElementList/0/sensorMetadata/endTime',
      /must not be before startTime/,
    );
    invalidEvent(metadata({ interval: 5 }), '/sensorElementList/0/sensorMetadata/interval', /unknown field 'interval'/);
    invalidEvent(
      objectEvent({ sensorElementList: [sensorElement({ note: 'x' })] }),
      '/sensorElementList/0/note',
      /unknown field 'note'/,
    );
  });
});

// --- corrections -----------------------------------------------------------------------------------------------

describe('errorDeclaration', () => {
  it('requires declarationTime and checks reason and correctiveEventIDs', () => {
    validEvent(objectEvent({ errorDeclaration: { declarationTime: '2024-05-02T00:00:00Z', reason: 'incorrect_data', correctiveEventIDs: ['urn:uuid:2b3c'], 'example:ticket': 'T-9' } }));
    validEvent(objectEvent({ errorDeclaration: { declarationTime: '2024-05-02T00:00:00Z', reason: 'urn:epcglobal:cbv:er:did_not_occur' } }));
    invalidEvent(
      objectEvent({ errorDeclaration: { reason: 'did_not_occur' } }),
      '/errorDeclaration/declarationTime',
      /missing required field 'declarationTime'/,
    );
    invalidEvent(
      objectEvent({ errorDeclaration: { declarationTime: '2024-05-02T00:00:00Z', reason: 'typo' } }),
      '/errorDeclaration/reason',
      /non-CBV error reason must be a URI/,
    );
    invalidEvent(
      objectEvent({ errorDeclaration: { declarationTime: '2024-05-02T00:00:00Z', correctiveEventIDs: ['event 2'] } }),
      '/errorDeclaration/correctiveEventIDs/0',
      /absolute URI/,
    );
    invalidEvent(
      objectEvent({ errorDeclaration: { declarationTime: '2024-05-02T00:00:00Z', ticket: 'T-9' } }),
      '/errorDeclaration/ticket',
      /unknown field 'ticket'/,
    );
  });
});

// --- user extensions -------------------------------------------------------------------------------------------

describe('user extension fields', () => {
  it('accept prefix:name with a prefix declared in the document @context', () => {
    validEvent(objectEvent({ 'example:temperatureLog': { 'example:max': 7 } }));
  });

  it('accept a full URI as the field name', () => {
    validEvent(objectEvent({ 'https://ns.example.org/epcis/grade': 'A', 'urn:example:field:grade': 'A' }));
  });

  it('accept the prefixes of the EPCIS context without redeclaration', () => {
    validEvent(objectEvent({ 'cbvmda:countryOfOrigin': 'CN', 'gs1:netContent': '1 kg' }));
  });

  it('reject an un-namespaced field, naming it', () => {
    const error = invalidEvent(objectEvent({ batchNote: 'x' }), '/batchNote', /unknown field 'batchNote': user extension fields must be namespaced/);
    assert.equal(error.eventIndex, 0);
  });

  it('reject a prefix that no @context declares', () => {
    invalidEvent(
      objectEvent({ 'ext9:grade': 'A' }),
      '/ext9:grade',
      /uses the prefix 'ext9', which is not declared in @context/,
    );
  });

  it('accept prefixes and terms declared in the event’s own @context', () => {
    validEvent(objectEvent({ '@context': [{ ext9: 'https://ns.ext9.example/' }], 'ext9:grade': 'A' }));
    validEvent(objectEvent({ '@context': { grade: 'https://ns.example.org/grade' }, grade: 'A' }));
    validEvent(objectEvent({ '@context': { grade: { '@id': 'https://ns.example.org/grade' } }, grade: 'A' }));
    // The event's @context does not leak into the next event.
    assertError(
      epcisDocument([objectEvent({ '@context': { ext9: 'https://ns.ext9.example/' } }), objectEvent({ 'ext9:grade': 'A' })]),
      '/epcisBody/eventList/1/ext9:grade',
      /not declared/,
    );
    invalidEvent(objectEvent({ '@context': 7 }), '/@context', /must be an absolute URI, an object, or an array/);
  });

  it(`refuse identifiers, vocabulary values and field names longer than ${MAX_KEY_LENGTH} characters (index keys)`, () => {
    const long = 'x'.repeat(MAX_KEY_LENGTH);
    validEvent(objectEvent({ bizTransactionList: [{ type: 'po', bizTransaction: `urn:example:${long.slice(12)}` }] }));
    invalidEvent(objectEvent({ bizTransactionList: [{ type: 'po', bizTransaction: `urn:example:${long}` }] }), '/bizTransactionList/0/bizTransaction', /longer than|must NOT have more than/);
    invalidEvent(objectEvent({ bizStep: `https://example.com/${long}` }), '/bizStep', /must NOT have more than/);
    invalidEvent(objectEvent({ [`example:${long}`]: 1 }), `/example:${long}`, /longer than 512 characters/);
  });

  it('escape JSON pointer characters in field names', () => {
    invalidEvent(objectEvent({ 'a/b~c': 1 }), '/a~1b~0c', /unknown field 'a\/b~c'/);
  });

  it('leave the content of an extension alone, as the XML binding does', () => {
    validEvent(objectEvent({ 'example:extension': { moreExtensions: { futureExtension: { tag1: '1' } } } }));
  });

  it(`may nest ${MAX_NESTING} levels of objects and lists, and no deeper, however deep the document goes`, () => {
    const nested = (levels: number, leaf: unknown = 'x'): unknown => {
      let value = leaf;
      for (let i = 1; i < levels; i += 1) value = i % 2 ? { 'example:level': value } : [value];
      return { 'example:top': value };
    };
    validEvent(objectEvent({ 'example:deep': nested(MAX_NESTING) }));
    invalidEvent(objectEvent({ 'example:deep': nested(MAX_NESTING + 1) }), '/example:deep', new RegExp(`nested deeper than ${MAX_NESTING} levels`));
    invalidEvent(objectEvent({ ilmd: { 'example:deep': nested(50_000) } }), '/ilmd', /nested deeper than/);
  });

  it('are checked inside the EPCIS structures that allow them', () => {
    invalidEvent(
      objectEvent({ persistentDisposition: { set: ['active'], reason: 'x' } }),
      '/persistentDisposition/reason',
      /unknown field 'reason'/,
    );
  });
});

// --- single events ---------------------------------------------------------------------------------------------

describe('validateEpcisEvent', () => {
  it('accepts a standalone event with its own @context', () => {
    const event = standaloneEvent(objectEvent({ 'example:grade': 'A' }));
    const result = validateEpcisEvent(event);
    assert.ok(result.ok);
    assert.equal(result.kind, 'EPCISEvent');
    assert.equal(result.events[0], event);
  });

  it('requires @context on a standalone event', () => {
    const result = validateEpcisEvent(objectEvent());
    assert.equal(result.ok, false);
    assert.deepEqual(!result.ok && result.errors.map((e) => e.pointer), ['/@context']);
  });

  it('uses the document @context when given one, and reports under the given pointer and index', () => {
    const documentContext = [EPCIS_CONTEXT_URL, { ext1: 'https://ns.ext1.example/' }];
    assert.ok(validateEpcisEvent(objectEvent({ 'ext1:grade': 'A' }), { documentContext }).ok);
    const result = validateEpcisEvent(objectEvent({ bizStep: 'transforming' }), {
      documentContext,
      eventIndex: 4,
      pointer: '/epcisBody/eventList/4',
    });
    assert.equal(result.ok, false);
    assert.deepEqual(!result.ok && result.errors, [
      {
        eventIndex: 4,
        pointer: '/epcisBody/eventList/4/bizStep',
        message: "'transforming' is not a CBV bizStep; a non-CBV bizStep must be a URI",
      },
    ]);
  });
});

// --- error collection ------------------------------------------------------------------------------------------

describe('error collection', () => {
  it('collects every error of every event, each with its event index', () => {
    const errors = errorsOf(
      epcisDocument([
        objectEvent(),
        objectEvent({ action: 'CREATE', bizStep: 'transforming' }),
        objectEvent(),
        aggregationEvent({ parentID: undefined }),
      ]),
    );
    assert.deepEqual(
      errors.map((e) => [e.eventIndex, e.pointer]),
      [
        [1, '/epcisBody/eventList/1/action'],
        [1, '/epcisBody/eventList/1/bizStep'],
        [3, '/epcisBody/eventList/3/parentID'],
      ],
    );
  });

  it('reports query-document errors under the query-results path', () => {
    assertError(
      epcisQueryDocument([objectEvent({ action: 'NOPE' })]),
      '/epcisBody/queryResults/resultsBody/eventList/0/action',
      /must be one of/,
    );
  });

  it(`stops at ${MAX_ERRORS} errors and says so`, () => {
    const events = Array.from({ length: 150 }, () => objectEvent({ action: 'CREATE' }));
    const result = validateEpcisDocument(epcisDocument(events));
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.errors.length, MAX_ERRORS);
    assert.equal(!result.ok && result.truncated, true);
    assert.equal(!result.ok && result.errors.at(-1)?.eventIndex, MAX_ERRORS - 1);
  });

  it('does not flag valid documents as truncated', () => {
    const result = validateEpcisDocument(epcisDocument([objectEvent({ action: 'CREATE' })]));
    assert.equal(!result.ok && result.truncated, undefined);
  });
});

// --- the openepcis conformance corpus --------------------------------------------------------------------------

const CORPUS = fileURLToPath(new URL('../../../test/fixtures/openepcis-corpus/JSON/', import.meta.url));

/**
 * Files whose folder says one thing and the standard another. Each entry keeps our verdict and the errors behind it,
 * so that a change of behaviour on these files is a conscious one. docs/EPCIS-CONFORMANCE.md has the same table.
 */
const CONTESTED: Record<string, { folder: 'valid'; ours: 'invalid'; why: string; errors: [string, RegExp][] }> = {
  // A bare sensor `type` must be a GS1 measurement type: in JSON-LD an unlisted bare term expands to no IRI, so the
  // reading would lose its meaning. `Molar_concentration` and `EffectiveDoseRate` are in no CBV/GS1 list; the files
  // would be valid with a CURIE such as `example:EffectiveDoseRate`. (This file also has two reports without `type`
  // but with `exception`; those we accept.)
  //
  // Event 12 also names a GRAI Digital Link whose AI (8003) value lacks the leading filler digit 0
  // (https://id.example.com/8003/952012200000001004), so it cannot be read as a GRAI at all.
  'Capture/Documents/SensorData_with_combined_events.json': {
    folder: 'valid',
    ours: 'invalid',
    why: 'non-GS1 bare sensor measurement types Molar_concentration, EffectiveDoseRate; a GRAI without its filler digit',
    errors: [
      ['/epcisBody/eventList/7/sensorElementList/0/sensorReport/1/type', /'Molar_concentration' is not a GS1 sensor measurement type/],
      ['/epcisBody/eventList/7/sensorElementList/0/sensorReport/2/type', /'Molar_concentration'/],
      ['/epcisBody/eventList/10/sensorElementList/0/sensorReport/0/type', /'EffectiveDoseRate'/],
      ['/epcisBody/eventList/12/epcList/0', /not a valid GS1 Digital Link URI: AI \(8003\): the leading filler digit must be 0/],
    ],
  },
  'Query/SensorData_with_combined_events.json': {
    folder: 'valid',
    ours: 'invalid',
    why: 'same events as the capture twin',
    errors: [
      ['/epcisBody/queryResults/resultsBody/eventList/7/sensorElementList/0/sensorReport/1/type', /'Molar_concentration'/],
      ['/epcisBody/queryResults/resultsBody/eventList/7/sensorElementList/0/sensorReport/2/type', /'Molar_concentration'/],
      ['/epcisBody/queryResults/resultsBody/eventList/10/sensorElementList/0/sensorReport/0/type', /'EffectiveDoseRate'/],
      ['/epcisBody/queryResults/resultsBody/eventList/12/epcList/0', /AI \(8003\): the leading filler digit must be 0/],
    ],
  },
  // Same rule: `EffectiveDoseRate` is not a GS1 measurement type.
  'Capture/Documents/TransactionEvent_with_userExtensions.json': {
    folder: 'valid',
    ours: 'invalid',
    why: 'non-GS1 bare sensor measurement type EffectiveDoseRate',
    errors: [['/epcisBody/eventList/0/sensorElementList/0/sensorReport/0/type', /'EffectiveDoseRate'/]],
  },
  'Query/TransactionEvent_with_userExtensions.json': {
    folder: 'valid',
    ours: 'invalid',
    why: 'same event as the capture twin',
    errors: [['/epcisBody/queryResults/resultsBody/eventList/0/sensorElementList/0/sensorReport/0/type', /'EffectiveDoseRate'/]],
  },
  // A GRAI Digital Link whose check digit is wrong: https://id.example.com/8003/030013450007718765 is the filler 0, the
  // GRAI 3001345000771 and the serial 8765, and the check digit of 300134500077 is 6, not 1. A Digital Link on any
  // domain is a GS1 identifier, so the event hash and the event index could not read it either.
  'Capture/Documents/Combination_of_different_event.json': {
    folder: 'valid',
    ours: 'invalid',
    why: 'GRAI Digital Link with a wrong check digit',
    errors: [
      ['/epcisBody/eventList/0/epcList/0', /'https:\/\/id\.example\.com\/8003\/030013450007718765' is not a valid GS1 Digital Link URI: AI \(8003\): check digit of 3001345000771 is wrong/],
    ],
  },
  'Query/Combination_of_different_event.json': {
    folder: 'valid',
    ours: 'invalid',
    why: 'same GRAI as the capture twin',
    errors: [['/epcisBody/queryResults/resultsBody/eventList/0/epcList/0', /AI \(8003\): check digit of 3001345000771 is wrong/]],
  },
  'Query/queryDocument.json': {
    folder: 'valid',
    ours: 'invalid',
    why: 'the same GRAI with a wrong check digit',
    errors: [['/epcisBody/queryResults/resultsBody/eventList/0/epcList/0', /AI \(8003\): check digit of 3001345000771 is wrong/]],
  },
};

/** Why each invalid file must be rejected, so that it is rejected for the reason its name gives. */
const INVALID_BECAUSE: Record<string, [string, RegExp]> = {
  'Capture/Invalid/Combination_of_events_with_missing_mandatory_fields.json': ['/epcisBody/eventList/1/eventTimeZoneOffset', /missing required field/],
  'Capture/Invalid/Combination_of_multiple_invalid_fields.json': ['/epcisBody/eventList/4/action', /must be one of/],
  'Capture/Invalid/Combination_of_non_standard_bizStep_and_disposition.json': ['/epcisBody/eventList/1/disposition', /non-CBV disposition/],
  'Capture/Invalid/EPCISDocument_without_context.json': ['/@context', /missing required field '@context'/],
  'Capture/Invalid/ObjectEvent_with_ilmd_field_without_namespace.json': ['/epcisBody/eventList/0/ilmd/materialType', /must be namespaced/],
  'Capture/Invalid/ObjectEvent_with_invalid_action.json': ['/epcisBody/eventList/0/action', /must be one of ADD, OBSERVE, DELETE/],
  // certificationInfo holds certificate URIs; certification details belong in the certificate or in master data.
  'Capture/Invalid/ObjectEvent_with_invalid_certificationInfo.json': ['/epcisBody/eventList/0/certificationInfo/1', /must be a string/],
  'Capture/Invalid/ObjectEvent_with_invalid_eventTime_format.json': ['/epcisBody/eventList/0/eventTime', /RFC 3339/],
  'Capture/Invalid/ObjectEvent_with_non_standard_bizStep.json': ['/epcisBody/eventList/0/bizStep', /non-CBV bizStep/],
  'Capture/Invalid/ObjectEvent_with_non_standard_bizStep_in_second_event.json': ['/epcisBody/eventList/1/bizStep', /non-CBV bizStep/],
  'Capture/Invalid/ObjectEvent_with_non_standard_disposition.json': ['/epcisBody/eventList/0/disposition', /non-CBV disposition/],
  'Capture/Invalid/ObjectEvent_with_quantity_as_text.json': ['/epcisBody/eventList/0/quantityList/0/quantity', /must be a number/],
  'Capture/Invalid/ObjectEvent_with_unknown_field_in_quantityList.json': ['/epcisBody/eventList/0/quantityList/0/weight', /unexpected field 'weight'/],
  'Capture/Invalid/ObjectEvent_without_action_and_eventTime.json': ['/epcisBody/eventList/0/eventTime', /missing required field 'eventTime'/],
  'Capture/Invalid/ObjectEvent_without_identifier_list.json': ['/epcisBody/eventList/0/epcList', /must name its objects/],
  'Query/Invalid/QueryDocument_with_invalid_action.json': ['/epcisBody/queryResults/resultsBody/eventList/0/action', /must be one of/],
  'Query/Invalid/QueryDocument_with_invalid_eventType.json': ['/epcisBody/queryResults/resultsBody/eventList/0/type', /unknown event type "ObjectEventInvalid"/],
};

function corpusFiles(folder: string): string[] {
  return readdirSync(join(CORPUS, folder))
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => `${folder}/${name}`);
}

const load = (file: string): unknown => JSON.parse(readFileSync(join(CORPUS, file), 'utf8'));
const describeErrors = (errors: ValidationIssue[]) => errors.map((e) => `${e.pointer}: ${e.message}`).join('\n');
const assertHasError = (errors: ValidationIssue[], pointer: string, message: RegExp) =>
  assert.ok(
    errors.some((e) => e.pointer === pointer && message.test(e.message)),
    `no error at ${pointer} matching ${message}:\n${describeErrors(errors)}`,
  );

describe('openepcis EPCIS 2.0 corpus', () => {
  const validDocuments = [...corpusFiles('Capture/Documents'), ...corpusFiles('Query')];
  const bareEvents = corpusFiles('Capture/Events');
  const invalidDocuments = [...corpusFiles('Capture/Invalid'), ...corpusFiles('Query/Invalid')];

  it('is complete: 38 capture documents, 5 bare events, 9 query documents, 17 invalid documents', () => {
    const counts = [corpusFiles('Capture/Documents'), bareEvents, corpusFiles('Query'), invalidDocuments].map((l) => l.length);
    assert.deepEqual(counts, [38, 5, 9, 17]);
    for (const file of Object.keys(CONTESTED)) assert.ok(validDocuments.includes(file), `${file} exists`);
    assert.deepEqual(Object.keys(INVALID_BECAUSE).sort(), [...invalidDocuments].sort());
  });

  for (const file of validDocuments) {
    const contested = CONTESTED[file];
    if (contested) {
      it(`rejects ${file} (contested: ${contested.why})`, () => {
        const result = validateEpcisDocument(load(file));
        assert.equal(result.ok, false);
        const errors = result.ok ? [] : result.errors;
        assert.equal(errors.length, contested.errors.length, describeErrors(errors));
        for (const [pointer, message] of contested.errors) {
          assertHasError(errors, pointer, message);
        }
      });
      continue;
    }
    it(`accepts ${file}`, () => {
      const body = load(file);
      const result = validateEpcisDocument(body);
      assert.ok(result.ok, describeErrors(result.ok ? [] : result.errors));
      assert.equal(result.kind, file.startsWith('Query/') ? 'EPCISQueryDocument' : 'EPCISDocument');
      assert.ok(result.events.length > 0);
    });
  }

  for (const file of bareEvents) {
    it(`accepts the bare event ${file}`, () => {
      const result = validateEpcisEvent(load(file));
      assert.ok(result.ok, describeErrors(result.ok ? [] : result.errors));
    });
  }

  for (const file of invalidDocuments) {
    it(`rejects ${file}`, () => {
      const result = validateEpcisDocument(load(file));
      assert.equal(result.ok, false);
      const errors = result.ok ? [] : result.errors;
      const [pointer, message] = INVALID_BECAUSE[file]!;
      assertHasError(errors, pointer, message);
    });
  }
});
