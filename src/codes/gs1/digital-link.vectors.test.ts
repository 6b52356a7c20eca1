/**
 * Public GS1 Digital Link test vectors, restated as fixtures of this project.
 *
 * The URIs, element strings and verdicts come from the published test suites of:
 * - the GS1 Barcode Syntax Engine (gs1/gs1-syntax-engine): the unit tests of its Digital Link URI parser and of its
 *   element-string-to-URI generator, including the examples it takes from the GS1 Digital Link standard;
 * - the GS1 Digital Link URI simple parser (gs1/gs1-digital-link-uri-simple-parser), whose cases overlap the engine's;
 * - GS1 digital-link.js (gs1/digital-link.js): its parsing, validation and compression-input tests;
 * - GS1DigitalLinkToolkit.js (gs1/GS1DigitalLinkToolkit.js): the translations documented in its README.
 *
 * Expected element strings are written in our bracketed form, in URI order (key, qualifiers, query attributes); the
 * engine writes the same data as "^"-separated raw strings, restated here where the raw form is asserted.
 *
 * Where this project deliberately reads or writes differently, the case asserts our documented behaviour and says why:
 * - we always accept GTIN-8/12/13 in a /01/ path and write the 14-digit GTIN (the engine only does so on request);
 * - we accept the deprecated convenience alphas (/gtin/, /ser/ …) and a trailing slash, as resolvers do;
 * - we accept a scheme in any letter case (RFC 3986 makes it case-insensitive; the engine takes only http/HTTP);
 * - our URIs list data attributes sorted by AI (the engine keeps predefined-length AIs first, then input order), so
 *   that equal data give equal strings;
 * - we always write numeric AIs, never the convenience alphas the toolkit can be asked for.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  GS,
  digitalLinkToElementString,
  elementStringToDigitalLink,
  formatElementString,
  parseDigitalLinkElements,
} from './element-string.js';
import { parseDigitalLink } from './digital-link.js';

function elementString(uri: string): string {
  const result = digitalLinkToElementString(uri);
  if (!result.ok) assert.fail(`${uri}: ${result.reason}`);
  return result.value;
}

function refusal(uri: string): string {
  const result = digitalLinkToElementString(uri);
  if (result.ok) assert.fail(`${uri} was accepted as ${result.value}`);
  return result.reason;
}

/** Valid URIs and the element string each stands for. */
const VALID: readonly (readonly [uri: string, bracketed: string])[] = [
  // Schemes and stems.
  ['http://a/00/006141411234567890', '(00)006141411234567890'],
  ['HTTP://a/00/006141411234567890', '(00)006141411234567890'],
  ['https://a/00/006141411234567890', '(00)006141411234567890'],
  ['HTTPS://a/00/006141411234567890', '(00)006141411234567890'],
  ['https://a/stem/00/006141411234567890', '(00)006141411234567890'],
  ['https://a/more/stem/00/006141411234567890', '(00)006141411234567890'],
  ['https://a/00/faux/00/006141411234567890', '(00)006141411234567890'],
  ['https://a/01/12312312312333', '(01)12312312312333'],
  // Hosts: only the character set of the authority is checked, whatever its form.
  ['https://xn--fsq.xn--0zwm56d/01/12312312312333', '(01)12312312312333'],
  ['https://a./01/12312312312333', '(01)12312312312333'],
  ['https://a:65535/01/12312312312333', '(01)12312312312333'],
  ['https://192.0.2.1/01/12312312312333', '(01)12312312312333'],
  ['https://3232235777/01/12312312312333', '(01)12312312312333'],
  ['https://0300.0250.01.01/01/12312312312333', '(01)12312312312333'],
  ['https://0xC0.0xA8.0x01.0x01/01/12312312312333', '(01)12312312312333'],
  ['https://[2001:db8::1]/01/12312312312333', '(01)12312312312333'],
  // Keys and their qualifiers.
  ['https://a/01/12312312312333/22/TEST/10/ABC/21/XYZ', '(01)12312312312333(22)TEST(10)ABC(21)XYZ'],
  ['https://a/01/12312312312333/235/TEST', '(01)12312312312333(235)TEST'],
  ['https://a/253/1231231231232', '(253)1231231231232'],
  ['https://a/253/1231231231232TEST5678901234567', '(253)1231231231232TEST5678901234567'],
  ['https://a/8018/123456789012345675/8019/123', '(8018)123456789012345675(8019)123'],
  // Query strings: empty, extra separators, parameters that are no AI, singletons.
  ['https://a/stem/00/006141411234567890?', '(00)006141411234567890'],
  ['https://a/stem/00/006141411234567890?99=ABC', '(00)006141411234567890(99)ABC'],
  ['https://a/stem/401/12345678?99=ABC', '(401)12345678(99)ABC'],
  ['https://a/01/12312312312333?99=ABC&98=XYZ', '(01)12312312312333(99)ABC(98)XYZ'],
  ['https://a/01/12312312312333?&&&99=ABC&&&&&&98=XYZ&&&', '(01)12312312312333(99)ABC(98)XYZ'],
  ['https://a/01/12312312312333?99=ABC&unknown=666&98=XYZ', '(01)12312312312333(99)ABC(98)XYZ'],
  ['https://a/01/12312312312333?unknown=666&99=ABC&98=XYZ', '(01)12312312312333(99)ABC(98)XYZ'],
  ['https://a/01/12312312312333?99=ABC&98=XYZ&unknown=666', '(01)12312312312333(99)ABC(98)XYZ'],
  ['https://a/01/12312312312333?unknown1=555&99=ABC&unknown2=666&98=XYZ&unknown3=777', '(01)12312312312333(99)ABC(98)XYZ'],
  ['https://a/01/12312312312333?99=ABC&singleton&98=XYZ', '(01)12312312312333(99)ABC(98)XYZ'],
  ['https://a/01/12312312312333?singleton&99=ABC&98=XYZ', '(01)12312312312333(99)ABC(98)XYZ'],
  ['https://a/01/12312312312333?99=ABC&98=XYZ&singleton', '(01)12312312312333(99)ABC(98)XYZ'],
  ['https://a/01/12312312312333?singleton1&99=ABC&singleton2&98=XYZ&singleton3', '(01)12312312312333(99)ABC(98)XYZ'],
  [
    'https://a/01/12312312312333?singleton1&unknown1=555&99=ABC&singleton2&unknown2=6666&98=XYZ&unknown3=777&singleton3',
    '(01)12312312312333(99)ABC(98)XYZ',
  ],
  // Percent-escapes, in either hex case, in path and query; "+" is a plain character in the path.
  ['https://a/01/12312312312333/22/ABC%2d123?99=ABC&98=XYZ%2f987', '(01)12312312312333(22)ABC-123(99)ABC(98)XYZ/987'],
  ['https://a/01/12312312312333/22/ABC+123?99=ABC&98=XYZ%2f987', '(01)12312312312333(22)ABC+123(99)ABC(98)XYZ/987'],
  // Fragments are ignored.
  ['https://a/01/12312312312333/22/test/10/abc/21/xyz#', '(01)12312312312333(22)test(10)abc(21)xyz'],
  ['https://a/01/12312312312333/22/test/10/abc/21/xyz#fragment', '(01)12312312312333(22)test(10)abc(21)xyz'],
  ['https://a/stem/00/006141411234567890?99=ABC#', '(00)006141411234567890(99)ABC'],
  ['https://a/stem/00/006141411234567890?99=ABC#fragment', '(00)006141411234567890(99)ABC'],
  // Examples of the GS1 Digital Link standard.
  ['https://id.gs1.org/01/09520123456788', '(01)09520123456788'],
  ['https://id.gs1.org/01/09520123456788/22/2A', '(01)09520123456788(22)2A'],
  ['https://id.gs1.org/01/09520123456788/10/ABC123', '(01)09520123456788(10)ABC123'],
  ['https://id.gs1.org/01/09520123456788/21/12345', '(01)09520123456788(21)12345'],
  ['https://id.gs1.org/01/09520123456788/10/ABC1/21/12345?17=180426', '(01)09520123456788(10)ABC1(21)12345(17)180426'],
  ['https://id.gs1.org/01/09520123456788?3103=000195', '(01)09520123456788(3103)000195'],
  [
    'https://example.com/01/09520123456788?3103=000195&3922=0299&17=201225',
    '(01)09520123456788(3103)000195(3922)0299(17)201225',
  ],
  [
    'https://id.gs1.org/01/09520123456788?17=201225&3103=000195&3922=0299',
    '(01)09520123456788(17)201225(3103)000195(3922)0299',
  ],
  ['https://id.gs1.org/00/952012345678912345', '(00)952012345678912345'],
  [
    'https://id.gs1.org/00/952012345678912345?02=09520123456788&37=25&10=ABC123',
    '(00)952012345678912345(02)09520123456788(37)25(10)ABC123',
  ],
  ['https://id.gs1.org/414/9520123456788', '(414)9520123456788'],
  ['https://id.gs1.org/414/9520123456788/254/32a%2Fb', '(414)9520123456788(254)32a/b'],
  ['https://example.com/8004/9520614141234567?01=9520123456788', '(8004)9520614141234567(01)09520123456788'],
  // digital-link.js.
  ['https://gs1.evrythng.com/01/09780345418913/10/38737643', '(01)09780345418913(10)38737643'],
  ['https://gs1.evrythng.com/01/09780345418913/10/38737643/21/58943', '(01)09780345418913(10)38737643(21)58943'],
  ['https://gs1.evrythng.com/01/09780345418913/10/38737643?15=230911', '(01)09780345418913(10)38737643(15)230911'],
  [
    'https://gs1.evrythng.com/01/09780345418913/10/38737643/21/58943?15=230911&thngId=U5mQKGDpnymBwQwRakyBqeYh',
    '(01)09780345418913(10)38737643(21)58943(15)230911',
  ],
  ['https://dlnkd.tn.gg/01/09780345418913/21/43786?foo=bar', '(01)09780345418913(21)43786'],
];

