// Sessions and devices: the current session is marked, a second sign-in appears, and revoking it
// sends that browser to the login page through the live event stream.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { byId, eventually, expectText, launchBrowser, login, newPage, waitForStream } from './helpers.mjs';
import { skipReason, startServer } from './server.mjs';

describe('sessions and devices', { skip: skipReason() ?? false, timeout: 180_000 }, () => {
  let server;
  let browser;
  let first; // the admin's first browser, trusted, kept for the second test
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('revoking another session signs that browser out', async () => {
    const creds = { corpid: server.corpid, login: 'admin', password: server.adminPassword };
    first = await newPage(browser);
    await login(first, server.baseURL, creds);
    await byId(first, 'user-menu').click();
    await byId(first, 'user-menu-sessions').click();
    await byId(first, 'my-sessions-list').waitFor();
    const rows = first.getByTestId('session-row');
    assert.equal(await rows.count(), 1);
    assert.equal(await rows.first().getAttribute('data-current'), 'true');
    await byId(first, 'session-current').waitFor();

    // A second browser (its own device id) signs in as the same user.
    const second = await newPage(browser);
    const outcome = await login(second, server.baseURL, { ...creds, allowPending: true });
    if (outcome === 'pending') {
      // The policy asks for approval of new devices: approve from the trusted first browser.
      await byId(first, 'my-approvals').waitFor();
      await byId(first, 'approval-approve').click();
      await byId(second, 'shell').waitFor();
    }
    await waitForStream(second);
    await byId(second, 'nav-messages').waitFor();

    await byId(first, 'my-sessions-refresh').click();
    await eventually(() => rows.count(), (n) => n === 2, 'two sessions listed');
    const other = first.locator('[data-testid="session-row"][data-current="false"]');
    assert.equal(await other.count(), 1);
    const otherId = await other.getAttribute('data-session-id');
    const secondSessionId = await second.evaluate(() => localStorage.getItem('workhub.session_id'));
    assert.equal(otherId, secondSessionId, 'the other row is the second browser');

    await other.getByTestId('session-revoke').click();
    await other.getByTestId('session-revoke-confirm').click();
    await eventually(() => rows.count(), (n) => n === 1, 'one session left');

    // The second browser hears session.revoked and lands on the login page with a notice.
    await byId(second, 'page-login').waitFor();
    await byId(second, 'login-notice').waitFor();
    assert.match(second.url(), /#\/login\?notice=signed_out/);

    // The first one is unaffected.
    await byId(first, 'nav-contacts').click();
    await byId(first, 'contacts-page').waitFor();
    await second.context().close();
  });

  test('the admin sees everyone\'s sessions and can filter by user', async () => {
    // The first test's browser: a new one could need device approval under some policies.
    const page = first;
    await page.goto(`${server.baseURL}/#/app/admin/sessions`);
    await byId(page, 'admin-sessions-list').waitFor();
    assert.ok((await page.getByTestId('session-row').count()) >= 1);
    await byId(page, 'admin-sessions-userid').fill('admin');
    await byId(page, 'admin-sessions-search').click();
    await eventually(() => page.url(), (u) => u.includes('userid=admin'), 'the filter is in the URL');
    await byId(page, 'admin-sessions-list').waitFor();
    const users = await page.getByTestId('session-row').evaluateAll((els) => els.map((e) => e.dataset.userid));
    assert.ok(users.length >= 1 && users.every((u) => u === 'admin'), `only admin rows: ${users}`);
    await expectText(byId(page, 'admin-tab-sessions'), /会话/);
    await page.context().close();
  });
});
