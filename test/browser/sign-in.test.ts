import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { browserMissing, launchBrowser } from '../support/browser.js';
import { call, startTestPlatform, subjectWithKey, userKey, type TestPlatform } from '../support/platform.js';

/** Signing in from a real browser: each role lands on its screen, a stale sign-in goes back to the form. */
const skip = browserMissing();

describe('signing in to the web pages', { skip }, () => {
  let t: TestPlatform;
  let browser: Browser;
  let base: string;
  const users: Record<'operator' | 'regulator', { username: string; password: string }> = {} as never;

  before(async () => {
    t = await startTestPlatform('sqlite');
    const { user } = await subjectWithKey(t.app, { role: 'subject_admin' });
    users.operator = { username: user.username, password: 'pork loin 2026' };
    await call(t.app, 'PUT', `/api/v1/users/${user.id}/password`, { body: { password: users.operator.password } });
    await userKey(t.app, 'regulator', { username: 'hz-regulator', regionPrefix: '3301', departments: ['market_regulation'] });
    const regulator = (await call(t.app, 'GET', '/api/v1/users?role=regulator')).json.items.find((u: { username: string }) => u.username === 'hz-regulator');
    users.regulator = { username: 'hz-regulator', password: 'market watch 2026' };
    await call(t.app, 'PUT', `/api/v1/users/${regulator.id}/password`, { body: { password: users.regulator.password } });
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  const fresh = async (): Promise<{ context: BrowserContext; page: Page }> => {
    const context = await browser.newContext({ locale: 'zh-CN' });
    return { context, page: await context.newPage() };
  };

  const signIn = async (page: Page, who: { username: string; password: string }) => {
    await page.getByLabel('用户名').fill(who.username);
    await page.getByLabel('密码').fill(who.password);
    await page.getByRole('button', { name: '登录' }).click();
  };

  test('an enterprise user opening the console is asked to sign in, then lands back on it', async () => {
    const { context, page } = await fresh();
    await page.goto(`${base}/console`);
    await page.waitForURL(/\/sign-in\?next=%2Fconsole/);
    await signIn(page, users.operator);
    await page.waitForURL(`${base}/console`);
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), '企业工作台');
    await context.close();
  });

  test('a regulator lands on the dashboard; a wrong password says so and stays', async () => {
    const { context, page } = await fresh();
    await page.goto(`${base}/sign-in`);
    await signIn(page, { ...users.regulator, password: 'not the password' });
    await page.getByRole('alert').filter({ hasText: '用户名或密码错误' }).waitFor();
    assert.match(page.url(), /\/sign-in$/);
    await signIn(page, users.regulator);
    await page.waitForURL(`${base}/regulator`);
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), '监管驾驶舱');
    await context.close();
  });

  test('signing out ends the key: the console asks to sign in again', async () => {
    const { context, page } = await fresh();
    await page.goto(`${base}/sign-in`);
    await signIn(page, users.operator);
    await page.waitForURL(`${base}/console`);
    await page.getByRole('button', { name: '退出登录' }).click();
    await page.waitForURL(/\/sign-in$/);
    await page.goto(`${base}/console`);
    await page.waitForURL(/\/sign-in\?next=/);
    await context.close();
  });
});
