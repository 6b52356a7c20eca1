/**
 * The GS1 code schemes of the unified scanner: element strings, Digital Link URIs, EPC URIs and the bare keys (GTIN,
 * SSCC, GLN).
 *
 * What every GS1 reading carries:
 * - `canonical`: the whole code in one spelling. An element string is written bracketed in canonical order (key, key
 *   qualifiers, then the other AIs by ascending AI); a Digital Link is written on https://id.gs1.org with numeric AIs
 *   and its GS1 data attributes sorted; an EPC URI becomes the Digital Link it stands for; a bare key is its digits.
 * - `digitalLink`: the identifier alone, key and key qualifiers on https://id.gs1.org without data attributes. It is
 *   the spelling normaliseIdentifier gives and the event store indexes, so a reading finds the events that name it.
 * - `fields`: every AI under an English name where the platform has one (`gtin`, `lot`, `serial`, `expiry`, `sscc`,
 *   `gln`, `glnExtension` …) and as `ai{AI}` otherwise; the dates of date AIs as ISO 8601 calendar dates.
 *
 * Shapes that count as "meant as this scheme" (a near miss rather than "not this scheme" when a rule is broken): an
 * element string in brackets, behind a GS1 symbology identifier or with FNC1 separators, or bare digits that start
 * with a GS1 key AI and hold at least its value; a Digital Link URL whose path has a primary key; any `urn:epc:` URI;
 * a digit string of a key's length. Other bare digit strings are not read as element strings at all: most short ones
 * happen to parse as some AI, and they belong to the bare-key and sector schemes.
 */
import { nearMiss, notThisScheme, reading, type CodeScheme, type CodeTarget, type SchemeResult } from '../scheme.js';
import { aiLengthForPrefix, getApplicationIdentifier } from './application-identifiers.js';
import { hasValidCheckDigit } from './check-digit.js';
import { formatDigitalLink, looksLikeDigitalLink, parseDigitalLink, type AiValue } from './digital-link.js';
import {
  GS,
  canonicalElementOrder,
  formatElementString,
  gs1DateToIso,
  parseDigitalLinkElements,
  parseElementString,
  planDigitalLink,
} from './element-string.js';
import { epcUriProblem, parseEpcUrn } from './epc-urn.js';
import { identifierKind, type IdentifierKind } from './index.js';

/** Scheme ids and the names the sector uses, spread into every reading. */
const ELEMENT_STRING = { scheme: 'gs1-element-string', schemeName: 'GS1 单元数据串' } as const;
const DIGITAL_LINK = { scheme: 'gs1-digital-link', schemeName: 'GS1 数字链接' } as const;
const EPC_URN = { scheme: 'epc-urn', schemeName: 'EPC URI' } as const;
const GTIN = { scheme: 'gtin', schemeName: 'GTIN 全球贸易项目代码' } as const;
const SSCC = { scheme: 'sscc', schemeName: 'SSCC 系列货运包装箱代码' } as const;
const GLN = { scheme: 'gln', schemeName: 'GLN 参与方位置编码' } as const;

const TARGET_OF_KIND: Readonly<Record<IdentifierKind, CodeTarget>> = {
  item: 'item',
  class: 'class',
  lot: 'lot',
  container: 'container',
  location: 'location',
  party: 'subject',
  asset: 'asset',
  document: 'document',
  other: 'other',
};

