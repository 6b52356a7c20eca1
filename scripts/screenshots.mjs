#!/usr/bin/env node
// `npm run screenshots`: the README's pictures, taken from the compiled platform with its demo data in a real browser
// (Debian's Chromium, or ZHUISU_CHROMIUM). Writes docs/screenshots/*.png. Chinese text needs a CJK font on the
// machine (Debian: fonts-wqy-microhei or fonts-noto-cjk); without one it shows as empty boxes.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { withCheckDigit } from '../dist/codes/gs1/check-digit.js';
import { DEMO_PASSWORD } from '../dist/demo/demo.js';

try {
  if (!execFileSync('fc-list', [':lang=zh'], { encoding: 'utf8' }).trim()) console.warn('no CJK font found (fc-list :lang=zh): Chinese text will show as boxes; apt-get install fonts-wqy-microhei');
} catch {
  console.warn('fc-list is missing: cannot tell whether a CJK font is installed');
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'docs', 'screenshots');
const adminToken = `screenshots-${process.pid}-${Date.now()}`;
const dataDir = mkdtempSync(join(tmpdir(), 'zhuisu-screenshots-'));
const port = await freePort();
const base = `http://127.0.0.1:${port}`;

const server = spawn(process.execPath, ['bin/zhuisu.js', 'serve', '--demo'], {
  cwd: root,
  env: { ...process.env, DATABASE_URL: join(dataDir, 'demo.sqlite'), ZHUISU_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', ZHUISU_ADMIN_TOKEN: adminToken, ZHUISU_PUBLIC_URL: base, LOG_LEVEL: 'warn' },
  stdio: ['ignore', 'inherit', 'inherit'],
});
let browser;
try {
  await demoLoaded();
  browser = await chromium.launch({ executablePath: process.env.ZHUISU_CHROMIUM ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  mkdirSync(out, { recursive: true });
  const loinLot = `/01/${withCheckDigit('0697000210002')}/10/XS20261103B`;
  const pigLot = `(01)${withCheckDigit('0697000110001')}(10)ZJYH20261101`;

  const phone = await (await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, locale: 'zh-CN' })).newPage();
  await phone.goto(`${base}${loinLot}`);
  await shot(phone, 'consumer-page.png', true);

  const desk = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
  const enterprise = await signedIn(desk, 'slaughterhouse');
  await enterprise.goto(`${base}/console`);
  await shot(enterprise, 'console.png');

  const regulatorContext = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
  const regulator = await signedIn(regulatorContext, 'regulator');
  await regulator.goto(`${base}/regulator/trace?code=${encodeURIComponent(pigLot)}&direction=forward`);
  await shot(regulator, 'regulator-trace.png');
  await regulator.goto(`${base}/regulator`);
  await shot(regulator, 'regulator.png');
  console.log(`screenshots written to docs/screenshots`);
} finally {
  await browser?.close();
  server.kill('SIGTERM');
  await new Promise((resolve) => server.once('exit', resolve));
  rmSync(dataDir, { recursive: true, force: true });
}

async function signedIn(context, username) {
  const page = await context.newPage();
  await page.goto(`${base}/sign-in`);
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL(/\/(console|regulator)/);
  return page;
}

async function shot(page, name, fullPage = false) {
  await page.waitForLoadState('networkidle');
  await page.getByRole('heading', { level: 1 }).first().waitFor();
  // Charts say when they are drawn; then let their entry animation settle.
  if ((await page.locator('.chart').count()) > 0) await page.locator('[data-drawn="true"]').first().waitFor();
  await page.waitForTimeout(800);
  await page.screenshot({ path: join(out, name), fullPage });
}

async function demoLoaded() {
  for (let i = 0; i < 600; i++) {
    const users = await fetch(`${base}/api/v1/users?role=regulator`, { headers: { authorization: `Bearer ${adminToken}` } }).catch(() => null);
    if (users?.ok && (await users.json()).items.length > 0) return;
    if (server.exitCode !== null) throw new Error(`the server stopped (exit ${server.exitCode})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the demo data did not load in 60 s');
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}
