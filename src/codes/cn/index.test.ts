import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '../../../test/support/random.js';
import type { CodeScheme, SchemeResult } from '../scheme.js';
import { formatUscc } from '../uscc.js';
import { CHINESE_SCHEMES, createChineseSchemes, defineTraceabilityCodeScheme, drugStandardCodeCheckDigit } from './index.js';

const NOW = new Date('2025-06-15T04:00:00Z');
const schemes = createChineseSchemes({ now: () => NOW });

/** The ids of the schemes that read `text`, in precedence order. */
const readers = (text: string) => schemes.filter((s) => s.parse(text).ok).map((s) => s.id);

/** One valid example per scheme, built from parts. */
function examples(): Record<string, string> {
  const standardBody = '8690059400033';
  const pesticide = `1080001201${'5'.padEnd(22, '0')}`;
  return {
    uscc: formatUscc('91', '330212', 'MA2AB3C4'),
    'drug-standard-code': standardBody + drugStandardCodeCheckDigit(standardBody),
    'vet-drug-code': `20250301${'00307'}${'1'.repeat(11)}`,
    'pesticide-qr': `https://trace.example.cn/p/${pesticide}`,
    'seed-qr': ['郑单958', '某种业有限公司', 'A2024000123', 'https://zz.example.cn/t'].join('\r\n'),
    'pesticide-unit-code': pesticide,
    'special-equipment-code': `3110${'33010'}${'2019'}${'00098'}`,
    'industrial-handle': '88.608.6688/META_xz_test2',
    ecode: 'Ecode:10001000000000001',
    'msfx-drug-code': `8123456${'0'.repeat(9)}1234`,
    'meat-veg-code': `330206333${'0001'}`,
    'detonator-code': `35${'4'}${'0315'}A${'00127'}`,
    'nmpa-drug-code': `Ab12345${'xY-09.(8)/_?:'}`,
    'region-code': '110101',
  };
}

describe('CHINESE_SCHEMES', () => {
  it('lists every scheme once, each with a name and a layout', () => {
    const ids = CHINESE_SCHEMES.map((s) => s.id);
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual(new Set(ids), new Set(Object.keys(examples())));
    for (const scheme of CHINESE_SCHEMES) assert.ok(scheme.name && scheme.layout, scheme.id);
  });

  it('reads each example with its own scheme first', () => {
    for (const [id, text] of Object.entries(examples())) {
      assert.equal(readers(text)[0], id, `${id}: ${JSON.stringify(text)} read by ${readers(text).join(', ')}`);
    }
  });

  it('puts 码上放心 before the generic 药品追溯码 for 20 digits starting with 8', () => {
    assert.deepEqual(readers(`8123456${'0'.repeat(9)}1234`), ['msfx-drug-code', 'nmpa-drug-code']);
  });

  it('puts a region-prefixed 20-digit 追溯码 before the generic 药品追溯码', () => {
    assert.deepEqual(readers(`370681${'0'.repeat(11)}998`), ['meat-veg-code', 'nmpa-drug-code']);
  });

  it('puts a 13-digit 经营者编码 before a detonator code that the same digits also spell', () => {
    // 110101 (东城区) + node 533 + operator 0001, which also reads as enterprise 11, year 0, 10-15, feature 3, serial 30001.
    assert.deepEqual(readers(`110101${'533'}${'0001'}`), ['meat-veg-code', 'detonator-code']);
  });

  it('applies the injected clock to the date rules', () => {
    const early = createChineseSchemes({ now: () => new Date('2019-01-01T00:00:00Z') });
    const vet = early.find((s) => s.id === 'vet-drug-code')!;
    const equipment = early.find((s) => s.id === 'special-equipment-code')!;
    assert.equal(vet.parse(examples()['vet-drug-code']!).ok, false);
    assert.equal(equipment.parse(`3110${'33010'}${'2020'}${'00098'}`).ok, false);
  });
});

