import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertRefuses } from '../../../test/support/assertions.js';
import { pesticideQrScheme, pesticideUnitCodeScheme } from './pesticide-code.js';

/** A unit code from its parts; the random part is padded to 21 digits. */
function unitCode(parts: { category?: string; registration?: string; production?: string; spec?: string; random?: string } = {}): string {
  const code =
    (parts.category ?? '1') +
    (parts.registration ?? '080001') +
    (parts.production ?? '2') +
    (parts.spec ?? '015') +
    (parts.random ?? '7').padStart(21, '0');
  return code;
}

describe('农药单元识别代码 (pesticide-unit-code)', () => {
  it('reads every part of the 32 digits', () => {
    const code = unitCode();
    assert.equal(code.length, 32);
    const result = pesticideUnitCodeScheme.parse(code);
    assert.ok(result.ok);
    assert.equal(result.value.canonical, code);
    assert.equal(result.value.target, 'item');
    assert.deepEqual(result.value.fields, {
      registrationCategory: '1',
      registrationCategoryName: 'PD',
      registrationNumberDigits: '080001',
      productionType: '2',
      productionTypeName: '委托加工',
      specificationCode: '015',
      random: '000000000000000000007',
    });
  });

  it('accepts each registration category and production type', () => {
    for (const category of ['1', '2', '3']) {
      for (const production of ['1', '2', '3']) assert.ok(pesticideUnitCodeScheme.parse(unitCode({ category, production })).ok);
    }
    const result = pesticideUnitCodeScheme.parse(unitCode({ category: '3' }));
    assert.ok(result.ok && result.value.fields.registrationCategoryName === '临时登记');
  });

  it('rejects values outside the enumerations, naming the position', () => {
    assertRefuses(pesticideUnitCodeScheme, unitCode({ production: '4' }), /position 8 \(生产类型\) is 4; it must be 1, 2 or 3/);
    assertRefuses(pesticideUnitCodeScheme, unitCode({ production: '0' }), /position 8 \(生产类型\) is 0/);
    assertRefuses(pesticideUnitCodeScheme, unitCode({ category: '0' }), /position 1 \(登记类别\) is 0; it must be 1 \(PD\), 2 \(WP\) or 3 \(临时登记\)/);
    assertRefuses(pesticideUnitCodeScheme, unitCode({ category: '9' }), /position 1 \(登记类别\) is 9/);
  });

  it('rejects wrong lengths and characters', () => {
    assertRefuses(pesticideUnitCodeScheme, unitCode().slice(0, 31), /32 digits; got 31 digits/);
    assertRefuses(pesticideUnitCodeScheme, `${unitCode()}1`, /32 digits; got 33 digits/);
    assertRefuses(pesticideUnitCodeScheme, unitCode().slice(0, 20), /32 digits; got 20 digits/, false);
    assertRefuses(pesticideUnitCodeScheme, unitCode({ registration: '08O001' }), /position 4 is 'O'; a 单元识别代码 has digits only/);
  });
});

describe('农药标签二维码 (pesticide-qr)', () => {
  const code = unitCode({ category: '2', production: '3' });

  it('reads the code as the last path segment of the 追溯网址', () => {
    const url = `https://trace.example.cn/p/${code}`;
    const result = pesticideQrScheme.parse(url);
    assert.ok(result.ok, result.ok ? '' : result.reason);
    assert.equal(result.value.canonical, code);
    assert.equal(result.value.fields.unitCode, code);
    assert.equal(result.value.fields.url, url);
    assert.equal(result.value.fields.codeLocation, 'path');
    assert.equal(result.value.fields.registrationCategoryName, 'WP');
  });

  it('reads the code as a query value, after other parameters', () => {
    const url = `http://nyzs.example.com/q?src=label&code=${code}`;
    const result = pesticideQrScheme.parse(url);
    assert.ok(result.ok);
    assert.equal(result.value.fields.unitCode, code);
    assert.equal(result.value.fields.codeLocation, 'query');
  });

  it('reads URL and code on two lines, LF or CRLF', () => {
    for (const separator of ['\n', '\r\n']) {
      const result = pesticideQrScheme.parse(`https://trace.example.cn/${separator}${code}`);
      assert.ok(result.ok);
      assert.equal(result.value.fields.url, 'https://trace.example.cn/');
      assert.equal(result.value.fields.codeLocation, 'line');
    }
  });

  it('reports what is wrong with the code it carries', () => {
    assertRefuses(pesticideQrScheme, `https://trace.example.cn/p/${unitCode({ production: '7' })}`, /last path segment: position 8 \(生产类型\) is 7/);
    assertRefuses(pesticideQrScheme, `https://trace.example.cn/q?c=${code.slice(0, 31)}`, /query: a 农药单元识别代码 is 32 digits; got 31/);
    assertRefuses(pesticideQrScheme, `https://trace.example.cn/\n${code.slice(0, 30)}x`, /line 2 \(单元识别代码\): .*32 digits; got 31 characters/);
    assertRefuses(pesticideQrScheme, `https://trace.example.cn/\n${code}\nextra`, /two lines.*got 3/);
  });

  it('leaves URLs without a unit code and non-URLs to other schemes', () => {
    assertRefuses(pesticideQrScheme, 'https://trace.example.cn/about', /carries no 32-digit 单元识别代码/, false);
    assertRefuses(pesticideQrScheme, 'https://id.gs1.org/01/09506000134352/21/12345678901234567890123456', /carries no 32-digit/, false);
    assertRefuses(pesticideQrScheme, code, /http\(s\) 追溯网址/, false);
    assertRefuses(pesticideQrScheme, `ftp://trace.example.cn/${code}`, /http\(s\) 追溯网址/, false);
  });
});
