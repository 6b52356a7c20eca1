import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CodeReading, CodeScheme } from '../scheme.js';
import { withCheckDigit } from './check-digit.js';
import { GS } from './element-string.js';
import { normaliseIdentifier } from './index.js';
import {
  GS1_SCHEMES,
  epcUrnScheme,
  glnScheme,
  gs1DigitalLinkScheme,
  gs1ElementStringScheme,
  gtinScheme,
  ssccScheme,
} from './schemes.js';

const GTIN = withCheckDigit('0950600013435');
const GTIN13_CN = withCheckDigit('690123456789');
const SSCC = withCheckDigit('10614141123456789');
const GLN = withCheckDigit('401234500005');
/** A key with its last digit changed, so its check digit is wrong. */
const broken = (key: string) => key.slice(0, -1) + String((Number(key.at(-1)) + 1) % 10);

function read(scheme: CodeScheme, text: string): CodeReading {
  const result = scheme.parse(text);
  if (!result.ok) assert.fail(`${scheme.id} refused ${JSON.stringify(text)}: ${result.reason}`);
  return result.value;
}

function refused(scheme: CodeScheme, text: string): { reason: string; near: boolean } {
  const result = scheme.parse(text);
  if (result.ok) assert.fail(`${scheme.id} accepted ${JSON.stringify(text)} as ${result.value.canonical}`);
  return result;
}

describe('GS1 schemes', () => {
  it('have the ids the registry asks for', () => {
    assert.deepEqual(GS1_SCHEMES.map((s) => s.id), ['gs1-digital-link', 'epc-urn', 'gs1-element-string', 'gtin', 'sscc', 'gln']);
    for (const scheme of GS1_SCHEMES) assert.ok(scheme.name && scheme.layout, scheme.id);
  });

  it('give as digitalLink the spelling normaliseIdentifier gives, so readings find their events', () => {
    const texts: [CodeScheme, string][] = [
      [gs1ElementStringScheme, `(01)${GTIN}(21)S1(17)251231`],
      [gs1DigitalLinkScheme, `https://brand.example/01/${GTIN}/21/S1?17=251231`],
      [epcUrnScheme, 'urn:epc:id:sgtin:0614141.107346.2017'],
      [gtinScheme, GTIN],
      [ssccScheme, SSCC],
      [glnScheme, GLN],
    ];
    for (const [scheme, text] of texts) {
      const reading = read(scheme, text);
      const link = reading.digitalLink!;
      const normalised = normaliseIdentifier(link);
      assert.ok(normalised.ok && normalised.canonical === link, `${scheme.id}: ${link}`);
    }
  });
});