describe('parse never throws', () => {
  const all: CodeScheme[] = [
    ...schemes,
    defineTraceabilityCodeScheme({
      segments: [
        { name: 'subject', length: 18, charset: 'upper-alphanumeric' },
        { name: 'serial', length: { min: 1, max: 20 }, charset: 'alphanumeric' },
      ],
      check: { length: 2, compute: (body) => body.slice(0, 2) },
    }),
  ];

  function assertWellFormed(scheme: CodeScheme, text: string): void {
    let result: SchemeResult;
    try {
      result = scheme.parse(text);
    } catch (error) {
      assert.fail(`${scheme.id} threw on ${JSON.stringify(text.slice(0, 80))} (${text.length} chars): ${String(error)}`);
    }
    if (result.ok) {
      assert.equal(typeof result.value.canonical, 'string');
      assert.equal(result.value.scheme, scheme.id);
      for (const value of Object.values(result.value.fields)) assert.equal(typeof value, 'string');
    } else {
      assert.ok(typeof result.reason === 'string' && result.reason.length > 0, `${scheme.id}: empty reason`);
      assert.equal(typeof result.near, 'boolean');
    }
  }

  const random = seededRandom(20250615);
  const int = (n: number) => Math.floor(random() * n);
  const ALPHABETS = [
    '0123456789',
    '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
    '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~ ',
    '\u0000\u0001\u0007\t\n\r\u000b\u001b\u007f\u0085\u00a0\u200b\u200d\u2028\ufeff',
    '\ud800\udbff\udc00\udfff', // lone surrogate halves
    '追溯码药品农药种子兽药特种设备雷管肉菜北京东城区',
    '😀𠀀🇨🇳',
  ];
  const randomChar = () => {
    const alphabet = ALPHABETS[int(ALPHABETS.length)]!;
    const chars = Array.from(alphabet);
    return chars[int(chars.length)]!;
  };
  const randomText = (length: number) => Array.from({ length }, randomChar).join('');

  function mutate(text: string): string {
    const chars = Array.from(text);
    const edits = 1 + int(3);
    for (let i = 0; i < edits; i++) {
      const at = int(chars.length + 1);
      switch (int(4)) {
        case 0:
          chars.splice(at, 0, randomChar());
          break;
        case 1:
          chars.splice(at, 1);
          break;
        case 2:
          chars[Math.min(at, chars.length - 1)] = randomChar();
          break;
        default:
          chars.splice(at, 0, ...Array.from(text).slice(0, int(6)));
      }
    }
    return chars.join('');
  }

  it('on random texts of every alphabet', () => {
    for (let i = 0; i < 3000; i++) {
      const text = randomText(int(40));
      for (const scheme of all) assertWellFormed(scheme, text);
    }
  });

  it('on mutations of valid codes', () => {
    const valid = Object.values(examples());
    for (let i = 0; i < 4000; i++) {
      const text = mutate(valid[int(valid.length)]!);
      for (const scheme of all) assertWellFormed(scheme, text);
    }
  });

  it('on 100,000-character texts', () => {
    const long = [
      '8'.repeat(100_000),
      '追'.repeat(100_000),
      `88.1/${'x'.repeat(100_000)}`,
      `https://trace.example.cn/${'1'.repeat(100_000)}`,
      `Ecode:1${'0'.repeat(100_000)}`,
      `${'a\n'.repeat(50_000)}`,
      '\ud800'.repeat(100_000),
      randomText(100_000),
    ];
    for (const text of long) for (const scheme of all) assertWellFormed(scheme, text);
  });

  it('with a clock that misbehaves', () => {
    const broken = createChineseSchemes({ now: () => new Date(Number.NaN) });
    const throwing = createChineseSchemes({
      now: () => {
        throw new Error('no clock');
      },
    });
    for (const scheme of [...broken, ...throwing]) {
      for (const text of Object.values(examples())) assertWellFormed(scheme, text);
    }
  });
});
