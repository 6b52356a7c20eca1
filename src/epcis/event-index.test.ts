import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  EPCIS_CONTEXT_URL,
  EXAMPLE_NAMESPACE,
  aggregationEvent,
  associationEvent,
  epcisDocument,
  lgtin,
  objectEvent,
  pgln,
  quantity,
  sgln,
  sgtin,
  standaloneEvent,
  transactionEvent,
  transformationEvent,
  type JsonObject,
} from '../../test/builders/epcis.js';
import { canonicalIdentifier, indexEvent, memoisedCanonical, shortType, type EventIndex } from './event-index.js';

const DOCUMENT_CONTEXT = epcisDocument()['@context'];

// The builders' identifiers in canonical form.
const ITEM_1 = 'https://id.gs1.org/01/10614141073464/21/1';
const ITEM_2 = 'https://id.gs1.org/01/10614141073464/21/2';
const PALLET = 'https://id.gs1.org/00/106141412345678908';
const SITE_GLN = '0614141007776';
const SITE = `https://id.gs1.org/414/${SITE_GLN}`;
const DOCK = `${SITE}/254/1`;
const PARTY_777 = 'https://id.gs1.org/417/0614141007776';
const PARTY_888 = 'https://id.gs1.org/417/0614141008889';
const LOT_1 = 'https://id.gs1.org/01/10614141073464/10/LOT1';

const index = (event: JsonObject, context: unknown = DOCUMENT_CONTEXT): EventIndex => indexEvent(event, context);
const roles = (result: EventIndex) => result.identifiers.map(({ role, identifier }) => [role, identifier]);

describe('indexEvent: identifiers and their roles', () => {
  it('ObjectEvent: EPCs and quantity classes', () => {
    const result = index(objectEvent({ epcList: [sgtin(1), sgtin(2)], quantityList: [quantity(5, lgtin())] }));
    assert.deepEqual(roles(result), [
      ['epc', ITEM_1],
      ['epc', ITEM_2],
      ['epc_class', LOT_1],
    ]);
  });

  it('AggregationEvent: the parent, its children and child quantities', () => {
    const result = index(aggregationEvent({ childQuantityList: [quantity(3, lgtin())] }));
    assert.deepEqual(roles(result), [
      ['child', ITEM_1],
      ['child', ITEM_2],
      ['parent', PALLET],
      ['child_class', LOT_1],
    ]);
  });

  it('TransformationEvent: inputs and outputs, instances and classes', () => {
    const result = index(transformationEvent({ inputEPCList: [sgtin(1)], outputEPCList: [sgtin(2)] }));
    assert.deepEqual(roles(result), [
      ['input', ITEM_1],
      ['output', ITEM_2],
      ['input_class', 'https://id.gs1.org/01/10614141073402/10/RAW1'],
      ['output_class', 'https://id.gs1.org/01/10614141073464/10/OUT1'],
    ]);
  });

  it('the transformation ID (as an identifier) and the persistent dispositions (as canonical words), set and unset', () => {
    const result = index(
      transformationEvent({
        inputEPCList: undefined,
        transformationID: ' urn:epc:id:gdti:0614141.00001.1618034 ',
        persistentDisposition: { set: ['https://ref.gs1.org/cbv/Disp-completeness_verified', 'https://ns.example.com/disp/checked'], unset: ['urn:epcglobal:cbv:disp:completeness_inferred'] },
      }),
    );
    assert.deepEqual(
      roles(result).filter(([role]) => !String(role).endsWith('_class')),
      [
        ['transformation_id', 'https://id.gs1.org/253/06141410000121618034'],
        ['persistent_disposition_set', 'completeness_verified'],
        ['persistent_disposition_set', 'https://ns.example.com/disp/checked'],
        ['persistent_disposition_unset', 'completeness_inferred'],
      ],
    );
  });

  it('TransactionEvent: EPCs, sources and destinations by type, business transactions by type', () => {
    const result = index(
      transactionEvent({
        bizTransactionList: [
          { type: 'po', bizTransaction: 'http://transaction.example.com/po/12345678' },
          { type: 'urn:epcglobal:cbv:btt:inv', bizTransaction: ' urn:epcglobal:cbv:bt:0614141073467:1152 ' },
          { type: 'https://ref.gs1.org/cbv/BTT-desadv', bizTransaction: 'urn:example:desadv:1' },
          { bizTransaction: 'urn:example:untyped:1' },
        ],
      }),
    );
    assert.deepEqual(roles(result), [
      ['epc', ITEM_1],
      ['source:owning_party', PARTY_777],
      ['destination:owning_party', PARTY_888],
      ['biz_transaction:po', 'http://transaction.example.com/po/12345678'],
      // A business transaction is not a GS1 key: it is kept as written, less surrounding whitespace.
      ['biz_transaction:inv', 'urn:epcglobal:cbv:bt:0614141073467:1152'],
      ['biz_transaction:desadv', 'urn:example:desadv:1'],
      ['biz_transaction:untyped', 'urn:example:untyped:1'],
    ]);
  });

  it('AssociationEvent: the asset and the device installed on it', () => {
    const result = index(associationEvent());
    assert.deepEqual(roles(result), [
      ['child', 'https://id.gs1.org/8004/0614141SENSOR1'],
      ['parent', 'https://id.gs1.org/8003/00614141123452400'],
    ]);
  });

  it('names source and destination roles after the type, however the type is spelled', () => {
    const result = index(
      objectEvent({
        sourceList: [
          { type: 'urn:epcglobal:cbv:sdt:possessing_party', source: pgln('00777') },
          { type: 'https://ref.gs1.org/cbv/SDT-location', source: sgln(0) },
          { type: 'cbv:SDT-owning_party', source: pgln('00888') },
        ],
        destinationList: [{ type: 'https://example.com/types/consignee', destination: 'urn:example:party:9' }],
      }),
    );
    assert.deepEqual(roles(result).slice(1), [
      ['source:possessing_party', PARTY_777],
      ['source:location', SITE],
      ['source:owning_party', PARTY_888],
      // A type outside the CBV is the role as written.
      ['destination:https://example.com/types/consignee', 'urn:example:party:9'],
    ]);
  });

  it('skips entries that carry no identifier of the expected kind', () => {
    const result = index(
      objectEvent({
        epcList: [sgtin(1), 42, null],
        quantityList: [{ quantity: 5 }, 'x', quantity(5, lgtin())],
        sourceList: [{ source: pgln() }, { type: 'owning_party' }, { type: 'owning_party', source: '   ' }],
        bizTransactionList: [{ type: 'po' }, 'x'],
      }),
    );
    assert.deepEqual(roles(result), [
      ['epc', ITEM_1],
      ['epc_class', LOT_1],
    ]);
  });
});

