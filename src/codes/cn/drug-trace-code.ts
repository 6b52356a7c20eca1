/**
 * Drug codes of the NMPA traceability system (国家药监局《药品追溯码编码要求》) and the legacy national drug code.
 *
 * - 药品追溯码, option (a) of the NMPA coding requirement: 20 characters from the GB/T 1988-1998 table 2 set, the first
 *   7 being the 药品标识码 (holder/manufacturer, product, dosage form, strength, pack size and level). The rest is the
 *   生产标识码, which must contain the unit serial number and may contain batch and dates, and the code must contain a
 *   check character; neither the position of that character nor its algorithm is published, so it is not verified.
 *   Option (b), a code built on ISO/GS1 standards (a GTIN with a serial number in a DataMatrix), is read by the GS1
 *   schemes, not here.
 * - 码上放心 (the EDMC/AliHealth code most packs carry): 20 digits starting with 8 = product (7) + serial (9) + check (4).
 *   The check algorithm is not published either.
 * - 药品本位码 (国家药品编码本位码): 14 digits = 86 (country) + 9 (drugs) + company (5) + product (5) + check digit. It
 *   names a drug product, not a pack.
 */
import { CSET82 } from '../gs1/application-identifiers.js';
import { gs1CheckDigit } from '../gs1/check-digit.js';
import { nearMiss, notThisScheme, type CodeScheme, type SchemeResult } from '../scheme.js';
import { ALL_DIGITS, codePoints, describeChar, firstBadChar, positions, readingOf, tooLong } from './common.js';

const NMPA_LENGTH = 20;

/**
 * GB/T 1988-1998 (ISO/IEC 646) table 2 taken as the 82 invariant characters that GS1 also uses for application
 * identifier data: digits, both cases of the Latin letters and ! " % & ' ( ) * + , - . / : ; < = > ? _. If the NMPA
 * text means the whole reference version instead, # $ @ [ \ ] ^ ` { | } ~ would be wrongly refused here.
 */
const TABLE_2 = new Set(CSET82);
const TABLE_2_WORDS = 'digits, Latin letters and ! " % & \' ( ) * + , - . / : ; < = > ? _';

export const nmpaDrugCodeScheme: CodeScheme = {
  id: 'nmpa-drug-code',
  name: '药品追溯码',
  layout: '20 characters (GB/T 1988 table 2): 药品标识码 (7) + 生产标识码 with serial and check character (13)',
  parse(text: string): SchemeResult {
    if (tooLong(text, NMPA_LENGTH)) return notThisScheme(`a 药品追溯码 is ${NMPA_LENGTH} characters; the text is far longer`);
    const chars = codePoints(text);
    const bad = firstBadChar(chars, (c) => TABLE_2.has(c));
    if (chars.length === NMPA_LENGTH) {
      if (bad) {
        return nearMiss(`${positions(bad.position)} is ${describeChar(bad.char)}; a 药品追溯码 uses only ${TABLE_2_WORDS} (GB/T 1988-1998 table 2)`);
      }
      return readingOf(nmpaDrugCodeScheme, {
        canonical: text,
        target: 'item',
        fields: { drugIdentificationCode: text.slice(0, 7), productionIdentificationCode: text.slice(7) },
        notes: [
          'check character not verified: the NMPA coding requirement publishes neither its position nor its algorithm',
          'positions 8–20 are the 生产标识码 (serial number, possibly batch and dates) in the issuer\'s own layout, not split further',
        ],
      });
    }
    if (ALL_DIGITS.test(text) && Math.abs(chars.length - NMPA_LENGTH) === 1) {
      return nearMiss(`a 药品追溯码 is ${NMPA_LENGTH} characters; got ${chars.length} digits`);
    }
    return notThisScheme(`a 药品追溯码 is ${NMPA_LENGTH} characters of ${TABLE_2_WORDS}; got ${chars.length} characters`);
  },
};

const MSFX_LENGTH = 20;

