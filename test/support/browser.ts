import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/**
 * The browser the UI tests drive: Debian's Chromium (`.ci/run` installs it), headless. Where it is missing the tests
 * are skipped with the reason, except under CI, where a missing browser is a failure rather than a silent pass.
 */
export const CHROMIUM = process.env.ZHUISU_CHROMIUM ?? '/usr/bin/chromium';

export function browserMissing(): string | false {
  if (existsSync(CHROMIUM)) return false;
  if (process.env.CI) throw new Error(`no browser at ${CHROMIUM}: install Debian's chromium (.ci/run does)`);
  return `no browser at ${CHROMIUM} (apt-get install chromium, or set ZHUISU_CHROMIUM)`;
}

/** `extraArgs`: more Chromium switches, e.g. a fake camera playing a file (`--use-file-for-fake-video-capture`). */
export function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage', ...extraArgs] });
}
