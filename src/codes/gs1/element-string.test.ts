import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { withCheckDigit } from './check-digit.js';
import {
  GS,
  canonicalElementOrder,
  digitalLinkToElementString,
  elementStringToDigitalLink,
  formatElementString,
  gs1DateToIso,
  parseDigitalLinkElements,
  parseElementString,
  planDigitalLink,
  validateElements,
  type ElementStringOptions,
} from './element-string.js';

// Keys computed, never typed: a typo in a check digit would test the wrong rule.
const GTIN = withCheckDigit('0950600013435');
const GTIN_CN = withCheckDigit('0690123456789');
const SSCC = withCheckDigit('10614141123456789');
const GLN = withCheckDigit('401234500005');
const GSRN = withCheckDigit('40123450000006765');

function elements(text: string, options?: ElementStringOptions) {
  const result = parseElementString(text, options);
  if (!result.ok) assert.fail(`${JSON.stringify(text)}: ${result.reason}`);
  return result.value.elements;
}

function reason(text: string, options?: ElementStringOptions): string {
  const result = parseElementString(text, options);
  if (result.ok) assert.fail(`${JSON.stringify(text)} was accepted: ${JSON.stringify(result.value)}`);
  return result.reason;
}

describe('parseElementString: bracketed form', () => {
  it('reads AI/value pairs in order', () => {
    assert.deepEqual(elements(`(01)${GTIN}(17)251231(10)ABC123`), [
      { ai: '01', value: GTIN },
      { ai: '17', value: '251231' },
      { ai: '10', value: 'ABC123' },
    ]);
  });

  it('ignores whitespace around values and accepts full-width brackets', () => {
    const expected = [{ ai: '01', value: GTIN }, { ai: '10', value: 'L1' }];
    assert.deepEqual(elements(`(01) ${GTIN} (10) L1`), expected);
    assert.deepEqual(elements(`（01）${GTIN}（10）L1`), expected);
    assert.deepEqual(elements(`(01)${GTIN}${GS}(10)L1${GS}`), expected, 'separators pasted from raw data');
  });

  it('keeps a data bracket that cannot start an AI, and reads \\( as a data bracket', () => {
    assert.equal(elements(`(01)${GTIN}(10)A(B)C`)[1]!.value, 'A(B)C');
    assert.equal(elements(`(01)${GTIN}(10)A\\(10)B`)[1]!.value, 'A(10)B');
    assert.equal(elements(`(01)${GTIN}(10)(1)`)[1]!.value, '(1)');
  });

  it('says where the text stops being an element string', () => {
    assert.match(reason(`(01)${GTIN}x(10)`), /AI \(10\) has no value/);
    assert.match(reason('(1)23'), /at character 1: expected "\(AI\)"/);
    assert.match(reason(`(01)${GTIN}(10)A B`), /character set 82/);
    // Five digits in brackets are no AI, so they are data, and the GTIN becomes too long.
    assert.match(reason(`(01)${GTIN}(99999)1`), /AI \(01\) GTIN: length 22, expected 14/);
    assert.match(reason(`(01)${GTIN}(89)1`), /AI \(89\) is unknown/);
  });
});

describe('parseElementString: raw form', () => {
  it('needs no separator after a predefined-length AI', () => {
    assert.deepEqual(elements(`01${GTIN}17251231` + `10ABC123`), [
      { ai: '01', value: GTIN },
      { ai: '17', value: '251231' },
      { ai: '10', value: 'ABC123' },
    ]);
  });

  it('ends variable-length values at GS or ^, and skips a leading FNC1 and separators where none is needed', () => {
    const expected = [{ ai: '01', value: GTIN }, { ai: '10', value: 'L1' }, { ai: '21', value: 'S1' }];
    assert.deepEqual(elements(`01${GTIN}10L1${GS}21S1`), expected);
    assert.deepEqual(elements(`01${GTIN}10L1^21S1`), expected);
    assert.deepEqual(elements(`${GS}01${GTIN}10L1${GS}21S1`), expected);
    assert.deepEqual(elements(`^01${GTIN}^10L1^21S1^`), expected);
    assert.deepEqual(elements(`01${GTIN}${GS}${GS}10L1${GS}21S1${GS}`), expected);
  });

  it('finds the length of an AI from its first two digits', () => {
    assert.deepEqual(elements(`01${GTIN}3103001250` + `392211234${GS}10L`).map((e) => e.ai), ['01', '3103', '3922', '10']);
    assert.deepEqual(elements(`414${GLN}254A1`).map((e) => e.ai), ['414', '254']);
  });

  it('explains a missing or misplaced separator', () => {
    assert.match(reason(`01${GTIN}10${'L'.repeat(19)}21S1`), /AI \(10\) BATCH\/LOT takes at most 20 characters, but 23 follow.*separator missing/);
    assert.match(reason(`01${GTIN.slice(0, 13)}${GS}10L1`), /AI \(01\) GTIN has a predefined length of 14 characters, but a separator follows after 13/);
    assert.match(reason(`01${GTIN.slice(0, 10)}`), /the data ends after 10/);
  });

  it('refuses what is no AI', () => {
    assert.match(reason(`01${GTIN}05123`), /at character 17: no GS1 Application Identifier starts with 05/);
    assert.match(reason(`01${GTIN}3106001250`), /AI \(3106\) is unknown/);
    assert.match(reason(`01${GTIN}AB`), /expected the digits of an AI, found "AB"/);
    assert.match(reason(`${GS}^${GS}`), /no GS1 element string, only separators/);
    assert.match(reason(''), /empty/);
  });
});

