/**
 * Scanners, cameras and partners deliver arbitrary bytes, so every GS1 parser answers with a result and never throws.
 * Random and mutated strings, from a seeded generator so that a failure can be replayed, go into every parse function
 * of the element-string module and every scheme's parse: control characters, lone surrogates, brackets, symbology
 * identifiers, percent-escapes and very long inputs.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '../../../test/support/random.js';
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
} from './element-string.js';
import { GS1_SCHEMES } from './schemes.js';

const SEED = 0x6a51;
const GTIN = withCheckDigit('0950600013435');
const SSCC = withCheckDigit('10614141123456789');
const GLN = withCheckDigit('401234500005');

/** Inputs that are valid or nearly so, for mutations to start from. */
const SEEDS = [
  `(01)${GTIN}(17)251231(10)ABC123(21)S/1`,
  `]d201${GTIN}17251231` + `10ABC${GS}21XYZ`,
  `]C1^00${SSCC}^02${GTIN}37` + `12^10L1`,
  `]Q3414${GLN}254DOCK`,
  `]e001${GTIN}3103001250`,
  `]E0${GTIN.slice(1)}`,
  `https://id.gs1.org/01/${GTIN}/10/L%2F1/21/S1?17=251231&linkType=all`,
  `https://brand.example/shop/gtin/${GTIN.slice(1)}/ser/A%25B#frag`,
  `]Q1https://id.gs1.org/00/${SSCC}`,
  'urn:epc:id:sgtin:0614141.107346.2017',
  'urn:epc:idpat:grai:4012345.66666.*',
  'urn:epc:id:cpi:0614141.11111111111111-A%23%2F.1234',
  GTIN,
  SSCC,
  GLN,
  `（01）${GTIN}（10）\\(10)`,
];

/** Pieces that parsers treat specially, mixed into random strings far more often than chance would. */
const PIECES = [
  '(', ')', '（', '）', '\\(', ']', ']d2', ']C1', ']Q3', ']e0', ']J1', ']E0', ']E4', ']C0', ']d1', ']Q1', ']d5', GS, '^',
  '(01)', '(10)', '(21)', '(8030)', '(99999)', '%', '%2', '%2F', '%zz', '%E6%89%B9', '%00', '+', '/', '//', '?', '&', '=',
  '#', 'https://', 'http://', 'HtTpS://', 'urn:epc:id:', 'urn:epc:idpat:sgtin:', 'urn:epc:class:lgtin:', '.', '*', '01',
  '00', '414', '8003', '17', '000000', '991231', '\u0000', '\u001f', '\u007f', '\r\n', '\t', ' ', '\ud800', '\udfff',
  '\ud83d\ude00', '批次', '\uFEFF', '\u200b', 'constructor', '__proto__', GTIN, SSCC,
];

function randomString(random: () => number, maxLength: number): string {
  const length = Math.floor(random() * maxLength);
  let out = '';
  while (out.length < length) {
    const roll = random();
    if (roll < 0.45) out += PIECES[Math.floor(random() * PIECES.length)]!;
    else if (roll < 0.75) out += String(Math.floor(random() * 10));
    else if (roll < 0.95) out += String.fromCharCode(32 + Math.floor(random() * 95));
    else out += String.fromCharCode(Math.floor(random() * 0x10000));
  }
  return out;
}

function mutate(random: () => number, text: string): string {
  const at = Math.floor(random() * (text.length + 1));
  const other = Math.floor(random() * (text.length + 1));
  const [from, to] = at < other ? [at, other] : [other, at];
  switch (Math.floor(random() * 6)) {
    case 0:
      return text.slice(0, at) + PIECES[Math.floor(random() * PIECES.length)]! + text.slice(at);
    case 1:
      return text.slice(0, from) + text.slice(to);
    case 2:
      return text.slice(0, at) + String.fromCharCode(Math.floor(random() * 0x10000)) + text.slice(at + 1);
    case 3:
      return text.slice(0, to) + text.slice(from, to) + text.slice(to);
    case 4:
      return text.slice(0, at);
    default:
      return text.slice(0, at) + String(Math.floor(random() * 10)) + text.slice(at + 1);
  }
}

/** Very long inputs, the kind that expose quadratic loops and runaway regular expressions. */
const HUGE = [
  '9'.repeat(200_000),
  '('.repeat(100_000),
  '(01)'.repeat(50_000),
  `(10)${'\\('.repeat(50_000)}`,
  `]d2${'01'.repeat(100_000)}`,
  `]d2${`10A${GS}`.repeat(40_000)}`,
  `^${'^'.repeat(100_000)}`,
  `https://a/${'01/'.repeat(60_000)}`,
  `https://a/01/${GTIN}?${'99=A&'.repeat(40_000)}`,
  `https://a/01/${'%'.repeat(100_000)}`,
  `urn:epc:id:sgtin:${'.'.repeat(100_000)}`,
  `urn:epc:id:sgtin:0614141.107346.${'%2F'.repeat(50_000)}`,
  '\ud800'.repeat(100_000),
];

