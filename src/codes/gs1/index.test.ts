import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatDigitalLink,
  identifierKind,
  normaliseIdentifier,
  parseGs1Identifier,
  withCheckDigit,
  type NormalisedIdentifier,
} from './index.js';

function normalised(input: string): Extract<NormalisedIdentifier, { ok: true }> {
  const result = normaliseIdentifier(input);
  if (!result.ok) assert.fail(`${input}: ${result.reason}`);
  return result;
}

function rejected(input: string): string {
  const result = normaliseIdentifier(input);
  if (result.ok) assert.fail(`${input} was accepted as ${result.canonical}`);
  return result.reason;
}

describe('normaliseIdentifier', () => {
  // An EPC URI and a Digital Link of the same object, the latter on a brand domain with a path prefix, a short GTIN,
  // convenience alphas, qualifiers out of the canonical spelling or data attributes where the syntax allows them.
  const twins: [string, string, string][] = [
    ['urn:epc:id:sgtin:0614141.107346.2017', 'https://brand.example/p/01/10614141073464/21/2017?17=261231', 'item'],
    ['urn:epc:id:sgtin:0614141.812345.6789%2F%26%25%22!%3F()', 'https://id.gs1.org/01/80614141123458/21/6789%2f%26%25%22!%3F()', 'item'],
    ['urn:epc:class:lgtin:4012345.012345.Lot987', 'http://example.com/gtin/4012345123456/lot/Lot987', 'lot'],
    ['urn:epc:idpat:sgtin:4012345.066666.*', 'https://id.gs1.org/01/4012345666663', 'class'],
    ['urn:epc:id:sscc:4012345.0000000333', 'https://logistics.example/sscc/040123450000003338', 'container'],
    ['urn:epc:id:sgln:4012345.00011.987', 'https://id.gs1.org/414/4012345000115/254/987', 'location'],
    ['urn:epc:id:sgln:4012345.00005.0', 'https://id.gs1.org/gln/4012345000054', 'location'],
    ['urn:epc:id:pgln:4000001.00000', 'https://id.gs1.org/417/4000001000005', 'party'],
    ['urn:epc:id:grai:4012345.00022.334455', 'https://id.gs1.org/8003/04012345000221334455', 'asset'],
    ['urn:epc:idpat:grai:4012345.66666.*', 'https://id.gs1.org/8003/04012345666663', 'class'],
    ['urn:epc:id:giai:4012345.ABC345', 'https://id.gs1.org/8004/4012345ABC345', 'asset'],
    ['urn:epc:id:gdti:4012345.00009.PO-4711', 'https://id.gs1.org/253/4012345000092PO-4711', 'document'],
    ['urn:epc:id:cpi:0614141.11111111111111-A%23%2F.1234', 'https://id.gs1.org/8010/061414111111111111111-A%23%2F/8011/1234', 'item'],
    ['urn:epc:id:itip:4012345.011111.01.02.987', 'https://id.gs1.org/8006/040123451111180102/21/987', 'item'],
    ['urn:epc:id:upui:1234567.098765.51qIgY)%3C%26Jp3*j7\'SDB', "https://id.gs1.org/01/01234567987651/235/51qIgY)%3C%26Jp3*j7'SDB", 'item'],
    ['urn:epc:id:gsrn:4012345.0000006765', 'https://id.gs1.org/8018/401234500000067657', 'party'],
    ['urn:epc:id:ginc:0614141.xyz47%2F11', 'https://id.gs1.org/401/0614141xyz47%2F11', 'container'],
  ];

  for (const [urn, dl, kind] of twins) {
    it(`gives ${urn} and its Digital Link twin one canonical form`, () => {
      const fromUrn = normalised(urn);
      const fromDl = normalised(dl);
      assert.equal(fromUrn.canonical, fromDl.canonical);
      assert.match(fromUrn.canonical, /^https:\/\/id\.gs1\.org\/[0-9]+\//);
      assert.equal(fromUrn.scheme, 'epc-urn');
      assert.equal(fromDl.scheme, 'digital-link');
      assert.equal(fromUrn.kind, kind);
      assert.equal(fromDl.kind, kind);
    });
  }

  it('produces the canonical spelling', () => {
    assert.equal(
      normalised('https://brand.example/shop/01/9506000134352/21/A%2fB?linkType=all').canonical,
      'https://id.gs1.org/01/09506000134352/21/A%2FB',
    );
  });

  it('is idempotent', () => {
    for (const [urn] of twins) {
      const once = normalised(urn).canonical;
      assert.equal(normalised(once).canonical, once);
    }
  });

  it('returns other absolute URIs unchanged', () => {
    for (const uri of [
      'https://example.com/products/123',
      'https://blog.example/2024/01/05',
      'geo:47.506694,11.104301',
      'urn:uuid:374d95fc-9457-4a51-bd6a-0bba133845a8',
      'urn:epcglobal:cbv:bt:0614141073467:1152',
      'http://transaction.acme.com/po/12345678',
    ]) {
      assert.deepEqual(normaliseIdentifier(uri), { ok: true, canonical: uri, scheme: 'other-uri', kind: 'other' });
    }
  });

  it('keeps EPC URIs of non-GS1 schemes, which have no Digital Link', () => {
    assert.deepEqual(normaliseIdentifier('urn:epc:id:gid:95100000.12345.400'), {
      ok: true,
      canonical: 'urn:epc:id:gid:95100000.12345.400',
      scheme: 'epc-urn',
      kind: 'item',
    });
    assert.match(rejected('urn:epc:id:gid:'), /malformed/);
  });

  it('ignores surrounding whitespace', () => {
    assert.equal(normalised('  urn:epc:id:sscc:4012345.0000000333\n').canonical, 'https://id.gs1.org/00/040123450000003338');
  });

  it('rejects broken GS1 identifiers instead of passing them on as other URIs', () => {
    assert.match(rejected('https://id.gs1.org/01/09506000134353'), /check digit/);
    assert.match(rejected('https://brand.example/01/09506000134353/21/1'), /broken GS1 Digital Link: AI \(01\): check digit/);
    assert.match(rejected('https://id.gs1.org/01/09506000134352/21/1/10/A'), /order/);
    assert.match(rejected('https://id.gs1.org/whatever'), /no GS1 Digital Link primary key/);
    assert.match(rejected('urn:epc:id:sgtin:0614141.107346'), /needs 3 dot-separated fields/);
    assert.match(rejected('urn:epc:id:sgtin:0614141.1073466.2017'), /must be 6 digits/);
    assert.match(rejected('urn:epc:id:nope:1.2'), /unknown EPC scheme/);
  });

  it('rejects what is not an absolute URI', () => {
    assert.match(rejected(''), /empty/);
    assert.match(rejected('   '), /empty/);
    assert.match(rejected('09506000134352'), /not an absolute URI/);
    assert.match(rejected('has space:x y'), /not an absolute URI/);
  });
});

describe('normaliseIdentifier on the common spellings', () => {
  // normaliseIdentifier answers the spellings clients send most (canonical Digital Links; plain SGTIN, SSCC, SGLN, PGLN
  // and LGTIN URNs) without the general parse. Its answers must be the general parse's, for those spellings and for
  // everything that only nearly has their shape.
  function general(input: string): NormalisedIdentifier {
    const parsed = parseGs1Identifier(input.trim());
    if (parsed === undefined) return assert.fail(`${input} is not read as a GS1 identifier`);
    if (!parsed.ok) return { ok: false, reason: parsed.reason };
    const { primaryKey, qualifiers, scheme } = parsed.value;
    return { ok: true, canonical: formatDigitalLink({ primaryKey, qualifiers }), scheme, kind: identifierKind(primaryKey, qualifiers) };
  }

  const gtin = withCheckDigit('1061414107346');
  const badGtin = gtin.slice(0, -1) + String((Number(gtin.slice(-1)) + 1) % 10);
  const sscc = withCheckDigit('10614141234567890');
  const gln = withCheckDigit('061414100777');
  const values = ['1', 'A-b_c.9', 'x'.repeat(20), 'x'.repeat(21), '0', '', 'A%2FB', 'a~b', 'a!b', "a'b", 'é'];
  const inputs = [
    `https://id.gs1.org/01/${gtin}`,
    `https://id.gs1.org/01/${badGtin}`,
    `https://id.gs1.org/01/${gtin.slice(1)}`,
    `https://id.gs1.org/01/${gtin}/`,
    `https://id.gs1.org/01/${gtin}?17=261231`,
    `https://id.gs1.org/01/${gtin}#top`,
    `http://id.gs1.org/01/${gtin}/21/1`,
    `HTTPS://ID.GS1.ORG/01/${gtin}/21/1`,
    `https://id.gs1.org/01/${gtin}/10/L1/21/1`,
    `https://id.gs1.org/01/${gtin}/21/1/10/L1`,
    `https://id.gs1.org/01/${gtin}/22/V/10/L1`,
    `https://id.gs1.org/00/${sscc}`,
    `https://id.gs1.org/00/${sscc.slice(0, -1)}0`,
    `https://id.gs1.org/00/${sscc}/21/1`,
    `https://id.gs1.org/414/${gln}`,
    `https://id.gs1.org/414/${gln.slice(0, -1)}0`,
    `https://id.gs1.org/417/${gln}`,
    `https://id.gs1.org/417/${gln}/254/1`,
    `https://id.gs1.org/416/${gln}`,
    `https://id.gs1.org/414/${gln}/7040/1ABC`,
    'urn:epc:id:sgtin:0614141.107346',
    'urn:epc:id:sgtin:0614141.1073466.1',
    'urn:epc:id:sgtin:614141.1073466.1',
    'urn:epc:id:sgtin:061414107346.1.1',
    'urn:epc:id:sgtin:0614141.107346.1.2',
    'URN:EPC:ID:SGTIN:0614141.107346.1',
    'urn:epc:id:sscc:0614141.1234567890',
    'urn:epc:id:sscc:0614141.123456789',
    'urn:epc:id:sscc:0614141.12345678901',
    'urn:epc:id:sscc:061414112345.12345',
    'urn:epc:id:sgln:0614141.00777',
    'urn:epc:id:sgln:0614141.0077.0',
    'urn:epc:id:sgln:061414100777..0',
    'urn:epc:id:pgln:0614141.00777',
    'urn:epc:id:pgln:0614141.0077',
    'urn:epc:id:pgln:061414100777.',
    'urn:epc:id:pgln:0614141.00777.0',
    'urn:epc:class:lgtin:0614141.107346',
    'urn:epc:class:lgtin:0614141.10734.L1',
  ];
  for (const value of values) {
    inputs.push(
      `https://id.gs1.org/01/${gtin}/21/${value}`,
      `https://id.gs1.org/01/${gtin}/10/${value}`,
      `https://id.gs1.org/01/${gtin}/10/${value}/21/${value}`,
      `https://id.gs1.org/414/${gln}/254/${value}`,
      `urn:epc:id:sgtin:0614141.107346.${value}`,
      `urn:epc:id:sgln:0614141.00777.${value}`,
      `urn:epc:class:lgtin:0614141.107346.${value}`,
      ` urn:epc:id:sgtin:0614141.107346.${value}\n`,
    );
  }

  it('gives the answers of the general parse', () => {
    for (const input of inputs) assert.deepEqual(normaliseIdentifier(input), general(input), input);
  });
});

describe('parseGs1Identifier', () => {
  it('says "not a GS1 identifier" with undefined rather than an error', () => {
    assert.equal(parseGs1Identifier('https://example.com/products/123'), undefined);
    assert.equal(parseGs1Identifier('geo:1,2'), undefined);
  });
});

describe('identifierKind', () => {
  it('tells instances from lots and classes', () => {
    const gtin = { ai: '01', value: '09506000134352' };
    assert.equal(identifierKind(gtin, []), 'class');
    assert.equal(identifierKind(gtin, [{ ai: '22', value: 'V' }]), 'class');
    assert.equal(identifierKind(gtin, [{ ai: '10', value: 'L' }]), 'lot');
    assert.equal(identifierKind(gtin, [{ ai: '10', value: 'L' }, { ai: '21', value: 'S' }]), 'item');
    assert.equal(identifierKind({ ai: '8010', value: '4012345ABC' }, []), 'class');
    assert.equal(identifierKind({ ai: '8013', value: '1987654Ad4X4bL5ttr2310c2K' }, []), 'class');
  });
});