describe('parseElementString: symbology identifiers', () => {
  const data = `01${GTIN}17251231` + `10ABC${GS}21XYZ`;

  for (const [identifier, name] of [
    [']C1', 'GS1-128'],
    [']d2', 'GS1 DataMatrix'],
    [']Q3', 'GS1 QR Code'],
    [']e0', 'GS1 DataBar'],
    [']J1', 'GS1 DotCode'],
  ] as const) {
    it(`reads GS1 data behind ${identifier}`, () => {
      const result = parseElementString(identifier + data);
      if (!result.ok) assert.fail(result.reason);
      assert.equal(result.value.elements.length, 4);
      assert.equal(result.value.symbology?.identifier, identifier);
      assert.match(result.value.symbology!.name, new RegExp(name));
    });
  }

  it('reads the GTIN of an EAN/UPC symbol as AI (01)', () => {
    const ean13 = GTIN_CN.slice(1);
    assert.deepEqual(elements(`]E0${ean13}`), [{ ai: '01', value: GTIN_CN }]);
    const ean8 = withCheckDigit('9638507');
    assert.deepEqual(elements(`]E4${ean8}`), [{ ai: '01', value: ean8.padStart(14, '0') }]);
    assert.match(reason(`]E0${ean13.slice(0, -1)}${(Number(ean13.at(-1)) + 1) % 10}`), /]E0 .*check digit/);
    assert.match(reason(']E4123'), /]E4 \(EAN-8\) data must be 8 digits/);
  });

  it('refuses symbols without GS1 mode, saying so', () => {
    assert.match(reason(`]C0${data}`), /]C0 identifies Code 128 without GS1 mode .*not a GS1 element string/);
    assert.match(reason(`]d1${data}`), /]d1 identifies Data Matrix without GS1 mode/);
    assert.match(reason(`]Q1https://id.gs1.org/01/${GTIN}`), /]Q1 identifies QR Code .*its data is a URI, which may be a GS1 Digital Link/);
    assert.match(reason(`]d5${data}`), /ECI escape sequences, which are not supported/);
    assert.match(reason(`]??${data}`), /not an AIM symbology identifier/);
    assert.match(reason(']d2'), /followed by no data/);
  });
});

