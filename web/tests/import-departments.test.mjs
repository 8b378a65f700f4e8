// Admin → Import / export, "部门": the department tree from a CSV or .xlsx file. A file creating
// two departments (the child listed before its parent) previews 2 to create, the empty department
// missing from the file to delete and the non-empty one kept (named, with the explanation); Apply
// runs the replace_party job to 100 % and the admin tree shows the new departments nested. A file
// with a cycle (dropped on the page) shows both rows' errors and cannot be applied; the server's
// own export.xlsx uploaded back is all unchanged; the export links; phone width in English (the
// cycle errors in English, nothing wider than the screen).
// The tests share one server and run in order.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { api, byId, eventually, expectText, launchBrowser, login, newPage } from './helpers.mjs';
import { skipReason, startServer } from './server.mjs';

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const HEADER = '部门名称,部门ID,父部门ID,排序';
const csv = (rows) => Buffer.from(`${HEADER}\n${rows.join('\n')}\n`, 'utf8');

/** 华东区 (child) comes before 销售中心 (its parent); the root (1) is not in the file and stays. */
const TREE_FILE = csv(['华东区,301,300,10', '销售中心,300,1,20']);
const CYCLE_FILE = csv(['甲,401,402,1', '乙,402,401,1']);

describe('department-tree import / export', { skip: skipReason() ?? false, timeout: 300_000 }, () => {
  let server;
  let browser;
  let admin;
  /** 市场部 has a member (kept although missing from the file); 临时组 is empty (deleted). */
  let marketId;
  let tempId;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    admin = await newPage(browser);
    await login(admin, server.baseURL, { corpid: server.corpid, login: 'admin', password: server.adminPassword });
    marketId = (await api(admin, 'POST', '/api/v1/directory/departments', { name: '市场部', parentid: 1 })).id;
    tempId = (await api(admin, 'POST', '/api/v1/directory/departments', { name: '临时组', parentid: 1 })).id;
    await api(admin, 'POST', '/api/v1/directory/members', { userid: 'lisi', name: '李四', department: [marketId], email: 'lisi@acme.cn' });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function openDeptImport(page = admin) {
    await page.goto(`${server.baseURL}/#/app/admin/import`);
    await page.reload();
    await byId(page, 'admin-import').waitFor();
    await byId(page, 'import-kind-departments').click();
    await byId(page, 'dept-import-card').waitFor();
    assert.equal(await byId(page, 'import-card').isVisible(), false, 'the member import is hidden');
  }

  async function choose(page, name, buffer, mimeType = 'text/csv') {
    await byId(page, 'dept-import-file').setInputFiles({ name, mimeType, buffer });
    await expectText(byId(page, 'dept-import-file-name'), new RegExp(name.replace('.', '\\.')));
  }

  const count = (page, k) => byId(page, `dept-import-count-${k}`).getAttribute('data-count');

  test('two new departments, child first: preview, apply, progress, the admin tree', async () => {
    await openDeptImport();
    await byId(admin, 'dept-import-check').click();
    await byId(admin, 'dept-import-need-file').waitFor();

    await choose(admin, 'tree.csv', TREE_FILE);
    await byId(admin, 'dept-import-check').click();
    await byId(admin, 'dept-import-preview').waitFor();
    await eventually(() => count(admin, 'create'), (v) => v === '2', 'create count');
    assert.equal(await count(admin, 'delete'), '1', '临时组 (empty, not in the file) is deleted');
    assert.equal(await count(admin, 'update'), '0');
    assert.equal(await byId(admin, 'dept-import-error-row').count(), 0);
    await byId(admin, 'dept-import-ok').waitFor();
    await byId(admin, 'dept-import-delete-warning').waitFor();
    // 市场部 is not in the file but has a member: kept, named, explained.
    const kept = admin.locator(`[data-testid="dept-import-kept-item"][data-dept-id="${marketId}"]`);
    await expectText(kept, /市场部/);
    await expectText(byId(admin, 'dept-import-kept'), /不在文件中.*成员或下级部门.*保留/s);

    const apply = byId(admin, 'dept-import-apply');
    await eventually(() => apply.isEnabled(), (v) => v === true, 'Apply enabled');
    await apply.click();
    await byId(admin, 'dept-import-job').waitFor();
    await eventually(() => admin.locator('[data-testid="dept-import-job"] .import-job').getAttribute('data-percentage'), (v) => v === '100', 'job percentage', 60_000);
    await expectText(byId(admin, 'dept-import-progress'), /100%/);
    const result = byId(admin, 'dept-import-result-text');
    assert.equal(await result.getAttribute('data-ok'), '3');
    assert.equal(await result.getAttribute('data-failed'), '0');
    await expectText(result, /成功 3 项，失败 0 项/);
    assert.equal(await byId(admin, 'dept-import-tally-create').getAttribute('data-count'), '2');
    assert.equal(await byId(admin, 'dept-import-tally-delete').getAttribute('data-count'), '1');
    assert.ok(await apply.isDisabled(), 'the same import cannot run twice');

    const { departments } = await api(admin, 'GET', '/api/v1/directory/departments');
    const byIdMap = new Map(departments.map((d) => [d.id, d]));
    assert.equal(byIdMap.get(300)?.name, '销售中心');
    assert.equal(byIdMap.get(300)?.parentid, 1);
    assert.equal(byIdMap.get(301)?.parentid, 300);
    assert.equal(byIdMap.get(301)?.order, 10);
    assert.ok(byIdMap.has(marketId), '市场部 kept');
    assert.ok(!byIdMap.has(tempId), '临时组 deleted');

    // The link to the directory: the new departments, nested.
    await byId(admin, 'dept-import-open-directory').click();
    await admin
      .locator('[data-testid="admin-dir-tree"] [data-testid="dept-node"][data-name="销售中心"] [data-testid="dept-node"][data-name="华东区"]')
      .waitFor();
    assert.deepEqual(admin.errors, []);
  });

  test('a cycle, dropped on the page: both rows in the error table, Apply disabled', async () => {
    await openDeptImport();
    // A file dropped on the picker (a synthetic drop, as a desktop drag would deliver it).
    await admin.evaluate((text) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], 'cycle.csv', { type: 'text/csv' }));
      const zone = document.querySelector('[data-testid="dept-import-drop"]');
      zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, CYCLE_FILE.toString('utf8'));
    await expectText(byId(admin, 'dept-import-file-name'), /cycle\.csv/);
    await byId(admin, 'dept-import-check').click();
    await byId(admin, 'dept-import-preview').waitFor();
    for (const r of ['2', '3']) {
      const row = admin.locator(`[data-testid="dept-import-error-row"][data-row="${r}"][data-field="parentid"]`);
      await row.waitFor();
      await expectText(row.getByTestId('dept-import-error-field'), /父部门ID/);
      await expectText(row.getByTestId('dept-import-error-message'), /下级部门|自己/);
    }
    await byId(admin, 'dept-import-errors-note').waitFor();
    assert.ok(await byId(admin, 'dept-import-apply').isDisabled(), 'Apply is disabled while there are errors');
    const { departments } = await api(admin, 'GET', '/api/v1/directory/departments');
    assert.ok(!departments.some((d) => d.id === 401 || d.id === 402), 'nothing was created');
    assert.deepEqual(admin.errors, []);
  });

  test('exports: CSV and Excel links; the .xlsx uploaded back is all unchanged', async () => {
    await openDeptImport();
    const csvHref = await byId(admin, 'dept-export-csv').getAttribute('href');
    assert.equal(csvHref, '/api/v1/directory/departments/export.csv');
    const text = await admin.evaluate(async (u) => (await fetch(u)).text(), csvHref);
    assert.match(text.replace(/^\uFEFF/, ''), /^部门名称,部门ID,父部门ID,排序/);
    assert.match(text, /华东区,301,300,10/);

    const [download] = await Promise.all([admin.waitForEvent('download'), byId(admin, 'dept-export-xlsx').click()]);
    assert.equal(download.suggestedFilename(), 'departments.xlsx');
    const workbook = readFileSync(await download.path());
    assert.equal(workbook.subarray(0, 2).toString('latin1'), 'PK');
    const { departments } = await api(admin, 'GET', '/api/v1/directory/departments');
    await choose(admin, 'departments.xlsx', workbook, XLSX);
    await byId(admin, 'dept-import-check').click();
    await eventually(() => count(admin, 'unchanged'), (v) => v === String(departments.length), 'unchanged count');
    for (const k of ['create', 'update', 'delete']) assert.equal(await count(admin, k), '0', k);

    const [tmpl] = await Promise.all([admin.waitForEvent('download'), byId(admin, 'dept-import-template').click()]);
    assert.equal(readFileSync(await tmpl.path(), 'utf8').replace(/^\uFEFF/, '').trim(), HEADER);
  });

  test('phone width, English: the cycle errors in English, nothing wider than the screen', async () => {
    const phone = await newPage(browser, PHONE);
    await login(phone, server.baseURL, { corpid: server.corpid, login: 'admin', password: server.adminPassword });
    await phone.evaluate(() => localStorage.setItem('workhub.lang', 'en'));
    await openDeptImport(phone);
    await expectText(byId(phone, 'import-kind-departments'), /Departments/);
    await choose(phone, 'cycle.csv', CYCLE_FILE);
    await byId(phone, 'dept-import-check').tap();
    const row = phone.locator('[data-testid="dept-import-error-row"][data-row="2"][data-field="parentid"]');
    await row.waitFor();
    await expectText(row.getByTestId('dept-import-error-message'), /cannot move under itself/i);
    await expectText(row.getByTestId('dept-import-error-field'), /Parent ID/);
    assert.ok(await byId(phone, 'dept-import-apply').isDisabled());
    const width = await phone.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `no horizontal scrolling at phone width (scrollWidth ${width})`);
    const dir = process.env.WORKHUB_SCREENSHOT_DIR || join(tmpdir(), 'workhub-web-screens');
    mkdirSync(dir, { recursive: true });
    await phone.screenshot({ path: join(dir, 'admin-import-departments-390.png'), fullPage: true });
    assert.deepEqual(phone.errors, []);
    await phone.context().close();
  });
});
