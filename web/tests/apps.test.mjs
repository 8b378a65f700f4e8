// Admin → Apps and Admin → API rate limits (docs/api-directory.md "Apps and secrets"): an app is
// created and its secret shown once; a reset shows a new one (and only it works with gettoken);
// disable / enable; trusted IPs saved, and a bad CIDR shows the server's message; the visible
// range (a department from the tree, a member found by search); the contacts-sync secret reset;
// the rate limits form persists and the budget table shows agent 0 and the app, and refreshes;
// both pages at phone width.
// The tests share one server and run in order: later ones use what earlier ones created.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { byId, eventually, expectText, launchBrowser, login, newPage } from './helpers.mjs';
import { skipReason, startServer } from './server.mjs';

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const APP = '告警机器人';

describe('apps and rate limits', { skip: skipReason() ?? false, timeout: 300_000 }, () => {
  let server;
  let browser;
  let admin;
  let agentid;
  /** The contacts-sync secret after the reset in the UI. */
  let contactsSecret;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    admin = await newPage(browser);
    await login(admin, server.baseURL, { corpid: server.corpid, login: 'admin', password: server.adminPassword });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** WeCom-style calls from the test process, as an app would make them. */
  async function gettoken(secret) {
    const url = `${server.baseURL}/cgi-bin/gettoken?corpid=${encodeURIComponent(server.corpid)}&corpsecret=${encodeURIComponent(secret)}`;
    return (await fetch(url)).json();
  }

  async function openApps(page = admin) {
    await page.goto(`${server.baseURL}/#/app/admin/apps`);
    await page.reload();
    await byId(page, 'admin-apps').waitFor();
  }

  const appRow = (page = admin) => page.locator(`[data-testid="app-row"][data-name="${APP}"]`);

  /** Reads the secret in the open dialog, checks the warning, closes it; returns the secret. */
  async function takeSecret(kind, page = admin) {
    const dialog = byId(page, 'secret-dialog');
    await dialog.waitFor();
    assert.equal(await dialog.getAttribute('data-kind'), kind);
    assert.ok(await byId(page, 'secret-warning').isVisible(), 'the dialog warns that the secret is shown once');
    await expectText(byId(page, 'secret-warning'), /不会|无法再次|not be shown again/);
    const secret = await byId(page, 'secret-value').inputValue();
    assert.ok(secret.length >= 32, `a long secret: ${secret}`);
    assert.equal((await byId(page, 'secret-corpid').innerText()).trim(), server.corpid);
    assert.ok(await byId(page, 'secret-copy').isVisible(), 'a copy button');
    // Escape does not lose it by accident; the button closes it.
    await page.keyboard.press('Escape');
    assert.equal(await dialog.count(), 1, 'Escape keeps the dialog');
    await byId(page, 'secret-close').click();
    assert.equal(await dialog.count(), 0);
    assert.equal((await page.content()).includes(secret), false, 'the secret is gone from the page once closed');
    return secret;
  }

  test('create an app: the secret is shown once, then the app is listed', async () => {
    await openApps();
    await byId(admin, 'apps-empty').waitFor();
    // An empty name is refused before asking the server.
    await byId(admin, 'app-create').click();
    await expectText(byId(admin, 'apps-error'), /应用名称/);

    await byId(admin, 'app-new-name').fill(APP);
    await byId(admin, 'app-create').click();
    const secret = await takeSecret('app');
    await expectText(byId(admin, 'apps-notice'), new RegExp(APP));

    const row = appRow();
    await row.waitFor();
    agentid = await row.getAttribute('data-agentid');
    assert.match(agentid, /^\d+$/);
    assert.ok(Number(agentid) > 0, `a real agentid: ${agentid}`);
    assert.equal(await row.getAttribute('data-enabled'), 'true');
    await expectText(row.getByTestId('app-agentid'), new RegExp(`^${agentid}$`));
    await expectText(row.getByTestId('app-visible-summary'), /全公司/);
    await expectText(row.getByTestId('app-trusted-ips-summary'), /不限/);

    // The secret works with gettoken; after a reload it is not shown anywhere.
    assert.equal((await gettoken(secret)).errcode, 0, 'the shown secret is the real one');
    await openApps();
    await appRow().waitFor();
    assert.equal(await byId(admin, 'secret-dialog').count(), 0);
    assert.equal((await admin.content()).includes(secret), false);
    assert.deepEqual(admin.errors, [], 'no page errors');

    // Rotating (after a confirmation) shows a different secret; only the new one works.
    await row.getByTestId('app-rotate').click();
    await row.getByTestId('app-rotate-cancel').click();
    assert.equal(await byId(admin, 'secret-dialog').count(), 0, 'cancel does not rotate');
    await row.getByTestId('app-rotate').click();
    await expectText(row.getByTestId('app-rotate-confirm-box'), /立即失效/);
    await row.getByTestId('app-rotate-confirm').click();
    const rotated = await takeSecret('app');
    assert.notEqual(rotated, secret, 'a new secret');
    assert.equal((await gettoken(rotated)).errcode, 0, 'the new secret works');
    assert.notEqual((await gettoken(secret)).errcode, 0, 'the old secret stopped working');
  });

  test('disable and enable the app', async () => {
    const row = appRow();
    await row.getByTestId('app-toggle').click();
    await eventually(() => row.getAttribute('data-enabled'), (v) => v === 'false', 'disabled');
    await expectText(row.getByTestId('app-status'), /已停用/);
    await expectText(byId(admin, 'apps-notice'), /已停用/);
    await openApps();
    assert.equal(await appRow().getAttribute('data-enabled'), 'false', 'still disabled after a reload');

    await appRow().getByTestId('app-toggle').click();
    await eventually(() => appRow().getAttribute('data-enabled'), (v) => v === 'true', 'enabled again');
    await appRow().getByTestId('app-toggle').click();
    await eventually(() => appRow().getAttribute('data-enabled'), (v) => v === 'false', 'disabled again');
    await expectText(appRow().getByTestId('app-status'), /已停用/);
  });

  test('trusted IPs: a CIDR is saved, a bad one shows the server message', async () => {
    const row = appRow();
    await row.getByTestId('app-edit').click();
    const editor = row.getByTestId('app-editor');
    await editor.waitFor();
    await editor.getByTestId('app-trusted-ips').fill('10.0.0.0/8');
    await editor.getByTestId('app-save').click();
    await eventually(() => editor.count(), (n) => n === 0, 'the editor closes after saving');
    await expectText(row.getByTestId('app-trusted-ips-summary'), /^10\.0\.0\.0\/8$/);
    await expectText(byId(admin, 'apps-notice'), /已保存/);
    await openApps();
    await expectText(appRow().getByTestId('app-trusted-ips-summary'), /^10\.0\.0\.0\/8$/, 'saved on the server');

    // What the server says about the bad value, asked directly (it is refused, so nothing changes).
    const expected = await admin.evaluate(async (id) => {
      const res = await fetch(`/api/v1/admin/apps/${id}`, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/json', 'Accept-Language': 'zh-CN' },
        body: JSON.stringify({ trusted_ips: ['10.0.0.0/99'] }),
      });
      return { status: res.status, body: await res.json() };
    }, agentid);
    assert.equal(expected.status, 400, JSON.stringify(expected));

    await appRow().getByTestId('app-edit').click();
    const again = appRow().getByTestId('app-editor');
    await again.getByTestId('app-trusted-ips').fill('10.0.0.0/99');
    await again.getByTestId('app-save').click();
    const error = again.getByTestId('app-error');
    await error.waitFor();
    assert.equal((await error.innerText()).trim(), expected.body.message, 'the server message, as sent');
    assert.match(await error.innerText(), /10\.0\.0\.0\/99/);
    assert.equal(await again.getByTestId('app-error-wrap').getAttribute('data-code'), expected.body.code);
    assert.equal(await again.count(), 1, 'the editor stays open');
    await again.getByTestId('app-cancel').click();
    await expectText(appRow().getByTestId('app-trusted-ips-summary'), /^10\.0\.0\.0\/8$/, 'unchanged');
  });

  test('visible range: a department from the tree and a member found by search', async () => {
    // A department and a member to choose.
    const made = await admin.evaluate(async () => {
      const post = (path, body) =>
        fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }).then((r) =>
          r.json(),
        );
      const dept = await post('/api/v1/directory/departments', { name: '运维部', parentid: 1 });
      await post('/api/v1/directory/members', { userid: 'zhaoliu', name: '赵六', department: [dept.id], mobile: '13900001234' });
      return dept.id;
    });

    await openApps();
    await appRow().getByTestId('app-edit').click();
    const editor = appRow().getByTestId('app-editor');
    await editor.locator('[data-testid="app-visible-dept"][data-name="运维部"]').check();
    await editor.getByTestId('app-visible-user-search').fill('zl');
    const option = editor.locator('[data-testid="app-visible-user-option"][data-userid="zhaoliu"]');
    await option.click();
    await editor.locator('[data-testid="app-visible-user"][data-userid="zhaoliu"]').waitFor();
    await expectText(editor.locator('[data-testid="app-visible-user"][data-userid="zhaoliu"]'), /赵六/);
    assert.equal(await option.count(), 0, 'a chosen member leaves the options');
    await editor.getByTestId('app-save').click();
    await eventually(() => editor.count(), (n) => n === 0, 'saved');
    await expectText(appRow().getByTestId('app-visible-summary'), /1 个部门 · 1 名成员/);

    const saved = await admin.evaluate(async () => (await (await fetch('/api/v1/admin/apps')).json()).apps);
    const app = saved.find((a) => String(a.agentid) === agentid);
    assert.deepEqual(app.visible, { departments: [made], users: ['zhaoliu'], tags: [] });

    // After a reload the editor starts from what was saved, with the member's name.
    await openApps();
    await appRow().getByTestId('app-edit').click();
    const reopened = appRow().getByTestId('app-editor');
    assert.equal(await reopened.locator('[data-testid="app-visible-dept"][data-name="运维部"]').isChecked(), true);
    await expectText(reopened.locator('[data-testid="app-visible-user"][data-userid="zhaoliu"]'), /赵六/);
    // Back to the whole company.
    await reopened.getByTestId('app-visible-user-remove').click();
    await reopened.locator('[data-testid="app-visible-dept"][data-name="运维部"]').uncheck();
    await reopened.getByTestId('app-save').click();
    await expectText(appRow().getByTestId('app-visible-summary'), /全公司/);
  });

  test('contacts sync: reset the secret, shown once', async () => {
    await openApps();
    const card = byId(admin, 'contacts-sync');
    await card.getByTestId('contacts-secret-reset').click();
    await expectText(card.getByTestId('contacts-secret-confirm-box'), /立即失效/);
    await card.getByTestId('contacts-secret-reset-confirm').click();
    contactsSecret = await takeSecret('contacts');
    assert.notEqual(contactsSecret, server.contactsSecret);
    assert.equal((await gettoken(contactsSecret)).errcode, 0, 'the new contacts secret works');
    assert.notEqual((await gettoken(server.contactsSecret)).errcode, 0, 'the old one does not');
  });

  test('rate limits: agent 0 and the app listed, per-minute persists, the budget refreshes', async () => {
    await admin.goto(`${server.baseURL}/#/app/admin/rate-limits`);
    await byId(admin, 'admin-rate-limits').waitFor();
    const sync = admin.locator('[data-testid="rate-row"][data-agentid="0"]');
    const app = admin.locator(`[data-testid="rate-row"][data-agentid="${agentid}"]`);
    await sync.waitFor();
    await app.waitFor();
    await expectText(sync.getByTestId('rate-app-name'), /通讯录同步/);
    await expectText(app.getByTestId('rate-app-name'), new RegExp(APP));
    assert.equal(await app.getByTestId('rate-bar').count(), 4, 'contacts and messages, minute and day');

    const bar = (row, kind) => row.locator(`[data-testid="rate-bar"][data-kind="${kind}"]`);
    const perMinute = byId(admin, 'rate-contacts-per_minute');
    const before = Number(await perMinute.inputValue());
    assert.ok(before > 0);
    assert.equal(await bar(sync, 'contacts-minute').getAttribute('data-limit'), String(before));

    await perMinute.fill('100');
    await byId(admin, 'rate-save').click();
    await byId(admin, 'rate-notice').waitFor();
    await eventually(() => bar(sync, 'contacts-minute').getAttribute('data-limit'), (v) => v === '100', 'the table follows');
    await admin.reload();
    await byId(admin, 'rate-form').waitFor();
    assert.equal(await byId(admin, 'rate-contacts-per_minute').inputValue(), '100', 'persisted');

    // Bad values: a client check for non-numbers, the server's message for per_day < per_minute.
    await byId(admin, 'rate-messages-per_minute').fill('0');
    await byId(admin, 'rate-save').click();
    await byId(admin, 'rate-invalid').waitFor();
    await byId(admin, 'rate-reset').click();
    await byId(admin, 'rate-contacts-per_day').fill('50');
    await byId(admin, 'rate-save').click();
    await byId(admin, 'rate-error').waitFor();
    assert.ok((await byId(admin, 'rate-error').innerText()).trim().length > 0, 'a message from the server');
    await byId(admin, 'rate-reset').click();

    // A contacts call with the contacts-sync secret uses one from agent 0's budget.
    const left = Number(await bar(sync, 'contacts-minute').getAttribute('data-left'));
    const token = (await gettoken(contactsSecret)).access_token;
    const user = await (await fetch(`${server.baseURL}/cgi-bin/user/get?access_token=${token}&userid=admin`)).json();
    assert.equal(user.errcode, 0, JSON.stringify(user));
    await byId(admin, 'rate-refresh').click();
    await eventually(
      () => bar(admin.locator('[data-testid="rate-row"][data-agentid="0"]'), 'contacts-minute').getAttribute('data-left'),
      (v) => Number(v) < left,
      'the refreshed budget shows the call',
    );
    await expectText(bar(sync, 'contacts-minute').getByTestId('rate-bar-text'), /\/ 100$/);
    assert.deepEqual(admin.errors, [], 'no page errors');
  });

  test('phone width: apps (with the secret dialog) and rate limits fit 390 px', async () => {
    const dir = process.env.WORKHUB_SCREENSHOT_DIR || join(tmpdir(), 'workhub-web-screens');
    mkdirSync(dir, { recursive: true });
    const phone = await newPage(browser, PHONE);
    await login(phone, server.baseURL, { corpid: server.corpid, login: 'admin', password: server.adminPassword });
    await phone.goto(`${server.baseURL}/#/app/admin/apps`);
    await appRow(phone).waitFor();
    await appRow(phone).getByTestId('app-edit').tap();
    await appRow(phone).getByTestId('app-editor').waitFor();
    assert.ok(await phone.evaluate(() => document.documentElement.scrollWidth <= 390), 'apps page fits the width');
    await phone.screenshot({ path: join(dir, 'admin-apps-phone-390x844.png'), fullPage: true });
    await appRow(phone).getByTestId('app-cancel').tap();

    await byId(phone, 'app-new-name').fill('Phone app');
    await byId(phone, 'app-create').tap();
    const dialog = byId(phone, 'secret-dialog');
    await dialog.waitFor();
    const box = await dialog.boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= 391, `the dialog fits: ${JSON.stringify(box)}`);
    assert.ok(await byId(phone, 'secret-close').isVisible());
    await phone.screenshot({ path: join(dir, 'admin-app-secret-phone-390x844.png') });
    await byId(phone, 'secret-close').tap();

    await byId(phone, 'lang-switch').tap();
    await phone.goto(`${server.baseURL}/#/app/admin/rate-limits`);
    await phone.locator('[data-testid="rate-row"][data-agentid="0"]').waitFor();
    await expectText(byId(phone, 'admin-tab-rate-limits'), /rate limits/i);
    await expectText(phone.locator('[data-testid="rate-row"][data-agentid="0"] [data-testid="rate-app-name"]'), /Contacts sync/);
    assert.ok(await phone.evaluate(() => document.documentElement.scrollWidth <= 390), 'rate limits fit the width');
    await phone.screenshot({ path: join(dir, 'admin-rate-limits-phone-390x844-en.png'), fullPage: true });
    assert.deepEqual(phone.errors, [], 'no page errors');
    await phone.context().close();
  });
});