describe('validateElements', () => {
  it('validates every value against its AI', () => {
    assert.match(reason(`(01)${GTIN.slice(0, 13)}${(Number(GTIN.at(-1)) + 1) % 10}`), /AI \(01\): check digit/);
    assert.match(reason(`(01)${GTIN}(17)250230`), /AI \(17\): 250230 is not a valid date/);
    assert.match(reason(`(01)${GTIN}(422)999`), /AI \(422\): 999 is not an ISO 3166 numeric country code/);
  });

  it('keeps an AI given twice with the same value once, and refuses two values', () => {
    assert.deepEqual(elements(`(01)${GTIN}(10)A(01)${GTIN}(10)A`), [{ ai: '01', value: GTIN }, { ai: '10', value: 'A' }]);
    assert.match(reason(`(01)${GTIN}(10)A(10)B`), /AI \(10\) BATCH\/LOT appears twice with different values, "A" and "B"/);
  });

  it('requires the key that a qualifier or date belongs to', () => {
    assert.match(reason('(21)12345'), /AI \(21\) SERIAL requires \(01\), \(03\) or \(8006\)/);
    assert.match(reason('(10)ABC'), /AI \(10\) BATCH\/LOT requires \(01\), \(02\), \(03\), \(8006\) or \(8026\)/);
    assert.match(reason('(17)251231'), /AI \(17\) USE BY or EXPIRY requires \(01\), \(02\), \(03\), \(255\), \(8006\) or \(8026\)/);
    assert.match(reason('(254)A1'), /AI \(254\) GLN EXTENSION COMPONENT requires \(414\)/);
    assert.match(reason(`(01)${GTIN}(3922)1234`), /AI \(3922\) PRICE requires \(30\), \(31nn\), \(32nn\), \(35nn\) or \(36nn\)/);
    assert.match(reason(`(01)${GTIN}(8030)QUJD`), /AI \(8030\) DIGSIG requires \(00\), \(01\) with \(21\),/);
    assert.deepEqual(elements(`(01)${GTIN}(21)S1(8030)QUJD`).map((e) => e.ai), ['01', '21', '8030']);
  });

  it('refuses the invalid pairings of the syntax dictionary', () => {
    assert.match(reason(`(01)${GTIN}(02)${GTIN}`), /AI \(02\) CONTENT must not appear together with AI \(01\) GTIN/);
    assert.match(reason(`(00)${SSCC}(01)${GTIN}(37)1`), /AI \(01\) GTIN must not appear together with AI \(37\) COUNT/);
    assert.match(reason(`(01)${GTIN}(3103)001250(3102)012500`), /AI \(3103\) NET WEIGHT \(kg\) must not appear together with AI \(3102\)/);
    assert.match(reason(`(01)${GTIN}(21)1(235)T`), /AI \(21\) SERIAL must not appear together with AI \(235\) TPX/);
    assert.match(reason(`(8017)${GSRN}(8018)${GSRN}`), /AI \(8017\) GSRN - PROVIDER must not appear together with AI \(8018\)/);
  });

  it('lets a count travel with the content of a logistic unit only, as the dictionary has it', () => {
    assert.match(reason(`(02)${GTIN}(37)24`), /AI \(37\) COUNT requires \(00\)/);
    assert.deepEqual(elements(`(00)${SSCC}(02)${GTIN}(37)24(10)L1`).map((e) => e.ai), ['00', '02', '37', '10']);
  });

  it('allows an SSCC with a GTIN, which the dictionary does not exclude', () => {
    assert.deepEqual(elements(`(00)${SSCC}(01)${GTIN}`).map((e) => e.ai), ['00', '01']);
  });

  it('leaves the associations to the caller when asked, for one carrier of several', () => {
    assert.deepEqual(elements('(10)ABC', { checkAssociations: false }), [{ ai: '10', value: 'ABC' }]);
    const combined = validateElements([{ ai: '10', value: 'ABC' }, { ai: '01', value: GTIN }]);
    assert.ok(combined.ok);
  });

  it('needs at least one element', () => {
    assert.deepEqual(validateElements([]), { ok: false, reason: 'an element string needs at least one AI' });
  });
});

describe('formatElementString', () => {
  const list = [
    { ai: '01', value: GTIN },
    { ai: '10', value: 'A(10)B' },
    { ai: '17', value: '251231' },
    { ai: '21', value: 'S/1' },
  ];

  it('writes the bracketed form, escaping only a bracket that would read as an AI', () => {
    assert.equal(formatElementString(list), `(01)${GTIN}(10)A\\(10)B(17)251231(21)S/1`);
    assert.equal(formatElementString([{ ai: '10', value: 'A(B)' }]), '(10)A(B)');
  });

  it('writes the raw form with a separator only after a variable-length value that is not the last', () => {
    assert.equal(formatElementString(list, { form: 'raw' }), `01${GTIN}10A(10)B${GS}17251231` + '21S/1');
    assert.equal(formatElementString(list, { form: 'raw', separator: '^', symbologyIdentifier: ']d2' }), `]d201${GTIN}10A(10)B^17251231` + '21S/1');
  });

  it('round-trips through parseElementString in both forms', () => {
    for (const form of ['bracketed', 'raw'] as const) {
      assert.deepEqual(elements(formatElementString(list, { form })), list, form);
    }
  });
});

