// Company sign-up end to end, then the operator verifies the company and the new
// administrator's open page drops the "unverified" banner (corp.verified event).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { byId, eventually, expectText, launchBrowser, makePng, newPage, waitForStream } from './helpers.mjs';
import { OPERATOR, skipReason, startServer } from './server.mjs';

const VALID_USCC = '91350100M000100Y43';

describe('company sign-up and operator verification', { skip: skipReason() ?? false, timeout: 240_000 }, () => {
  let server;
  let browser;
  let founder; // the new administrator's page, kept open across both tests
  const company = `Test Co ${Date.now()}`;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('the sign-up wizard ends in the shell with the unverified banner', async () => {
    const page = await newPage(browser);
    founder = page;
    await page.goto(`${server.baseURL}/#/login`);
    await byId(page, 'login-link-signup').click();
    await byId(page, 'signup-company-form').waitFor();
    assert.equal(await byId(page, 'signup-steps').getAttribute('data-current'), '0');

    // Step 1: the check digit is validated as you type.
    await byId(page, 'signup-company-name').fill(company);
    await byId(page, 'signup-uscc').fill('91350100M000100Y44');
    await page.locator('.field.has-error [data-testid="signup-uscc"]').waitFor();
    await byId(page, 'signup-uscc').fill(VALID_USCC.toLowerCase()); // upper-cased by the form
    assert.equal(await byId(page, 'signup-uscc').inputValue(), VALID_USCC);
    assert.equal(await page.locator('.field.has-error [data-testid="signup-uscc"]').count(), 0);

    await byId(page, 'signup-licence-file').setInputFiles({ name: 'licence.png', mimeType: 'image/png', buffer: makePng() });
    await byId(page, 'signup-licence-progress').waitFor();
    await eventually(
      () => page.locator('[data-testid="signup-licence-progress"] [role="progressbar"]').getAttribute('aria-valuenow'),
      (v) => v === '100',
      'the upload progress reaches 100%',
    );
    await byId(page, 'signup-licence-done').waitFor();
    await byId(page, 'signup-company-next').click();

    // Step 2: bank account; the payment code is left for later.
    await byId(page, 'signup-bank-form').waitFor();
    assert.equal(await byId(page, 'signup-steps').getAttribute('data-current'), '1');
    await byId(page, 'signup-bank-name').fill('China Merchants Bank Fuzhou Branch');
    await byId(page, 'signup-bank-account-name').fill(company);
    await byId(page, 'signup-bank-account-number').fill('6225 8801 2345 6789');
    await byId(page, 'signup-bank-submit').click();
    await byId(page, 'signup-bank-awaiting').waitFor();
    await byId(page, 'signup-bank-later').click();
    await byId(page, 'signup-admin-form').waitFor();

    // A reload resumes at the server's step (the signup id and token are in sessionStorage).
    // The contract lets the server report either "admin" (bank left for later) or still "bank"
    // with awaiting_payment; both must resume correctly.
    await page.reload();
    await byId(page, 'signup-admin-form').or(byId(page, 'signup-bank-awaiting')).first().waitFor();
    if (await byId(page, 'signup-bank-awaiting').isVisible()) {
      assert.equal(await byId(page, 'signup-steps').getAttribute('data-current'), '1');
      await byId(page, 'signup-bank-later').click();
    }
    await byId(page, 'signup-admin-form').waitFor();
    assert.equal(await byId(page, 'signup-steps').getAttribute('data-current'), '2');
    await byId(page, 'signup-bank-pending').waitFor();

    // Step 3: the administrator, who is signed in afterwards.
    await byId(page, 'signup-admin-name').fill('Founder');
    await byId(page, 'signup-admin-userid').fill('founder');
    await byId(page, 'signup-admin-mobile').fill('13800138000');
    await byId(page, 'signup-admin-email').fill('founder@example.com');
    await byId(page, 'signup-admin-password').fill('Founder-Passw0rd!');
    await byId(page, 'signup-admin-password-confirm').fill('Founder-Passw0rd!');
    await byId(page, 'signup-admin-submit').click();

    // Step 4: details.
    await byId(page, 'signup-details-form').waitFor();
    await byId(page, 'signup-industry').selectOption('internet');
    await byId(page, 'signup-size').selectOption('51-200');
    await byId(page, 'signup-address').fill('1 Software Avenue, Fuzhou');
    await byId(page, 'signup-details-submit').click();

    await byId(page, 'shell').waitFor();
    await byId(page, 'banner-unverified').waitFor();
    await expectText(byId(page, 'banner-unverified'), /50/);
    await expectText(byId(page, 'shell-corp'), new RegExp(company));
    await byId(page, 'nav-admin').waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem('workhub.signup')), null, 'the wizard state is cleared');

    // The welcome note gives the company ID to sign in with; the user menu shows the same one.
    await byId(page, 'welcome').waitFor();
    await byId(page, 'user-menu').click();
    const corpid = (await byId(page, 'user-menu-corpid').locator('.mono').innerText()).trim();
    assert.ok(corpid.length > 0);
    await expectText(byId(page, 'welcome'), new RegExp(corpid));
    await page.keyboard.press('Escape');
    await waitForStream(page);
  });

  test('the operator verifies the company and the banner disappears', async () => {
    assert.ok(founder, 'the sign-up test ran first');
    const op = await newPage(browser);
    await op.goto(`${server.baseURL}/#/operator`);
    await byId(op, 'operator-login-form').waitFor();
    await byId(op, 'operator-username').fill(OPERATOR.username);
    await byId(op, 'operator-password').fill(OPERATOR.password);
    await byId(op, 'operator-login-submit').click();

    // The queue shows the new company with its licence and bank details.
    await byId(op, 'operator-queue').waitFor();
    const row = op.locator(`[data-testid="operator-signup-row"][data-company="${company}"]`);
    await row.waitFor();
    await expectText(row, /91350100M000100Y43/);
    const licence = await row.getByTestId('operator-signup-licence').getAttribute('href');
    assert.match(licence, /^\/api\/v1\/operator\/files\//);
    const file = await op.request.get(`${server.baseURL}${licence}`);
    assert.equal(file.status(), 200);
    assert.deepEqual([...(await file.body()).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], 'the licence is our PNG');
    await expectText(row.getByTestId('operator-signup-bank-status'), /打款|payment/i);

    // Record the payment code (the company can enter it later).
    await row.getByTestId('operator-bank-code').fill('123456');
    await row.getByTestId('operator-bank-code-save').click();
    await row.getByTestId('operator-bank-code-saved').or(op.getByTestId('operator-bank-code-saved')).first().waitFor();

    // Verify from the company list (unverified filter).
    await byId(op, 'operator-tab-corps').click();
    await byId(op, 'operator-corps').waitFor();
    assert.equal(await byId(op, 'operator-corps-filter').inputValue(), 'unverified');
    const corpRow = op.locator(`[data-testid="operator-corp-row"][data-name="${company}"]`);
    await corpRow.waitFor();
    await corpRow.getByTestId('operator-corp-verify').click();
    await corpRow.waitFor({ state: 'detached' });
    await byId(op, 'operator-corps-filter').selectOption('verified');
    await expectText(op.locator(`[data-testid="operator-corp-row"][data-name="${company}"]`), /已认证|Verified/);

    // The founder's open page hears corp.verified.
    await byId(founder, 'banner-unverified').waitFor({ state: 'detached', timeout: 20_000 });
    await founder.reload();
    await byId(founder, 'shell').waitFor();
    assert.equal(await byId(founder, 'banner-unverified').count(), 0);
    await op.context().close();
    await founder.context().close();
  });
});