describe('indexEvent: canonical identifiers', () => {
  it('writes EPC URNs and Digital Links as the canonical Digital Link on id.gs1.org', () => {
    const result = index(
      objectEvent({
        epcList: [
          'urn:epc:id:sgtin:0614141.107346.1',
          'https://id.gs1.org/01/10614141073464/21/1',
          // Another domain, a path prefix, a GTIN-13, a lower-case escape and a resolver parameter.
          'https://brand.example/shop/01/9506000134352/21/A%2fB?linkType=all',
          'urn:epc:id:sgtin:0614141.107346.A%2FB',
          '  urn:epc:id:sscc:0614141.1234567890\n',
          'https://id.gs1.org/sscc/106141412345678908',
        ],
        quantityList: [
          quantity(1, 'urn:epc:idpat:sgtin:0614141.107346.*'),
          quantity(1, 'https://example.com/gtin/10614141073464/lot/LOT1'),
        ],
      }),
    );
    assert.deepEqual(
      result.identifiers.map((i) => i.identifier),
      [
        ITEM_1,
        ITEM_1,
        'https://id.gs1.org/01/09506000134352/21/A%2FB',
        'https://id.gs1.org/01/10614141073464/21/A%2FB',
        PALLET,
        PALLET,
        'https://id.gs1.org/01/10614141073464',
        LOT_1,
      ],
    );
  });

  it('keeps identifiers that have no Digital Link form as written, and a broken one trimmed', () => {
    const result = index(
      objectEvent({
        epcList: ['urn:epc:id:gid:95100000.12345.400', 'urn:uuid:374d95fc-9457-4a51-bd6a-0bba133845a8', ' https://id.gs1.org/01/10614141073465 '],
      }),
    );
    assert.deepEqual(
      result.identifiers.map((i) => i.identifier),
      ['urn:epc:id:gid:95100000.12345.400', 'urn:uuid:374d95fc-9457-4a51-bd6a-0bba133845a8', 'https://id.gs1.org/01/10614141073465'],
    );
  });

  it('gives the same index with a memo shared by a document as without', () => {
    const canonical = memoisedCanonical();
    const events = [objectEvent(), aggregationEvent(), transactionEvent(), transformationEvent(), objectEvent({ epcList: [sgtin(2)] })];
    for (const event of events) assert.deepEqual(indexEvent(event, DOCUMENT_CONTEXT, canonical), index(event));
  });

  it('memoisedCanonical answers as canonicalIdentifier does', () => {
    const canonical = memoisedCanonical();
    for (const id of [sgtin(1), sgtin(1), sgln(1), ' x ', 'urn:epc:id:sgtin:bad']) assert.equal(canonical(id), canonicalIdentifier(id));
  });
});

