import { escapePointer, type ValidationIssue } from './validate.js';

/**
 * Text no database column can hold: U+0000 (PostgreSQL text refuses it) and surrogate halves without their partner
 * (not Unicode, so not UTF-8). JSON can carry both as escapes (`\u0000`, a lone `\ud800`), so a document that passed
 * every other check could still fail to store; this finds them, by field, before anything is written.
 */

/** A JSON text escape that may stand for such a character; a document without one holds none. */
const SUSPECT_ESCAPE = /\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})/;

export function mayHoldUnstorableText(jsonText: string): boolean {
  // Most documents escape nothing at all, and a plain substring search is several times faster than the pattern.
  return jsonText.includes('\\u') && SUSPECT_ESCAPE.test(jsonText);
}

const SUSPECT_CHARACTER = /[\u0000\ud800-\udfff]/;
const MAX_REPORTED = 10;
const EVENT_POINTER = /^\/epcisBody\/(?:queryResults\/resultsBody\/)?eventList\/(\d+)(?:\/|$)/;

/** What is wrong with `text`, or null when it can be stored. */
export function unstorableProblem(text: string): string | null {
  if (!SUSPECT_CHARACTER.test(text)) return null;
  if (text.includes('\u0000')) return 'contains U+0000 (NUL), which cannot be stored as text';
  for (let i = 0; i < text.length; i += 1) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) i += 1;
    else if (unit >= 0xd800 && unit <= 0xdfff) return 'contains half of a surrogate pair, which is not Unicode text';
  }
  return null;
}

/** Every string and field name of `document` that cannot be stored, with its JSON pointer (the first ten). */
export function unstorableText(document: unknown): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const stack: [unknown, string][] = [[document, '']];
  while (stack.length && issues.length < MAX_REPORTED) {
    const [node, pointer] = stack.pop()!;
    const report = (at: string, message: string) => {
      const event = EVENT_POINTER.exec(at);
      issues.push({ ...(event ? { eventIndex: Number(event[1]) } : {}), pointer: at || '/', message });
    };
    if (typeof node === 'string') {
      const problem = unstorableProblem(node);
      if (problem) report(pointer, problem);
    } else if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i -= 1) stack.push([node[i], `${pointer}/${i}`]);
    } else if (typeof node === 'object' && node !== null) {
      for (const [key, value] of Object.entries(node).reverse()) {
        const at = `${pointer}/${escapePointer(key)}`;
        const problem = unstorableProblem(key);
        if (problem) report(at, `the field name ${problem}`);
        stack.push([value, at]);
      }
    }
  }
  return issues;
}
