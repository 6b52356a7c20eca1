import type { Catalogs } from './catalog.js';
import { commonMessages } from './common.js';
import { consoleMessages } from './console.js';
import { regulatorMessages } from './regulator.js';

/** The signed-in web pages and their message catalogs: each screen gets the common text and its own. */
const SCREEN_CATALOGS = {
  'sign-in': null,
  console: consoleMessages,
  regulator: regulatorMessages,
} satisfies Record<string, Catalogs<string> | null>;

export type Screen = keyof typeof SCREEN_CATALOGS;
export const SCREENS = Object.keys(SCREEN_CATALOGS) as Screen[];

type Keys<C> = C extends Catalogs<infer K> ? K : never;
export type CommonKey = Keys<typeof commonMessages>;
export type ConsoleKey = CommonKey | Keys<typeof consoleMessages>;
export type RegulatorKey = CommonKey | Keys<typeof regulatorMessages>;

/** Everything a screen shows, in one language, as the page embeds it for its script. */
export function screenMessages(language: 'zh-CN' | 'en', screen: Screen): Record<string, string> {
  const own = SCREEN_CATALOGS[screen];
  return { ...commonMessages[language], ...(own ? own[language] : {}) };
}