describe('indexEvent: locations and GLNs', () => {
  it('reads the read point and business location, and the GLNs they name', () => {
    const result = index(objectEvent());
    assert.equal(result.readPoint, DOCK);
    assert.equal(result.bizLocation, SITE);
    assert.deepEqual(result.glns, [
      { relation: 'read_point', gln: SITE_GLN },
      { relation: 'biz_location', gln: SITE_GLN },
    ]);
  });

  it('takes the GLNs of sources and destinations, location or party, before those of the event location', () => {
    const result = index(
      transactionEvent({
        readPoint: { id: 'https://id.gs1.org/414/4012345000115/254/987' },
        sourceList: [
          { type: 'owning_party', source: pgln('00777') },
          { type: 'location', source: sgln(1) },
        ],
        destinationList: [
          { type: 'owning_party', destination: 'https://id.gs1.org/417/0614141008889' },
          { type: 'location', destination: 'urn:example:warehouse:7' },
        ],
      }),
    );
    assert.deepEqual(result.glns, [
      { relation: 'source:owning_party', gln: '0614141007776' },
      { relation: 'source:location', gln: SITE_GLN },
      { relation: 'destination:owning_party', gln: '0614141008889' },
      { relation: 'read_point', gln: '4012345000115' },
    ]);
  });

  it('finds no GLN in identifiers of other keys, nor in locations that are not GS1 identifiers', () => {
    const result = index(
      objectEvent({
        readPoint: { id: 'urn:example:reader:1' },
        bizLocation: undefined,
        sourceList: [{ type: 'possessing_party', source: 'urn:epc:id:gsrn:4012345.0000006765' }],
      }),
    );
    assert.equal(result.readPoint, 'urn:example:reader:1');
    assert.equal(result.bizLocation, null);
    assert.deepEqual(result.glns, []);
  });

  it('has no location when the event names none', () => {
    const result = index(aggregationEvent({ readPoint: undefined, bizLocation: 'not an object' }));
    assert.equal(result.readPoint, null);
    assert.equal(result.bizLocation, null);
    assert.deepEqual(result.glns, []);
  });
});

