/** A screen's text in both languages: zh-CN defines the keys, English must have every one of them. */
export interface Catalogs<Keys extends string> {
  'zh-CN': Record<Keys, string>;
  en: Record<Keys, string>;
}

/** Fills `{name}` placeholders; an unknown name stays visible rather than vanishing. */
export function fill(text: string, values?: Record<string, string | number>): string {
  return values ? text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole)) : text;
}