/**
 * Valid for us, while the engine (in its default settings) refuses them: the legacy spellings we accept on purpose.
 * The element strings are the ones the engine gives when its legacy options are on.
 */
const LENIENT: readonly (readonly [uri: string, bracketed: string, why: string])[] = [
  ['https://a/01/2112345678900', '(01)02112345678900', 'GTIN-13 in the path, padded to 14 digits'],
  ['https://a/01/416000336108', '(01)00416000336108', 'GTIN-12 in the path, padded to 14 digits'],
  ['https://a/01/02345673', '(01)00000002345673', 'GTIN-8 in the path, padded to 14 digits'],
  ['https://brand.example.com/01/9520123456788', '(01)09520123456788', 'GTIN-13 in the path'],
  ['https://brand.example.com/some-extra/pathinfo/01/9520123456788', '(01)09520123456788', 'GTIN-13 under a stem'],
  [
    'https://example.com/01/9520123456788?3103=000195&3922=0299&17=201225',
    '(01)09520123456788(3103)000195(3922)0299(17)201225',
    'GTIN-13 with data attributes',
  ],
  ['https://gs1.evrythng.com/01/9780345418913', '(01)09780345418913', 'GTIN-13 (digital-link.js)'],
  ['https://a/gtin/12312312312333', '(01)12312312312333', 'convenience alpha /gtin/'],
  ['https://a/gtin/12312312312333/ser/ABC123', '(01)12312312312333(21)ABC123', 'convenience alphas /gtin/ and /ser/'],
  ['https://a/sscc/006141411234567890', '(00)006141411234567890', 'convenience alpha /sscc/'],
  [
    'https://dlnkd.tn.gg/gtin/09780345418913/lot/231/ser/345345?15=120820',
    '(01)09780345418913(10)231(21)345345(15)120820',
    'convenience alphas /gtin/, /lot/, /ser/ (digital-link.js)',
  ],
  [
    'http://example.org/gtin/054123450013/lot/ABC%26%2B123?3103=000189&3923=2172',
    '(01)00054123450013(10)ABC&+123(3103)000189(3923)2172',
    'GTIN-12 behind /gtin/ (GS1DigitalLinkToolkit.js README)',
  ],
  ['https://a/stem/00/006141411234567890/', '(00)006141411234567890', 'a trailing slash, tolerated as resolvers do'],
  ['HtTp://a/b/00/006141411234567890', '(00)006141411234567890', 'a mixed-case scheme, case-insensitive per RFC 3986'],
];