describe('indexEvent: ILMD and extension fields', () => {
  it('expands prefixes the document declares, and those of the EPCIS context', () => {
    const result = index(
      objectEvent({
        ilmd: { 'example:grade': 'A', 'cbvmda:lotNumber': 'LOT1', 'cbvmda:countryOfOrigin': 'CN' },
        'example:temperature': 4.5,
      }),
    );
    assert.deepEqual(result.fields, [
      { scope: 'ilmd', name: `${EXAMPLE_NAMESPACE}grade`, text: 'A', num: null },
      { scope: 'ilmd', name: 'urn:epcglobal:cbv:mda:lotNumber', text: 'LOT1', num: null },
      { scope: 'ilmd', name: 'urn:epcglobal:cbv:mda:countryOfOrigin', text: 'CN', num: null },
      { scope: 'ext', name: `${EXAMPLE_NAMESPACE}temperature`, text: '4.5', num: 4.5 },
    ]);
  });

  it("lets the event's own context add and override prefixes", () => {
    const event = standaloneEvent(objectEvent({ 'example:a': 1, 'mine:b': 2, 'cbv:c': 3 }));
    event['@context'] = [EPCIS_CONTEXT_URL, { mine: 'urn:mine:', example: { '@id': 'urn:override:' }, cbv: 'urn:cbv-override:' }];
    assert.deepEqual(
      index(event).fields.map((f) => f.name),
      ['urn:override:a', 'urn:mine:b', 'urn:cbv-override:c'],
    );
  });

  it('keeps full IRIs, unknown prefixes and ILMD keys without a prefix as written', () => {
    const result = index(
      objectEvent({
        ilmd: { plain: 'x', 'unknown:y': 'y', 'https://ns.example.com/z': 'z' },
        'urn:example:ext': 'u',
        'nobody:ext': 'n',
      }),
    );
    assert.deepEqual(
      result.fields.map((f) => [f.scope, f.name]),
      [
        ['ilmd', 'plain'],
        ['ilmd', 'unknown:y'],
        ['ilmd', 'https://ns.example.com/z'],
        ['ext', 'urn:example:ext'],
        ['ext', 'nobody:ext'],
      ],
    );
  });

  it('ignores standard fields and the event context as extensions', () => {
    const result = index(standaloneEvent(objectEvent()));
    assert.deepEqual(result.fields, []);
  });

  it('indexes scalars as text and numbers, each element of a list, @value objects, and what nested objects hold as inner fields', () => {
    const result = index(
      objectEvent({
        ilmd: {
          'example:count': ' 12 ',
          'example:big': '-1.5e3',
          'example:code': '0x1F',
          'example:flag': true,
          'example:tags': ['a', 2, ['b']],
          'example:typed': { '@value': '7', '@type': 'xsd:integer' },
          'example:nested': { 'example:inner': 1 },
          'example:nothing': null,
        },
      }),
    );
    const name = (local: string) => `${EXAMPLE_NAMESPACE}${local}`;
    assert.deepEqual(result.fields, [
      { scope: 'ilmd', name: name('count'), text: ' 12 ', num: 12 },
      { scope: 'ilmd', name: name('big'), text: '-1.5e3', num: -1500 },
      { scope: 'ilmd', name: name('code'), text: '0x1F', num: null },
      { scope: 'ilmd', name: name('flag'), text: 'true', num: null },
      { scope: 'ilmd', name: name('tags'), text: 'a', num: null },
      { scope: 'ilmd', name: name('tags'), text: '2', num: 2 },
      { scope: 'ilmd', name: name('tags'), text: 'b', num: null },
      { scope: 'ilmd', name: name('typed'), text: '7', num: 7 },
      { scope: 'ilmd_inner', name: name('inner'), text: '1', num: 1 },
    ]);
  });

  it('indexes fields nested in extensions at any depth as inner fields, without JSON-LD keywords, to a bound', () => {
    let deep: Record<string, unknown> = { 'example:bottom': 'too deep' };
    for (let i = 0; i < 20; i += 1) deep = { 'example:level': deep };
    const result = index(
      objectEvent({
        'example:inspection': { '@type': 'example:Inspection', 'example:result': 'pass', 'example:lab': { '@id': 'https://lab.example/1', 'example:licence': ['L-1', 'L-2'] } },
        'example:deep': deep,
        ilmd: { 'example:origin': { 'example:county': '330110' } },
      }),
    );
    const name = (local: string) => `${EXAMPLE_NAMESPACE}${local}`;
    const inner = result.fields.filter((f) => f.scope.endsWith('_inner') && f.name !== name('level'));
    assert.deepEqual(inner, [
      { scope: 'ilmd_inner', name: name('county'), text: '330110', num: 330110 },
      { scope: 'ext_inner', name: name('result'), text: 'pass', num: null },
      { scope: 'ext_inner', name: name('licence'), text: 'L-1', num: null },
      { scope: 'ext_inner', name: name('licence'), text: 'L-2', num: null },
    ]);
    assert.ok(!result.fields.some((f) => f.text === 'too deep'), 'nesting beyond the bound is not indexed');
  });
});

describe('indexEvent: query dimensions', () => {
  it('gives the event time in UTC with milliseconds, and canonical vocabulary', () => {
    const result = index(
      objectEvent({
        eventTime: '2024-05-01T08:30:00+08:00',
        bizStep: 'urn:epcglobal:cbv:bizstep:shipping',
        disposition: 'https://ref.gs1.org/cbv/Disp-in_transit',
      }),
    );
    assert.equal(result.eventType, 'ObjectEvent');
    assert.equal(result.action, 'ADD');
    assert.equal(result.eventTime, '2024-05-01T00:30:00.000Z');
    assert.equal(result.eventTimeMs, Date.UTC(2024, 4, 1, 0, 30));
    assert.equal(result.bizStep, 'shipping');
    assert.equal(result.disposition, 'in_transit');
  });

  it('keeps vocabulary outside the CBV as written, and null for what the event leaves out', () => {
    const result = index(transformationEvent({ bizStep: 'urn:example:step:washing', disposition: undefined }));
    assert.equal(result.action, null);
    assert.equal(result.bizStep, 'urn:example:step:washing');
    assert.equal(result.disposition, null);
  });
});

