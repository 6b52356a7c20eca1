/**
 * 统一社会信用代码 (Unified Social Credit Code, GB 32100-2015): the 18-character identifier of every legal person and
 * other organisation in China, and the 主体码 of enterprises in the traceability system.
 *
 * Layout (1-based positions):
 *   1      registration authority (登记管理部门代码)
 *   2      organisation type within that authority (机构类别代码)
 *   3–8    region code of the registering office (GB/T 2260)
 *   9–17   the GB 11714 organisation code: 8 body characters and its own check character
 *   18     the GB 32100 check character (ISO 7064 style, modulus 31)
 *
 * Pure: no I/O and no dependency on the region table, because codes issued before a region was abolished stay valid.
 */

/** The 31 characters a USCC may contain, in check-value order: digits, then letters without I, O, Z, S and V. */
const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/** 3^(i-1) mod 31 for positions 1–17, as tabulated in GB 32100-2015. */
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;

/** GB 11714-1997 weights for the 8 body characters of an organisation code. */
const ORGANISATION_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2] as const;

interface Authority {
  name: string;
  /** null: the type list could not be confirmed, so any type digit 1–9 is accepted. */
  types: Readonly<Record<string, string>> | null;
}

/**
 * Position 1 and 2 code table. The entries for 1, 5, 9 and Y (the authorities GB 32100-2015 names itself) and for
 * 2, 3, 4, 6, 7, 8, A and N agree across every reproduction of the national code table we could find; the standard's
 * own text was not available to check against, so a real code rejected here for its type digit is worth reporting.
 */
const AUTHORITIES: Readonly<Record<string, Authority>> = {
  '1': { name: '机构编制', types: { '1': '机关', '2': '事业单位', '3': '中央编办直接管理机构编制的群众团体', '9': '其他' } },
  '2': { name: '外交', types: { '1': '外国常驻新闻机构', '9': '其他' } },
  '3': {
    name: '司法行政',
    types: { '1': '律师执业机构', '2': '公证处', '3': '基层法律服务所', '4': '司法鉴定机构', '5': '仲裁委员会', '9': '其他' },
  },
  '4': { name: '文化', types: { '1': '外国在华文化中心', '9': '其他' } },
  '5': { name: '民政', types: { '1': '社会团体', '2': '民办非企业单位', '3': '基金会', '9': '其他' } },
  '6': {
    name: '旅游',
    types: { '1': '外国旅游部门常驻代表机构', '2': '港澳台地区旅游部门常驻内地（大陆）代表机构', '9': '其他' },
  },
  '7': { name: '宗教', types: { '1': '宗教活动场所', '2': '宗教院校', '9': '其他' } },
  '8': { name: '工会', types: { '1': '基层工会', '9': '其他' } },
  // The standard says 工商; the function now sits with market regulation (市场监管), but the code did not change.
  '9': { name: '工商', types: { '1': '企业', '2': '个体工商户', '3': '农民专业合作社' } },
  'A': { name: '中央军委改革和编制办公室', types: { '1': '军队事业单位', '9': '其他' } },
  // B–G were assigned to further registration authorities after 2015. Neither their names nor their type lists could
  // be confirmed from a primary source, so they are accepted with any type digit rather than rejecting real codes.
  'B': { name: '', types: null },
  'C': { name: '', types: null },
  'D': { name: '', types: null },
  'E': { name: '', types: null },
  'F': { name: '', types: null },
  'G': { name: '', types: null },
  'N': { name: '农业', types: { '1': '组级集体经济组织', '2': '村级集体经济组织', '3': '乡镇级集体经济组织', '9': '其他' } },
  // 其他 has no subdivision: the standard fixes the type digit at 1.
  'Y': { name: '其他', types: { '1': '其他' } },
};

const ANY_TYPE_DIGIT = /^[1-9]$/;

export interface UsccInfo {
  /** The normalised (trimmed, upper-cased) 18-character code. */
  code: string;
  /** Position 1, the registration authority code, e.g. '9'. */
  registrationAuthority: string;
  /** Position 2, the organisation type code within that authority, e.g. '1'. */
  organisationType: string;
  /** Positions 3–8, the region code of the registering office. Only its shape is checked. */
  regionCode: string;
  /** Positions 9–17, the GB 11714 organisation code including its check character. */
  organisationCode: string;
  /** Chinese name of the registration authority, absent where the table has none (B–G). */
  registrationAuthorityName?: string;
  /** Chinese name of the organisation type, absent where the authority's type list is unconfirmed. */
  organisationTypeName?: string;
}

export type UsccResult = { ok: true; value: UsccInfo } | { ok: false; reason: string };

function describe(char: string): string {
  return char === ' ' ? "' ' (space)" : `'${char}'`;
}

/**
 * GB 32100 check character (position 18) for the first 17 characters of a USCC.
 * @throws RangeError unless `first17` is exactly 17 characters from the USCC alphabet (upper case).
 */
export function usccCheckCharacter(first17: string): string {
  if (typeof first17 !== 'string' || first17.length !== 17) {
    throw new RangeError(`usccCheckCharacter needs exactly 17 characters, got ${typeof first17 === 'string' ? first17.length : typeof first17}`);
  }
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const char = first17[i]!;
    const value = USCC_ALPHABET.indexOf(char);
    if (value < 0) {
      throw new RangeError(`usccCheckCharacter: ${describe(char)} at position ${i + 1} is not a USCC character`);
    }
    sum += value * USCC_WEIGHTS[i]!;
  }
  // 31 − (Σ mod 31) ranges over 1..31; 31 stands for 0, which the outer modulo achieves.
  return USCC_ALPHABET[(31 - (sum % 31)) % 31]!;
}

