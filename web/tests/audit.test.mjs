// The audit log lists sign-ins, filters by action, and offers the same filters as CSV.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { byId, eventually, launchBrowser, login, newPage } from './helpers.mjs';
import { skipReason, startServer } from './server.mjs';

describe('audit log', { skip: skipReason() ?? false, timeout: 180_000 }, () => {
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

  test('the audit log lists the login', async () => {
    const page = await newPage(browser);
    await login(page, server.baseURL, { corpid: server.corpid, login: 'admin', password: server.adminPassword });
    await page.goto(`${server.baseURL}/#/app/admin/audit`);
    await byId(page, 'audit-table').waitFor();

    const entries = () =>
      page
        .getByTestId('audit-row')
        .evaluateAll((els) => els.map((e) => ({ action: e.dataset.action, actor: e.dataset.actor, target: e.dataset.target })));
    // A sign-in is attributed to the account either as actor or as target (the server records
    // the unauthenticated request as actor "anonymous" with the account as target).
    const isAdminLogin = (r) => /login/i.test(r.action) && (r.actor === 'admin' || r.target === 'admin');
    await eventually(entries, (list) => list.some(isAdminLogin), 'a login entry for admin');

    // Filtering by action keeps only that action's entries.
    const loginAction = (await entries()).find(isAdminLogin).action;
    await byId(page, 'audit-action').fill(loginAction);
    await byId(page, 'audit-search').click();
    await eventually(entries, (list) => list.length > 0 && list.every((r) => r.action === loginAction), `rows of ${loginAction} only`);

    // Export uses the same filters and answers CSV with the session cookie.
    const href = await byId(page, 'audit-export').getAttribute('href');
    assert.match(href, /^\/api\/v1\/admin\/audit\/export\.csv\?/);
    assert.match(href, new RegExp(`action=${encodeURIComponent(loginAction)}`));
    const res = await page.request.get(`${server.baseURL}${href}`);
    assert.equal(res.status(), 200);
    assert.match(res.headers()['content-type'] ?? '', /text\/csv/);
    assert.match(await res.text(), /login/i);
    await page.context().close();
  });
});
