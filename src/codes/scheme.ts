/**
 * The contract every code scheme implements, so that one entry point (`scan.ts`) can read any scanned string.
 *
 * A scheme answers one of three things about a text:
 * - a reading: the text is a valid code of this scheme;
 * - a near miss: the text has this scheme's recognisable shape (its prefix, length or layout) but breaks a rule, and
 *   `reason` says which one precisely (wrong check character, impossible date, value out of its enumeration …);
 * - not this scheme: the text does not look like this scheme at all (`near: false`), with a reason that still makes
 *   sense when the caller asked for this scheme by name.
 * Parsing never throws: scanners deliver arbitrary bytes, and an unreadable code is an expected answer.
 */

/** What a code names, so callers can route it (a product page, a lot, a subject, an equipment record …). */
export type CodeTarget =
  | 'item' // one instance: 一物一码, a GTIN + serial, a drug pack, a detonator
  | 'lot' // a batch of one product
  | 'class' // a product or asset class, no instance
  | 'container' // a logistic unit (SSCC, a case or pallet code)
  | 'location' // a place (GLN of a location, a market node)
  | 'subject' // a party: enterprise, organisation, natural person, GLN of a party
  | 'equipment' // a special-equipment unit (特种设备)
  | 'region' // an administrative division (GB/T 2260)
  | 'document' // a document or certificate number, a transaction record
  | 'asset' // a returnable or individual asset (GRAI, GIAI)
  | 'handle' // an identifier resolved elsewhere (工业互联网标识, Ecode) whose target the platform cannot tell
  | 'other';

export interface CodeReading {
  /** Stable scheme id, e.g. `gs1-element-string`, `vet-drug-code` (see each scheme's `id`). */
  readonly scheme: string;
  /** The scheme's human name, as the sector calls it, e.g. `兽药追溯码`. */
  readonly schemeName: string;
  /** One spelling of the code: what is stored, compared and printed as human-readable text. */
  readonly canonical: string;
  readonly target: CodeTarget;
  /**
   * The parts the scheme defines, named in English camelCase, values as strings in the code's own spelling:
   * e.g. `{ applicationDate: '2024-03-05', enterprise: '12345', random: '…' }`, `{ gtin: '…', lot: '…', expiry: '2025-12-31' }`.
   * Dates are written as ISO 8601 calendar dates.
   */
  readonly fields: Readonly<Record<string, string>>;
  /** The canonical GS1 Digital Link (https://id.gs1.org/…) when the code carries a GS1 key. */
  readonly digitalLink?: string;
  /** Anything the reader should know that is not an error, e.g. "check character not verifiable: algorithm unpublished". */
  readonly notes?: string[];
}

export type SchemeResult =
  | { readonly ok: true; readonly value: CodeReading }
  | { readonly ok: false; readonly reason: string; readonly near: boolean };

export interface CodeScheme {
  readonly id: string;
  readonly name: string;
  /** Short description of the layout, shown in listings and errors, e.g. `24 digits: YYYYMMDD + enterprise(5) + random(11)`. */
  readonly layout: string;
  /** Reads `text` (already trimmed of surrounding whitespace by the caller). Never throws. */
  parse(text: string): SchemeResult;
}

export const reading = (value: CodeReading): SchemeResult => ({ ok: true, value });
/** The text has this scheme's shape but breaks one of its rules. */
export const nearMiss = (reason: string): SchemeResult => ({ ok: false, reason, near: true });
/** The text is not in this scheme's shape at all. */
export const notThisScheme = (reason: string): SchemeResult => ({ ok: false, reason, near: false });
