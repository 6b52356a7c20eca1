import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isDomainError } from '../../domain/errors.js';
import {
  canonicalDigitalLink,
  digitalLinkProblem,
  formatDigitalLink,
  looksLikeDigitalLink,
  parseDigitalLink,
  percentDecode,
  percentEncodeDigitalLinkValue,
} from './digital-link.js';

function parsed(uri: string) {
  const result = parseDigitalLink(uri);
  if (!result.ok) assert.fail(`${uri}: ${result.reason}`);
  return result.value;
}

function reason(uri: string): string {
  const result = parseDigitalLink(uri);
  if (result.ok) assert.fail(`${uri} was accepted`);
  return result.reason;
}

describe('parseDigitalLink', () => {
  it('reads key, qualifiers and data attributes', () => {
    const dl = parsed('https://id.gs1.org/01/09506000134352/10/ABC123/21/12345?17=261231&3103=001250');
    assert.deepEqual(dl.primaryKey, { ai: '01', value: '09506000134352' });
    assert.deepEqual(dl.qualifiers, [{ ai: '10', value: 'ABC123' }, { ai: '21', value: '12345' }]);
    assert.deepEqual(dl.attributes, [{ ai: '17', value: '261231' }, { ai: '3103', value: '001250' }]);
    assert.equal(dl.origin, 'https://id.gs1.org');
    assert.equal(dl.pathPrefix, '');
  });

  it('accepts any domain and path prefix', () => {
    const dl = parsed('http://brand.example:8080/products/en/01/09506000134352/21/A1');
    assert.equal(dl.origin, 'http://brand.example:8080');
    assert.equal(dl.pathPrefix, '/products/en');
    assert.deepEqual(dl.qualifiers, [{ ai: '21', value: 'A1' }]);
  });

  it('finds the key even when the prefix contains numeric segments that are no key', () => {
    const dl = parsed('https://example.com/2024/v2/414/4012345000054/254/122');
    assert.equal(dl.pathPrefix, '/2024/v2');
    assert.deepEqual(dl.primaryKey, { ai: '414', value: '4012345000054' });
  });

  it('prefers a key whose value has the right shape over an earlier key-like prefix segment', () => {
    const dl = parsed('https://example.com/00/catalogue/01/09506000134352');
    assert.equal(dl.pathPrefix, '/00/catalogue');
    assert.deepEqual(dl.primaryKey, { ai: '01', value: '09506000134352' });
  });

  it('reads convenience alphas as their numeric AIs', () => {
    const dl = parsed('https://example.com/gtin/09780345418913/ser/765tz');
    assert.deepEqual(dl.primaryKey, { ai: '01', value: '09780345418913' });
    assert.deepEqual(dl.qualifiers, [{ ai: '21', value: '765tz' }]);
  });

  it('pads GTIN-8/12/13 to 14 digits', () => {
    assert.equal(parsed('https://id.gs1.org/01/96385074').primaryKey.value, '00000096385074');
    assert.equal(parsed('https://id.gs1.org/01/4006381333931').primaryKey.value, '04006381333931');
  });

  it('percent-decodes values', () => {
    const dl = parsed('https://id.gs1.org/01/80614141123458/21/6789%2F%26%25%22%21%3F%28%29');
    assert.equal(dl.qualifiers[0]!.value, '6789/&%"!?()');
    assert.equal(parsed('https://id.gs1.org/8010/061414111111111111111-A%23%2f/8011/1234').primaryKey.value, '061414111111111111111-A#/');
  });

  it('keeps non-AI query parameters apart', () => {
    const dl = parsed('https://id.gs1.org/01/09506000134352?linkType=gs1%3Apip&17=261231&utm_source=x');
    assert.deepEqual(dl.attributes, [{ ai: '17', value: '261231' }]);
    assert.deepEqual(dl.otherParameters, [{ name: 'linkType', value: 'gs1:pip' }, { name: 'utm_source', value: 'x' }]);
  });

  it('tolerates a trailing slash and a fragment', () => {
    assert.deepEqual(parsed('https://id.gs1.org/00/106141412345678908/#top').primaryKey, { ai: '00', value: '106141412345678908' });
  });

  it('rejects a wrong check digit in the key', () => {
    assert.match(reason('https://id.gs1.org/01/09506000134353'), /AI \(01\): check digit/);
    assert.match(reason('https://id.gs1.org/414/4012345000055'), /AI \(414\): check digit/);
  });

  it('rejects qualifiers out of order or not belonging to the key', () => {
    assert.match(reason('https://id.gs1.org/01/09506000134352/21/1/10/A'), /order/);
    assert.match(reason('https://id.gs1.org/01/09506000134352/254/1'), /not a key qualifier of \(01\)/);
    assert.match(reason('https://id.gs1.org/01/09506000134352/10/A/235/B'), /cannot be combined/);
    assert.match(reason('https://id.gs1.org/01/09506000134352/foo/1'), /not a GS1 Application Identifier/);
  });

  it('rejects invalid values and encodings', () => {
    assert.match(reason('https://id.gs1.org/01/09506000134352/21/' + 'A'.repeat(21)), /length 21/);
    assert.match(reason('https://id.gs1.org/01/09506000134352/21/A%2'), /malformed percent-encoding/);
    assert.match(reason('https://id.gs1.org/01/09506000134352/21/%E6%89%B9'), /character set 82/);
    assert.match(reason('https://id.gs1.org/01/09506000134352/21/A B'), /whitespace/);
  });

  it('rejects misplaced or bad data attributes', () => {
    assert.match(reason('https://id.gs1.org/01/09506000134352?21=1'), /belongs in the path/);
    assert.match(reason('https://id.gs1.org/01/09506000134352?17=261331'), /month 13/);
    assert.match(reason('https://id.gs1.org/01/09506000134352?17=261231&17=261230'), /twice/);
    assert.match(reason('https://id.gs1.org/01/09506000134352?99999=1'), /not a known GS1 Application Identifier/);
  });

  it('rejects what is not a Digital Link', () => {
    assert.match(reason('https://example.com/products/123'), /no GS1 Digital Link primary key/);
    assert.match(reason('ftp://id.gs1.org/01/09506000134352'), /not http or https/);
    assert.match(reason('urn:epc:id:sgtin:0614141.107346.2017'), /not an absolute http/);
  });
});

