import { fill } from '../../i18n/web/catalog.js';
import type { CommonKey, Screen } from '../../i18n/web/index.js';

/** What the server put into the page: the screen, the language and that screen's text (src/web/shell.ts). */
interface Boot {
  screen: Screen;
  language: 'zh-CN' | 'en';
  messages: Record<string, string>;
}

const boot = JSON.parse(document.getElementById('boot')?.textContent ?? '{}') as Boot;

export const language = boot.language;
export const screen = boot.screen;

/**
 * A translator typed by the screen's keys: `translator<ConsoleKey>()` in the console. A key missing at run time
 * shows as itself, which a test or a reader notices at once.
 */
export function translator<Key extends string = CommonKey>(): (key: Key, values?: Record<string, string | number>) => string {
  return (key, values) => fill(boot.messages[key] ?? key, values);
}

/** The same page in the other language (the server reads `?lang=`). */
export function otherLanguageHref(): string {
  const url = new URL(window.location.href);
  url.searchParams.set('lang', language === 'en' ? 'zh-CN' : 'en');
  return url.pathname + url.search;
}

/** Dates and numbers as the reader's language writes them. */
export const formatDateTime = (iso: string | null | undefined): string =>
  iso ? new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso)) : '—';
export const formatDate = (iso: string | null | undefined): string => (iso ? new Intl.DateTimeFormat(language, { dateStyle: 'medium' }).format(new Date(iso)) : '—');
export const formatNumber = (value: number | null | undefined): string => (value === null || value === undefined ? '—' : new Intl.NumberFormat(language).format(value));
