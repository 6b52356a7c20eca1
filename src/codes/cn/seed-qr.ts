/**
 * The QR code on a seed label, under 农业部办公厅《农作物种子标签二维码编码规则》 (2016): one code per smallest sales
 * unit, never reused, whose content is exactly four lines in this order:
 *
 *   1  品种名称
 *   2  生产经营者名称 (or the importer's name)
 *   3  单元识别代码: chosen by the enterprise, digits or digits with letters, at most 20 characters
 *   4  追溯网址: the enterprise's traceability URL
 *
 * Nothing may be missing or added. Line breaks may be CRLF or LF. Names are not checked against the licence data (that
 * needs the 种子 licence register); only their presence is.
 */
import { notThisScheme, nearMiss, type CodeScheme, type SchemeResult } from '../scheme.js';
import { codePoints, describeChar, firstBadChar, positions, readingOf } from './common.js';

const LINE_NAMES = ['品种名称', '生产经营者名称', '单元识别代码', '追溯网址'] as const;
const MAX_UNIT_CODE = 20;
/** More lines than this and no closing URL: not a label that lost or gained a line. */
const MAX_LINES = 8;
/** More than a QR code can hold; nothing longer is a label payload. */
const MAX_PAYLOAD = 8_000;

const SHAPE = `a seed label payload is four lines: ${LINE_NAMES.join(' / ')}`;

function isHttpUrl(text: string): boolean {
  if (!/^https?:\/\//i.test(text)) return false;
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

const line = (index: number) => `line ${index + 1} (${LINE_NAMES[index] ?? 'extra'})`;

const isUnitCodeChar = (c: string) => (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');

export const seedQrScheme: CodeScheme = {
  id: 'seed-qr',
  name: '种子标签二维码',
  layout: `four lines: ${LINE_NAMES.join(' / ')} (≤ ${MAX_UNIT_CODE} digits or digits and letters) / http(s) URL`,
  parse(text: string): SchemeResult {
    if (text.length > MAX_PAYLOAD) return notThisScheme(`a seed label payload fits in a QR code; the text has ${text.length} characters`);
    // Only CRLF and LF separate lines; a lone CR stays inside its line and is reported as a control character.
    const lines = text.split(/\r\n|\n/).map((l) => l.trim());
    const last = lines[lines.length - 1] ?? '';
    if (lines.length < 2) return notThisScheme(SHAPE);
    // Recognisable by a handful of lines or by the URL that closes it; two lines without it are another payload (the
    // pesticide label's URL and code), and a long text is a document, not a label.
    if (!isHttpUrl(last) && (lines.length < 3 || lines.length > MAX_LINES)) return notThisScheme(SHAPE);

    if (lines.length < 4) {
      return nearMiss(
        isHttpUrl(last)
          ? `got ${lines.length} lines ending with the 追溯网址; one of ${LINE_NAMES.slice(0, 3).join(', ')} is missing (${SHAPE})`
          : `got ${lines.length} lines; ${line(lines.length)} is missing (${SHAPE})`,
      );
    }
    if (lines.length > 4) return nearMiss(`got ${lines.length} lines; line 5 onward is extra (${SHAPE})`);

    for (let i = 0; i < 4; i++) {
      const content = lines[i]!;
      if (content === '') return nearMiss(`${line(i)} is empty`);
      const bad = firstBadChar(codePoints(content), (c) => !/^[\p{Cc}\p{Cs}]$/u.test(c));
      if (bad) return nearMiss(`${line(i)} contains ${describeChar(bad.char)} at ${positions(bad.position)}`);
    }
    const [variety, producer, unitCode, url] = lines as [string, string, string, string];

    if (isHttpUrl(variety)) return nearMiss(`${line(0)} is a URL; the 追溯网址 belongs on line 4`);
    const unitChars = codePoints(unitCode);
    if (unitChars.length > MAX_UNIT_CODE) {
      return nearMiss(`${line(2)} has ${unitChars.length} characters; at most ${MAX_UNIT_CODE} are allowed`);
    }
    const bad = firstBadChar(unitChars, isUnitCodeChar);
    if (bad) return nearMiss(`${line(2)}: ${positions(bad.position)} is ${describeChar(bad.char)}; only digits and Latin letters are allowed`);
    if (!/[0-9]/.test(unitCode)) return nearMiss(`${line(2)} '${unitCode}' has no digit; the code is digits, or digits with letters`);
    if (!isHttpUrl(url)) return nearMiss(`${line(3)} '${url.length > 80 ? `${url.slice(0, 80)}…` : url}' is not an http or https URL`);

    return readingOf(seedQrScheme, {
      // The unit is identified by its code; the names and URL describe it and may be reprinted differently.
      canonical: unitCode,
      target: 'item',
      fields: { varietyName: variety, producerName: producer, unitCode, url },
      notes: ['the 单元识别代码 is chosen by the producer, so it identifies the unit only together with the producer'],
    });
  },
};