describe('looksLikeDigitalLink', () => {
  it('recognises Digital Links, valid or broken', () => {
    assert.ok(looksLikeDigitalLink('https://brand.example/01/09506000134352'));
    assert.ok(looksLikeDigitalLink('https://brand.example/01/09506000134353'), 'wrong check digit, right shape');
    assert.ok(looksLikeDigitalLink('https://id.gs1.org/01/123'), 'anything on id.gs1.org');
  });

  it('does not mistake ordinary URLs with numeric segments for Digital Links', () => {
    assert.equal(looksLikeDigitalLink('https://blog.example/2024/01/05'), false);
    assert.equal(looksLikeDigitalLink('https://blog.example/2024/01/05/post'), false);
    assert.equal(looksLikeDigitalLink('http://www.opengis.net/def/crs/EPSG/0/27700'), false);
  });
});

describe('formatDigitalLink', () => {
  it('composes the canonical form: numeric AIs, GTIN-14, qualifiers in order, attributes sorted', () => {
    const uri = formatDigitalLink({
      primaryKey: { ai: '01', value: '4006381333931' },
      qualifiers: [{ ai: '21', value: 'S/1' }, { ai: '10', value: 'L-1' }],
      attributes: [{ ai: '17', value: '261231' }, { ai: '11', value: '240101' }],
    });
    assert.equal(uri, 'https://id.gs1.org/01/04006381333931/10/L-1/21/S%2F1?11=240101&17=261231');
  });

  it('percent-encodes every character that is not unreserved', () => {
    assert.equal(percentEncodeDigitalLinkValue(`6789/&%"!?()'*+,:;<=>_-.~`), '6789%2F%26%25%22%21%3F%28%29%27%2A%2B%2C%3A%3B%3C%3D%3E_-.~');
    assert.equal(percentDecode('6789%2F%26%25%22%21%3F%28%29%27%2A%2B%2C%3A%3B%3C%3D%3E_-.~'), `6789/&%"!?()'*+,:;<=>_-.~`);
  });

  it('writes on another base when asked', () => {
    assert.equal(
      formatDigitalLink({ primaryKey: { ai: '414', value: '4012345000054' }, qualifiers: [{ ai: '254', value: '122' }] }, 'https://trace.example.cn/'),
      'https://trace.example.cn/414/4012345000054/254/122',
    );
  });

  it('round-trips through parseDigitalLink', () => {
    const parts = {
      primaryKey: { ai: '8006', value: '040123451111180102' },
      qualifiers: [{ ai: '22', value: `a'b` }, { ai: '10', value: 'L%1' }, { ai: '21', value: '9/8?7' }],
      attributes: [{ ai: '7010', value: 'MX' }],
    };
    const back = parsed(formatDigitalLink(parts));
    assert.deepEqual({ primaryKey: back.primaryKey, qualifiers: back.qualifiers, attributes: back.attributes }, parts);
  });

  it('throws a DomainError for parts that are not a valid Digital Link', () => {
    const cases = [
      { primaryKey: { ai: '10', value: 'A' } },
      { primaryKey: { ai: '01', value: '09506000134353' } },
      { primaryKey: { ai: '01', value: '09506000134352' }, qualifiers: [{ ai: '254', value: '1' }] },
      { primaryKey: { ai: '01', value: '09506000134352' }, qualifiers: [{ ai: '10', value: 'A' }, { ai: '235', value: 'B' }] },
      { primaryKey: { ai: '01', value: '09506000134352' }, attributes: [{ ai: '21', value: '1' }] },
      { primaryKey: { ai: '01', value: '09506000134352' }, attributes: [{ ai: '17', value: '1' }] },
    ];
    for (const parts of cases) {
      assert.throws(() => formatDigitalLink(parts), (e) => isDomainError(e) && e.code === 'gs1.digital_link.invalid', JSON.stringify(parts));
    }
  });
});