/** The English field name of the AIs a traceability reader asks for by name; the rest are `ai{AI}`. */
const FIELD_NAMES: Readonly<Record<string, string>> = {
  '00': 'sscc',
  '01': 'gtin',
  '02': 'contentGtin',
  '03': 'mtoGtin',
  '10': 'lot',
  '11': 'productionDate',
  '12': 'dueDate',
  '13': 'packagingDate',
  '15': 'bestBefore',
  '16': 'sellBy',
  '17': 'expiry',
  '20': 'variant',
  '21': 'serial',
  '22': 'cpv',
  '235': 'tpx',
  '240': 'additionalId',
  '241': 'customerPartNumber',
  '250': 'secondarySerial',
  '253': 'gdti',
  '254': 'glnExtension',
  '255': 'gcn',
  '30': 'variableCount',
  '37': 'count',
  '400': 'orderNumber',
  '401': 'ginc',
  '402': 'gsin',
  '410': 'shipToGln',
  '411': 'billToGln',
  '412': 'purchaseFromGln',
  '413': 'shipForGln',
  '414': 'gln',
  '415': 'payToGln',
  '416': 'productionLocationGln',
  '417': 'partyGln',
  '422': 'countryOfOrigin',
  '7003': 'expiryTime',
  '7006': 'firstFreezeDate',
  '7040': 'uicExtension',
  '8003': 'grai',
  '8004': 'giai',
  '8006': 'itip',
  '8010': 'cpid',
  '8011': 'cpidSerial',
  '8013': 'gmn',
  '8017': 'gsrnProvider',
  '8018': 'gsrnRecipient',
  '8019': 'srin',
  '8020': 'paymentReference',
  '8200': 'productUrl',
};

/** AIs whose value is a YYMMDD date (day 00 meaning the end of the month where the AI allows it). */
const DATE_AIS = new Set(['11', '12', '13', '15', '16', '17', '7006']);

function fieldValue(element: AiValue): string {
  if (DATE_AIS.has(element.ai)) return gs1DateToIso(element.value) ?? element.value;
  if (element.ai === '7003') {
    const date = gs1DateToIso(element.value.slice(0, 6));
    return date === undefined ? element.value : `${date}T${element.value.slice(6, 8)}:${element.value.slice(8, 10)}`;
  }
  return element.value;
}

function fieldsOf(elements: readonly AiValue[], extra: Record<string, string> = {}): Record<string, string> {
  const fields: Record<string, string> = { ...extra };
  for (const element of elements) fields[FIELD_NAMES[element.ai] ?? `ai${element.ai}`] = fieldValue(element);
  return fields;
}

/**
 * The identifier-only Digital Link and the target of a GS1 key with its qualifiers. The parts come validated from
 * the parsers, so formatDigitalLink has nothing to refuse; should it ever, the scheme answers instead of throwing.
 */
