// Sign-in and the shell: Chinese by default, English on request (remembered), server error
// messages shown as sent, Accept-Language following the UI language.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { byId, expectText, launchBrowser, login, newPage } from './helpers.mjs';
import { skipReason, startServer } from './server.mjs';

describe('sign-in and shell', { skip: skipReason() ?? false, timeout: 180_000 }, () => {
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

  test('a wrong password shows the server message', async () => {
    const page = await newPage(browser);
    await page.goto(`${server.baseURL}/#/login`);
    await byId(page, 'login-corpid').fill(server.corpid);
    await byId(page, 'login-account').fill('admin');
    await byId(page, 'login-password').fill('not-the-password');
    await byId(page, 'login-submit').click();
    const message = await byId(page, 'login-error').innerText();
    assert.ok(message.trim().length > 0, 'the error banner has the server message');
    assert.equal(await byId(page, 'shell').count(), 0);
    await page.context().close();
  });

  test('login shows the shell in Chinese, then English after the switch', async () => {
    const page = await newPage(browser);
    const languages = [];
    page.on('request', (req) => {
      if (req.url().includes('/api/v1/me')) languages.push(req.headers()['accept-language']);
    });
    await login(page, server.baseURL, { corpid: server.corpid, login: 'admin', password: server.adminPassword });

    const nav = byId(page, 'nav');
    await expectText(byId(page, 'nav-messages'), /消息/);
    await expectText(byId(page, 'nav-contacts'), /通讯录/);
    await expectText(byId(page, 'nav-approvals'), /审批/);
    await expectText(byId(page, 'nav-workbench'), /工作台/);
    await expectText(byId(page, 'nav-admin'), /管理后台/, 'the admin sees the admin entry');
    assert.ok(await nav.isVisible());
    await byId(page, 'messages-page').waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
    assert.equal(languages[0], 'zh-CN');

    await byId(page, 'lang-switch').click();
    await expectText(byId(page, 'nav-messages'), /Messages/);
    await expectText(byId(page, 'nav-contacts'), /Contacts/);
    await expectText(byId(page, 'thread-none'), /Pick a conversation/);
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');

    // The choice survives a reload, and the API is then asked in English.
    await page.reload();
    await expectText(byId(page, 'nav-workbench'), /Workbench/);
    assert.equal(languages.at(-1), 'en');

    // Other sections are reachable and say what is coming.
    await byId(page, 'nav-approvals').click();
    await expectText(byId(page, 'coming-soon-approvals'), /e-signatures/);
    await page.context().close();
  });

  test('a wrong current password is an error on the form, not a sign-out', async () => {
    const page = await newPage(browser);
    await login(page, server.baseURL, { corpid: server.corpid, login: 'admin', password: server.adminPassword });
    await byId(page, 'user-menu').click();
    await byId(page, 'user-menu-password').click();
    await byId(page, 'password-old').fill('not-my-password');
    await byId(page, 'password-new').fill('Another-Passw0rd!');
    await byId(page, 'password-confirm').fill('Another-Passw0rd!');
    await byId(page, 'password-submit').click();
    await byId(page, 'password-error').waitFor();
    assert.equal(await byId(page, 'shell').count(), 1, 'still signed in');
    assert.match(page.url(), /#\/app\/account\/password/);
    await page.context().close();
  });

  test('logout returns to the login page', async () => {
    const page = await newPage(browser);
    await login(page, server.baseURL, { corpid: server.corpid, login: 'admin', password: server.adminPassword });
    await byId(page, 'user-menu').click();
    await byId(page, 'user-menu-logout').click();
    await byId(page, 'page-login').waitFor();
    // The cookie is gone: the shell sends us back.
    await page.goto(`${server.baseURL}/#/app/messages`);
    await byId(page, 'page-login').waitFor();
    await page.context().close();
  });
});
