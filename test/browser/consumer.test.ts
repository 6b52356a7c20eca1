import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { identifierOf } from '../../src/codes/registry.js';
import { LOIN, SERIALS, chain, registerChainParties, scanned, type ChainParty } from '../builders/chains.js';
import { epcisDocument } from '../builders/epcis.js';
import { productBody } from '../builders/master-data.js';
import { browserMissing, launchBrowser } from '../support/browser.js';
import { call, startTestPlatform, type TestPlatform } from '../support/platform.js';

/**
 * A shopper's phone in a real browser: the portal's home page takes a typed code, the code's page shows the product
 * and its chain, and once the plant recalls the lot the same page, reloaded, says so first, in red.
 */

const skip = browserMissing();

describe('consumer page in a browser', { skip }, () => {
  let t: TestPlatform;
  let browser: Browser;
  let phone: Page;
  let base: string;
  let plant: ChainParty;

  before(async () => {
    t = await startTestPlatform('sqlite');
    const parties = await registerChainParties(t.app);
    plant = parties.plant;
    const gtin = scanned(SERIALS[0]!).fields.gtin!;
    assert.equal((await call(t.app, 'POST', `/api/v1/subjects/${plant.subjectId}/products`, { key: plant.admin, body: productBody({ gtin, name: '冷鲜猪里脊 500g' }) })).status, 201);
    assert.equal((await call(t.app, 'POST', '/epcis/capture', { body: epcisDocument(chain()) })).status, 202);
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'zh-CN', javaScriptEnabled: false });
    phone = await context.newPage();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  test('a typed code leads to its page: product, every step of the chain, verified', async () => {
    await phone.goto(`${base}/`);
    const input = phone.getByRole('textbox', { name: '查询追溯码' });
    await input.fill(`(01)${scanned(SERIALS[0]!).fields.gtin}(21)S1`);
    await input.press('Enter');
    await phone.waitForURL(/\/01\/\d{14}\/21\/S1/);
    assert.equal(await phone.getByRole('heading', { level: 2, name: '冷鲜猪里脊 500g' }).count(), 1);
    const steps = await phone.locator('#chain li strong').allTextContents();
    assert.deepEqual(steps, ['赋码', '发货', '收货', '赋码', '赋码', '包装', '包装', '发货', '收货']);
    assert.match(await phone.locator('#chain li').nth(2).textContent() ?? '', /plant/);
    assert.equal((await phone.locator('#proof .verified').textContent())?.trim(), '✓ 已验证');
    assert.equal(await phone.getByRole('alert').count(), 0);
  });

  test('after a recall the page, reloaded, shows it first and in red', async () => {
    const created = await call(t.app, 'POST', '/api/v1/recalls', { key: plant.admin, body: { codes: [LOIN], reason: '兽药残留超标', level: 1 } });
    assert.equal(created.status, 201, created.body);
    await phone.goto(`${base}${identifierOf(scanned(SERIALS[0]!)).replace('https://id.gs1.org', '')}`);
    const alert = phone.getByRole('alert');
    assert.match((await alert.textContent()) ?? '', /召回.*兽药残留超标/);
    const [alertTop, productTop] = await Promise.all([alert.boundingBox(), phone.locator('#product').boundingBox()]);
    assert.ok(alertTop && productTop && alertTop.y < productTop.y, 'above the product');
    assert.equal(await alert.evaluate((element) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(element).backgroundColor), 'rgb(176, 0, 32)');
  });

  test('the complaint button opens a form that works without scripts and reaches the regulators', async () => {
    await phone.goto(`${base}${identifierOf(scanned(SERIALS[0]!)).replace('https://id.gs1.org', '')}`);
    await phone.getByText('投诉举报').click();
    await phone.getByLabel('问题描述').fill('包装漏气，肉已变色');
    await phone.getByLabel('联系电话（选填，仅监管部门可见）').fill('13800138000');
    await phone.getByRole('button', { name: '提交投诉' }).click();
    await phone.getByRole('heading', { name: '投诉已收到' }).waitFor();
    const complaints = (await call(t.app, 'GET', '/api/v1/complaints')).json.items as { text: string; contact: string; productName: string }[];
    assert.deepEqual(complaints.map((c) => [c.text, c.contact, c.productName]), [['包装漏气，肉已变色', '13800138000', '冷鲜猪里脊 500g']]);
    await phone.getByRole('link', { name: '返回' }).click();
    await phone.waitForURL(/\/01\/\d{14}\/21\/S1/);
  });

  test('English is one tap away', async () => {
    await phone.getByRole('link', { name: 'English' }).click();
    assert.equal(await phone.locator('html').getAttribute('lang'), 'en');
    assert.equal(await phone.locator('#chain h2').textContent(), 'Supply chain');
  });
});
