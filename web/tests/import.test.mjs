// Admin → Import / export (WeCom template, CSV or .xlsx): a file with a bad mobile number shows the
// error table (row 2) and Apply stays disabled; a good file of 30 members previews 30 to create,
// Apply polls the job to 100 %, and Contacts lists an imported member; the export links and the
// template download; the server's own export.xlsx uploaded back previews everything unchanged; a
// CSV naming an unknown department id shows the pending notice and, applied, creates it under
// 待分配部门; a file that is neither CSV nor xlsx is refused; the page at phone width in English.
// The tests share one server and run in order. The department-tree import: import-departments.test.mjs.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { api, byId, eventually, expectText, launchBrowser, login, newPage } from './helpers.mjs';
import { skipReason, startServer } from './server.mjs';

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const HEADER = '姓名,帐号,手机号,邮箱,所在部门,职位,性别,是否部门内领导,排序,别名,座机,禁用';

/** One template row; department 1 is the root. */
const row = (name, userid, mobile) => [name, userid, mobile, `${userid}@acme.test`, '1', '工程师', '', '', '', '', '', ''].join(',');
const csv = (rows) => Buffer.from(`${HEADER}\n${rows.join('\n')}\n`, 'utf8');

const GOOD = Array.from({ length: 30 }, (_, i) => {
  const n = String(i + 1).padStart(2, '0');
  return row(`导入成员${n}`, `imp${n}`, `139000000${n}`);
});

