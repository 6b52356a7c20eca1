import { bareTerm } from '../epcis/cbv.js';
import { en } from './en.js';
import { zhCN, type Messages } from './zh-CN.js';

/** The web pages' languages: zh-CN first, English on request (`?lang=en`, or the browser's Accept-Language). */
export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export type MessageKey = keyof Messages;

const CATALOGS: Record<Language, Messages> = { 'zh-CN': zhCN, en };

/** An explicit choice wins; otherwise the first language of the Accept-Language list we speak; otherwise zh-CN. */
export function chooseLanguage(requested: string | undefined, acceptLanguage: string | undefined): Language {
  const explicit = requested && matchLanguage(requested);
  if (explicit) return explicit;
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = Number(params.find((p) => p.trim().startsWith('q='))?.trim().slice(2) ?? 1);
      return { tag: tag.trim(), q: Number.isFinite(q) ? q : 0 };
    })
    .filter((l) => l.tag && l.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    const match = matchLanguage(tag);
    if (match) return match;
  }
  return 'zh-CN';
}

function matchLanguage(tag: string): Language | undefined {
  const lower = tag.toLowerCase();
  if (lower === 'zh' || lower.startsWith('zh-')) return 'zh-CN';
  if (lower === 'en' || lower.startsWith('en-')) return 'en';
  return undefined;
}

/** The text of a key in a language, with `{name}` placeholders filled. */
export function translator(language: Language): (key: MessageKey, values?: Record<string, string | number>) => string {
  const catalog = CATALOGS[language];
  return (key, values) => (values ? catalog[key].replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole)) : catalog[key]);
}

/** The label of a CBV business step (bare or as a URI), or the step's own name when it has none. */
export function stepKey(bizStep: string | null): MessageKey {
  const key = `step.${bizStep ? bareTerm(bizStep) : 'other'}` as MessageKey;
  return key in zhCN ? key : 'step.other';
}