function identity(
  primaryKey: AiValue,
  qualifiers: readonly AiValue[],
): { ok: true; value: { digitalLink: string; target: CodeTarget } } | { ok: false; reason: string } {
  try {
    const digitalLink = formatDigitalLink({ primaryKey, qualifiers });
    return { ok: true, value: { digitalLink, target: TARGET_OF_KIND[identifierKind(primaryKey, qualifiers)] } };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

/** A bare key, checked by the scheme before: its Digital Link and target, as {@link identity} gives them. */
function keyIdentity(ai: string, value: string): { digitalLink?: string; target: CodeTarget } {
  const id = identity({ ai, value }, []);
  return id.ok ? id.value : { target: 'other' };
}

/** GS1 prefixes 690–699 are allocated by GS1 China (中国物品编码中心). */
const CHINA_NOTE = 'GS1 前缀 690–699 由中国物品编码中心（GS1 China）分配，编码所属企业在中国注册';

function prefixNotes(prefix: string): string[] {
  const n = Number(prefix);
  if (n >= 690 && n <= 699) return [`${CHINA_NOTE}（前缀 ${prefix}）`];
  return [];
}

// --- Element strings -------------------------------------------------------------------------------------------------

/** The GS1 key AIs a bare digit string must start with to be read as an element string. */
const BARE_KEY_AIS = new Set([
  '00', '01', '02', '03', '253', '255', '401', '402', '410', '411', '412', '413', '414', '415', '416', '417', '8003',
  '8004', '8006', '8010', '8013', '8017', '8018',
]);

type ElementStringShape = 'marked' | 'bare';

/**
 * Whether `text` is meant as an element string: marked by brackets, a symbology identifier or separators, or bare
 * digits starting with a key AI followed by at least its minimum length. Bare digits are held to that because many
 * other codes are digit strings too, and most short digit strings happen to parse as some AI.
 */
function elementStringShape(text: string): ElementStringShape | undefined {
  if (/^[(\uFF08][0-9]{2,4}[)\uFF09]/.test(text)) return 'marked';
  if (/^\][A-Za-z][0-9A-Za-z]/.test(text)) return 'marked';
  if (/^[0-9\u001d^]/.test(text) && (text.includes(GS) || text.includes('^'))) return 'marked';
  const prefixLength = aiLengthForPrefix(text.slice(0, 2));
  if (prefixLength === undefined) return undefined;
  const ai = text.slice(0, prefixLength);
  const definition = getApplicationIdentifier(ai);
  if (!/^[0-9]+$/.test(ai) || !BARE_KEY_AIS.has(ai) || definition === undefined) return undefined;
  return text.length >= prefixLength + definition.minLength ? 'bare' : undefined;
}

export const gs1ElementStringScheme: CodeScheme = {
  id: ELEMENT_STRING.scheme,
  name: ELEMENT_STRING.schemeName,
  layout: '(AI)value… in brackets, or AI+value raw with FNC1 as GS or ^, optionally behind ]C1 ]d2 ]Q3 ]e0 ]J1',
  parse(text: string): SchemeResult {
    const shape = elementStringShape(text);
    if (shape === undefined) {
      return notThisScheme(
        'not a GS1 element string: it starts neither with "(AI)", nor with a symbology identifier such as ]d2, ' +
          'nor with FNC1-separated AIs or the digits of a GS1 key AI',
      );
    }
    const parsed = parseElementString(text);
    if (!parsed.ok) {
      // A symbology identifier of a non-GS1 symbol says plainly that the data is something else.
      const foreignSymbol = text.startsWith(']') && /without GS1 mode|not an AIM symbology/.test(parsed.reason);
      return foreignSymbol ? notThisScheme(parsed.reason) : nearMiss(parsed.reason);
    }
    const { elements, symbology } = parsed.value;
    const plan = planDigitalLink(elements);
    const id = plan === undefined ? undefined : identity(plan.primaryKey, plan.qualifiers);
    if (id?.ok === false) return nearMiss(id.reason);
    const notes = symbology === undefined ? [] : [`read from a ${symbology.name} symbol (${symbology.identifier})`];
    const keyPrefix = elements.find((e) => ['00', '01', '02', '03', '8006'].includes(e.ai));
    if (keyPrefix !== undefined) notes.push(...prefixNotes(keyPrefix.value.slice(1, 4)));
    return reading({
      ...ELEMENT_STRING,
      canonical: formatElementString(canonicalElementOrder(elements)),
      ...(id === undefined ? { target: 'other' as const } : id.value),
      fields: fieldsOf(elements),
      ...(notes.length ? { notes } : {}),
    });
  },
};

// --- Digital Link ----------------------------------------------------------------------------------------------------

export const gs1DigitalLinkScheme: CodeScheme = {
  id: DIGITAL_LINK.scheme,
  name: DIGITAL_LINK.schemeName,
  layout: 'http(s)://{any domain}/{optional path}/{key AI}/{key}/{qualifier AI}/{value}…?{AI}={value}&…',
  parse(input: string): SchemeResult {
    // A scanner set to send symbology identifiers puts one before the URI of a QR Code or Data Matrix.
    const text = /^\][A-Za-z][0-9A-Za-z]https?:\/\//i.test(input) ? input.slice(3) : input;
    if (!/^https?:\/\//i.test(text)) return notThisScheme('not an http(s) URI, so not a GS1 Digital Link');
    const link = parseDigitalLink(text);
    const parsed = link.ok ? parseDigitalLinkElements(text) : link;
    if (!link.ok || !parsed.ok) {
      const reason = parsed.ok ? '' : parsed.reason;
      if (looksLikeDigitalLink(text)) return nearMiss(reason);
      return notThisScheme('an http(s) URL whose path has no GS1 Digital Link primary key followed by its value');
    }
    const { primaryKey, qualifiers, attributes, origin, otherParameters } = link.value;
    const id = identity(primaryKey, qualifiers);
    if (!id.ok) return nearMiss(id.reason);
    const notes: string[] = [];
    if (origin.toLowerCase() !== 'https://id.gs1.org') {
      notes.push(`read on ${origin}; the canonical form is on https://id.gs1.org`);
    }
    if (otherParameters.length) {
      notes.push(
        `query parameters that are no GS1 AI (${otherParameters.map((p) => p.name).join(', ')}) ask something of a ` +
          'resolver and are not part of the code',
      );
    }
    if (primaryKey.ai === '01' || primaryKey.ai === '00') notes.push(...prefixNotes(primaryKey.value.slice(1, 4)));
    return reading({
      ...DIGITAL_LINK,
      canonical: formatDigitalLink({ primaryKey, qualifiers, attributes }),
      ...id.value,
      fields: fieldsOf(parsed.value.elements),
      ...(notes.length ? { notes } : {}),
    });
  },
};

// --- EPC URIs --------------------------------------------------------------------------------------------------------

/** What the EPC schemes not built on a GS1 key name. */
const NON_GS1_EPC_TARGET: Readonly<Record<string, CodeTarget>> = {
  gid: 'item',
  usdod: 'item',
  adi: 'item',
  bic: 'container',
  imovn: 'asset',
};

const EPC_HEAD = /^urn:epc:(id|class|idpat):([A-Za-z0-9]+):/i;

export const epcUrnScheme: CodeScheme = {
  id: EPC_URN.scheme,
  name: EPC_URN.schemeName,
  layout: 'urn:epc:id|class|idpat:{scheme}:{GS1 Company Prefix}.{reference}[.{serial}]',
  parse(text: string): SchemeResult {
    if (!/^urn:epc:/i.test(text)) return notThisScheme('not an EPC URI (urn:epc:…)');
    const parsed = parseEpcUrn(text);
    if (parsed.ok) {
      const { form, scheme, companyPrefix, primaryKey, qualifiers } = parsed.value;
      const id = identity(primaryKey, qualifiers);
      if (!id.ok) return nearMiss(id.reason);
      return reading({
        ...EPC_URN,
        canonical: id.value.digitalLink,
        ...id.value,
        fields: fieldsOf([primaryKey, ...qualifiers], { epcScheme: scheme, companyPrefix }),
        ...(form === 'idpat' ? { notes: ['a pattern URI: it names the class, every instance of it'] } : {}),
      });
    }
    // Schemes not built on a GS1 key, and patterns too wide for a GS1 key, are valid EPC URIs without a Digital Link.
    const head = EPC_HEAD.exec(text);
    if (head === null || epcUriProblem(text) !== undefined) return nearMiss(parsed.reason);
    const form = head[1]!.toLowerCase();
    const scheme = head[2]!.toLowerCase();
    return reading({
      ...EPC_URN,
      canonical: `urn:epc:${form}:${scheme}:${text.slice(head[0].length)}`,
      target: form === 'idpat' ? 'class' : NON_GS1_EPC_TARGET[scheme] ?? 'other',
      fields: { epcScheme: scheme, epcForm: form },
      notes: [
        form === 'idpat'
          ? 'a pattern URI with no GS1 Digital Link form'
          : 'an EPC scheme not built on a GS1 key: no GS1 Digital Link',
      ],
    });
  },
};

// --- Bare keys -------------------------------------------------------------------------------------------------------

const DIGITS = /^[0-9]+$/;
const GTIN_TYPES: Readonly<Record<number, string>> = { 8: 'GTIN-8', 12: 'GTIN-12', 13: 'GTIN-13', 14: 'GTIN-14' };

/** Notes on what a GTIN's GS1 prefix says about it beyond its issuer. */
function gtinPrefixNotes(gtin: string): string[] {
  const prefix = gtin.length === 8 ? gtin.slice(0, 3) : gtin.padStart(14, '0').slice(1, 4);
  const n = Number(prefix);
  const notes = prefixNotes(prefix);
  // Restricted circulation numbers: GS1-8 prefixes 0xx and 2xx, GS1 prefixes 020–029, 040–049 and 200–299.
  const restricted =
    gtin.length === 8
      ? prefix[0] === '0' || prefix[0] === '2'
      : (n >= 20 && n <= 29) || (n >= 40 && n <= 49) || (n >= 200 && n <= 299);
  if (restricted) {
    notes.push(
      `GS1 prefix ${prefix} is for restricted circulation (店内码): the number is unique only within a company or ` +
        'country, not a global GTIN',
    );
  }
  if (gtin.length !== 8 && n >= 977 && n <= 979) {
    notes.push(`GS1 prefix ${prefix} marks a serial publication or book (ISSN/ISBN)`);
  }
  return notes;
}

export const gtinScheme: CodeScheme = {
  id: GTIN.scheme,
  name: GTIN.schemeName,
  layout: '8, 12, 13 or 14 digits, the last a GS1 mod-10 check digit',
  parse(text: string): SchemeResult {
    if (!DIGITS.test(text)) return notThisScheme('a GTIN has digits only');
    const type = GTIN_TYPES[text.length];
    if (type === undefined) return notThisScheme(`a GTIN has 8, 12, 13 or 14 digits, not ${text.length}`);
    if (!hasValidCheckDigit(text)) return nearMiss(`${type} ${text}: the check digit is wrong`);
    const gtin14 = text.padStart(14, '0');
    const notes = gtinPrefixNotes(text);
    return reading({
      ...GTIN,
      canonical: text,
      ...keyIdentity('01', gtin14),
      fields: { gtin: text, gtin14, gtinType: type, ...(text.length === 14 ? { indicator: text[0]! } : {}) },
      ...(notes.length ? { notes } : {}),
    });
  },
};

export const ssccScheme: CodeScheme = {
  id: SSCC.scheme,
  name: SSCC.schemeName,
  layout: '18 digits: extension digit + GS1 Company Prefix + serial reference + check digit',
  parse(text: string): SchemeResult {
    if (!DIGITS.test(text)) return notThisScheme('an SSCC has digits only');
    if (text.length !== 18) return notThisScheme(`an SSCC has 18 digits, not ${text.length}`);
    if (!hasValidCheckDigit(text)) return nearMiss(`SSCC ${text}: the check digit is wrong`);
    const notes = prefixNotes(text.slice(1, 4));
    return reading({
      ...SSCC,
      canonical: text,
      ...keyIdentity('00', text),
      fields: { sscc: text, extensionDigit: text[0]! },
      ...(notes.length ? { notes } : {}),
    });
  },
};

export const glnScheme: CodeScheme = {
  id: GLN.scheme,
  name: GLN.schemeName,
  layout: '13 digits: GS1 Company Prefix + location reference + check digit',
  parse(text: string): SchemeResult {
    if (!DIGITS.test(text)) return notThisScheme('a GLN has digits only');
    if (text.length !== 13) return notThisScheme(`a GLN has 13 digits, not ${text.length}`);
    if (!hasValidCheckDigit(text)) return nearMiss(`GLN ${text}: the check digit is wrong`);
    return reading({
      ...GLN,
      canonical: text,
      ...keyIdentity('414', text),
      fields: { gln: text },
      notes: [
        'a bare 13-digit number is also a valid GTIN-13: only where it was printed tells a GLN from a GTIN',
        ...prefixNotes(text.slice(0, 3)),
      ],
    });
  },
};

/** The GS1 schemes, in the precedence the registry documents: self-describing forms first, then the bare keys. */
export const GS1_SCHEMES: readonly CodeScheme[] = [
  gs1DigitalLinkScheme,
  epcUrnScheme,
  gs1ElementStringScheme,
  gtinScheme,
  ssccScheme,
  glnScheme,
];
