import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { renderSymbol } from '../../src/labels/index.js';
import type { Symbology } from '../../src/labels/barcode.js';
import { SERIALS, chain, registerChainParties, scanned } from '../builders/chains.js';
import { epcisDocument } from '../builders/epcis.js';
import { productBody } from '../builders/master-data.js';
import { browserMissing, launchBrowser } from '../support/browser.js';
import { call, startTestPlatform, type TestPlatform } from '../support/platform.js';
import { parsePng, type GreyImage } from '../labels/raster.js';

/**
 * The portal's camera button with a real camera pipeline: Chromium's fake capture device plays a frame holding the
 * label's symbol, the page decodes it, and the code's page opens. One browser per symbol, since the fake camera is
 * chosen at launch.
 */
const skip = browserMissing();

describe('scanning a code with the camera on the portal home page', { skip }, () => {
  let t: TestPlatform;
  let base: string;
  const dir = mkdtempSync(join(tmpdir(), 'zhuisu-camera-'));
  const gtin = scanned(SERIALS[0]!).fields.gtin!;

  before(async () => {
    t = await startTestPlatform('sqlite');
    const { plant } = await registerChainParties(t.app);
    assert.equal((await call(t.app, 'POST', `/api/v1/subjects/${plant.subjectId}/products`, { key: plant.admin, body: productBody({ gtin, name: '冷鲜猪里脊 500g' }) })).status, 201);
    assert.equal((await call(t.app, 'POST', '/epcis/capture', { body: epcisDocument(chain()) })).status, 202);
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
  });
  after(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const scanWith = async (symbology: Symbology, text: string): Promise<string> => {
    const camera = join(dir, `${symbology}.y4m`);
    writeFileSync(camera, cameraFrame(parsePng(await renderSymbol({ symbology, text, scale: 4 }, 'png'))));
    let browser: Browser | undefined;
    try {
      browser = await launchBrowser(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${camera}`]);
      const context = await browser.newContext({ locale: 'zh-CN', permissions: ['camera'] });
      const page = await context.newPage();
      await page.goto(`${base}/`);
      await page.getByRole('button', { name: '用摄像头扫码' }).click();
      await page.waitForURL(/\/01\/\d{14}\/21\/S1/, { timeout: 15_000 });
      assert.equal(await page.getByRole('heading', { level: 2, name: '冷鲜猪里脊 500g' }).count(), 1);
      return page.url();
    } finally {
      await browser?.close();
    }
  };

  test('a QR code carrying the GS1 Digital Link opens the item page', async () => {
    const url = await scanWith('qr', `https://id.gs1.org/01/${gtin}/21/S1`);
    assert.match(url, new RegExp(`/01/${gtin}/21/S1`));
  });

  test('a GS1 DataMatrix carrying the element string opens the same page', async () => {
    const url = await scanWith('gs1-datamatrix', `(01)${gtin}(21)S1`);
    assert.match(url, new RegExp(`/01/${gtin}/21/S1`));
  });

  test('without scripts the button is not offered; the form still works', async () => {
    const browser = await launchBrowser();
    try {
      const page = await (await browser.newContext({ javaScriptEnabled: false, locale: 'zh-CN' })).newPage();
      await page.goto(`${base}/`);
      assert.equal(await page.getByRole('button', { name: '用摄像头扫码' }).count(), 0);
      assert.equal(await page.getByRole('button', { name: '查询' }).count(), 1);
    } finally {
      await browser.close();
    }
  });
});

/**
 * One frame of a 640×480 YUV4MPEG2 stream (what Chromium's fake camera plays, looping): the symbol centred on white,
 * grey only, so the chroma planes are neutral.
 */
function cameraFrame(symbol: GreyImage): Buffer {
  const width = 640;
  const height = 480;
  const scale = Math.max(1, Math.floor(Math.min((width * 0.8) / symbol.width, (height * 0.8) / symbol.height)));
  const left = Math.floor((width - symbol.width * scale) / 2);
  const top = Math.floor((height - symbol.height * scale) / 2);
  const luma = Buffer.alloc(width * height, 235);
  for (let y = 0; y < symbol.height * scale; y++) {
    for (let x = 0; x < symbol.width * scale; x++) {
      const grey = symbol.pixels[Math.floor(y / scale) * symbol.width + Math.floor(x / scale)]!;
      luma[(top + y) * width + left + x] = 16 + Math.round((grey * 219) / 255);
    }
  }
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128);
  return Buffer.concat([Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`), Buffer.from('FRAME\n'), luma, chroma]);
}
