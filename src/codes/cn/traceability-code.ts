/**
 * A place for the national 重要产品追溯码 of GB/T 44583-2024 (重要产品追溯 追溯码编码规范), whose structure (its
 * clause 5) we do not have.
 *
 * Why this is pluggable instead of a scheme: a validator written from guesses would either refuse real codes or bless
 * wrong ones, and both are worse than no validator in a traceability system. So nothing here claims to know the
 * standard. A deployment that has the text, or that follows a provincial profile (Guangxi's DB45/T 2857-2024 defines a
 * GTIN-based and a 统一社会信用代码-based 追溯码, each with a check character), declares the layout as segments with a
 * length, a character set and optional rules, plus an optional check computation, and gets a CodeScheme with the
 * same near-miss and reason behaviour as every other scheme. No such scheme is in CHINESE_SCHEMES by default.
 */
import { gs1CheckDigit } from '../gs1/check-digit.js';
import { mod11_2CheckCharacter } from '../person-code.js';
import { nearMiss, notThisScheme, type CodeScheme, type CodeTarget, type SchemeResult } from '../scheme.js';
import { usccCheckCharacter } from '../uscc.js';
import { characters, codePoints, describeChar, positions, readingOf } from './common.js';

export type CharacterSet =
  | 'digits'
  | 'upper-alphanumeric'
  | 'alphanumeric'
  /** Any other set: the allowed characters and how a reason should name them, e.g. "digits and letters other than I and O". */
  | { readonly chars: string; readonly description: string };

export interface TraceabilitySegment {
  /** Field name in readings, camelCase English, e.g. `subjectCode`. */
  readonly name: string;
  /** The standard's name for the part, used in reasons, e.g. `主体码`; defaults to `name`. */
  readonly label?: string;
  /** A fixed length, or a range for the one segment whose length varies (it takes what the others leave). */
  readonly length: number | { readonly min: number; readonly max: number };
  readonly charset: CharacterSet;
  /**
   * A further rule: returns a sentence saying what is wrong with `value`, or undefined when it is fine. `code` is the
   * whole code, for rules that depend on another part. Exceptions are caught and reported as a failed rule.
   */
  readonly validate?: (value: string, code: string) => string | undefined;
}

export interface TraceabilityCheck {
  /** Number of check characters at the end of the code; defaults to 1. */
  readonly length?: number;
  /** Defaults to `校验码`. */
  readonly label?: string;
  /** The check characters for everything before them. Exceptions are caught and reported as a failed check. */
  readonly compute: (body: string) => string;
}

export interface TraceabilityCodeSchemeOptions {
  /** Defaults to `traceability-code`; lower-case letters, digits and hyphens, starting with a letter. */
  readonly id?: string;
  /** Defaults to `重要产品追溯码`. */
  readonly name?: string;
  /** What the codes name; defaults to `item` (the 追溯单元 may also be a batch or a class, GB/T 38155). */
  readonly target?: CodeTarget;
  readonly segments: readonly TraceabilitySegment[];
  readonly check?: TraceabilityCheck;
  /** Upper-case the text before reading it, for layouts whose letters are all capitals. */
  readonly caseInsensitive?: boolean;
  /** Characters printed for readability (spaces, hyphens) and removed before reading. */
  readonly ignoredCharacters?: string;
  /** Notes attached to every reading, e.g. which edition or profile the layout comes from. */
  readonly notes?: readonly string[];
  /** Overrides the layout description generated from the segments. */
  readonly layout?: string;
}

const NAMED_SETS: Readonly<Record<'digits' | 'upper-alphanumeric' | 'alphanumeric', { chars: string; description: string }>> = {
  digits: { chars: '0123456789', description: 'digits' },
  'upper-alphanumeric': { chars: '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', description: 'digits and capital letters' },
  alphanumeric: {
    chars: '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
    description: 'digits and Latin letters',
  },
};

/** Check computations already in the code base, for layouts that reuse a national algorithm. */
export const CHECK_ALGORITHMS = {
  /** GS1 modulo 10 (weights 3 and 1 from the right), one digit. */
  gs1Mod10: (body: string): string => gs1CheckDigit(body),
  /** ISO 7064 MOD 11-2 over digits, one character 0–9 or X (the 公民身份号码 check). */
  iso7064Mod11_2: (body: string): string => mod11_2CheckCharacter(body),
  /** GB 32100 modulo 31 over 17 characters, the 统一社会信用代码 check. */
  gb32100: (body: string): string => usccCheckCharacter(body),
} as const;

interface Segment {
  name: string;
  label: string;
  min: number;
  max: number;
  allowed: ReadonlySet<string>;
  description: string;
  validate?: (value: string, code: string) => string | undefined;
}

const SCHEME_ID = /^[a-z][a-z0-9-]*$/;
const FIELD_NAME = /^[a-z][A-Za-z0-9]*$/;
const CHECK_FIELD = 'checkCharacters';