describe('directory import / export', { skip: skipReason() ?? false, timeout: 300_000 }, () => {
  let server;
  let browser;
  let admin;

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

  async function openImport(page = admin) {
    await page.goto(`${server.baseURL}/#/app/admin/import`);
    await byId(page, 'admin-import').waitFor();
  }

  async function choose(page, name, buffer, mimeType = 'text/csv') {
    await byId(page, 'import-file').setInputFiles({ name, mimeType, buffer });
    await expectText(byId(page, 'import-file-name'), new RegExp(name.replace('.', '\\.')));
  }

  test('a bad mobile number: the error table shows row 2 and Apply is disabled', async () => {
    await openImport();
    assert.ok(await byId(admin, 'admin-tab-import').isVisible(), 'the tab is in the admin nav');
    // Checking without a file asks for one.
    await byId(admin, 'import-check').click();
    await byId(admin, 'import-need-file').waitFor();

    await choose(admin, 'bad.csv', csv([row('坏号码', 'badmobile', '123')]));
    await byId(admin, 'import-check').click();
    await byId(admin, 'import-preview').waitFor();
    const errRow = admin.locator('[data-testid="import-error-row"][data-row="2"]');
    await errRow.first().waitFor();
    const mobileRow = admin.locator('[data-testid="import-error-row"][data-row="2"][data-field="mobile"]');
    await mobileRow.waitFor();
    await expectText(mobileRow.getByTestId('import-error-rownum'), /^2$/);
    await expectText(mobileRow.getByTestId('import-error-field'), /手机号/);
    await expectText(mobileRow.getByTestId('import-error-message'), /手机|123/);
    assert.ok(await byId(admin, 'import-apply').isDisabled(), 'Apply is disabled while there are errors');
    await byId(admin, 'import-errors-note').waitFor();

    // Replace mode shows the warning and drops the old preview.
    await byId(admin, 'import-mode-replace').check();
    await byId(admin, 'import-replace-warning').waitFor();
    assert.equal(await byId(admin, 'import-preview').count(), 0, 'changing the mode asks for a new check');
    await byId(admin, 'import-mode-sync').check();
    assert.equal(await byId(admin, 'import-replace-warning').count(), 0);
    assert.deepEqual(admin.errors, []);
  });

  test('30 good members: preview says 30 to create, Apply reaches 100 %, Contacts lists them', async () => {
    await openImport();
    await choose(admin, 'good.csv', csv(GOOD));
    await byId(admin, 'import-check').click();
    await byId(admin, 'import-preview').waitFor();
    await eventually(() => byId(admin, 'import-count-create').getAttribute('data-count'), (v) => v === '30', 'create count');
    await expectText(byId(admin, 'import-count-create'), /30/);
    assert.equal(await byId(admin, 'import-error-row').count(), 0);
    await byId(admin, 'import-ok').waitFor();
    const apply = byId(admin, 'import-apply');
    await eventually(() => apply.isEnabled(), (v) => v === true, 'Apply enabled');
    await apply.click();

    await byId(admin, 'import-job').waitFor();
    await eventually(
      () => admin.locator('.import-job').getAttribute('data-percentage'),
      (v) => v === '100',
      'job percentage',
      60_000,
    );
    await expectText(byId(admin, 'import-progress'), /100%/);
    const result = byId(admin, 'import-result-text');
    await result.waitFor();
    assert.equal(await result.getAttribute('data-ok'), '30');
    assert.equal(await result.getAttribute('data-failed'), '0');
    await expectText(result, /成功 30 条，失败 0 条/);
    assert.ok(await apply.isDisabled(), 'Apply cannot run the same import twice');

    // Contacts lists an imported member.
    await byId(admin, 'nav-contacts').click();
    await byId(admin, 'contacts-tree').waitFor();
    await admin.locator('[data-testid="member-row"][data-userid="imp17"]').waitFor();
    await expectText(admin.locator('[data-testid="member-row"][data-userid="imp17"]'), /导入成员17/);

    // Checking the same file again: everything unchanged.
    await openImport();
    await choose(admin, 'good.csv', csv(GOOD));
    await byId(admin, 'import-check').click();
    await eventually(() => byId(admin, 'import-count-unchanged').getAttribute('data-count'), (v) => v === '30', 'unchanged count');
    assert.equal(await byId(admin, 'import-count-create').getAttribute('data-count'), '0');
    assert.deepEqual(admin.errors, []);
  });

  test('export and template links', async () => {
    await openImport();
    const href = await byId(admin, 'import-export').getAttribute('href');
    assert.equal(href, '/api/v1/directory/export.csv');
    assert.equal(await byId(admin, 'import-export-xlsx').getAttribute('href'), '/api/v1/directory/export.xlsx');
    const text = await admin.evaluate(async (u) => (await fetch(u, { credentials: 'same-origin' })).text(), href);
    assert.match(text, /姓名,帐号,手机号/);
    assert.match(text, /imp17/);

    const [download] = await Promise.all([admin.waitForEvent('download'), byId(admin, 'import-template').click()]);
    const path = await download.path();
    const tmpl = readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
    assert.equal(tmpl.trim(), HEADER);
  });

  test('the server\'s own export.xlsx uploaded back: everything unchanged', async () => {
    for (const [userid, name, department] of [['xlsx1', '表格一', [1]], ['xlsx2', '表格二', [1]]]) {
      await api(admin, 'POST', '/api/v1/directory/members', { userid, name, department, email: `${userid}@acme.test`, position: '会计' });
    }
    const { members } = await api(admin, 'GET', '/api/v1/directory/members');
    await openImport();
    const [download] = await Promise.all([admin.waitForEvent('download'), byId(admin, 'import-export-xlsx').click()]);
    assert.equal(download.suggestedFilename(), 'members.xlsx');
    const workbook = readFileSync(await download.path());
    assert.equal(workbook.subarray(0, 2).toString('latin1'), 'PK', 'an xlsx (zip) workbook');

    await choose(admin, 'members.xlsx', workbook, XLSX);
    await byId(admin, 'import-check').click();
    await byId(admin, 'import-preview').waitFor();
    await eventually(() => byId(admin, 'import-count-unchanged').getAttribute('data-count'), (v) => v === String(members.length), 'unchanged count');
    for (const k of ['create', 'update', 'delete']) assert.equal(await byId(admin, `import-count-${k}`).getAttribute('data-count'), '0', k);
    await expectText(byId(admin, 'import-total'), new RegExp(`共 ${members.length} 行`));
    assert.equal(await byId(admin, 'import-error-row').count(), 0);
    assert.equal(await byId(admin, 'import-pending').count(), 0, 'no pending departments');
    assert.deepEqual(admin.errors, []);
  });

  test('an unknown department id: the pending notice, then the department under 待分配部门', async () => {
    await openImport();
    const rowWith = (dept) => ['新部门成员', 'pending1', '13900009999', 'pending1@acme.test', dept, '', '', '', '', '', '', ''].join(',');
    await choose(admin, 'pending.csv', csv([rowWith('4242')]));
    await byId(admin, 'import-check').click();
    await byId(admin, 'import-pending').waitFor();
    assert.equal(await byId(admin, 'import-pending-text').getAttribute('data-ids'), '4242');
    await expectText(byId(admin, 'import-pending'), /4242.*待分配部门/s);
    assert.equal(await byId(admin, 'import-count-create').getAttribute('data-count'), '1');
    await byId(admin, 'import-apply').click();
    await eventually(() => byId(admin, 'import-result-text').getAttribute('data-ok'), (v) => v === '1', 'job finished', 60_000);

    const { departments } = await api(admin, 'GET', '/api/v1/directory/departments');
    const holder = departments.find((d) => d.name === '待分配部门');
    assert.ok(holder, '待分配部门 exists');
    const created = departments.find((d) => d.id === 4242);
    assert.ok(created, 'department 4242 exists');
    assert.equal(created.parentid, holder.id, 'under 待分配部门');
    assert.equal(created.name, '4242', 'named by its id');
    assert.deepEqual((await api(admin, 'GET', '/api/v1/directory/members/pending1')).department, [4242]);

    // The admin tree shows it there.
    await admin.goto(`${server.baseURL}/#/app/admin/directory`);
    await admin.reload();
    await admin
      .locator('[data-testid="admin-dir-tree"] [data-testid="dept-node"][data-name="待分配部门"] [data-testid="dept-node"][data-dept-id="4242"]')
      .waitFor();
    assert.deepEqual(admin.errors, []);
  });

  test('a file that is neither CSV nor xlsx is refused in the page', async () => {
    await openImport();
    await byId(admin, 'import-file').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
    await byId(admin, 'import-bad-type').waitFor();
    await expectText(byId(admin, 'import-bad-type'), /notes\.txt/);
    await expectText(byId(admin, 'import-file-name'), /未选择文件/);
    assert.equal(await byId(admin, 'import-file').getAttribute('accept'), '.csv,.xlsx,text/csv,' + XLSX);
  });

  test('phone width, English', async () => {
    const phone = await newPage(browser, PHONE);
    await login(phone, server.baseURL, { corpid: server.corpid, login: 'admin', password: server.adminPassword });
    await phone.evaluate(() => localStorage.setItem('workhub.lang', 'en'));
    await openImport(phone);
    await phone.reload();
    await byId(phone, 'admin-import').waitFor();
    await expectText(byId(phone, 'import-check'), /Check file/);
    await choose(phone, 'bad-en.csv', csv([row('Bad', 'badmobile2', '123')]));
    await byId(phone, 'import-check').click();
    const mobileRow = phone.locator('[data-testid="import-error-row"][data-row="2"][data-field="mobile"]');
    await mobileRow.waitFor();
    await expectText(mobileRow.getByTestId('import-error-message'), /mobile/i);
    await expectText(mobileRow.getByTestId('import-error-field'), /Mobile/);
    assert.ok(await byId(phone, 'import-apply').isDisabled());
    const width = await phone.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `no horizontal scrolling at phone width (scrollWidth ${width})`);
    const dir = process.env.WORKHUB_SCREENSHOT_DIR || join(tmpdir(), 'workhub-web-screens');
    mkdirSync(dir, { recursive: true });
    await phone.screenshot({ path: join(dir, 'admin-import-390.png'), fullPage: true });
    assert.deepEqual(phone.errors, []);
    await phone.context().close();
  });
});