describe('indexEvent: errorDeclaration', () => {
  it('is null for an event that declares no error', () => {
    assert.equal(index(objectEvent()).errorDeclaration, null);
  });

  it('gives the declaration time in UTC, the reason and the corrective events', () => {
    const result = index(
      objectEvent({
        errorDeclaration: {
          declarationTime: '2024-05-02T10:00:00.5+08:00',
          reason: 'incorrect_data',
          correctiveEventIDs: ['urn:uuid:404d95fc-9457-4a51-bd6a-0bba133845a8', 7],
        },
      }),
    );
    assert.deepEqual(result.errorDeclaration, {
      declarationTime: '2024-05-02T02:00:00.500Z',
      reason: 'incorrect_data',
      correctiveEventIDs: ['urn:uuid:404d95fc-9457-4a51-bd6a-0bba133845a8'],
    });
  });

  it('writes a CBV reason as its bare word however it is spelt, and keeps a reason of its own as written', () => {
    for (const reason of ['did_not_occur', 'urn:epcglobal:cbv:er:did_not_occur', 'https://ref.gs1.org/cbv/ER-did_not_occur']) {
      assert.equal(index(objectEvent({ errorDeclaration: { declarationTime: '2024-05-02T00:00:00Z', reason } })).errorDeclaration?.reason, 'did_not_occur');
    }
    assert.equal(index(objectEvent({ errorDeclaration: { declarationTime: '2024-05-02T00:00:00Z', reason: 'https://ns.example.com/er/late' } })).errorDeclaration?.reason, 'https://ns.example.com/er/late');
  });

  it('has a null reason and no corrective events when the declaration gives none', () => {
    const result = index(objectEvent({ errorDeclaration: { declarationTime: '2024-05-02T00:00:00Z' } }));
    assert.deepEqual(result.errorDeclaration, { declarationTime: '2024-05-02T00:00:00.000Z', reason: null, correctiveEventIDs: [] });
  });
});

describe('indexEvent: sensor reports', () => {
  it('gives each report with what its element metadata adds, and nothing for an event without sensors', () => {
    assert.deepEqual(index(objectEvent()).sensorReports, []);
    const result = index(
      objectEvent({
        sensorElementList: [
          {
            sensorMetadata: { time: '2024-05-01T08:00:00+08:00', startTime: '2024-05-01T06:00:00Z', deviceID: 'urn:epc:id:giai:0614141.LOGGER1', bizRules: 'https://ns.example.com/rules/1', dataProcessingMethod: 'https://ns.example.com/avg' },
            sensorReport: [
              { type: 'gs1:Temperature', meanValue: 4.5, uom: 'CEL' },
              { type: 'https://ns.example.com/Sweetness', deviceID: 'urn:epc:id:giai:0614141.PROBE2', time: '2024-05-01T09:00:00Z', hexBinaryValue: 'ab', booleanValue: false, dataProcessingMethod: 'https://ns.example.com/raw' },
            ],
          },
        ],
      }),
    );
    const [first, second] = result.sensorReports;
    assert.equal(result.sensorReports.length, 2);
    assert.deepEqual(
      [first!.type, first!.deviceId, first!.timeMs, first!.startTimeMs, first!.endTimeMs, first!.meanValue, first!.value, first!.uom, first!.bizRules, first!.dataProcessingMethod],
      ['Temperature', 'https://id.gs1.org/8004/0614141LOGGER1', Date.parse('2024-05-01T00:00:00Z'), Date.parse('2024-05-01T06:00:00Z'), null, 4.5, null, 'CEL', 'https://ns.example.com/rules/1', 'https://ns.example.com/avg'],
    );
    assert.deepEqual(
      [second!.type, second!.deviceId, second!.timeMs, second!.hexBinaryValue, second!.booleanValue, second!.dataProcessingMethod, second!.bizRules],
      ['https://ns.example.com/Sweetness', 'https://id.gs1.org/8004/0614141PROBE2', Date.parse('2024-05-01T09:00:00Z'), 'AB', false, 'https://ns.example.com/raw', 'https://ns.example.com/rules/1'],
    );
  });
});

describe('shortType', () => {
  it('takes the word out of every spelling of a CBV type', () => {
    for (const type of ['owning_party', 'urn:epcglobal:cbv:sdt:owning_party', 'https://ref.gs1.org/cbv/SDT-owning_party', 'cbv:SDT-owning_party']) {
      assert.equal(shortType(type), 'owning_party');
    }
    assert.equal(shortType('urn:epcglobal:cbv:btt:po'), 'po');
    assert.equal(shortType('urn:example:custom-type'), 'urn:example:custom-type');
  });
});