export const msfxDrugCodeScheme: CodeScheme = {
  id: 'msfx-drug-code',
  name: '码上放心追溯码',
  layout: '20 digits starting with 8: product (7) + serial (9) + check (4)',
  parse(text: string): SchemeResult {
    if (tooLong(text, MSFX_LENGTH)) return notThisScheme(`a 码上放心 code is ${MSFX_LENGTH} digits; the text is far longer`);
    const chars = codePoints(text);
    if (ALL_DIGITS.test(text)) {
      if (chars.length === MSFX_LENGTH) {
        if (text[0] !== '8') return nearMiss(`position 1 is '${text[0]}'; a 码上放心 code starts with 8`);
        return readingOf(msfxDrugCodeScheme, {
          canonical: text,
          target: 'item',
          fields: { productCode: text.slice(0, 7), serial: text.slice(7, 16), checkCode: text.slice(16) },
          notes: ['check code (positions 17–20) not verified: its algorithm is not published'],
        });
      }
      if (text[0] === '8' && Math.abs(chars.length - MSFX_LENGTH) === 1) {
        return nearMiss(`a 码上放心 code is ${MSFX_LENGTH} digits; got ${chars.length}`);
      }
      return notThisScheme(`a 码上放心 code is ${MSFX_LENGTH} digits starting with 8; got ${chars.length} digits`);
    }
    if (chars.length === MSFX_LENGTH && text[0] === '8') {
      const bad = firstBadChar(chars, (c) => c >= '0' && c <= '9')!;
      return nearMiss(`${positions(bad.position)} is ${describeChar(bad.char)}; a 码上放心 code has digits only`);
    }
    return notThisScheme(`a 码上放心 code is ${MSFX_LENGTH} digits starting with 8`);
  },
};

const STANDARD_LENGTH = 14;

/**
 * The check digit of a 药品本位码 for its first 13 digits. The coding rule says the check digit is computed "as GB 18937
 * prescribes"; that is the weight-3-and-1 modulo-10 digit GS1 keys use, which every published 本位码 we could compare
 * satisfies (and the alternative ISO 7064 MOD 11,10 does not).
 * @throws TypeError unless `first13` is 13 digits.
 */
export function drugStandardCodeCheckDigit(first13: string): string {
  if (first13.length !== STANDARD_LENGTH - 1 || !ALL_DIGITS.test(first13)) {
    throw new TypeError(`a 药品本位码 check digit needs 13 digits, got ${JSON.stringify(first13)}`);
  }
  return gs1CheckDigit(first13);
}

export const drugStandardCodeScheme: CodeScheme = {
  id: 'drug-standard-code',
  name: '药品本位码',
  layout: '14 digits: 86 + 9 + company (5) + product (5) + check digit',
  parse(text: string): SchemeResult {
    if (tooLong(text, STANDARD_LENGTH)) return notThisScheme(`a 药品本位码 is ${STANDARD_LENGTH} digits; the text is far longer`);
    const chars = codePoints(text);
    if (!text.startsWith('86')) return notThisScheme(`a 药品本位码 is ${STANDARD_LENGTH} digits starting with 86`);
    if (chars.length !== STANDARD_LENGTH) {
      if (ALL_DIGITS.test(text) && text.startsWith('869') && Math.abs(chars.length - STANDARD_LENGTH) === 1) {
        return nearMiss(`a 药品本位码 is ${STANDARD_LENGTH} digits; got ${chars.length}`);
      }
      return notThisScheme(`a 药品本位码 is ${STANDARD_LENGTH} digits starting with 869; got ${chars.length} characters`);
    }
    const bad = firstBadChar(chars, (c) => c >= '0' && c <= '9');
    if (bad) return nearMiss(`${positions(bad.position)} is ${describeChar(bad.char)}; a 药品本位码 has digits only`);
    if (text[2] !== '9') return nearMiss(`position 3 (类别码) is '${text[2]}'; it must be 9 (药品)`);
    const expected = drugStandardCodeCheckDigit(text.slice(0, 13));
    if (text[13] !== expected) return nearMiss(`check digit (position 14) should be '${expected}', got '${text[13]}'`);
    return readingOf(drugStandardCodeScheme, {
      canonical: text,
      target: 'class',
      fields: {
        countryCode: '86',
        categoryCode: '9',
        companyCode: text.slice(3, 8),
        productCode: text.slice(8, 13),
        checkDigit: text[13]!,
      },
      notes: ['the same 14 digits are also a well-formed GTIN-14 (indicator 8 on a GS1 China 69… number); read as a 药品本位码 they name a drug product'],
    });
  },
};
