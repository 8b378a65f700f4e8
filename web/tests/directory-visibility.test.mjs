// Visibility rules (docs/api-directory.md "Visibility") in Admin → Directory: the admin gives
// 销售部 the rule "only their own departments" through the panel; 安娜, a member of 销售部 with
// Contacts open in another browser, sees only 销售部 there, live (`directory.visibility_changed`,
// no reload); a sub-department shows the inherited rule; a rule with a department picked on the
// tree adds 研发部 back; removing the rule restores everything. The panel at 390x844 in English.
// The tests share one server and run in order.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { api, byId, createPerson, eventually, expectText, launchBrowser, login, newPage, waitForStream } from './helpers.mjs';
import { skipReason, startServer } from './server.mjs';

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const PASSWORD = 'Vis-Passw0rd!2024';

const deptButton = (page, tree, name) => page.locator(`[data-testid="${tree}"] [data-testid="dept-select"][data-name="${name}"]`);
/** The names of the departments in a tree, in display order. */
const treeNames = (page, tree) =>
  page.locator(`[data-testid="${tree}"] [data-testid="dept-select"]`).evaluateAll((els) => els.map((e) => e.dataset.name));
/** The userids listed in Contacts (the root is selected, sub-departments included). */
const listed = (page) =>
  page.locator('[data-testid="contacts-members"] [data-testid="member-row"]').evaluateAll((els) => els.map((e) => e.dataset.userid).sort());

