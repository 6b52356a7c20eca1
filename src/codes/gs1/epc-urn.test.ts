import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { epcUriProblem, epcUrnToDigitalLink, isEpcScheme, parseEpcUrn } from './epc-urn.js';

function translated(urn: string): string {
  const result = epcUrnToDigitalLink(urn);
  if (!result.ok) assert.fail(`${urn}: ${result.reason}`);
  return result.value;
}

function reason(urn: string): string {
  const result = epcUrnToDigitalLink(urn);
  if (result.ok) assert.fail(`${urn} was accepted as ${result.value}`);
  return result.reason;
}

describe('epcUrnToDigitalLink', () => {
  // Each pair is a published EPC URI / Digital Link equivalence (CBV hash vectors epcisDocWithAllGS1Keys and
  // epclist_normalisation, which the reference implementation derives with the Tag Data Standard rules).
  const pairs: [string, string][] = [
    ['urn:epc:id:sgtin:0614141.107346.2017', 'https://id.gs1.org/01/10614141073464/21/2017'],
    ['urn:epc:id:sgtin:415056789012.0.987654', 'https://id.gs1.org/01/04150567890128/21/987654'],
    ['urn:epc:id:sscc:4012345.0000000333', 'https://id.gs1.org/00/040123450000003338'],
    ['urn:epc:id:sscc:4012345.3111111111', 'https://id.gs1.org/00/340123451111111111'],
    ['urn:epc:id:sgln:4012345.00011.987', 'https://id.gs1.org/414/4012345000115/254/987'],
    ['urn:epc:id:sgln:4012345.00005.0', 'https://id.gs1.org/414/4012345000054'],
    ['urn:epc:id:grai:4012345.00022.334455', 'https://id.gs1.org/8003/04012345000221334455'],
    ['urn:epc:id:giai:4012345.AAbb', 'https://id.gs1.org/8004/4012345AAbb'],
    ['urn:epc:id:gsrn:4012345.0000006765', 'https://id.gs1.org/8018/401234500000067657'],
    ['urn:epc:id:gsrnp:4012345.0000000007', 'https://id.gs1.org/8017/401234500000000074'],
    ['urn:epc:id:gdti:4012345.00009.PO-4711', 'https://id.gs1.org/253/4012345000092PO-4711'],
    ['urn:epc:id:gdti:987659999999..9', 'https://id.gs1.org/253/98765999999929'],
    ['urn:epc:id:cpi:4012345.ABC.123', 'https://id.gs1.org/8010/4012345ABC/8011/123'],
    ['urn:epc:id:cpi:0614141.11111111111111-A%23%2F.1234', 'https://id.gs1.org/8010/061414111111111111111-A%23%2F/8011/1234'],
    ['urn:epc:id:sgcn:4012345.99999.44', 'https://id.gs1.org/255/401234599999044'],
    ['urn:epc:id:ginc:0614141.xyz47%2F11', 'https://id.gs1.org/401/0614141xyz47%2F11'],
    ['urn:epc:id:gsin:4012345.222333444', 'https://id.gs1.org/402/40123452223334442'],
    ['urn:epc:id:itip:4012345.011111.01.02.987', 'https://id.gs1.org/8006/040123451111180102/21/987'],
    ['urn:epc:id:upui:4012345.012345.AB12', 'https://id.gs1.org/01/04012345123456/235/AB12'],
    ['urn:epc:id:pgln:4000001.00000', 'https://id.gs1.org/417/4000001000005'],
    ['urn:epc:id:pgln:999999999999.', 'https://id.gs1.org/417/9999999999994'],
    ['urn:epc:class:lgtin:4054739.099914.20160711', 'https://id.gs1.org/01/04054739999148/10/20160711'],
    ['urn:epc:idpat:sgtin:4054739.099914.*', 'https://id.gs1.org/01/04054739999148'],
    ['urn:epc:idpat:grai:4012345.66666.*', 'https://id.gs1.org/8003/04012345666663'],
    ['urn:epc:idpat:gdti:4012345.55555.*', 'https://id.gs1.org/253/4012345555554'],
    ['urn:epc:idpat:sgcn:4012345.99999.*', 'https://id.gs1.org/255/4012345999990'],
    ['urn:epc:idpat:cpi:4012345.ABC.*', 'https://id.gs1.org/8010/4012345ABC'],
    ['urn:epc:idpat:itip:4012345.012345.01.02.*', 'https://id.gs1.org/8006/040123451234560102'],
  ];

  for (const [urn, dl] of pairs) {
    it(urn, () => assert.equal(translated(urn), dl));
  }

  it('decodes URN escapes and re-encodes for the Digital Link', () => {
    assert.equal(
      translated('urn:epc:id:sgtin:0614141.812345.6789%2F%26%25%22!%3F()'),
      'https://id.gs1.org/01/80614141123458/21/6789%2F%26%25%22%21%3F%28%29',
    );
    assert.equal(
      translated("urn:epc:id:upui:1234567.098765.51qIgY)%3C%26Jp3*j7'SDB"),
      'https://id.gs1.org/01/01234567987651/235/51qIgY%29%3C%26Jp3%2Aj7%27SDB',
    );
  });

  it('keeps dots inside the last field, where a serial may contain them', () => {
    assert.equal(translated('urn:epc:id:sgtin:0614141.107346.A.B.C'), 'https://id.gs1.org/01/10614141073464/21/A.B.C');
  });

  it('writes on another base when asked', () => {
    assert.deepEqual(epcUrnToDigitalLink('urn:epc:id:sscc:4012345.0000000333', 'https://trace.example.cn'), {
      ok: true,
      value: 'https://trace.example.cn/00/040123450000003338',
    });
  });

  it('accepts the URN prefix in any case but keeps values case-sensitive', () => {
    assert.equal(translated('URN:EPC:ID:GIAI:4012345.AAbb'), 'https://id.gs1.org/8004/4012345AAbb');
  });
});

