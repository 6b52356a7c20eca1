import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { isRegionCode, isRegionPrefix, regionName, regionPath, regionWithin } from './region.js';

// Read independently of region.ts so the checks below test the module against the shipped data, not against itself.
const TABLE = JSON.parse(
  readFileSync(new URL('../../data/regions/regions.json', import.meta.url), 'utf8'),
) as Record<string, string>;
const CODES = Object.keys(TABLE);

describe('vendored region table', () => {
  it('covers province, prefecture and county level and nothing finer', () => {
    assert.ok(CODES.length > 3000 && CODES.length < 4000, `${CODES.length} entries`);
    for (const code of CODES) assert.match(code, /^\d{6}$/);
    const provinces = CODES.filter((code) => code.endsWith('0000'));
    // 31 mainland province-level divisions plus 台湾, 香港 and 澳门.
    assert.equal(provinces.length, 34);
  });

  it('hangs every entry under a province that is in the table', () => {
    for (const code of CODES) assert.ok(TABLE[`${code.slice(0, 2)}0000`], `${code} ${TABLE[code]}`);
  });
});

describe('isRegionCode', () => {
  it('accepts codes of all three levels', () => {
    assert.equal(isRegionCode('110000'), true);
    assert.equal(isRegionCode('110100'), true);
    assert.equal(isRegionCode('110101'), true);
    assert.equal(isRegionCode('810000'), true);
  });

  it('accepts every code in the table', () => {
    for (const code of CODES) assert.equal(isRegionCode(code), true, code);
  });

  it('rejects abolished, unassigned and malformed codes', () => {
    assert.equal(isRegionCode('110103'), false); // 崇文区, merged into 东城区 in 2010
    assert.equal(isRegionCode('990000'), false);
    assert.equal(isRegionCode('11010'), false);
    assert.equal(isRegionCode('1101011'), false);
    assert.equal(isRegionCode(' 110101'), false);
    assert.equal(isRegionCode('11010a'), false);
    assert.equal(isRegionCode(''), false);
    assert.equal(isRegionCode(undefined as unknown as string), false);
  });
});

describe('regionName', () => {
  it('names codes of each level', () => {
    assert.equal(regionName('110000'), '北京市');
    assert.equal(regionName('440300'), '深圳市');
    assert.equal(regionName('110101'), '东城区');
    assert.equal(regionName('350102'), '鼓楼区');
  });

  it('returns undefined for unknown or malformed codes', () => {
    assert.equal(regionName('110103'), undefined);
    assert.equal(regionName('11'), undefined);
    assert.equal(regionName('constructor'), undefined);
  });
});

describe('regionPath', () => {
  it('walks province → prefecture → county', () => {
    assert.deepEqual(regionPath('350102'), [
      { code: '350000', name: '福建省' },
      { code: '350100', name: '福州市' },
      { code: '350102', name: '鼓楼区' },
    ]);
  });

  it('keeps the 直辖市 grouping level as the table names it', () => {
    assert.deepEqual(regionPath('110101'), [
      { code: '110000', name: '北京市' },
      { code: '110100', name: '市辖区' },
      { code: '110101', name: '东城区' },
    ]);
    assert.deepEqual(regionPath('500229').map((entry) => entry.name), ['重庆市', '县', '城口县']);
  });

  it('goes through the pseudo-prefecture of province-administered county-level cities', () => {
    assert.deepEqual(regionPath('429004').map((entry) => entry.code), ['420000', '429000', '429004']);
  });

  it('lists a prefecture-level city without counties once', () => {
    assert.deepEqual(regionPath('441900'), [
      { code: '440000', name: '广东省' },
      { code: '441900', name: '东莞市' },
    ]);
  });

  it('stops at the level of the code itself', () => {
    assert.deepEqual(regionPath('440000'), [{ code: '440000', name: '广东省' }]);
    assert.deepEqual(regionPath('440300'), [
      { code: '440000', name: '广东省' },
      { code: '440300', name: '深圳市' },
    ]);
    assert.deepEqual(regionPath('810000'), [{ code: '810000', name: '香港特别行政区' }]);
  });

  it('starts every path at the province and ends it at the code itself', () => {
    for (const code of CODES) {
      const path = regionPath(code);
      assert.equal(path.at(-1)?.code, code);
      assert.equal(path[0]?.code, `${code.slice(0, 2)}0000`);
    }
  });

  it('is empty for codes not in the table', () => {
    assert.deepEqual(regionPath('110103'), []);
    assert.deepEqual(regionPath('1101'), []);
    assert.deepEqual(regionPath(''), []);
  });
});

describe('isRegionPrefix', () => {
  it('accepts the nationwide scope and existing province, prefecture and county scopes', () => {
    for (const prefix of ['', '11', '44', '81', '1101', '4403', '4419', '4290', '110101', '429004', '500229']) {
      assert.equal(isRegionPrefix(prefix), true, JSON.stringify(prefix));
    }
  });

  it('rejects scopes that do not exist', () => {
    for (const prefix of ['99', '20', '9999', '4499', '440399', '110103']) {
      assert.equal(isRegionPrefix(prefix), false, prefix);
    }
  });

  it('rejects long forms of province and prefecture scopes, which would match only the code itself', () => {
    for (const prefix of ['1100', '110000', '440300', '441900']) {
      assert.equal(isRegionPrefix(prefix), false, prefix);
    }
  });

  it('rejects other lengths and non-digits', () => {
    for (const prefix of ['1', '110', '11010', '1101011', 'ab', '11a1', ' 11', '１１']) {
      assert.equal(isRegionPrefix(prefix), false, JSON.stringify(prefix));
    }
    assert.equal(isRegionPrefix(null as unknown as string), false);
  });
});

describe('regionWithin', () => {
  it('is a plain string-prefix test on the 2-, 4- or 6-digit scope', () => {
    assert.equal(regionWithin('110101', ''), true);
    assert.equal(regionWithin('110101', '11'), true);
    assert.equal(regionWithin('110101', '1101'), true);
    assert.equal(regionWithin('110101', '110101'), true);
    assert.equal(regionWithin('110101', '12'), false);
    assert.equal(regionWithin('110101', '1102'), false);
    assert.equal(regionWithin('110102', '110101'), false);
  });

  it('treats a 直辖市 grouping as its own scope, not the whole municipality', () => {
    assert.equal(regionWithin('500229', '5001'), false);
    assert.equal(regionWithin('500229', '5002'), true);
    assert.equal(regionWithin('500229', '50'), true);
  });

  it('does not require the code to be in the current table', () => {
    assert.equal(isRegionCode('110103'), false);
    assert.equal(regionWithin('110103', '11'), true);
    assert.equal(regionWithin('110103', '1101'), true);
  });

  it('grants nothing for a malformed code or scope', () => {
    assert.equal(regionWithin('11010', ''), false);
    assert.equal(regionWithin('1101011', '11'), false);
    assert.equal(regionWithin('11010a', '11'), false);
    assert.equal(regionWithin('110101', '1'), false);
    assert.equal(regionWithin('110101', '110'), false);
    assert.equal(regionWithin('110101', '11010'), false);
    assert.equal(regionWithin('110101', '1101011'), false);
    assert.equal(regionWithin('110101', undefined as unknown as string), false);
  });
});
