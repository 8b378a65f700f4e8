// Phone width (390x844): the navigation is a bottom bar that stays visible, nothing scrolls
// sideways, and a screenshot is kept for people to look at.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { byId, launchBrowser, login, newPage } from './helpers.mjs';
import { skipReason, startServer } from './server.mjs';

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

describe('phone layout', { skip: skipReason() ?? false, timeout: 180_000 }, () => {
  let server;
  let browser;
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('the shell at 390x844 keeps the nav visible as a bottom bar', async () => {
    const page = await newPage(browser, PHONE);
    await page.goto(`${server.baseURL}/#/login`);
    await byId(page, 'login-form').waitFor();
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), 'login page fits the width');

    await login(page, server.baseURL, { corpid: server.corpid, login: 'admin', password: server.adminPassword });
    const nav = byId(page, 'nav');
    assert.ok(await nav.isVisible());
    const box = await nav.boundingBox();
    assert.ok(box, 'nav has a box');
    assert.ok(Math.abs(box.y + box.height - 844) <= 2, `nav sits at the bottom (y=${box.y}, h=${box.height})`);
    assert.ok(box.width >= 380, `nav spans the width (${box.width})`);
    for (const id of ['messages', 'contacts', 'approvals', 'workbench', 'admin']) {
      const item = byId(page, `nav-${id}`);
      assert.ok(await item.isVisible(), `nav-${id} visible`);
      const b = await item.boundingBox();
      assert.ok(b && b.x >= 0 && b.x + b.width <= 391, `nav-${id} within the screen`);
    }
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), 'shell fits the width');

    const dir = process.env.WORKHUB_SCREENSHOT_DIR || join(tmpdir(), 'workhub-web-screens');
    mkdirSync(dir, { recursive: true });
    const shot = await page.screenshot({ path: join(dir, 'shell-phone-390x844.png') });
    assert.ok(shot.length > 10_000, 'a real screenshot');

    // The nav works by touch too.
    await byId(page, 'nav-admin').tap();
    await byId(page, 'policy-form').waitFor();
    assert.ok(await nav.isVisible());
    await page.screenshot({ path: join(dir, 'admin-policy-phone-390x844.png'), fullPage: true });
    await page.context().close();
  });
});
