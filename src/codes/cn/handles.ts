/**
 * Identifiers resolved by a national resolution system rather than read offline: 工业互联网标识 (MIIT's Handle-based
 * identifier resolution) and Ecode (GB/T 31866, 物联网标识体系 物品编码). The platform cannot tell what such an
 * identifier names without resolving it, hence the target `handle`.
 */
import { nearMiss, notThisScheme, type CodeScheme, type SchemeResult } from '../scheme.js';
import { codePoints, describeChar, firstBadChar, readingOf } from './common.js';

/**
 * 工业互联网标识: `prefix/suffix`. The prefix is registered in the 国家顶级节点: `88` (every Chinese prefix we have seen
 * starts with it; no official sentence assigning it was found) followed by dot-separated numbers for the industry or
 * region node and the enterprise, e.g. `88.101.1304`. The suffix is the enterprise's own name for the object.
 *
 * Bounds: up to 12 numeric prefix segments of up to 16 digits each, and a suffix of 1 to 512 characters with no
 * whitespace, control, format or unpaired surrogate characters. Handles are case-sensitive, so nothing is re-cased.
 *
 * A handle may also arrive wrapped in a resolver URL, `http(s)://host/88.x.y/suffix`: the Handle System's HTTP proxies
 * take the handle as the whole URL path (hdl.handle.net, doi.org), and a QR code printed that way opens a resolver page
 * on a phone. Such a URL is read only when its path is exactly a handle, with no query or fragment; the host is
 * reported but not trusted, because the handle, not the resolver, names the object.
 */
const MAX_PREFIX_SEGMENTS = 12;
const MAX_SEGMENT_DIGITS = 16;
const MAX_SUFFIX = 512;
/** Longer than any handle these bounds allow, URL-encoded; nothing longer is read. */
const MAX_TEXT = 8_000;

const isSuffixChar = (c: string) => /^[^\p{C}\p{Z}]$/u.test(c);

function checkHandle(handle: string): { ok: true; prefix: string; suffix: string } | { ok: false; reason: string } {
  const slash = handle.indexOf('/');
  const prefix = slash < 0 ? handle : handle.slice(0, slash);
  const segments = prefix.split('.');
  if (segments.length < 2) return { ok: false, reason: `prefix ${prefix} has no segment after 88; a prefix is 88.<node>[.<enterprise>…]` };
  if (segments.length - 1 > MAX_PREFIX_SEGMENTS) {
    return { ok: false, reason: `prefix has ${segments.length - 1} segments after 88; at most ${MAX_PREFIX_SEGMENTS} are accepted` };
  }
  for (let i = 1; i < segments.length; i++) {
    const segment = segments[i]!;
    if (segment === '') return { ok: false, reason: `prefix segment ${i + 1} is empty; segments are separated by single dots` };
    if (!/^[0-9]+$/.test(segment)) return { ok: false, reason: `prefix segment ${i + 1} '${segment.slice(0, 40)}' is not digits; prefix segments are numbers` };
    if (segment.length > MAX_SEGMENT_DIGITS) {
      return { ok: false, reason: `prefix segment ${i + 1} has ${segment.length} digits; at most ${MAX_SEGMENT_DIGITS} are accepted` };
    }
  }
  if (slash < 0) return { ok: false, reason: `${prefix} is a prefix alone; a handle is prefix/suffix` };
  const suffix = handle.slice(slash + 1);
  const chars = codePoints(suffix);
  if (chars.length === 0) return { ok: false, reason: 'the suffix after the / is empty' };
  if (chars.length > MAX_SUFFIX) return { ok: false, reason: `the suffix has ${chars.length} characters; at most ${MAX_SUFFIX} are accepted` };
  const bad = firstBadChar(chars, isSuffixChar);
  if (bad) return { ok: false, reason: `suffix character ${bad.position} is ${describeChar(bad.char)}; a suffix has no spaces, control or invisible characters` };
  return { ok: true, prefix, suffix };
}

const HANDLE_SHAPE = 'an industrial-internet handle is 88.<digits>[.<digits>…]/<suffix>';