describe('canonicalDigitalLink', () => {
  it('moves any domain to id.gs1.org, keeps GS1 attributes and drops resolver parameters', () => {
    const result = canonicalDigitalLink('http://brand.example/shop/gtin/9506000134352/lot/L1/ser/A%2fB?linkType=all&17=261231');
    assert.deepEqual(result, { ok: true, value: 'https://id.gs1.org/01/09506000134352/10/L1/21/A%2FB?17=261231' });
  });

  it('reports why a URI cannot be canonicalised', () => {
    assert.deepEqual(canonicalDigitalLink('https://brand.example/01/09506000134353'), {
      ok: false,
      reason: 'AI (01): check digit of 09506000134353 is wrong',
    });
  });
});

describe('digitalLinkProblem', () => {
  it('says nothing about valid Digital Links and ordinary URLs', () => {
    for (const uri of [
      'https://id.gs1.org/01/09506000134352/21/1',
      'https://brand.example/shop/gtin/9506000134352/ser/A%2fB?linkType=all',
      'https://blog.example/2024/01/05',
      'https://example.com/products/123',
    ]) {
      assert.equal(digitalLinkProblem(uri), undefined, uri);
    }
  });

  it('gives the parser’s reason for a broken Digital Link, on any domain', () => {
    assert.equal(digitalLinkProblem('https://brand.example/01/09506000134353'), 'AI (01): check digit of 09506000134353 is wrong');
    assert.match(digitalLinkProblem('https://id.gs1.org/01/95211410123/21/1')!, /not a valid value for AI \(01\) GTIN: length 11/);
    assert.match(digitalLinkProblem('https://id.gs1.org/99/123')!, /must start with a primary key such as \/01\/\{GTIN\}/);
  });

  it('answers canonical GTIN links, which it decides without the full parse, as the full parse does', () => {
    for (const gtin of ['09506000134352', '09506000134353', '9506000134352', '095060001343521']) {
      for (const lot of ['', '/10/L1', '/10/A.b-C_9', `/10/${'L'.repeat(20)}`, `/10/${'L'.repeat(21)}`, '/10/L~1', '/10/']) {
        for (const serial of ['', '/21/1', '/21/S.1-x_Y', `/21/${'S'.repeat(21)}`, '/21/A%2FB']) {
          const uri = `https://id.gs1.org/01/${gtin}${lot}${serial}`;
          assert.equal(digitalLinkProblem(uri) === undefined, parseDigitalLink(uri).ok, uri);
        }
      }
    }
  });

  it('is not fooled by Object.prototype names in the path', () => {
    assert.match(digitalLinkProblem('https://id.gs1.org/01/09506000134352/constructor/1')!, /"constructor" is not a GS1 Application Identifier/);
  });

  it('gives the same answer whether or not it is told the URI will come again', () => {
    for (const uri of ['https://id.gs1.org/414/4012345000054', 'https://id.gs1.org/414/4012345000055']) {
      const once = digitalLinkProblem(uri);
      assert.equal(digitalLinkProblem(uri, { repeated: true }), once);
      assert.equal(digitalLinkProblem(uri, { repeated: true }), once);
    }
  });
});
