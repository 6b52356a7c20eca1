/**
 * The subject and region codes of the national standards, as schemes: 统一社会信用代码 (GB 32100, the 主体码 of every
 * enterprise and organisation) and GB/T 2260 region codes. The rules live in ../uscc.ts and ../region.ts; these
 * wrappers only decide near misses and shape readings.
 */
import { regionName, regionPath } from '../region.js';
import { nearMiss, notThisScheme, type CodeScheme, type SchemeResult } from '../scheme.js';
import { parseUscc } from '../uscc.js';
import { readingOf, tooLong } from './common.js';

export const usccScheme: CodeScheme = {
  id: 'uscc',
  name: '统一社会信用代码',
  layout: '18 characters: authority (1) + type (1) + region (6) + organisation code (9) + check character',
  parse(text: string): SchemeResult {
    if (tooLong(text, 18)) return notThisScheme('a 统一社会信用代码 is 18 characters; the text is far longer');
    const result = parseUscc(text);
    if (!result.ok) {
      // 18 Latin letters and digits is the shape; anything else was never meant as a USCC.
      return /^[0-9A-Za-z]{18}$/.test(text) ? nearMiss(result.reason) : notThisScheme(result.reason);
    }
    const { code, ...parts } = result.value;
    const fields: Record<string, string> = {
      registrationAuthority: parts.registrationAuthority,
      organisationType: parts.organisationType,
      regionCode: parts.regionCode,
      organisationCode: parts.organisationCode,
    };
    if (parts.registrationAuthorityName) fields.registrationAuthorityName = parts.registrationAuthorityName;
    if (parts.organisationTypeName) fields.organisationTypeName = parts.organisationTypeName;
    return readingOf(usccScheme, { canonical: code, target: 'subject', fields });
  },
};

export const regionCodeScheme: CodeScheme = {
  id: 'region-code',
  name: '行政区划代码',
  layout: '6 digits of GB/T 2260: province (2) + prefecture (2) + county (2)',
  parse(text: string): SchemeResult {
    if (!/^[0-9]{6}$/.test(text)) return notThisScheme('a GB/T 2260 region code is 6 digits');
    const name = regionName(text);
    if (name === undefined) {
      return nearMiss(`${text} is not in the GB/T 2260 table (the current table; codes abolished before it are not listed)`);
    }
    const level = text.endsWith('0000') ? 'province' : text.endsWith('00') ? 'prefecture' : 'county';
    return readingOf(regionCodeScheme, {
      canonical: text,
      target: 'region',
      fields: { name, level, path: regionPath(text).map((entry) => entry.name).join(' / ') },
    });
  },
};
