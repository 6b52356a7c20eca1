import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { buildCompanyPrefix, buildGln, buildGtin, locationBody } from '../builders/master-data.js';
import { browserMissing, launchBrowser } from '../support/browser.js';
import { call, startTestPlatform, subjectWithKey, type TestPlatform } from '../support/platform.js';

/** Waits for a condition the page reaches on its own (a value filled in after a request). */
async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * The enterprise console in a real browser, as a subject admin uses it: registering a product, issuing serial codes
 * for a lot and printing their labels, shipping the lot to another subject's location by scanning its code, and
 * answering the recall notice that follows. Then the language switch and a form used with the keyboard only.
 */
const skip = browserMissing();

describe('enterprise console in a browser', { skip }, () => {
  let t: TestPlatform;
  let browser: Browser;
  let base: string;
  const admin = { username: '', password: 'cold chain 2026' };
  let shipper: { id: string; key: string; name: string };
  let receiverGln: string;
  const prefix = buildCompanyPrefix();
  const gtin13 = buildGtin(prefix);
  const gtin = `0${gtin13}`;
  const lot = 'L2611A';

  before(async () => {
    t = await startTestPlatform('sqlite');
    const own = await subjectWithKey(t.app, { role: 'subject_admin', subject: { companyPrefixes: [prefix], name: '杭州鲜肉加工厂' } });
    shipper = { id: own.subject.id, key: own.key, name: own.subject.name };
    admin.username = own.user.username;
    assert.equal((await call(t.app, 'PUT', `/api/v1/users/${own.user.id}/password`, { body: { password: admin.password } })).status, 204);
    assert.equal((await call(t.app, 'POST', `/api/v1/subjects/${shipper.id}/locations`, { body: locationBody({ gln: buildGln(prefix), name: '一号冷库' }) })).status, 201);
    const receiver = await subjectWithKey(t.app, { role: 'subject_admin', subject: { name: '西湖生鲜超市' } });
    receiverGln = buildGln();
    assert.equal((await call(t.app, 'POST', `/api/v1/subjects/${receiver.subject.id}/locations`, { body: locationBody({ gln: receiverGln, name: '超市门店' }) })).status, 201);
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  const signedIn = async (path: string, locale = 'zh-CN'): Promise<{ context: BrowserContext; page: Page }> => {
    const context = await browser.newContext({ locale, acceptDownloads: true });
    const page = await context.newPage();
    await page.goto(`${base}${path}`);
    await page.getByLabel('用户名').fill(admin.username);
    await page.getByLabel('密码').fill(admin.password);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL(`${base}${path}`);
    return { context, page };
  };

  /** A screen's link in the side navigation (the navigation is named after the current screen). */
  const menu = (page: Page, name: string) => page.locator('.sidenav').getByRole('link', { name, exact: true });

  test('a subject admin registers a product, issues codes, prints their labels, ships the lot and answers the recall', async () => {
    const { context, page } = await signedIn('/console');
    await page.getByRole('heading', { level: 1, name: '企业工作台' }).waitFor();
    await page.getByText(shipper.name).first().waitFor();

    // A product, registered through the form.
    await menu(page, '产品').click();
    await page.getByLabel('GTIN（商品条码').fill(gtin13);
    await page.getByLabel('产品名称').fill('冷鲜猪里脊');
    await page.getByLabel('规格').fill('500g/盒');
    await page.getByLabel('产品类别').selectOption('food');
    await page.getByRole('button', { name: '登记产品' }).click();
    await page.getByRole('status').filter({ hasText: '已登记产品 冷鲜猪里脊' }).waitFor();
    await page.getByRole('button', { name: '编辑 冷鲜猪里脊' }).click();
    await page.getByLabel('目录分类代码').fill('0122');
    await page.getByRole('button', { name: '保存' }).click();
    await page.getByRole('status').filter({ hasText: '已保存产品 冷鲜猪里脊' }).waitFor();
    await page.getByRole('row', { name: /冷鲜猪里脊.*食品.*0122/ }).waitFor();

    // Twelve GS1 serials for the lot, and their labels as a PDF sheet.
    await menu(page, '赋码与标签').click();
    await page.getByLabel('批号').fill(lot);
    await page.getByLabel('数量').fill('12');
    await page.getByRole('button', { name: '发码', exact: true }).click();
    await page.getByRole('status').filter({ hasText: '已发放 12 个码' }).waitFor();
    const [download, labels] = await Promise.all([
      page.waitForEvent('download'),
      page.waitForResponse((r) => r.url().includes('/labels?format=pdf')),
      page.getByRole('button', { name: '下载标签（PDF，A4）' }).click(),
    ]);
    assert.equal(labels.status(), 200);
    assert.equal(labels.headers()['content-type'], 'application/pdf');
    assert.equal(labels.headers()['x-labels-printed'], '12');
    assert.match(download.suggestedFilename(), /^labels-.+\.pdf$/);
    const pdf = await readFile((await download.path())!);
    assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
    assert.ok(pdf.length > 2_000, `a label sheet of ${pdf.length} bytes`);

    // The lot shipped to the supermarket: its code typed as a scanner would, then Enter.
    await menu(page, '追溯事件').click();
    await page.getByRole('heading', { name: '记录发货' }).waitFor();
    // The camera button is offered only where the browser can read barcodes itself.
    const detects = await page.evaluate(() => 'BarcodeDetector' in globalThis);
    assert.equal(await page.getByRole('button', { name: '用摄像头扫码' }).count(), detects ? 1 : 0);
    // The supermarket's location label, scanned into the destination, is read to its GLN.
    const destination = page.getByLabel('目的地位置码（GLN）');
    await destination.fill(`(414)${receiverGln}`);
    await destination.press('Enter');
    await until(async () => (await destination.inputValue()) === receiverGln, 'the scanned label fills the GLN');
    const scan = page.getByLabel('扫码或输入码');
    await scan.fill(`(01)${gtin}(10)${lot}`);
    await scan.press('Enter');
    await page.getByRole('status').filter({ hasText: `已添加 (01)${gtin}(10)${lot}` }).waitFor();
    await page.getByLabel(`(01)${gtin}(10)${lot} 的数量`).fill('12');
    await page.getByRole('button', { name: '提交发货记录' }).click();
    await page.getByRole('status').filter({ hasText: '已记录 1 条事件。' }).waitFor();

    const lotLink = `https://id.gs1.org/01/${gtin}/10/${lot}`;
    const shipped = await call(t.app, 'GET', `/epcis/events?EQ_bizStep=shipping&MATCH_anyEPCClass=${encodeURIComponent(lotLink)}`, { key: shipper.key });
    assert.equal(shipped.status, 200, shipped.body);
    const events = shipped.json.epcisBody.queryResults.resultsBody.eventList;
    assert.equal(events.length, 1);
    assert.deepEqual(events[0].quantityList, [{ epcClass: lotLink, quantity: 12, uom: 'EA' }]);
    assert.deepEqual(events[0].destinationList, [{ type: 'location', destination: `https://id.gs1.org/414/${receiverGln}` }]);
    assert.match(events[0].bizStep, /shipping$/);
    await page.getByRole('region', { name: '最近的事件' }).getByText(lotLink).first().waitFor();

    // The lot is recalled: the overview says so first, in red; the notice is answered with what came back.
    const recall = await call(t.app, 'POST', '/api/v1/recalls', { body: { codes: [lotLink], reason: '微生物超标', level: 2 } });
    assert.equal(recall.status, 201, recall.body);
    await menu(page, '概览').click();
    await page.getByRole('alert').filter({ hasText: '1 条召回或停止交易通知待回复' }).waitFor();
    await page.getByRole('link', { name: '去回复' }).click();
    await page.getByRole('heading', { name: /召回 · 2 级: 微生物超标/ }).waitFor();
    await page.getByLabel('退回').fill('12');
    await page.getByLabel('说明').fill('已从超市全部收回');
    await page.getByRole('button', { name: '回复通知' }).click();
    await page.getByRole('status').filter({ hasText: '已回复通知' }).waitFor();
    const notices = (await call(t.app, 'GET', '/api/v1/notices', { key: shipper.key })).json.items;
    assert.equal(notices[0].status, 'acknowledged');
    assert.deepEqual(notices[0].outcome.returned, [{ quantity: 12, uom: 'EA' }]);
    await context.close();
  });

  test('the language switch shows the same screen in English, still signed in', async () => {
    const { context, page } = await signedIn('/console/codes');
    await page.getByRole('link', { name: 'English' }).click();
    await page.waitForURL(/\/console\/codes\?lang=en$/);
    await page.getByRole('heading', { level: 1, name: 'Codes and labels' }).waitFor();
    await page.getByRole('button', { name: 'Issue codes' }).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    await page.getByRole('link', { name: '中文' }).click();
    await page.getByRole('heading', { level: 1, name: '赋码与标签' }).waitFor();
    await context.close();
  });

  test('the product form works with the keyboard alone: tab to it, type, submit with Enter', async () => {
    const { context, page } = await signedIn('/console/products');
    await page.getByRole('heading', { name: '登记产品' }).waitFor();
    let presses = 0;
    while ((await page.locator('input[name="code-kind"]:focus').count()) === 0) {
      await page.keyboard.press('Tab');
      assert.ok(++presses < 60, 'the product form is reached by Tab');
    }
    // The radio group is one stop: the arrow keys choose within it.
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.getByRole('radio', { name: '企业自编码' }).isChecked(), true);
    await page.keyboard.press('Tab');
    await page.keyboard.type('PORK-RIB-01');
    await page.keyboard.press('Tab');
    await page.keyboard.type('猪肋排');
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: '已登记产品 猪肋排' }).waitFor();
    const products = (await call(t.app, 'GET', `/api/v1/products?owner=${shipper.id}`, { key: shipper.key })).json.items;
    assert.ok(products.some((p: { localCode: string | null; name: string }) => p.localCode === 'PORK-RIB-01' && p.name === '猪肋排'));
    await context.close();
  });
});