function resolveSet(set: CharacterSet, where: string): { allowed: ReadonlySet<string>; description: string } {
  const resolved = typeof set === 'string' ? NAMED_SETS[set] : set;
  if (!resolved || typeof resolved.chars !== 'string' || resolved.chars.length === 0) {
    throw new RangeError(`${where}: character set must be 'digits', 'upper-alphanumeric', 'alphanumeric' or { chars, description }`);
  }
  return { allowed: new Set(codePoints(resolved.chars)), description: resolved.description };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Builds a scheme from a declared layout.
 * @throws RangeError when the declaration itself is unusable (no segments, duplicate names, two variable lengths …):
 * that is a configuration mistake, found when the scheme is defined, never while parsing.
 */
export function defineTraceabilityCodeScheme(options: TraceabilityCodeSchemeOptions): CodeScheme {
  const id = options.id ?? 'traceability-code';
  const name = options.name ?? '重要产品追溯码';
  if (!SCHEME_ID.test(id)) throw new RangeError(`scheme id "${id}" must be lower-case letters, digits and hyphens, starting with a letter`);
  if (!Array.isArray(options.segments) || options.segments.length === 0) throw new RangeError(`${id}: at least one segment is needed`);

  const seen = new Set<string>();
  let variable = 0;
  const segments: Segment[] = options.segments.map((segment, index) => {
    const where = `${id} segment ${index + 1}`;
    if (!FIELD_NAME.test(segment.name) || segment.name === CHECK_FIELD) {
      throw new RangeError(`${where}: name "${segment.name}" must be camelCase and not "${CHECK_FIELD}"`);
    }
    if (seen.has(segment.name)) throw new RangeError(`${where}: name "${segment.name}" is used twice`);
    seen.add(segment.name);
    const fixed = typeof segment.length === 'number';
    const min = fixed ? (segment.length as number) : (segment.length as { min: number }).min;
    const max = fixed ? (segment.length as number) : (segment.length as { max: number }).max;
    if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max < min) {
      throw new RangeError(`${where}: length must be a positive integer or { min, max } with 1 ≤ min ≤ max`);
    }
    if (min !== max && ++variable > 1) throw new RangeError(`${id}: only one segment may have a variable length`);
    const set = resolveSet(segment.charset, where);
    return {
      name: segment.name,
      label: segment.label ?? segment.name,
      min,
      max,
      allowed: set.allowed,
      description: set.description,
      ...(segment.validate ? { validate: segment.validate } : {}),
    };
  });

  const checkLength = options.check ? (options.check.length ?? 1) : 0;
  if (options.check && (!Number.isInteger(checkLength) || checkLength < 1 || typeof options.check.compute !== 'function')) {
    throw new RangeError(`${id}: check needs a compute function and a positive integer length`);
  }
  const checkLabel = options.check?.label ?? '校验码';
  const minLength = segments.reduce((sum, s) => sum + s.min, 0) + checkLength;
  const maxLength = segments.reduce((sum, s) => sum + s.max, 0) + checkLength;
  const ignored = new Set(codePoints(options.ignoredCharacters ?? ''));
  const anyAllowed = new Set(segments.flatMap((s) => [...s.allowed]));
  const lengthWords = minLength === maxLength ? `${minLength}` : `${minLength}–${maxLength}`;
  const layout =
    options.layout ??
    `${lengthWords} characters: ${segments.map((s) => `${s.label} (${s.min === s.max ? s.min : `${s.min}–${s.max}`})`).join(' + ')}` +
      (checkLength ? ` + ${checkLabel} (${checkLength})` : '');
  const notes = options.notes ? [...options.notes] : undefined;

  const scheme: CodeScheme = {
    id,
    name,
    layout,
    parse(text: string): SchemeResult {
      if (text.length > maxLength * 4 + 64) return notThisScheme(`a ${name} is ${lengthWords} characters; the text is far longer`);
      let chars = codePoints(options.caseInsensitive ? text.toUpperCase() : text);
      if (ignored.size) chars = chars.filter((c) => !ignored.has(c));
      const code = chars.join('');
      if (chars.length < minLength || chars.length > maxLength) {
        const reason = `a ${name} is ${lengthWords} characters; got ${chars.length}`;
        const resembles = chars.length > 0 && chars.every((c) => anyAllowed.has(c)) && Math.abs(chars.length - (chars.length < minLength ? minLength : maxLength)) <= 2;
        return resembles ? nearMiss(reason) : notThisScheme(reason);
      }

      const fields: Record<string, string> = {};
      const spare = chars.length - minLength;
      let at = 0;
      for (const segment of segments) {
        const length = segment.min + (segment.min === segment.max ? 0 : spare);
        const part = chars.slice(at, at + length);
        for (let i = 0; i < part.length; i++) {
          if (!segment.allowed.has(part[i]!)) {
            return nearMiss(
              `${positions(at + i + 1)} is ${describeChar(part[i]!)}; the ${segment.label} (${positions(at + 1, at + length)}) is ${segment.description}`,
            );
          }
        }
        const value = part.join('');
        if (segment.validate) {
          let problem: string | undefined;
          try {
            problem = segment.validate(value, code);
          } catch (error) {
            problem = `its rule failed: ${message(error)}`;
          }
          if (problem) return nearMiss(`the ${segment.label} (${positions(at + 1, at + length)}) ${value}: ${problem}`);
        }
        fields[segment.name] = value;
        at += length;
      }

      if (options.check) {
        const body = chars.slice(0, at).join('');
        const given = chars.slice(at).join('');
        let expected: string;
        try {
          expected = options.check.compute(body);
        } catch (error) {
          return nearMiss(`the ${checkLabel} cannot be computed: ${message(error)}`);
        }
        if (typeof expected !== 'string' || codePoints(expected).length !== checkLength) {
          return nearMiss(`the ${checkLabel} computation returned ${characters(typeof expected === 'string' ? codePoints(expected).length : 0)}; ${checkLength} expected`);
        }
        if (given !== expected) {
          return nearMiss(`${checkLabel} (${positions(at + 1, at + checkLength)}) should be '${expected}', got '${given}'`);
        }
        fields[CHECK_FIELD] = given;
      }

      return readingOf(scheme, { canonical: code, target: options.target ?? 'item', fields, ...(notes ? { notes } : {}) });
    },
  };
  return scheme;
}