describe('parseEpcUrn', () => {
  it('exposes form, scheme, company prefix and element strings', () => {
    const result = parseEpcUrn('urn:epc:id:itip:4012345.011111.01.02.987');
    assert.deepEqual(result, {
      ok: true,
      value: {
        form: 'id',
        scheme: 'itip',
        companyPrefix: '4012345',
        primaryKey: { ai: '8006', value: '040123451111180102' },
        qualifiers: [{ ai: '21', value: '987' }],
      },
    });
  });
});

describe('epcUrnToDigitalLink rejects', () => {
  it('a company prefix of the wrong length', () => {
    assert.match(reason('urn:epc:id:sgtin:06141.1107346.2017'), /Company Prefix must be 6–12 digits/);
    assert.match(reason('urn:epc:id:sgtin:0614141234567.0.1'), /Company Prefix must be 6–12 digits/);
  });

  it('references that do not add up to the key length', () => {
    assert.match(reason('urn:epc:id:sgtin:0614141.10734.2017'), /indicator digit and item reference must be 6 digits/);
    assert.match(reason('urn:epc:id:sscc:4012345.000000033'), /must be 10 digits/);
    assert.match(reason('urn:epc:id:sgln:4012345.0001.0'), /location reference must be 5 digits/);
  });

  it('missing fields and empty serials', () => {
    assert.match(reason('urn:epc:id:sgtin:0614141.107346'), /needs 3 dot-separated fields/);
    assert.match(reason('urn:epc:id:sgtin:0614141.107346.'), /serial number is empty/);
  });

  it('characters a URN must escape or cannot carry', () => {
    assert.match(reason('urn:epc:id:sgtin:0614141.107346.20/17'), /"\/" must be percent-escaped/);
    assert.match(reason('urn:epc:id:sgtin:0614141.107346.20%2'), /not an escaped character/);
    assert.match(reason('urn:epc:id:sgtin:0614141.107346.20%20'), /not an escaped character of set 82/);
    assert.match(reason('urn:epc:id:sgtin:0614141.107346.' + 'A'.repeat(21)), /at most 20/);
    assert.match(reason('urn:epc:id:cpi:0614141.abc.1'), /CPI component\/part reference/);
  });

  it('component rules of CPI serials and ITIP pieces', () => {
    assert.match(reason('urn:epc:id:cpi:4012345.ABC.0123'), /without leading zeros/);
    assert.match(reason('urn:epc:id:itip:4012345.011111.03.02.987'), /piece 03 of total 02/);
  });

  it('patterns without a Digital Link equivalent', () => {
    assert.match(reason('urn:epc:idpat:sgtin:4054739.*.*'), /wildcard before the serial/);
    assert.match(reason('urn:epc:idpat:sgtin:4054739.099914.123'), /must end in "\.\*"/);
    assert.match(reason('urn:epc:idpat:sscc:4012345.*'), /patterns have no GS1 Digital Link form/);
  });

  it('EPC schemes not based on a GS1 key, and unknown schemes', () => {
    assert.match(reason('urn:epc:id:gid:95100000.12345.400'), /not based on a GS1 key/);
    assert.match(reason('urn:epc:id:foo:1.2'), /unknown EPC scheme urn:epc:id:foo/);
    assert.match(reason('urn:epc:class:xgtin:4012345.012345.1'), /unknown EPC scheme/);
    assert.match(reason('urn:epc:tag:sgtin-96:3.0614141.107346.2017'), /not an EPC URI/);
  });
});