describe('gs1ElementStringScheme', () => {
  it('reads a bracketed element string', () => {
    const reading = read(gs1ElementStringScheme, `(01)${GTIN}(17)251231(10)ABC123`);
    assert.equal(reading.scheme, 'gs1-element-string');
    assert.equal(reading.canonical, `(01)${GTIN}(10)ABC123(17)251231`);
    assert.equal(reading.target, 'lot');
    assert.equal(reading.digitalLink, `https://id.gs1.org/01/${GTIN}/10/ABC123`);
    assert.deepEqual(reading.fields, { gtin: GTIN, expiry: '2025-12-31', lot: 'ABC123' });
  });

  it('reads raw scanner data behind a symbology identifier, and notes the symbol', () => {
    const reading = read(gs1ElementStringScheme, `]d201${GTIN}11240229` + `10L1${GS}21S/1${GS}3103001250`);
    assert.equal(reading.target, 'item');
    assert.equal(reading.canonical, `(01)${GTIN}(10)L1(21)S/1(11)240229(3103)001250`);
    assert.equal(reading.digitalLink, `https://id.gs1.org/01/${GTIN}/10/L1/21/S%2F1`);
    assert.deepEqual(reading.fields, { gtin: GTIN, productionDate: '2024-02-29', lot: 'L1', serial: 'S/1', ai3103: '001250' });
    assert.deepEqual(reading.notes, ['read from a GS1 DataMatrix symbol (]d2)']);
  });

  it('gives one canonical form to the same data in any order and form', () => {
    const forms = [
      `(17)251231(10)L1(01)${GTIN}`,
      `01${GTIN}17251231` + '10L1',
      `]C110L1${GS}01${GTIN}17251231`,
      `^01${GTIN}^10L1^17251231`,
    ];
    const canonical = new Set(forms.map((f) => read(gs1ElementStringScheme, f).canonical));
    assert.deepEqual([...canonical], [`(01)${GTIN}(10)L1(17)251231`]);
  });

  it('tells logistic units, locations and parties apart', () => {
    assert.equal(read(gs1ElementStringScheme, `(00)${SSCC}(02)${GTIN}(37)12`).target, 'container');
    const location = read(gs1ElementStringScheme, `(414)${GLN}(254)DOCK-1`);
    assert.equal(location.target, 'location');
    assert.deepEqual(location.fields, { gln: GLN, glnExtension: 'DOCK-1' });
    assert.equal(read(gs1ElementStringScheme, `(417)${GLN}`).target, 'subject');
    const noKey = read(gs1ElementStringScheme, `(410)${GLN}`);
    assert.equal(noKey.target, 'other');
    assert.equal(noKey.digitalLink, undefined);
  });

  it('notes a GS1 China prefix', () => {
    const reading = read(gs1ElementStringScheme, `(01)0${GTIN13_CN}`);
    assert.match(reading.notes!.join(' '), /690–699 由中国物品编码中心（GS1 China）分配/);
  });

  it('answers a near miss for text in element-string shape that breaks a rule', () => {
    for (const [text, why] of [
      ['(10)ABC123', /AI \(10\) BATCH\/LOT requires/],
      [`(01)${broken(GTIN)}`, /check digit/],
      [`]d201${GTIN}10${'L'.repeat(25)}`, /separator missing/],
      [`01${broken(GTIN)}`, /check digit/],
      [`01${GTIN}10A${GS}10B`, /appears twice with different values/],
    ] as const) {
      const result = refused(gs1ElementStringScheme, text);
      assert.equal(result.near, true, text);
      assert.match(result.reason, why);
    }
  });

  it('answers "not this scheme" for other text, and for symbols that say they carry no GS1 data', () => {
    for (const text of ['hello', GTIN.slice(1), SSCC, '4001234', '991234', 'https://id.gs1.org/01/' + GTIN, `]C0${GTIN}`]) {
      assert.equal(refused(gs1ElementStringScheme, text).near, false, text);
    }
    assert.match(refused(gs1ElementStringScheme, ']d1hello').reason, /Data Matrix without GS1 mode/);
  });
});

describe('gs1DigitalLinkScheme', () => {
  it('reads a Digital Link on any domain, canonical with its data attributes, digitalLink without', () => {
    const reading = read(gs1DigitalLinkScheme, `https://brand.example/shop/gtin/${GTIN.slice(1)}/lot/L1?17=251200&linkType=all`);
    assert.equal(reading.canonical, `https://id.gs1.org/01/${GTIN}/10/L1?17=251200`);
    assert.equal(reading.digitalLink, `https://id.gs1.org/01/${GTIN}/10/L1`);
    assert.equal(reading.target, 'lot');
    assert.deepEqual(reading.fields, { gtin: GTIN, lot: 'L1', expiry: '2025-12-31' });
    assert.equal(reading.notes!.length, 2);
  });

  it('reads the URI behind a symbology identifier', () => {
    assert.equal(read(gs1DigitalLinkScheme, `]Q1https://id.gs1.org/00/${SSCC}`).target, 'container');
  });

  it('answers a near miss for a broken Digital Link, and not this scheme for other URLs and text', () => {
    const broke = refused(gs1DigitalLinkScheme, `https://brand.example/01/${broken(GTIN)}`);
    assert.equal(broke.near, true);
    assert.match(broke.reason, /AI \(01\): check digit/);
    const attribute = refused(gs1DigitalLinkScheme, `https://id.gs1.org/01/${GTIN}?8200=x`);
    assert.equal(attribute.near, true);
    assert.match(attribute.reason, /not permitted as a Digital Link data attribute/);
    assert.equal(refused(gs1DigitalLinkScheme, 'https://blog.example/2024/01/05').near, false);
    assert.equal(refused(gs1DigitalLinkScheme, `(01)${GTIN}`).near, false);
  });
});

