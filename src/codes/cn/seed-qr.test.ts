import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertRefuses } from '../../../test/support/assertions.js';
import { seedQrScheme } from './seed-qr.js';

interface Label {
  variety: string;
  producer: string;
  unitCode: string;
  url: string;
}

const LABEL: Label = { variety: '郑单958', producer: '河南某种业有限公司', unitCode: 'A2024000123', url: 'https://zz.example.cn/t' };

/** The QR payload of a label: its four lines joined with `separator`. */
const payload = (label: Partial<Label> = {}, separator = '\n') => {
  const l = { ...LABEL, ...label };
  return [l.variety, l.producer, l.unitCode, l.url].join(separator);
};

const rejects = (text: string, reason: RegExp, near?: boolean) => assertRefuses(seedQrScheme, text, reason, near);

describe('种子标签二维码 (seed-qr)', () => {
  it('reads the four lines with LF or CRLF', () => {
    for (const separator of ['\n', '\r\n']) {
      const result = seedQrScheme.parse(payload({}, separator));
      assert.ok(result.ok, result.ok ? '' : result.reason);
      assert.equal(result.value.canonical, LABEL.unitCode);
      assert.equal(result.value.target, 'item');
      assert.deepEqual(result.value.fields, {
        varietyName: LABEL.variety,
        producerName: LABEL.producer,
        unitCode: LABEL.unitCode,
        url: LABEL.url,
      });
    }
  });

  it('accepts a unit code of digits only, of 20 characters and an http URL', () => {
    assert.ok(seedQrScheme.parse(payload({ unitCode: '1'.repeat(20) })).ok);
    assert.ok(seedQrScheme.parse(payload({ unitCode: '7' })).ok);
    assert.ok(seedQrScheme.parse(payload({ url: 'http://seed.example.com/q?id=1' })).ok);
  });

  it('names the missing, extra or empty line', () => {
    rejects([LABEL.variety, LABEL.producer, LABEL.unitCode].join('\n'), /got 3 lines; line 4 \(追溯网址\) is missing/);
    rejects([LABEL.variety, LABEL.unitCode, LABEL.url].join('\n'), /got 3 lines ending with the 追溯网址; one of 品种名称, 生产经营者名称, 单元识别代码 is missing/);
    rejects(`${payload()}\n备注`, /got 5 lines; line 5 onward is extra/);
    rejects(payload({ producer: '' }), /line 2 \(生产经营者名称\) is empty/);
    rejects(payload({ variety: '   ' }), /line 1 \(品种名称\) is empty/);
  });

  it('checks the unit code: length, characters, a digit', () => {
    rejects(payload({ unitCode: '1'.repeat(21) }), /line 3 \(单元识别代码\) has 21 characters; at most 20 are allowed/);
    rejects(payload({ unitCode: 'AB-123' }), /line 3 \(单元识别代码\): position 3 is '-'; only digits and Latin letters are allowed/);
    rejects(payload({ unitCode: 'ABCDEF' }), /line 3 \(单元识别代码\) 'ABCDEF' has no digit/);
  });

  it('checks the URL and the order of the lines', () => {
    rejects(payload({ url: 'ftp://seed.example.cn/x' }), /line 4 \(追溯网址\) 'ftp:\/\/seed.example.cn\/x' is not an http or https URL/);
    rejects(payload({ url: 'www.example.cn' }), /line 4 \(追溯网址\) .* is not an http or https URL/);
    rejects([LABEL.url, LABEL.producer, LABEL.unitCode, LABEL.url].join('\n'), /line 1 \(品种名称\) is a URL/);
  });

  it('reports control characters and a lone CR inside a line', () => {
    rejects(payload({ producer: 'ab\u0007c' }), /line 2 \(生产经营者名称\) contains U\+0007 at position 3/);
    rejects(payload({}, '\r'), /seed label payload is four lines/, false);
  });

  it('leaves single-line and other multi-line texts to other schemes', () => {
    rejects(LABEL.unitCode, /four lines/, false);
    rejects('https://trace.example.cn/\n12345678901234567890123456789012', /four lines/, false);
  });
});