/**
 * Composes a USCC from its parts, computing both check characters: `kind` is the registration authority and
 * organisation type (e.g. `91`, a company), `region` the 6-digit 登记管理机关 region, `body8` the organisation-code body.
 * @throws RangeError when a part has the wrong shape.
 */
export function formatUscc(kind: string, region: string, body8: string): string {
  if (!/^[0-9A-HJ-NP-RTUWXY]{2}$/.test(kind) || !/^\d{6}$/.test(region)) throw new RangeError('formatUscc: kind is 2 USCC characters, region 6 digits');
  const first17 = kind + region + body8 + organisationCodeCheckCharacter(body8);
  return first17 + usccCheckCharacter(first17);
}

function organisationCodeValue(char: string): number {
  const code = char.charCodeAt(0);
  if (code >= 48 && code <= 57) return code - 48; // '0'–'9'
  if (code >= 65 && code <= 90) return code - 55; // 'A'–'Z' → 10–35
  return -1;
}

/**
 * GB 11714 check character for the 8 body characters of an organisation code (USCC positions 9–16).
 * GB 11714 allows all 26 letters in the body, so unlike the USCC alphabet this accepts I, O, Z, S and V.
 * @throws RangeError unless `first8` is exactly 8 digits or upper-case letters.
 */
export function organisationCodeCheckCharacter(first8: string): string {
  if (typeof first8 !== 'string' || first8.length !== 8) {
    throw new RangeError(`organisationCodeCheckCharacter needs exactly 8 characters, got ${typeof first8 === 'string' ? first8.length : typeof first8}`);
  }
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const char = first8[i]!;
    const value = organisationCodeValue(char);
    if (value < 0) {
      throw new RangeError(`organisationCodeCheckCharacter: ${describe(char)} at position ${i + 1} is not a digit or upper-case letter`);
    }
    sum += value * ORGANISATION_CODE_WEIGHTS[i]!;
  }
  const check = 11 - (sum % 11);
  if (check === 10) return 'X';
  if (check === 11) return '0';
  return String(check);
}

/** Chinese name of a registration authority code, or undefined when the code is unknown or its name unconfirmed. */
export function usccRegistrationAuthorityName(authority: string): string | undefined {
  const entry = Object.hasOwn(AUTHORITIES, authority) ? AUTHORITIES[authority] : undefined;
  return entry?.name || undefined;
}

/** Chinese name of an organisation type under an authority, or undefined when unknown or unconfirmed. */
export function usccOrganisationTypeName(authority: string, type: string): string | undefined {
  const types = Object.hasOwn(AUTHORITIES, authority) ? AUTHORITIES[authority]?.types : undefined;
  return types && Object.hasOwn(types, type) ? types[type] : undefined;
}

/**
 * Validates and decomposes a 统一社会信用代码. Surrounding whitespace is ignored and lower-case letters are accepted;
 * everything else must be exact. The first failed rule is reported, in the order the positions are read.
 */
export function parseUscc(input: string): UsccResult {
  if (typeof input !== 'string') return { ok: false, reason: `must be a string, got ${input === null ? 'null' : typeof input}` };
  const code = input.trim().toUpperCase();
  if (code.length !== 18) return { ok: false, reason: `must be 18 characters, got ${code.length}` };

  for (let i = 0; i < 18; i++) {
    const char = code[i]!;
    if (!USCC_ALPHABET.includes(char)) {
      return {
        ok: false,
        reason: `invalid character ${describe(char)} at position ${i + 1}; only digits and upper-case letters other than I, O, Z, S and V are allowed`,
      };
    }
  }

  const authority = code[0]!;
  const entry = Object.hasOwn(AUTHORITIES, authority) ? AUTHORITIES[authority] : undefined;
  if (!entry) {
    return {
      ok: false,
      reason: `unknown registration authority code '${authority}' at position 1; expected one of ${Object.keys(AUTHORITIES).join(', ')}`,
    };
  }

  const type = code[1]!;
  if (entry.types ? !Object.hasOwn(entry.types, type) : !ANY_TYPE_DIGIT.test(type)) {
    const expected = entry.types ? Object.keys(entry.types).join(', ') : 'a digit 1–9';
    const label = entry.name ? `'${authority}' (${entry.name})` : `'${authority}'`;
    return {
      ok: false,
      reason: `organisation type code '${type}' at position 2 is not defined for registration authority ${label}; expected ${expected}`,
    };
  }

  const regionCode = code.slice(2, 8);
  if (!/^\d{6}$/.test(regionCode)) {
    return { ok: false, reason: `region code at positions 3–8 must be 6 digits, got '${regionCode}'` };
  }

  const organisationCode = code.slice(8, 17);
  const expectedOrgCheck = organisationCodeCheckCharacter(organisationCode.slice(0, 8));
  if (organisationCode[8] !== expectedOrgCheck) {
    return {
      ok: false,
      reason: `organisation code check character should be '${expectedOrgCheck}', got '${organisationCode[8]}' (position 17)`,
    };
  }

  const expectedCheck = usccCheckCharacter(code.slice(0, 17));
  if (code[17] !== expectedCheck) {
    return { ok: false, reason: `check character should be '${expectedCheck}', got '${code[17]}' (position 18)` };
  }

  const value: UsccInfo = {
    code,
    registrationAuthority: authority,
    organisationType: type,
    regionCode,
    organisationCode,
  };
  if (entry.name) value.registrationAuthorityName = entry.name;
  const typeName = entry.types?.[type];
  if (typeName) value.organisationTypeName = typeName;
  return { ok: true, value };
}
