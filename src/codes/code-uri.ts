/**
 * How a code that is not a GS1 key appears inside EPCIS events. EPCIS names things by URI; a 兽药追溯码 or a platform
 * 追溯码 is not one, so each is written `urn:zhuisu:{scheme}:{code}`: independent of any host name (the platform's
 * public address may change, the identity of what was captured must not) and readable back to its scheme.
 */
const PREFIX = 'urn:zhuisu:';
const SCHEME_ID = /^[a-z][a-z0-9-]*$/;

export function codeUri(scheme: string, canonical: string): string {
  if (!SCHEME_ID.test(scheme)) throw new RangeError(`"${scheme}" is not a scheme id`);
  return `${PREFIX}${scheme}:${encodeURIComponent(canonical)}`;
}

/** The scheme and code a `urn:zhuisu:` URI names, or undefined when `uri` is not one. */
export function parseCodeUri(uri: string): { scheme: string; code: string } | undefined {
  if (!uri.startsWith(PREFIX)) return undefined;
  const rest = uri.slice(PREFIX.length);
  const colon = rest.indexOf(':');
  if (colon <= 0 || !SCHEME_ID.test(rest.slice(0, colon))) return undefined;
  try {
    return { scheme: rest.slice(0, colon), code: decodeURIComponent(rest.slice(colon + 1)) };
  } catch {
    return undefined;
  }
}