export const industrialHandleScheme: CodeScheme = {
  id: 'industrial-handle',
  name: '工业互联网标识',
  layout: '88.<node>[.<enterprise>…]/<suffix>, optionally as the path of an http(s) resolver URL',
  parse(text: string): SchemeResult {
    if (text.length > MAX_TEXT) return notThisScheme(`${HANDLE_SHAPE}; the text has ${text.length} characters`);
    let handle = text;
    let resolver: string | undefined;
    if (/^https?:\/\//i.test(text)) {
      let url: URL;
      try {
        url = new URL(text);
      } catch {
        return notThisScheme(HANDLE_SHAPE);
      }
      if (!url.pathname.startsWith('/88.')) return notThisScheme(HANDLE_SHAPE);
      if (url.search !== '' || url.hash !== '') {
        return nearMiss('a resolver URL carries the handle as its whole path; this one also has a query or fragment, which is not part of a handle');
      }
      try {
        handle = decodeURIComponent(url.pathname.slice(1));
      } catch {
        return nearMiss('the resolver URL path is not valid percent-encoding');
      }
      resolver = url.host;
    } else if (!text.startsWith('88.')) {
      return notThisScheme(HANDLE_SHAPE);
    }
    const check = checkHandle(handle);
    if (!check.ok) return nearMiss(check.reason);
    return readingOf(industrialHandleScheme, {
      canonical: `${check.prefix}/${check.suffix}`,
      target: 'handle',
      fields: resolver ? { prefix: check.prefix, suffix: check.suffix, resolver } : { prefix: check.prefix, suffix: check.suffix },
      ...(resolver ? { notes: [`read from a resolver URL on ${resolver}; the handle, not the URL, identifies the object`] } : {}),
    });
  },
};

/**
 * Ecode (GB/T 31866-2023): version V, coding-system identifier NSI and master code MD, written one after the other.
 * V0 is kept for GS1-compatible codes, which are carried without V and NSI (they are GS1 keys and read as such); V1 to
 * V3 are written with the version digit first.
 *
 * The lengths of NSI and MD per version are not available to us, so a bare digit string cannot be told from any other
 * number starting with 1, 2 or 3. This scheme therefore reads only text the caller has labelled `Ecode:` (a platform
 * convention, not part of the standard) and checks what is defensible without the tables: the version, and a body of
 * Latin letters and digits of bounded length. NSI and MD are returned together.
 */
const ECODE_LABEL = /^ecode:/i;
const ECODE_VERSIONS = new Set(['1', '2', '3']);
const MAX_ECODE_BODY = 100;
const isEcodeChar = (c: string) => (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');

export const ecodeScheme: CodeScheme = {
  id: 'ecode',
  name: 'Ecode',
  layout: "'Ecode:' + version (1–3) + NSI + MD (field lengths per version not applied)",
  parse(text: string): SchemeResult {
    if (!ECODE_LABEL.test(text)) {
      return notThisScheme("an Ecode is read only when labelled 'Ecode:', because without the per-version field lengths a bare number cannot be recognised");
    }
    const body = text.slice(6);
    if (body === '') return nearMiss("nothing follows the 'Ecode:' label");
    if (body.length > MAX_ECODE_BODY * 2) return nearMiss(`the Ecode has more than ${MAX_ECODE_BODY} characters`);
    const chars = codePoints(body);
    const version = chars[0]!;
    if (version === '0') return nearMiss('Ecode V0 is the GS1-compatible form, carried without V and NSI: read the code as a GS1 key');
    if (!ECODE_VERSIONS.has(version)) {
      return nearMiss(`the version (first character) is ${describeChar(version)}; GB/T 31866-2023 writes V1, V2 and V3 with their digit first`);
    }
    if (chars.length < 2) return nearMiss('the Ecode has a version but no NSI or MD');
    if (chars.length > MAX_ECODE_BODY) return nearMiss(`the Ecode has ${chars.length} characters; at most ${MAX_ECODE_BODY} are accepted`);
    const bad = firstBadChar(chars, isEcodeChar);
    if (bad) return nearMiss(`character ${bad.position} after the label is ${describeChar(bad.char)}; only Latin letters and digits are accepted`);
    return readingOf(ecodeScheme, {
      canonical: body,
      target: 'handle',
      fields: { version, nsiAndMasterCode: body.slice(1) },
      notes: [
        'NSI and MD are not separated and their lengths are not checked: the per-version field lengths of GB/T 31866-2023 are not available',
        'the NSI is not checked against the register of coding systems',
      ],
    });
  },
};