const PARSERS: [string, (text: string) => unknown][] = [
  ['parseElementString', (t) => parseElementString(t)],
  ['parseElementString without associations', (t) => parseElementString(t, { checkAssociations: false })],
  ['elementStringToDigitalLink', (t) => elementStringToDigitalLink(t)],
  ['parseDigitalLinkElements', (t) => parseDigitalLinkElements(t)],
  ['digitalLinkToElementString', (t) => digitalLinkToElementString(t, { form: 'raw' })],
  ...GS1_SCHEMES.map((s): [string, (text: string) => unknown] => [`${s.id} scheme`, (t) => s.parse(t)]),
];

function assertAnswers(name: string, parse: (text: string) => unknown, text: string): void {
  let result: unknown;
  try {
    result = parse(text);
  } catch (error) {
    assert.fail(`${name} threw on ${JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text)}: ${String(error)}`);
  }
  const r = result as { ok?: unknown; reason?: unknown; value?: unknown };
  assert.equal(typeof r.ok, 'boolean', name);
  if (r.ok === false) assert.ok(typeof r.reason === 'string' && r.reason.length > 0, `${name} gave no reason`);
  else assert.notEqual(r.value, undefined, name);
}

function inputs(): string[] {
  const random = seededRandom(SEED);
  const out: string[] = [...SEEDS];
  for (let i = 0; i < 1500; i += 1) out.push(randomString(random, 80));
  for (let i = 0; i < 1500; i += 1) {
    let text = SEEDS[Math.floor(random() * SEEDS.length)]!;
    const rounds = 1 + Math.floor(random() * 4);
    for (let j = 0; j < rounds; j += 1) text = mutate(random, text);
    out.push(text);
  }
  return out;
}

describe('GS1 parsers never throw', () => {
  const texts = inputs();

  for (const [name, parse] of PARSERS) {
    it(`${name} answers every random and mutated string`, () => {
      for (const text of texts) assertAnswers(name, parse, text);
    });

    it(`${name} answers very long strings`, () => {
      for (const text of HUGE) assertAnswers(name, parse, text);
    });
  }

  it('gs1DateToIso answers every six-character string, and any Date, with a date or undefined', () => {
    const random = seededRandom(SEED + 1);
    for (let i = 0; i < 2000; i += 1) {
      const text = randomString(random, 8);
      const date = gs1DateToIso(text, new Date(random() < 0.1 ? Number.NaN : random() * 4e12));
      assert.ok(date === undefined || /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(date), `${JSON.stringify(text)} → ${date}`);
    }
  });

  it('the element helpers accept any elements without throwing', () => {
    const random = seededRandom(SEED + 2);
    for (let i = 0; i < 1000; i += 1) {
      const list = Array.from({ length: Math.floor(random() * 5) }, () => ({
        ai: randomString(random, 6),
        value: randomString(random, 30),
      }));
      assertAnswers('validateElements', (_) => validateElements(list), '');
      assertAnswers('elementStringToDigitalLink(elements)', (_) => elementStringToDigitalLink(list), '');
      for (const form of ['bracketed', 'raw'] as const) assert.equal(typeof formatElementString(list, { form }), 'string');
      assert.ok(Array.isArray(canonicalElementOrder(list)));
      planDigitalLink(list);
    }
  });
});

describe('GS1 parsers are consistent on what they accept', () => {
  const texts = inputs();

  it('an accepted element string reads back the same from its bracketed and raw forms', () => {
    let accepted = 0;
    for (const text of texts) {
      const parsed = parseElementString(text);
      if (!parsed.ok) continue;
      accepted += 1;
      for (const form of ['bracketed', 'raw'] as const) {
        const again = parseElementString(formatElementString(parsed.value.elements, { form }));
        assert.deepEqual(again.ok && again.value.elements, parsed.value.elements, `${JSON.stringify(text)} (${form})`);
      }
    }
    assert.ok(accepted > 50, `only ${accepted} mutated inputs were valid element strings`);
  });

  it('a reading is read again as itself from its canonical form', () => {
    for (const text of texts) {
      for (const scheme of GS1_SCHEMES) {
        const first = scheme.parse(text);
        if (!first.ok) continue;
        const again = scheme.parse(first.value.canonical);
        // An EPC URI's canonical form is its Digital Link, which the Digital Link scheme reads.
        if (scheme.id === 'epc-urn' && first.value.digitalLink !== undefined) continue;
        assert.ok(again.ok, `${scheme.id}: ${JSON.stringify(text)} → ${first.value.canonical}`);
        assert.equal(again.value.canonical, first.value.canonical, `${scheme.id}: ${JSON.stringify(text)}`);
      }
    }
  });
});