describe('directory visibility', { skip: skipReason() ?? false, timeout: 300_000 }, () => {
  let server;
  let browser;
  let admin;
  let anna;
  const ids = {};

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    admin = await newPage(browser);
    await login(admin, server.baseURL, { corpid: server.corpid, login: 'admin', password: server.adminPassword });
    // Setup through the API: 销售部 (with 华东区 under it) and 研发部, one member in each.
    for (const [name, parentid] of [['销售部', 1], ['研发部', 1]]) {
      ids[name] = (await api(admin, 'POST', '/api/v1/directory/departments', { name, parentid })).id;
    }
    ids['华东区'] = (await api(admin, 'POST', '/api/v1/directory/departments', { name: '华东区', parentid: ids['销售部'] })).id;
    await createPerson(admin, { userid: 'anna', name: '安娜' }, PASSWORD);
    await createPerson(admin, { userid: 'bo', name: '薄波' }, PASSWORD);
    await api(admin, 'PATCH', '/api/v1/directory/members/anna', { department: [ids['销售部']], main_department: ids['销售部'] });
    await api(admin, 'PATCH', '/api/v1/directory/members/bo', { department: [ids['研发部']], main_department: ids['研发部'] });

    anna = await newPage(browser);
    await login(anna, server.baseURL, { corpid: server.corpid, login: 'anna', password: PASSWORD });
    await anna.goto(`${server.baseURL}/#/app/contacts`);
    await byId(anna, 'contacts-tree').waitFor();
    await waitForStream(anna);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function openPanel(page, name) {
    await page.goto(`${server.baseURL}/#/app/admin/directory`);
    await page.reload();
    await byId(page, 'admin-dir-tree').waitFor();
    await deptButton(page, 'admin-dir-tree', name).click();
    await page.locator(`[data-testid="dept-panel-head"][data-name="${name}"]`).waitFor();
    await page.locator(`[data-testid="visibility-panel"][data-dept-id="${ids[name]}"]`).waitFor();
    return byId(page, 'visibility-panel');
  }

  test('"only own departments" for 销售部: 安娜 sees only 销售部, live', async () => {
    // Before: 安娜 sees the whole company.
    await eventually(() => treeNames(anna, 'contacts-tree'), (n) => n.includes('研发部') && n.includes('销售部'), 'everything visible at first');
    await eventually(() => listed(anna), (l) => l.includes('bo') && l.includes('admin'), 'everyone listed at first');

    const panel = await openPanel(admin, '销售部');
    assert.equal(await panel.getAttribute('data-state'), 'none');
    await expectText(byId(admin, 'visibility-status'), /未设置规则/);
    await expectText(byId(admin, 'visibility-explain'), /自己所在的部门/);
    assert.equal(await byId(admin, 'visibility-remove').count(), 0, 'nothing to remove without a rule');

    await byId(admin, 'visibility-edit').click();
    // Chosen departments with none chosen is refused in the page.
    await byId(admin, 'visibility-mode-chosen').check();
    await byId(admin, 'visibility-tree').waitFor();
    await byId(admin, 'visibility-save').click();
    await expectText(byId(admin, 'visibility-error'), /至少选择一个部门/);

    await byId(admin, 'visibility-mode-own').check();
    assert.equal(await byId(admin, 'visibility-tree').count(), 0, 'no tree for "only own departments"');
    await byId(admin, 'visibility-save').click();
    await expectText(byId(admin, 'visibility-notice'), /已保存“销售部”的可见范围/);
    await eventually(() => panel.getAttribute('data-state'), (s) => s === 'own', 'its own rule');
    await expectText(byId(admin, 'visibility-summary'), /只能看到自己所在的部门/);
    const { rules } = await api(admin, 'GET', '/api/v1/directory/visibility');
    assert.deepEqual(rules, [{ department: ids['销售部'], visible: [] }]);

    // 安娜's open Contacts follows without a reload: the root (drawn as an ancestor) and 销售部 only.
    await eventually(() => treeNames(anna, 'contacts-tree'), (n) => !n.includes('研发部') && n.includes('销售部'), '研发部 gone for 安娜');
    await eventually(() => listed(anna), (l) => l.join() === 'anna', 'only 销售部 people listed');
    assert.ok(!(await treeNames(anna, 'contacts-tree')).includes('研发部'));

    // 华东区 has no rule of its own: it follows 销售部.
    await deptButton(admin, 'admin-dir-tree', '华东区').click();
    const sub = admin.locator(`[data-testid="visibility-panel"][data-dept-id="${ids['华东区']}"]`);
    await sub.waitFor();
    assert.equal(await sub.getAttribute('data-state'), 'inherited');
    assert.equal(await sub.getAttribute('data-from'), String(ids['销售部']));
    await expectText(byId(admin, 'visibility-status'), /沿用上级部门“销售部”的规则/);
    assert.deepEqual(admin.errors, []);
  });

  test('a rule with 研发部 picked on the tree, then removing the rule restores everything', async () => {
    const panel = await openPanel(admin, '销售部');
    await byId(admin, 'visibility-edit').click();
    await byId(admin, 'visibility-mode-chosen').check();
    await admin.locator('[data-testid="visibility-tree"] [data-testid="dept-select"][data-name="研发部"]').click();
    await admin.locator(`[data-testid="visibility-chip"][data-dept-id="${ids['研发部']}"]`).waitFor();
    await expectText(byId(admin, 'visibility-count'), /已选 1 个部门/);
    await byId(admin, 'visibility-save').click();
    await byId(admin, 'visibility-notice').waitFor();
    await expectText(byId(admin, 'visibility-summary'), /可以看到：研发部/);
    const { rules } = await api(admin, 'GET', '/api/v1/directory/visibility');
    assert.deepEqual(rules, [{ department: ids['销售部'], visible: [ids['研发部']] }]);
    await eventually(() => listed(anna), (l) => l.join() === 'anna,bo', '研发部 people visible again');
    await eventually(() => treeNames(anna, 'contacts-tree'), (n) => n.includes('研发部'), '研发部 back in the tree');

    // Remove the rule (asks first): everything visible again, live.
    await byId(admin, 'visibility-remove').click();
    await byId(admin, 'visibility-remove-hint').waitFor();
    await byId(admin, 'visibility-remove-confirm').click();
    await expectText(byId(admin, 'visibility-notice'), /已删除“销售部”的可见范围规则/);
    await eventually(() => panel.getAttribute('data-state'), (s) => s === 'none', 'no rule any more');
    assert.deepEqual((await api(admin, 'GET', '/api/v1/directory/visibility')).rules, []);
    await eventually(() => listed(anna), (l) => l.join() === 'admin,anna,bo', 'everyone listed again');
    assert.deepEqual([...admin.errors, ...anna.errors], []);
  });

  test('at 390x844 in English: the panel and its tree fit the screen', async () => {
    const phone = await newPage(browser, PHONE);
    await login(phone, server.baseURL, { corpid: server.corpid, login: 'admin', password: server.adminPassword });
    await phone.evaluate(() => localStorage.setItem('workhub.lang', 'en'));
    await openPanel(phone, '销售部');
    await expectText(byId(phone, 'visibility-status'), /No rule: members of this department see the whole company/);
    await byId(phone, 'visibility-edit').tap();
    await byId(phone, 'visibility-mode-chosen').check();
    await phone.locator('[data-testid="visibility-tree"] [data-testid="dept-select"][data-name="研发部"]').tap();
    await expectText(byId(phone, 'visibility-count'), /^1 department chosen$/);
    for (const id of ['visibility-panel', 'visibility-tree', 'visibility-save']) {
      const el = byId(phone, id);
      await el.scrollIntoViewIfNeeded();
      const box = await el.boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 390, `${id} within the screen: ${JSON.stringify(box)}`);
    }
    const width = await phone.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `no horizontal scrolling (scrollWidth ${width})`);
    const dir = process.env.WORKHUB_SCREENSHOT_DIR || join(tmpdir(), 'workhub-web-screens');
    mkdirSync(dir, { recursive: true });
    await byId(phone, 'visibility-card').scrollIntoViewIfNeeded();
    await phone.screenshot({ path: join(dir, 'admin-visibility-390.png') });
    await byId(phone, 'visibility-cancel').tap();
    assert.deepEqual(phone.errors, []);
    await phone.context().close();
  });
});