/** Invalid URIs, with what in our reason shows the right rule was applied. */
const INVALID: readonly (readonly [uri: string, reason: RegExp, why: string])[] = [
  ['', /not an absolute http/, 'empty'],
  ['ftp://', /scheme ftp is not http or https/, 'not http(s)'],
  ['http://', /not a valid host/, 'no host'],
  ['http:///', /not a valid host/, 'no domain'],
  ['http://a', /no GS1 Digital Link primary key/, 'no path'],
  ['http://a/', /no GS1 Digital Link primary key/, 'a path without AIs'],
  ['http://a/b', /no GS1 Digital Link primary key/, 'a stem without data'],
  ['http://a/b/', /no GS1 Digital Link primary key/, 'a stem without data'],
  ['https://00/006141411234567890', /no GS1 Digital Link primary key/, 'the AI taken for the domain'],
  ['https://[fe80::1%25lo]/01/12312312312333', /not a valid host/, 'IPv6 zone identifiers are of no use here'],
  ['https://$a/006141411234567890', /not a valid host/, 'bad character in the domain'],
  ['https://a$/006141411234567890', /not a valid host/, 'bad character in the domain'],
  ['https://a/01/12312312312333/9/abc', /"9" is not a GS1 Application Identifier/, 'a one-digit AI'],
  ['https://a/01/12312312312333/99999/abc', /"99999" is not a GS1 Application Identifier/, 'a five-digit AI'],
  ['https://a/01/12312312312333?9=abc', /query parameter 9 is not a known GS1 Application Identifier/, 'a one-digit AI'],
  ['https://a/01/12312312312333?99999=abc', /99999 is not a known GS1 Application Identifier/, 'a five-digit AI'],
  ['https://a/253/1231231231232TEST56789012345678', /AI \(253\) GDTI: length 31, expected 13–30/, 'N13 [X..17] too long'],
  ['https://a/01/12312312312333?99=', /AI \(99\) has an empty value/, 'an empty value'],
  ['https://a/01/12312312312333?99=ABC&999=faux', /999 is not a known GS1 Application Identifier/, 'a numeric non-AI'],
  ['https://example.com/01/09520123456788?10=ABC123', /AI \(10\) belongs in the path/, 'a qualifier in the query'],
  ['https://id.gs1.org/01/09520123456788/10/ABC123?99=XYZ789&01=09520123456788', /AI \(01\) belongs in the path/, 'the key again'],
  ['https://id.gs1.org/01/09520123456788/10/ABC123?99=XYZ789&10=ABC123', /AI \(10\) belongs in the path/, 'a qualifier again'],
  ['https://id.gs1.org/01/09520123456788/10/ABC123?99=XYZ789&99=XYZ789', /AI \(99\) appears twice/, 'a repeated attribute'],
  ['https://example.com/01/09520123456788/89/ABC123?99=XYZ', /"89" is not a GS1 Application Identifier/, 'unknown AI (89)'],
  ['https://example.com/01/09520123456788?99=XYZ&89=ABC123', /89 is not a known GS1 Application Identifier/, 'unknown AI (89)'],
  // digital-link.js.
  ['https://gs1.evrythng.com/01/123', /AI \(01\) GTIN: length 3, expected 14/, 'a partial GTIN'],
  ['https://gs1.evrythng.com/01/9780345418913d', /AI \(01\) GTIN: it must contain only digits/, 'a letter after the GTIN'],
  ['https://data.gs1.org/01/47474747474747d', /AI \(01\) GTIN: length 15/, 'a letter after the GTIN'],
  ['badurl', /not an absolute http/, 'no scheme'],
  ['https://gs1.evrythng.com', /no GS1 Digital Link primary key/, 'no identifier'],
  // The grammar of digital-link.js accepts these; the content rules do not.
  ['https://gs1.evrythng.com/01/9780345418913?4324=1234567891', /AI \(4324\): month 34/, 'YYMMDD with month 34'],
  ['https://gs1.evrythng.com/01/9780345418913?4321=1', /AI \(4321\) DANGEROUS GOODS requires \(00\)/, 'a shipment AI without an SSCC'],
  ['https://example.com/01/12312312312326?8200=http%3A%2F%2Fexample.com', /AI \(8200\) PRODUCT URL is not permitted as a Digital Link data attribute/, 'not a data attribute'],
];