describe('canonical order and Digital Link planning', () => {
  it('puts the key and its qualifiers first, the rest by AI', () => {
    const parsed = elements(`(17)251231(21)S1(3103)001250(01)${GTIN}(11)240101(10)L1`);
    assert.deepEqual(canonicalElementOrder(parsed).map((e) => e.ai), ['01', '10', '21', '11', '17', '3103']);
    assert.deepEqual(canonicalElementOrder([{ ai: '99', value: 'x' }, { ai: '90', value: 'y' }]).map((e) => e.ai), ['90', '99']);
  });

  it('takes the first primary key and the qualifier sequence that holds the most elements', () => {
    const plan = planDigitalLink(elements(`(01)${GTIN}(235)TPX1(17)251231`));
    assert.deepEqual(plan?.qualifiers, [{ ai: '235', value: 'TPX1' }]);
    assert.deepEqual(plan?.attributes, [{ ai: '17', value: '251231' }]);
    assert.equal(planDigitalLink([{ ai: '99', value: 'x' }]), undefined);
  });
});

describe('element string ⇄ Digital Link', () => {
  it('converts to a canonical Digital Link, or one on a chosen base', () => {
    assert.deepEqual(elementStringToDigitalLink(`]d201${GTIN}17251231` + `10L1${GS}21S/1`), {
      ok: true,
      value: `https://id.gs1.org/01/${GTIN}/10/L1/21/S%2F1?17=251231`,
    });
    assert.deepEqual(elementStringToDigitalLink(`(414)${GLN}(254)A1`, { base: 'https://trace.example.cn/' }), {
      ok: true,
      value: `https://trace.example.cn/414/${GLN}/254/A1`,
    });
    assert.deepEqual(elementStringToDigitalLink([{ ai: '00', value: SSCC }, { ai: '02', value: GTIN }, { ai: '37', value: '24' }]), {
      ok: true,
      value: `https://id.gs1.org/00/${SSCC}?02=${GTIN}&37=24`,
    });
  });

  it('refuses element strings without a primary key, or that are invalid', () => {
    assert.deepEqual(elementStringToDigitalLink(`(410)${GLN}`), { ok: false, reason: 'none of the AIs (410) is a GS1 Digital Link primary key' });
    assert.match((elementStringToDigitalLink('(10)A') as { reason: string }).reason, /requires/);
  });

  it('converts a Digital Link on any domain back to an element string', () => {
    assert.deepEqual(digitalLinkToElementString(`https://brand.example/p/01/${GTIN}/10/L1?17=251231&linkType=gs1:pip`), {
      ok: true,
      value: `(01)${GTIN}(10)L1(17)251231`,
    });
    assert.deepEqual(digitalLinkToElementString(`https://id.gs1.org/01/${GTIN}/10/L1/21/S1?17=251231`, { form: 'raw' }), {
      ok: true,
      value: `01${GTIN}10L1${GS}21S1${GS}17251231`,
    });
  });

  it('refuses Digital Links whose data breaks the element string rules', () => {
    assert.match((parseDigitalLinkElements(`https://id.gs1.org/01/${GTIN}?4321=1`) as { reason: string }).reason, /AI \(4321\) DANGEROUS GOODS requires \(00\)/);
    assert.match((parseDigitalLinkElements(`https://id.gs1.org/01/${GTIN}?02=${GTIN}`) as { reason: string }).reason, /must not appear together/);
  });
});

describe('gs1DateToIso', () => {
  const today = new Date('2026-03-01T00:00:00Z');

  it('places the century within 49 years before and 50 after today', () => {
    assert.equal(gs1DateToIso('251231', today), '2025-12-31');
    assert.equal(gs1DateToIso('760101', today), '2076-01-01');
    assert.equal(gs1DateToIso('770101', today), '1977-01-01');
    assert.equal(gs1DateToIso('991231', new Date('2051-06-01T00:00:00Z')), '2099-12-31');
    assert.equal(gs1DateToIso('010101', new Date('2099-06-01T00:00:00Z')), '2101-01-01');
  });

  it('reads day 00 as the last day of the month, leap years included', () => {
    assert.equal(gs1DateToIso('280200', today), '2028-02-29');
    assert.equal(gs1DateToIso('270200', today), '2027-02-28');
    assert.equal(gs1DateToIso('260400', today), '2026-04-30');
  });

  it('answers undefined for what is no date', () => {
    for (const text of ['261301', '260230', '2612', 'abcdef', '2602311']) assert.equal(gs1DateToIso(text, today), undefined, text);
  });
});
