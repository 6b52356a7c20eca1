/**
 * A small XML well-formedness check for the SVG the label module writes: one root element, every tag closed in order,
 * attributes quoted and unique, entities known, no stray markup characters. Enough to catch broken output; not a
 * validating parser.
 */
export function xmlProblem(text: string): string | undefined {
  const stack: string[] = [];
  let roots = 0;
  let rest = text.replace(/^\uFEFF?\s*(<\?xml[^?]*\?>)?/, '');
  while (rest.length > 0) {
    const lt = rest.indexOf('<');
    const chunk = lt < 0 ? rest : rest.slice(0, lt);
    if (chunk.includes('>')) return `stray ">" in text: ${chunk.slice(0, 40)}`;
    if (/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);)/i.test(chunk)) return `bad entity in text: ${chunk.slice(0, 40)}`;
    if (stack.length === 0 && chunk.trim() !== '') return 'text outside the root element';
    if (lt < 0) break;
    rest = rest.slice(lt);
    if (rest.startsWith('<!--')) {
      const end = rest.indexOf('-->');
      if (end < 0) return 'unclosed comment';
      rest = rest.slice(end + 3);
      continue;
    }
    const gt = rest.indexOf('>');
    if (gt < 0) return 'unclosed tag';
    const tag = rest.slice(0, gt + 1);
    rest = rest.slice(gt + 1);
    const closing = /^<\/([A-Za-z_][\w.:-]*)\s*>$/.exec(tag);
    if (closing) {
      if (stack.pop() !== closing[1]) return `unexpected </${closing[1]}>`;
      continue;
    }
    const opening = /^<([A-Za-z_][\w.:-]*)((?:\s+[A-Za-z_][\w.:-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>$/.exec(tag);
    if (!opening) return `malformed tag: ${tag.slice(0, 60)}`;
    const names = [...opening[2]!.matchAll(/([A-Za-z_][\w.:-]*)\s*=/g)].map((m) => m[1]);
    if (new Set(names).size !== names.length) return `repeated attribute in ${tag.slice(0, 60)}`;
    if (stack.length === 0) roots += 1;
    if (roots > 1) return 'more than one root element';
    if (opening[3] !== '/') stack.push(opening[1]!);
  }
  if (stack.length > 0) return `unclosed <${stack.at(-1)}>`;
  return roots === 1 ? undefined : 'no root element';
}