describe('Digital Link test vectors: URI to element string', () => {
  for (const [uri, bracketed] of VALID) {
    it(`reads ${uri}`, () => assert.equal(elementString(uri), bracketed));
  }

  for (const [uri, bracketed, why] of LENIENT) {
    it(`reads ${uri} (ours only: ${why})`, () => assert.equal(elementString(uri), bracketed));
  }

  for (const [uri, reason, why] of INVALID) {
    it(`refuses ${JSON.stringify(uri)}: ${why}`, () => assert.match(refusal(uri), reason));
  }

  it('writes the raw forms the engine gives, without its leading FNC1', () => {
    const raw = (uri: string) => {
      const parsed = parseDigitalLinkElements(uri);
      if (!parsed.ok) assert.fail(parsed.reason);
      return formatElementString(parsed.value.elements, { form: 'raw', separator: '^' });
    };
    assert.equal(raw('https://a/01/12312312312333/22/TEST/10/ABC/21/XYZ'), '011231231231233322TEST^10ABC^21XYZ');
    assert.equal(raw('https://a/01/12312312312333/235/TEST'), '0112312312312333235TEST');
    assert.equal(raw('https://a/8018/123456789012345675/8019/123'), '8018123456789012345675^8019123');
    assert.equal(raw('https://a/stem/00/006141411234567890?99=ABC'), '0000614141123456789099ABC');
    assert.equal(raw('https://a/stem/401/12345678?99=ABC'), '40112345678^99ABC');
    assert.equal(raw('https://id.gs1.org/01/09520123456788/10/ABC1/21/12345?17=180426'), '010952012345678810ABC1^2112345^17180426');
    assert.equal(
      raw('https://id.gs1.org/00/952012345678912345?02=09520123456788&37=25&10=ABC123'),
      '0095201234567891234502095201234567883725^10ABC123',
    );
    assert.equal(raw('https://id.gs1.org/414/9520123456788/254/32a%2Fb'), '414952012345678825432a/b');
    assert.equal(raw('https://example.com/8004/9520614141234567?01=9520123456788'), '80049520614141234567^0109520123456788');
  });

  it('reads the same URI the same way through parseDigitalLink', () => {
    const parsed = parseDigitalLink('https://example.com/01/09520123456788?3103=000195&3922=0299&17=201225');
    assert.ok(parsed.ok);
    assert.equal(parsed.value.origin, 'https://example.com');
  });

  it(
    'takes a qualifier of another sequence as a data attribute (/01/…/235/…?10=…)',
    () => assert.equal(elementString('https://id.gs1.org/01/09520123456788/235/XYZ?10=ABC123'), '(01)09520123456788(235)XYZ(10)ABC123'),
  );

  it(
    'reads "+" in a query value as a space, so XYZ+987 is refused',
    () => assert.match(refusal('https://a/01/12312312312333/22/ABC%2d123?99=ABC&98=XYZ+987'), /character set 82/),
  );
});

