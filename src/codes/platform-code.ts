/**
 * The platform's own 追溯码, minted for products that carry no GS1 key (or whose owner has no GS1 company prefix).
 *
 *   RRRRRR NNNNNNNNNNNN C      19 characters
 *   │      │            └ check character, ISO 7064 MOD 37,36 over the 18 before it
 *   │      └ 12 random characters, Crockford base 32 (no I, L, O, U): 60 bits from a CSPRNG
 *   └ GB/T 2260 region of the issuing subject
 *
 * Why this layout: GB/T 44583-2024 (重要产品追溯 追溯码编码规范) is not at hand, so the platform cannot claim to follow
 * it; this layout borrows what the sector schemes agree on (a region prefix, a random part that cannot be guessed,
 * a check character a scanner can verify offline) and has a length no other supported scheme has, so a bare code is
 * never mistaken for another scheme. Its public form is a URL on the platform (`{public URL}/c/{code}`), and inside
 * EPCIS events `urn:zhuisu:platform-code:{code}` (code-uri.ts).
 */
import { randomBytes } from 'node:crypto';
import { parseCodeUri } from './code-uri.js';
import { isRegionCode, regionName } from './region.js';
import { nearMiss, notThisScheme, reading, type CodeScheme, type SchemeResult } from './scheme.js';

export const PLATFORM_CODE_LENGTH = 19;
const RANDOM_LENGTH = 12;
/** Crockford's base 32: digits and upper-case letters without I, L, O and U, which read like 1, 1, 0 and V. */
const RANDOM_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const SHAPE = /^[0-9]{6}[0-9A-HJKMNP-TV-Z]{12}[0-9A-Z]$/;

/** ISO 7064 MOD 37,36 (hybrid system): one alphanumeric check character that catches every single substitution and adjacent transposition. */
export function mod37_36CheckCharacter(body: string): string {
  let product = 36;
  for (const char of body) {
    const value = ALPHANUMERIC.indexOf(char);
    if (value < 0) throw new RangeError(`"${char}" is not an upper-case letter or digit`);
    const sum = (product + value) % 36 || 36;
    product = (sum * 2) % 37;
  }
  return ALPHANUMERIC[(37 - product) % 36]!;
}

/** Mints one code for a subject in `regionCode`; the random part comes from node's CSPRNG unless a test injects bytes. */
export function mintPlatformCode(regionCode: string, random: (size: number) => Buffer = randomBytes): string {
  if (!isRegionCode(regionCode)) throw new RangeError(`${regionCode} is not a GB/T 2260 region code`);
  // 32 symbols: five bits of each byte, so every symbol is equally likely.
  const bytes = random(RANDOM_LENGTH);
  let symbols = '';
  for (const byte of bytes) symbols += RANDOM_ALPHABET[byte & 31];
  const body = regionCode + symbols;
  return body + mod37_36CheckCharacter(body);
}

export const PLATFORM_CODE_SCHEME = 'platform-code';

/** Reads a bare code, its event URI, or a platform page URL ending in `/c/{code}`. */
function parsePlatformCode(text: string): SchemeResult {
  const code = codeIn(text);
  if (code === undefined) return notThisScheme(`a platform 追溯码 is ${PLATFORM_CODE_LENGTH} characters: region(6) + random(12) + check(1)`);
  const upper = code.toUpperCase();
  if (upper.length !== PLATFORM_CODE_LENGTH) {
    return nearMiss(`a platform 追溯码 has ${PLATFORM_CODE_LENGTH} characters; this has ${upper.length}`);
  }
  if (!SHAPE.test(upper)) {
    return nearMiss('a platform 追溯码 is 6 digits, 12 characters of Crockford base 32 (no I, L, O, U) and a letter or digit');
  }
  const region = upper.slice(0, 6);
  if (!isRegionCode(region)) return nearMiss(`characters 1–6 (${region}) are not a GB/T 2260 region code`);
  const expected = mod37_36CheckCharacter(upper.slice(0, 18));
  if (upper[18] !== expected) return nearMiss(`check character is ${upper[18]}; ISO 7064 MOD 37,36 gives ${expected}`);
  return reading({
    scheme: PLATFORM_CODE_SCHEME,
    schemeName: '平台追溯码',
    canonical: upper,
    target: 'item',
    fields: { region, regionName: regionName(region) ?? '', random: upper.slice(6, 18), check: upper[18]! },
  });
}

const PAGE_PATH = /^https?:\/\/[^/?#\s]+(?:\/[^?#\s]*)?\/c\/([0-9A-Za-z]+)\/?(?:[?#].*)?$/;

function codeIn(text: string): string | undefined {
  const uri = parseCodeUri(text);
  if (uri) return uri.scheme === PLATFORM_CODE_SCHEME ? uri.code : undefined;
  const page = PAGE_PATH.exec(text);
  if (page) return page[1];
  // A bare string is only taken as meant for this scheme when its length says so; any other length is another scheme's.
  return /^[0-9]{6}[0-9A-Za-z]{13}$/.test(text) ? text : undefined;
}

export const platformCodeScheme: CodeScheme = {
  id: PLATFORM_CODE_SCHEME,
  name: '平台追溯码',
  layout: `${PLATFORM_CODE_LENGTH} characters: GB/T 2260 region(6) + Crockford base-32 random(12) + ISO 7064 MOD 37,36 check(1)`,
  parse: parsePlatformCode,
};
