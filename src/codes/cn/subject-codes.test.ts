import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertRefuses } from '../../../test/support/assertions.js';
import { formatUscc } from '../uscc.js';
import { regionCodeScheme, usccScheme } from './subject-codes.js';

describe('统一社会信用代码 (uscc)', () => {
  const code = formatUscc('91', '330212', 'MA2AB3C4');

  it('reads a company code as a subject, upper-casing it', () => {
    const result = usccScheme.parse(code.toLowerCase());
    assert.ok(result.ok, result.ok ? '' : result.reason);
    assert.equal(result.value.canonical, code);
    assert.equal(result.value.target, 'subject');
    assert.deepEqual(result.value.fields, {
      registrationAuthority: '9',
      organisationType: '1',
      regionCode: '330212',
      organisationCode: code.slice(8, 17),
      registrationAuthorityName: '工商',
      organisationTypeName: '企业',
    });
  });

  it('rejects a wrong check character, authority or length with the rule from uscc.ts', () => {
    const wrong = code[17] === '0' ? '1' : '0';
    assertRefuses(usccScheme, code.slice(0, 17) + wrong, /check character should be/);
    assertRefuses(usccScheme, `Z${code.slice(1)}`, /invalid character 'Z' at position 1/);
    assertRefuses(usccScheme, `H${code.slice(1)}`, /unknown registration authority code 'H'/);
    assertRefuses(usccScheme, code.slice(0, 17), /must be 18 characters, got 17/, false);
  });
});

describe('行政区划代码 (region-code)', () => {
  it('reads province, prefecture and county codes with their path', () => {
    const county = regionCodeScheme.parse('110101');
    assert.ok(county.ok);
    assert.equal(county.value.target, 'region');
    assert.deepEqual(county.value.fields, { name: '东城区', level: 'county', path: '北京市 / 市辖区 / 东城区' });
    const province = regionCodeScheme.parse('330000');
    assert.ok(province.ok && province.value.fields.level === 'province');
    const prefecture = regionCodeScheme.parse('330200');
    assert.ok(prefecture.ok && prefecture.value.fields.level === 'prefecture');
  });

  it('rejects six digits that are not in the table, and other shapes', () => {
    assertRefuses(regionCodeScheme, '110103', /110103 is not in the GB\/T 2260 table/);
    assertRefuses(regionCodeScheme, '11010', /6 digits/, false);
    assertRefuses(regionCodeScheme, '11010a', /6 digits/, false);
  });
});