describe('epcUriProblem', () => {
  it('accepts what parseEpcUrn reads, and the forms without a Digital Link', () => {
    for (const urn of [
      'urn:epc:id:sgtin:0614141.107346.2017',
      'urn:epc:class:lgtin:4012345.012345.Lot987',
      'urn:epc:idpat:sgtin:4012345.066666.*',
      'urn:epc:idpat:sgtin:4054739.*.*',
      'urn:epc:idpat:sgtin:*.*.*',
      'urn:epc:idpat:sscc:4012345.*',
      'urn:epc:idpat:itip:4012345.012345.01.*.*',
      'urn:epc:id:gid:95100000.12345.400',
      'urn:epc:id:usdod:2S194.12345678901',
      'urn:epc:id:bic:CSQU3054383',
      'urn:epc:id:imovn:9176187',
      'URN:EPC:ID:SGTIN:0614141.107346.2017',
    ]) {
      assert.equal(epcUriProblem(urn), undefined, urn);
    }
  });

  it('gives the parser’s reason for GS1 schemes', () => {
    assert.match(epcUriProblem('urn:epc:id:sgtin:0614141.10734.2017')!, /must be 6 digits.*13 digits together, not 12/);
    assert.match(epcUriProblem('urn:epc:class:lgtin:0614141.107346.L%20T')!, /lot number: "%20" is not an escaped character/);
    assert.match(epcUriProblem('urn:epc:id:sscc:0614141.123456789x')!, /must be digits only/);
  });

  it('checks patterns as far as their fields go', () => {
    assert.match(epcUriProblem('urn:epc:idpat:sgtin:06141.*.*')!, /Company Prefix must be 6–12 digits/);
    assert.match(epcUriProblem('urn:epc:idpat:sgln:0614141.0077.*')!, /location reference must be 5 digits/);
    assert.match(epcUriProblem('urn:epc:idpat:itip:4012345.012345.03.02.*')!, /piece 03 of total 02/);
    assert.match(epcUriProblem('urn:epc:idpat:sgtin:*.107346.*')!, /once a field is "\*" all later ones are/);
    assert.match(epcUriProblem('urn:epc:idpat:sgtin:0614141.107346.A*B')!, /either a value or "\*"/);
    assert.match(epcUriProblem('urn:epc:idpat:sgtin:0614141')!, /needs 3 dot-separated fields/);
  });

  it('checks the schemes not built on a GS1 key for shape', () => {
    assert.match(epcUriProblem('urn:epc:id:gid:951A.12345.400')!, /manager number, object class and serial number/);
    assert.match(epcUriProblem('urn:epc:id:bic:CSQX3054383')!, /ISO 6346/);
  });

  it('knows the schemes, without being fooled by Object.prototype names', () => {
    assert.match(epcUriProblem('urn:epc:id:constructor:1.2')!, /unknown EPC scheme urn:epc:id:constructor/);
    assert.match(reason('urn:epc:id:constructor:1.2'), /unknown EPC scheme/);
    assert.equal(isEpcScheme('id', 'gid'), true);
    assert.equal(isEpcScheme('class', 'sgtin'), false);
    assert.equal(isEpcScheme('idpat', 'toString'), false);
  });

  it('answers plain SGTINs and SSCCs, which it decides without the full parse, as the full parse does', () => {
    for (let cpLength = 5; cpLength <= 13; cpLength += 1) {
      const cp = '0614141234567'.slice(0, cpLength);
      for (let refLength = 0; refLength <= 12; refLength += 1) {
        const ref = '123456789012'.slice(0, refLength);
        for (const serial of ['1', 'A.b-C_9', "!'()*+,-.:;=_", 'S'.repeat(20), 'S'.repeat(21), '']) {
          const sgtin = `urn:epc:id:sgtin:${cp}.${ref}.${serial}`;
          assert.equal(epcUriProblem(sgtin) === undefined, parseEpcUrn(sgtin).ok, sgtin);
        }
        const sscc = `urn:epc:id:sscc:${cp}.${ref}`;
        assert.equal(epcUriProblem(sscc) === undefined, parseEpcUrn(sscc).ok, sscc);
      }
    }
  });

  it('gives the same answer whether or not it is told the URI will come again', () => {
    for (const urn of ['urn:epc:id:sgln:0614141.00777.0', 'urn:epc:id:sgln:0614141.0777.0']) {
      const once = epcUriProblem(urn);
      assert.equal(epcUriProblem(urn, { repeated: true }), once);
      assert.equal(epcUriProblem(urn, { repeated: true }), once);
    }
  });
});