describe('epcUrnScheme', () => {
  it('reads GS1 EPC URIs as the Digital Link they stand for', () => {
    const sgtin = read(epcUrnScheme, 'urn:epc:id:sgtin:0614141.107346.2017');
    assert.equal(sgtin.canonical, 'https://id.gs1.org/01/10614141073464/21/2017');
    assert.equal(sgtin.digitalLink, sgtin.canonical);
    assert.equal(sgtin.target, 'item');
    assert.deepEqual(sgtin.fields, { epcScheme: 'sgtin', companyPrefix: '0614141', gtin: '10614141073464', serial: '2017' });
    const cases: [string, string][] = [
      ['urn:epc:class:lgtin:4012345.012345.Lot987', 'lot'],
      ['urn:epc:id:sscc:4012345.0000000333', 'container'],
      ['urn:epc:id:sgln:4012345.00011.987', 'location'],
      ['urn:epc:id:pgln:4000001.00000', 'subject'],
      ['urn:epc:id:grai:4012345.00022.334455', 'asset'],
      ['urn:epc:id:giai:4012345.ABC345', 'asset'],
      ['urn:epc:id:gdti:4012345.00009.PO-4711', 'document'],
      ['urn:epc:idpat:sgtin:4012345.066666.*', 'class'],
    ];
    for (const [urn, target] of cases) assert.equal(read(epcUrnScheme, urn).target, target, urn);
    assert.deepEqual(read(epcUrnScheme, 'urn:epc:id:sgln:4012345.00011.987').fields, {
      epcScheme: 'sgln',
      companyPrefix: '4012345',
      gln: '4012345000115',
      glnExtension: '987',
    });
  });

  it('reads EPC URIs of schemes without a GS1 key as written, without a Digital Link', () => {
    const gid = read(epcUrnScheme, 'URN:EPC:ID:GID:95100000.12345.400');
    assert.equal(gid.canonical, 'urn:epc:id:gid:95100000.12345.400');
    assert.equal(gid.digitalLink, undefined);
    assert.equal(gid.target, 'item');
    assert.equal(read(epcUrnScheme, 'urn:epc:id:bic:CSQU3054383').target, 'container');
  });

  it('answers a near miss for a broken EPC URI and not this scheme for anything else', () => {
    const result = refused(epcUrnScheme, 'urn:epc:id:sgtin:0614141.10734.2017');
    assert.equal(result.near, true);
    assert.match(result.reason, /13 digits together/);
    assert.equal(refused(epcUrnScheme, 'urn:isbn:9780345418913').near, false);
  });
});

describe('bare GS1 keys', () => {
  it('reads GTIN-8, -12, -13 and -14 with their 14-digit form', () => {
    for (const gtin of [withCheckDigit('9638507'), withCheckDigit('61414100003'), GTIN13_CN, GTIN]) {
      const reading = read(gtinScheme, gtin);
      assert.equal(reading.canonical, gtin);
      assert.equal(reading.target, 'class');
      assert.equal(reading.fields.gtin14, gtin.padStart(14, '0'));
      assert.equal(reading.fields.gtinType, `GTIN-${gtin.length}`);
      assert.equal(reading.digitalLink, `https://id.gs1.org/01/${gtin.padStart(14, '0')}`);
    }
    assert.equal(read(gtinScheme, GTIN).fields.indicator, '0');
  });

  it('notes GS1 China, restricted-circulation and book prefixes', () => {
    assert.match(read(gtinScheme, GTIN13_CN).notes![0]!, /GS1 前缀 690–699 由中国物品编码中心（GS1 China）分配.*前缀 690/);
    assert.match(read(gtinScheme, withCheckDigit('200123456789')).notes![0]!, /restricted circulation/);
    assert.match(read(gtinScheme, withCheckDigit('978030640615')).notes![0]!, /ISSN\/ISBN/);
    assert.equal(read(gtinScheme, GTIN).notes, undefined);
  });

  it('reads an SSCC and a GLN', () => {
    const sscc = read(ssccScheme, SSCC);
    assert.equal(sscc.target, 'container');
    assert.deepEqual(sscc.fields, { sscc: SSCC, extensionDigit: '1' });
    assert.equal(sscc.digitalLink, `https://id.gs1.org/00/${SSCC}`);
    const gln = read(glnScheme, GLN);
    assert.equal(gln.target, 'location');
    assert.equal(gln.digitalLink, `https://id.gs1.org/414/${GLN}`);
    assert.match(gln.notes![0]!, /also a valid GTIN-13/);
  });

  it('answers a near miss for a wrong check digit and not this scheme for another shape', () => {
    for (const [scheme, key] of [[gtinScheme, GTIN], [ssccScheme, SSCC], [glnScheme, GLN]] as const) {
      const result = refused(scheme, broken(key));
      assert.equal(result.near, true, scheme.id);
      assert.match(result.reason, /check digit is wrong/);
      assert.equal(refused(scheme, '123').near, false);
      assert.equal(refused(scheme, `${key}X`).near, false);
    }
    assert.equal(refused(gtinScheme, '12345678901').near, false, 'eleven digits');
  });
});
