// The security policy form: edits persist across a reload, and another open policy page is
// refreshed by the security_policy.changed event.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { byId, eventually, launchBrowser, login, newPage, waitForStream } from './helpers.mjs';
import { skipReason, startServer } from './server.mjs';

describe('security policy', { skip: skipReason() ?? false, timeout: 180_000 }, () => {
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

  test('admin edits the policy and it persists after reload', async () => {
    const creds = { corpid: server.corpid, login: 'admin', password: server.adminPassword };
    const page = await newPage(browser);
    const watcher = await newPage(browser);
    await login(page, server.baseURL, creds);
    await login(watcher, server.baseURL, creds);

    // A second admin page stays open on the policy to receive the change event.
    await watcher.goto(`${server.baseURL}/#/app/admin/policy`);
    await byId(watcher, 'policy-form').waitFor();
    await waitForStream(watcher);

    await byId(page, 'nav-admin').click();
    await byId(page, 'policy-form').waitFor();
    await byId(page, 'policy-min_password_length').fill('12');
    await byId(page, 'policy-lockout_threshold').fill('7');
    await byId(page, 'policy-session_idle_minutes').fill('45');
    await byId(page, 'policy-password_history').fill('3');
    await byId(page, 'policy-class-symbol').check();
    await byId(page, 'policy-platform-desktop').uncheck();
    await byId(page, 'policy-ip_allowlist').fill('127.0.0.0/8\n10.0.0.0/8');
    await byId(page, 'policy-save').click();
    await byId(page, 'policy-saved').waitFor();

    await page.reload();
    await byId(page, 'policy-form').waitFor();
    assert.equal(await byId(page, 'policy-min_password_length').inputValue(), '12');
    assert.equal(await byId(page, 'policy-lockout_threshold').inputValue(), '7');
    assert.equal(await byId(page, 'policy-session_idle_minutes').inputValue(), '45');
    assert.equal(await byId(page, 'policy-password_history').inputValue(), '3');
    assert.equal(await byId(page, 'policy-class-symbol').isChecked(), true);
    assert.equal(await byId(page, 'policy-platform-desktop').isChecked(), false);
    assert.equal(await byId(page, 'policy-platform-web').isChecked(), true);
    assert.equal(await byId(page, 'policy-ip_allowlist').inputValue(), '127.0.0.0/8\n10.0.0.0/8');

    // The server agrees, not just the form.
    const policy = await page.evaluate(() =>
      fetch('/api/v1/admin/security-policy', { credentials: 'same-origin' }).then((r) => r.json()),
    );
    assert.equal(policy.min_password_length, 12);
    assert.equal(policy.lockout_threshold, 7);
    assert.ok(policy.required_char_classes.includes('symbol'));
    assert.ok(!policy.allowed_platforms.includes('desktop'));
    assert.deepEqual(policy.ip_allowlist, ['127.0.0.0/8', '10.0.0.0/8']);

    // The other open page was refreshed by the event.
    await byId(watcher, 'policy-changed').waitFor();
    await eventually(
      () => byId(watcher, 'policy-min_password_length').inputValue(),
      (v) => v === '12',
      'the watching page shows the new minimum length',
    );
    await page.context().close();
    await watcher.context().close();
  });

  test('an invalid number is caught before saving', async () => {
    const page = await newPage(browser);
    await login(page, server.baseURL, { corpid: server.corpid, login: 'admin', password: server.adminPassword });
    await page.goto(`${server.baseURL}/#/app/admin/policy`);
    await byId(page, 'policy-form').waitFor();
    await byId(page, 'policy-max_devices').fill('');
    await byId(page, 'policy-save').click();
    await page.locator('.field.has-error [data-testid="policy-max_devices"]').waitFor();
    assert.equal(await byId(page, 'policy-saved').count(), 0);
    await page.context().close();
  });
});
