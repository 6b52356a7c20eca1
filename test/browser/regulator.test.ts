import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { identifierOf } from '../../src/codes/registry.js';
import { CARCASS, LOIN, MARKET, PLANT, SERIALS, at, chain, registerChainParties, scanned } from '../builders/chains.js';
import { epcisDocument, objectEvent, quantity, sgln } from '../builders/epcis.js';
import { browserMissing, launchBrowser } from '../support/browser.js';
import { call, startTestPlatform, type TestPlatform } from '../support/platform.js';

/**
 * The regulator dashboard in a real browser: a regulator of Zhejiang signs in, traces the plant's lot forward (the
 * graph's text lists the lot, its serials, the cases and the pallet, the timeline runs in time order), starts a recall
 * of the lot from the trace, watches its progress, and the consumer page of one of the lot's serials then shows the
 * recall in red.
 */

const skip = browserMissing();

describe('regulator dashboard in a browser', { skip }, () => {
  let t: TestPlatform;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let base: string;
  const regulator = { username: 'zj-regulator', password: 'zhejiang watch 2026' };
  const lot = scanned(LOIN);
  const serial = scanned(SERIALS[0]!);

  before(async () => {
    t = await startTestPlatform('sqlite');
    await registerChainParties(t.app);
    assert.equal((await call(t.app, 'POST', '/epcis/capture', { body: epcisDocument(chain()) })).status, 202);
    const user = await call(t.app, 'POST', '/api/v1/users', { body: { username: regulator.username, role: 'regulator', regionPrefix: '33', departments: ['market_regulation'] } });
    assert.equal(user.status, 201, user.body);
    assert.equal((await call(t.app, 'PUT', `/api/v1/users/${user.json.id}/password`, { body: { password: regulator.password } })).status, 204);
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await launchBrowser();
    context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  const heading = (name: string) => page.getByRole('heading', { level: 1, name }).waitFor();

  test('a regulator signs in and lands on the overview', async () => {
    await page.goto(`${base}/regulator`);
    await page.waitForURL(/\/sign-in\?next=%2Fregulator/);
    await page.getByLabel('用户名').fill(regulator.username);
    await page.getByLabel('密码').fill(regulator.password);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL(`${base}/regulator`);
    await heading('监管驾驶舱');
    assert.equal(await page.getByRole('link', { name: /进行中的召回/ }).count(), 1);
  });

  test('tracing the lot forward: the graph as text lists its things and links, the timeline runs in order', async () => {
    await page.getByRole('navigation').getByRole('link', { name: '追溯查询' }).click();
    await heading('追溯查询');
    await page.getByLabel('追踪（去了哪里）').check();
    await page.getByLabel('追溯码').fill(`(01)${lot.fields.gtin}(10)${lot.fields.lot}`);
    await page.getByRole('button', { name: '查询' }).click();
    await page.waitForURL(/\/regulator\/trace\?code=.*&direction=forward/);
    const nodes = page.locator('table.trace-nodes tbody th');
    await nodes.first().waitFor({ state: 'attached' });
    const things = await nodes.allTextContents();
    assert.deepEqual(
      [...things].sort(),
      [`(01)${lot.fields.gtin}(10)${lot.fields.lot}`, ...[1, 2, 3, 4].map((n) => `(01)${serial.fields.gtin}(21)S${n}`), '(00)006141410000010011', '(00)006141410000010028', '(00)006141410000020010'].sort(),
    );
    const edges = await page.locator('table.trace-edges tbody tr').evaluateAll((rows) => rows.map((row) => [...row.querySelectorAll('td')].slice(0, 3).map((cell) => cell.textContent)));
    assert.equal(edges.length, 4 + 4 + 2);
    assert.equal(edges.filter(([, , step]) => step === '赋码').length, 4);
    assert.ok(edges.some(([from, to, step]) => from === `(01)${serial.fields.gtin}(21)S1` && to === '(00)006141410000010011' && step === '包装'));
    assert.deepEqual(await page.locator('ol.timeline li strong').allTextContents(), ['赋码', '包装', '包装', '包装']);
    const times = await page.locator('ol.timeline li time').evaluateAll((list) => list.map((time) => time.getAttribute('datetime')!));
    assert.deepEqual(times, [...times].sort());
    assert.match((await page.locator('table.trace-parties').textContent()) ?? '', /plant.*market|market.*plant/s);
    await page.getByText('未发现断链、循环或召回').waitFor();
  });

  test('the flow of the lot by region: Zhejiang › Hangzhou › Xiaoshan and Beijing, with quantities', async () => {
    await page.getByRole('link', { name: '查看流向分布' }).click();
    await heading('流向分布');
    const tree = page.getByRole('list', { name: '按地区（省 › 市 › 县）' });
    await tree.waitFor();
    const provinces = await tree.locator(':scope > li > .region-name').allTextContents();
    assert.deepEqual(provinces.map((p) => p.trim()), ['北京市 11', '浙江省 33']);
    const xiaoshan = tree.locator('li[data-level="county"]').filter({ hasText: '萧山区' });
    assert.match((await xiaoshan.textContent()) ?? '', /1 个主体.*流入 4 EA.*流入 20 KGM/);
    assert.match((await page.locator('.chart-text table').textContent()) ?? '', /KGM/);
    await page.goBack();
    await heading('追溯查询');
  });

  test('a recall started from the trace reaches the market, its progress shows, and the consumer page turns red', async () => {
    await page.getByRole('link', { name: '对此码发起召回' }).click();
    await heading('发起召回');
    assert.match(await page.getByLabel(/召回的码/).inputValue(), /L2610/);
    await page.getByLabel('召回原因').fill('兽药残留超标');
    await page.getByRole('button', { name: '预览影响范围' }).click();
    const preview = page.locator('section[aria-labelledby="preview-heading"]');
    await preview.getByRole('table', { name: '受影响主体' }).getByRole('rowheader', { name: 'market' }).waitFor();
    await page.getByRole('button', { name: '发起召回' }).click();
    await heading('召回详情');
    await page.getByRole('heading', { level: 2, name: '兽药残留超标' }).waitFor();
    const progress = page.locator('section[aria-labelledby="progress-heading"]');
    await progress.locator('.card').first().waitFor();
    const notified = Number(await progress.locator('.card .figure').first().textContent());
    assert.ok(notified >= 2, `notified ${notified}`);
    assert.equal(await progress.locator('.card .figure').nth(1).textContent(), '0');
    await page.getByRole('button', { name: '刷新' }).click();
    assert.ok(await page.locator('section[aria-labelledby="affected-heading"]').getByRole('rowheader', { name: 'market' }).count());

    const phone = await context.newPage();
    await phone.goto(`${base}${identifierOf(serial).replace('https://id.gs1.org', '')}`);
    assert.match((await phone.getByRole('alert').textContent()) ?? '', /召回.*兽药残留超标/);
    await phone.close();

    await page.getByRole('navigation').getByRole('link', { name: '召回管理' }).click();
    await heading('召回管理');
    await page.getByRole('link', { name: '兽药残留超标' }).waitFor();
  });

  test('a sale of a recalled serial and a failed inspection show among the risk warnings', async () => {
    const sale = objectEvent({ eventTime: at(12), action: 'OBSERVE', bizStep: 'retail_selling', disposition: 'retail_sold', epcList: [SERIALS[0]], readPoint: { id: sgln(0, MARKET) }, bizLocation: { id: sgln(0, MARKET) } });
    const inspection = objectEvent({ eventTime: at(11), action: 'OBSERVE', bizStep: 'inspecting', disposition: 'non_conformant', epcList: [], quantityList: [quantity(25, CARCASS, 'KGM')], readPoint: { id: sgln(0, PLANT) }, bizLocation: { id: sgln(0, PLANT) } });
    assert.equal((await call(t.app, 'POST', '/epcis/capture', { body: epcisDocument([sale, inspection]) })).status, 202);
    await page.getByRole('navigation').getByRole('link', { name: '风险预警' }).click();
    await heading('风险预警');
    const row = page.getByRole('row').filter({ hasText: '召回后流通' });
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', /兽药残留超标.*S1/);
    assert.match((await page.getByRole('row').filter({ hasText: '检验不合格' }).textContent()) ?? '', /C2610/);
  });

  test('the regulator closes the recall with a note', async () => {
    await page.getByRole('navigation').getByRole('link', { name: '召回管理' }).click();
    await page.getByRole('link', { name: '兽药残留超标' }).click();
    await heading('召回详情');
    await page.getByLabel('结束说明').fill('已全部追回');
    await page.getByRole('button', { name: '结束召回' }).click();
    await page.getByText('结束说明：已全部追回').waitFor();
    assert.equal(await page.locator('.badge').first().textContent(), '已结束');
  });

  test('the dashboard speaks English on request', async () => {
    await page.getByRole('link', { name: 'English' }).click();
    await heading('Recall');
    await page.getByRole('navigation').getByRole('link', { name: 'Recalls' }).click();
    await heading('Recalls');
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    assert.equal(await page.getByRole('navigation').getByRole('link', { name: 'Trace' }).count(), 1);
    assert.match((await page.getByRole('row').nth(1).textContent()) ?? '', /Closed.*Recall.*level 1/);
  });
});