describe('Digital Link test vectors: element string to URI', () => {
  const toLink = (elementStringText: string, base?: string) => {
    const result = elementStringToDigitalLink(elementStringText, base === undefined ? {} : { base });
    if (!result.ok) assert.fail(`${elementStringText}: ${result.reason}`);
    return result.value;
  };

  const GENERATED: readonly (readonly [input: string, base: string | undefined, uri: string])[] = [
    ['(01)12312312312326(21)abc123', undefined, 'https://id.gs1.org/01/12312312312326/21/abc123'],
    ['(01)12312312312326(21)abc123', 'https://example.com', 'https://example.com/01/12312312312326/21/abc123'],
    ['(01)12312312312326(22)ABC(10)DEF(21)GHI', 'https://example.com', 'https://example.com/01/12312312312326/22/ABC/10/DEF/21/GHI'],
    [
      '(01)12312312312326(22)ABC(10)DEF(21)GHI(95)INT',
      'https://example.com',
      'https://example.com/01/12312312312326/22/ABC/10/DEF/21/GHI?95=INT',
    ],
    ['(21)XYZ(01)12312312312333(10)ABC123(99)XYZ', 'https://example.com', 'https://example.com/01/12312312312333/10/ABC123/21/XYZ?99=XYZ'],
    // "+" is a data character, escaped in path and query alike.
    ['(01)12312312312333(10)ABC+123(99)XYZ+QWERTY', 'https://example.com', 'https://example.com/01/12312312312333/10/ABC%2B123?99=XYZ%2BQWERTY'],
    // Several primary keys: the first is the key, the others attributes (ours sorted by AI).
    [
      '(8017)795260646688514634(99)000001(253)9526064000028000001',
      'https://example.com',
      'https://example.com/8017/795260646688514634?253=9526064000028000001&99=000001',
    ],
    [
      '(253)9526064000028000001(99)000001(8017)795260646688514634',
      'https://example.com',
      'https://example.com/253/9526064000028000001?8017=795260646688514634&99=000001',
    ],
    [
      '(98)ABC(253)9526064000028000001(99)000001(8017)795260646688514634',
      'https://example.com',
      'https://example.com/253/9526064000028000001?8017=795260646688514634&98=ABC&99=000001',
    ],
    [
      '(253)9526064000028000001(99)000001(01)12312312312326(10)DEF(95)INT',
      'https://example.com',
      'https://example.com/253/9526064000028000001?01=12312312312326&10=DEF&95=INT&99=000001',
    ],
    // An AI repeated with the same value is one element.
    ['(01)12312312312326(01)12312312312326(10)ABC123(99)XYZ789', 'https://example.com', 'https://example.com/01/12312312312326/10/ABC123?99=XYZ789'],
    ['(01)12312312312326(10)ABC123(10)ABC123(99)XYZ789', 'https://example.com', 'https://example.com/01/12312312312326/10/ABC123?99=XYZ789'],
    ['(01)12312312312326(10)ABC123(99)XYZ789(99)XYZ789', 'https://example.com', 'https://example.com/01/12312312312326/10/ABC123?99=XYZ789'],
    [
      '(8010)0200(3133)333333(3300)000000(99)57(3133)333333(3300)000000(01)04065093955756(10)0(3133)333333(3300)000000(01)04065093955756',
      'https://example.com',
      'https://example.com/8010/0200?01=04065093955756&10=0&3133=333333&3300=000000&99=57',
    ],
    // GS1DigitalLinkToolkit.js README, bracketed and raw.
    ['(3103)000189(01)05412345000013(3923)2172(10)ABC&+123', undefined, 'https://id.gs1.org/01/05412345000013/10/ABC%26%2B123?3103=000189&3923=2172'],
    [
      `3103000189010541234500001339232172${GS}10ABC&+123`,
      'http://example.org',
      'http://example.org/01/05412345000013/10/ABC%26%2B123?3103=000189&3923=2172',
    ],
  ];

  for (const [input, base, uri] of GENERATED) {
    it(`writes ${JSON.stringify(input)}${base ? ` on ${base}` : ''}`, () => assert.equal(toLink(input, base), uri));
  }

  const REFUSED: readonly (readonly [input: string, reason: RegExp, why: string])[] = [
    ['(01)12312312312326(99)000001(8200)http://example.com(95)INT', /AI \(8200\) PRODUCT URL is not permitted as a Digital Link data attribute/, '(8200) is no data attribute'],
    ['(01)12312312312326(235)TPX9526064(99)000001(22)ABC(95)INT', /AI \(235\) TPX .* cannot be combined with \(22\)/, '(22) and (235) exclude each other in the path'],
    ['(01)12312312312326(22)ABC(10)DEF(99)000001(235)TPX9526064(95)INT', /AI \(235\) TPX .* cannot be combined with \(22\)\(10\)/, '(22)(10) take the path, (235) cannot follow'],
    ['(01)12312312312326(235)ABC(10)DEF', /AI \(235\) TPX .* cannot be combined with \(10\)/, '(10) takes the path, (235) is no attribute'],
  ];

  for (const [input, reason, why] of REFUSED) {
    it(`refuses ${input}: ${why}`, () => {
      const result = elementStringToDigitalLink(input, { base: 'https://example.com' });
      assert.equal(result.ok, false);
      if (!result.ok) assert.match(result.reason, reason);
    });
  }

  it('round-trips every valid vector: URI → element string → canonical URI → the same element string', () => {
    for (const [uri] of [...VALID, ...LENIENT]) {
      const parsed = parseDigitalLinkElements(uri);
      if (!parsed.ok) assert.fail(`${uri}: ${parsed.reason}`);
      const canonical = elementStringToDigitalLink(parsed.value.elements);
      if (!canonical.ok) assert.fail(`${uri}: ${canonical.reason}`);
      const again = parseDigitalLinkElements(canonical.value);
      if (!again.ok) assert.fail(`${canonical.value}: ${again.reason}`);
      const sorted = (e: readonly { ai: string; value: string }[]) => [...e].sort((a, b) => (a.ai < b.ai ? -1 : 1));
      assert.deepEqual(sorted(again.value.elements), sorted(parsed.value.elements), uri);
    }
  });
});
