// The directory (docs/api-directory.md): the admin builds departments and members, Contacts shows
// them (tree, list, card) and follows changes live; the server's errors for a cycle and for
// deleting a non-empty department; tags; the org chart and its SVG export; invite → activation
// page → the new member's first sign-in (and masked contact details for a non-admin); phone width.
// The tests share one server and run in order: later ones use what earlier ones created.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { byId, eventually, expectText, launchBrowser, login, newPage, waitForStream } from './helpers.mjs';
import { skipReason, startServer } from './server.mjs';

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const MEMBER_PASSWORD = 'Zhang-Passw0rd!2024';

/** The select button of a department in a tree (`contacts-tree` or `admin-dir-tree`). */
const deptButton = (page, tree, name) => page.locator(`[data-testid="${tree}"] [data-testid="dept-select"][data-name="${name}"]`);
/** The tree node of `child` nested inside the node of `parent`. */
const nested = (page, tree, parent, child) =>
  page.locator(
    `[data-testid="${tree}"] [data-testid="dept-node"][data-name="${parent}"] [data-testid="dept-node"][data-name="${child}"]`,
  );

describe('directory', { skip: skipReason() ?? false, timeout: 300_000 }, () => {
  let server;
  let browser;
  /** The administrator's page, signed in once and reused by the tests below. */
  let admin;
  const adminCreds = () => ({ corpid: server.corpid, login: 'admin', password: server.adminPassword });

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** Opens Admin → Directory in a fresh state (a reload, since only the hash may change). */
  async function openAdminDirectory(page = admin) {
    await page.goto(`${server.baseURL}/#/app/admin/directory`);
    await page.reload();
    await byId(page, 'admin-directory').waitFor();
    await byId(page, 'admin-dir-tree').waitFor();
  }

  async function selectAdminDept(name, page = admin) {
    await deptButton(page, 'admin-dir-tree', name).click();
    await page.locator(`[data-testid="dept-panel-head"][data-name="${name}"]`).waitFor();
  }

  async function addMember(page, fields) {
    await byId(page, 'member-add').click();
    await byId(page, 'member-form').waitFor();
    for (const [k, v] of Object.entries(fields)) {
      if (k === 'gender') await byId(page, 'member-form-gender').selectOption(v);
      else await byId(page, `member-form-${k}`).fill(v);
    }
    await byId(page, 'member-form-save').click();
    await page.locator(`[data-testid="admin-member-row"][data-userid="${fields.userid}"]`).waitFor();
    // The row can arrive live (the stream) a moment before the save's own answer closes the form.
    await byId(page, 'member-form').waitFor({ state: 'detached', timeout: 5000 });
  }

  async function codeOf(page, testid) {
    await byId(page, testid).waitFor();
    return byId(page, `${testid}-wrap`).getAttribute('data-code');
  }

  test('admin creates 研发部 and a sub-department, adds a member, and Contacts shows them', async () => {
    admin = await newPage(browser);
    await login(admin, server.baseURL, adminCreds());
    await byId(admin, 'nav-admin').click();
    await byId(admin, 'admin-tab-directory').click();
    await byId(admin, 'admin-dir-tree').waitFor();

    // The root is selected first: create 研发部 under it.
    const rootId = await byId(admin, 'dept-panel-head').getAttribute('data-dept-id');
    assert.equal(rootId, '1', 'the root department (id 1) is selected at first');
    await byId(admin, 'dept-new-name').fill('研发部');
    await byId(admin, 'dept-create').click();
    await expectText(byId(admin, 'dept-notice'), /研发部/);
    await deptButton(admin, 'admin-dir-tree', '研发部').waitFor();

    // A sub-department under 研发部.
    await selectAdminDept('研发部');
    await byId(admin, 'dept-new-name').fill('后端组');
    await byId(admin, 'dept-new-name-en').fill('Backend');
    await byId(admin, 'dept-create').click();
    await nested(admin, 'admin-dir-tree', '研发部', '后端组').waitFor();

    // A member in 后端组 (the selected department is ticked in the form already).
    await selectAdminDept('后端组');
    await byId(admin, 'member-add').click();
    assert.equal(await admin.locator('[data-testid="member-form-departments"] input[data-name="后端组"]').isChecked(), true);
    await byId(admin, 'member-form-cancel').click();
    await addMember(admin, {
      userid: 'zhangsan',
      name: '张三',
      alias: 'Sam',
      mobile: '13812345678',
      email: 'zhangsan@acme.cn',
      telephone: '010-12345678',
      position: '后端工程师',
      gender: '1',
    });
    await byId(admin, 'admin-members-notice').waitFor();
    const adminRow = admin.locator('[data-testid="admin-member-row"][data-userid="zhangsan"]');
    assert.equal(await adminRow.getAttribute('data-status'), '4', 'a new member is not activated yet');

    // Contacts: tree, list, card.
    await byId(admin, 'nav-contacts').click();
    await byId(admin, 'contacts-tree').waitFor();
    await nested(admin, 'contacts-tree', '研发部', '后端组').waitFor();
    await expectText(deptButton(admin, 'contacts-tree', '研发部').getByTestId('dept-count'), /^1$/, 'count of 研发部');

    await deptButton(admin, 'contacts-tree', '后端组').click();
    await expectText(byId(admin, 'contacts-heading'), /后端组/);
    const row = admin.locator('[data-testid="contacts-members"] [data-testid="member-row"][data-userid="zhangsan"]');
    await row.waitFor();

    // 研发部: with sub-departments he is listed, without them not.
    await deptButton(admin, 'contacts-tree', '研发部').click();
    await expectText(byId(admin, 'contacts-heading'), /研发部/);
    assert.equal(await byId(admin, 'contacts-include-sub').isChecked(), true, 'sub-departments are included by default');
    await row.waitFor();
    await byId(admin, 'contacts-include-sub').uncheck();
    await eventually(() => row.count(), (n) => n === 0, 'not directly in 研发部');
    await byId(admin, 'contacts-include-sub').check();
    await row.waitFor();

    // The search box asks the server: name, pinyin, initials, alias, mobile, email, userid.
    const found = admin.locator('[data-testid="contacts-search-results"] [data-testid="search-row"][data-userid="zhangsan"]');
    for (const q of ['张', 'zhangs', 'zs', 'sam', '13812345678', 'zhangsan@acme']) {
      await byId(admin, 'contacts-search').fill(q);
      await admin.locator(`[data-testid="contacts-search-results"][data-query="${q}"][data-state="done"]`).waitFor();
      await found.waitFor();
    }
    await byId(admin, 'contacts-search').fill('nobody-by-that-name');
    await byId(admin, 'contacts-search-empty').waitFor();
    await byId(admin, 'contacts-search').fill('');
    await row.waitFor();

    await row.click();
    await byId(admin, 'member-card').waitFor();
    await expectText(byId(admin, 'member-card-name'), /张三/);
    await expectText(byId(admin, 'member-card-alias'), /Sam/);
    await expectText(byId(admin, 'member-card-position'), /后端工程师/);
    await expectText(byId(admin, 'member-card-departments'), /后端组/);
    await expectText(byId(admin, 'member-card-mobile'), /^13812345678$/, 'the admin sees the mobile unmasked');
    await expectText(byId(admin, 'member-card-email'), /^zhangsan@acme\.cn$/);
    await expectText(byId(admin, 'member-card-telephone'), /010-12345678/);
    await expectText(byId(admin, 'member-card-status'), /未激活/);
    await byId(admin, 'member-card-close').click();
    assert.equal(await byId(admin, 'member-card').count(), 0);
    assert.deepEqual(admin.errors, [], 'no page errors');
  });

  test('an open Contacts page follows the admin\'s changes live, without a reload', async () => {
    const watcher = await newPage(browser);
    await login(watcher, server.baseURL, adminCreds());
    await watcher.goto(`${server.baseURL}/#/app/contacts`);
    await byId(watcher, 'contacts-tree').waitFor();
    await waitForStream(watcher);
    await deptButton(watcher, 'contacts-tree', '研发部').click();
    await byId(watcher, 'contacts-include-sub').uncheck();
    await byId(watcher, 'contacts-members-empty').waitFor();
    await watcher.evaluate(() => {
      window.__sameDocument = true;
    });

    await openAdminDirectory();
    await selectAdminDept('研发部');
    await addMember(admin, { userid: 'lisi', name: '李四', email: 'lisi@acme.cn', position: '产品经理' });

    const row = watcher.locator('[data-testid="member-row"][data-userid="lisi"]');
    await row.waitFor();
    await expectText(row, /李四/);

    // A new department and a rename arrive the same way.
    await byId(admin, 'dept-new-name').fill('前端组');
    await byId(admin, 'dept-create').click();
    await nested(watcher, 'contacts-tree', '研发部', '前端组').waitFor();
    await selectAdminDept('前端组');
    await byId(admin, 'dept-name').fill('前端开发组');
    await byId(admin, 'dept-save').click();
    await byId(admin, 'dept-notice').waitFor();
    await nested(watcher, 'contacts-tree', '研发部', '前端开发组').waitFor();

    // An edit of the member too.
    await selectAdminDept('研发部');
    await admin.locator('[data-testid="admin-member-row"][data-userid="lisi"] [data-testid="member-edit"]').click();
    await byId(admin, 'member-form-position').fill('高级产品经理');
    await byId(admin, 'member-form-save').click();
    await byId(admin, 'admin-members-notice').waitFor();
    await expectText(row, /高级产品经理/);

    // Disable, enable, delete.
    const adminRow = admin.locator('[data-testid="admin-member-row"][data-userid="lisi"]');
    await adminRow.getByTestId('member-disable').click();
    await eventually(() => row.getAttribute('data-status'), (s) => s === '2', 'disabled, seen live');
    await expectText(row, /已停用/);
    await adminRow.getByTestId('member-enable').click();
    await eventually(() => row.getAttribute('data-status'), (s) => s !== '2', 'enabled again, seen live');
    await addMember(admin, { userid: 'temp', name: '临时工', email: 'temp@acme.cn' });
    const temp = watcher.locator('[data-testid="member-row"][data-userid="temp"]');
    await temp.waitFor();
    const tempRow = admin.locator('[data-testid="admin-member-row"][data-userid="temp"]');
    await tempRow.getByTestId('member-delete').click();
    await tempRow.getByTestId('member-delete-confirm').click();
    await eventually(() => temp.count(), (n) => n === 0, 'deleted, gone live');

    assert.equal(await watcher.evaluate(() => window.__sameDocument === true), true, 'the page was not reloaded');
    assert.deepEqual(watcher.errors, [], 'no page errors');
    await watcher.context().close();
  });

  test('moving a department under its own child shows the cycle error; too deep shows the depth error', async () => {
    await openAdminDirectory();
    await selectAdminDept('研发部');
    const childId = await deptButton(admin, 'admin-dir-tree', '后端组').getAttribute('data-dept-id');
    await byId(admin, 'dept-parent').selectOption(childId);
    await byId(admin, 'dept-move').click();
    assert.equal(await codeOf(admin, 'dept-error'), 'department_cycle');
    assert.ok((await byId(admin, 'dept-error').innerText()).trim().length > 0, 'the server message is shown');
    // Nothing moved.
    await nested(admin, 'admin-dir-tree', '研发部', '后端组').waitFor();

    // Deeper than the edition allows (standard: 3 levels below the root): the server's error.
    await selectAdminDept('后端组');
    await byId(admin, 'dept-new-name').fill('数据库小组');
    await byId(admin, 'dept-create').click();
    await nested(admin, 'admin-dir-tree', '后端组', '数据库小组').waitFor();
    await selectAdminDept('数据库小组');
    await byId(admin, 'dept-new-name').fill('第四层');
    await byId(admin, 'dept-create').click();
    assert.equal(await codeOf(admin, 'dept-error'), 'department_depth');
    await byId(admin, 'dept-delete').click();
    await byId(admin, 'dept-delete-confirm').click();
    await byId(admin, 'dept-notice').waitFor();
    await eventually(() => deptButton(admin, 'admin-dir-tree', '数据库小组').count(), (n) => n === 0, 'level 3 removed again');

    // A legal move works: 前端开发组 to the root.
    await selectAdminDept('前端开发组');
    await byId(admin, 'dept-parent').selectOption('1');
    await byId(admin, 'dept-move').click();
    await byId(admin, 'dept-notice').waitFor();
    await eventually(() => nested(admin, 'admin-dir-tree', '研发部', '前端开发组').count(), (n) => n === 0, 'moved out of 研发部');
  });

  test('deleting a non-empty department shows the server\'s error; an empty one goes', async () => {
    await openAdminDirectory();
    await selectAdminDept('后端组');
    await byId(admin, 'dept-delete').click();
    await byId(admin, 'dept-delete-confirm').click();
    assert.equal(await codeOf(admin, 'dept-error'), 'department_has_members');
    await deptButton(admin, 'admin-dir-tree', '后端组').waitFor();

    await selectAdminDept('研发部');
    await byId(admin, 'dept-delete').click();
    await byId(admin, 'dept-delete-confirm').click();
    const code = await codeOf(admin, 'dept-error');
    assert.ok(['department_has_children', 'department_has_members'].includes(code), code);

    await selectAdminDept('前端开发组');
    await byId(admin, 'dept-delete').click();
    await byId(admin, 'dept-delete-confirm').click();
    await byId(admin, 'dept-notice').waitFor();
    await eventually(() => deptButton(admin, 'admin-dir-tree', '前端开发组').count(), (n) => n === 0, 'the empty department is gone');
    // The selection went back to the parent (the root).
    assert.equal(await byId(admin, 'dept-panel-head').getAttribute('data-dept-id'), '1');
  });

  test('tags: create, add a member and a department, see them in Contacts, rename, remove, delete', async () => {
    await openAdminDirectory();
    await byId(admin, 'dir-tab-tags').click();
    await byId(admin, 'tag-new-name').fill('核心骨干');
    await byId(admin, 'tag-create').click();
    await admin.locator('[data-testid="tag-panel-head"][data-name="核心骨干"]').waitFor();

    await byId(admin, 'tag-add-user').selectOption('lisi');
    await byId(admin, 'tag-add-user-submit').click();
    await admin.locator('[data-testid="tag-member"][data-userid="lisi"]').waitFor();
    const backend = await admin.locator('[data-testid="tag-add-party"] option', { hasText: '后端组' }).getAttribute('value');
    await byId(admin, 'tag-add-party').selectOption(backend);
    await byId(admin, 'tag-add-party-submit').click();
    await admin.locator(`[data-testid="tag-party"][data-dept-id="${backend}"]`).waitFor();

    await admin.goto(`${server.baseURL}/#/app/contacts`);
    await admin.locator('[data-testid="contacts-tag"][data-name="核心骨干"]').click();
    await admin.locator('[data-testid="member-row"][data-userid="lisi"]').waitFor();
    await admin.locator('[data-testid="member-row"][data-userid="zhangsan"]').waitFor(); // through 后端组

    await openAdminDirectory();
    await byId(admin, 'dir-tab-tags').click();
    await admin.locator('[data-testid="tag-row"][data-name="核心骨干"]').click();
    await byId(admin, 'tag-name').fill('骨干');
    await byId(admin, 'tag-rename').click();
    await admin.locator('[data-testid="tag-row"][data-name="骨干"]').waitFor();
    await admin.locator('[data-testid="tag-member"][data-userid="lisi"] [data-testid="tag-member-remove"]').click();
    await eventually(() => admin.locator('[data-testid="tag-member"][data-userid="lisi"]').count(), (n) => n === 0, 'lisi removed');
    await byId(admin, 'tag-delete').click();
    await byId(admin, 'tag-delete-confirm').click();
    await eventually(() => admin.locator('[data-testid="tag-row"]').count(), (n) => n === 0, 'the tag is deleted');
  });

  test('the org chart draws the departments and exports them as SVG', async () => {
    await admin.goto(`${server.baseURL}/#/app/contacts`);
    await byId(admin, 'contacts-tab-chart').click();
    const svg = byId(admin, 'org-chart');
    await svg.waitFor();
    const nodes = await admin
      .locator('[data-testid="org-node"]')
      .evaluateAll((els) => els.map((e) => ({ id: e.dataset.deptId, name: e.dataset.name, count: Number(e.dataset.count) })));
    const names = nodes.map((n) => n.name);
    assert.ok(names.includes('研发部') && names.includes('后端组'), `departments drawn: ${names}`);
    assert.equal(await admin.locator('[data-testid="org-edge"]').count(), nodes.length - 1, 'one line per parent → child');
    assert.equal(nodes.find((n) => n.name === '研发部').count, 2, '研发部 counts zhangsan (后端组) and lisi');
    const text = await svg.textContent();
    assert.ok(text.includes('研发部') && text.includes('后端组'), 'the names are written in the picture');

    // Top-down: 后端组 below 研发部, 研发部 below the root.
    const box = (name) => admin.locator(`[data-testid="org-node"][data-name="${name}"] rect`).boundingBox();
    const rd = await box('研发部');
    const be = await box('后端组');
    const root = await admin.locator('[data-testid="org-node"][data-dept-id="1"] rect').boundingBox();
    assert.ok(root.y < rd.y && rd.y < be.y, 'levels go down');

    const [download] = await Promise.all([admin.waitForEvent('download'), byId(admin, 'org-chart-export').click()]);
    assert.equal(download.suggestedFilename(), 'org-chart.svg');
    const file = readFileSync(await download.path(), 'utf8');
    assert.match(file, /^<\?xml version="1\.0" encoding="UTF-8"\?>/);
    assert.match(file, /<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.ok(file.includes('研发部') && file.includes('后端组'), 'the exported file has the departments');
  });

  test('invite → activation page → the new member signs in and sees masked contacts', async () => {
    await openAdminDirectory();
    await selectAdminDept('后端组');
    await admin.locator('[data-testid="admin-member-row"][data-userid="zhangsan"] [data-testid="member-invite"]').click();
    await byId(admin, 'invite-result').waitFor();
    const link = await byId(admin, 'invite-link').inputValue();
    assert.ok(link.startsWith(`${server.baseURL}/`), `an absolute link on this server: ${link}`);
    assert.match(link, /#\/activate\?/);
    assert.ok(link.includes(`corpid=${server.corpid}`), 'the link names the company');
    await byId(admin, 'invite-copy').click();
    await expectText(byId(admin, 'invite-copy'), /已复制/);

    const member = await newPage(browser);
    await member.goto(link);
    await byId(member, 'activate-form').waitFor();
    assert.equal(await byId(member, 'activate-corpid').inputValue(), server.corpid);
    await byId(member, 'activate-password').fill(MEMBER_PASSWORD);
    await byId(member, 'activate-confirm').fill(`${MEMBER_PASSWORD}x`);
    await byId(member, 'activate-submit').click();
    await byId(member, 'activate-error').waitFor(); // the mismatch, caught before sending
    await byId(member, 'activate-confirm').fill(MEMBER_PASSWORD);
    await byId(member, 'activate-submit').click();

    await byId(member, 'page-login').waitFor();
    await byId(member, 'login-activated').waitFor();
    assert.equal(await byId(member, 'login-corpid').inputValue(), server.corpid, 'the company ID is filled in');
    await byId(member, 'login-account').fill('zhangsan');
    await byId(member, 'login-password').fill(MEMBER_PASSWORD);
    await byId(member, 'login-submit').click();
    await byId(member, 'shell').waitFor();
    await expectText(byId(member, 'user-name'), /张三/);
    assert.equal(await byId(member, 'nav-admin').count(), 0, 'not an administrator');

    // The admin's open list follows the activation without a reload.
    await eventually(
      () => admin.locator('[data-testid="admin-member-row"][data-userid="zhangsan"]').getAttribute('data-status'),
      (s) => s === '1',
      'zhangsan shown active on the open admin page',
    );

    // A member who is not an administrator sees other people's email masked, as the server sends it.
    await byId(member, 'nav-contacts').click();
    await deptButton(member, 'contacts-tree', '研发部').click();
    await member.locator('[data-testid="member-row"][data-userid="lisi"]').click();
    const email = (await byId(member, 'member-card-email').innerText()).trim();
    assert.notEqual(email, 'lisi@acme.cn');
    assert.match(email, /\*/, `masked: ${email}`);

    // Someone added while he watches arrives live, masked too (not as the event carried it).
    await waitForStream(member);
    await openAdminDirectory();
    await selectAdminDept('研发部');
    await addMember(admin, { userid: 'wangwu', name: '王五', mobile: '13700001111', position: '测试工程师' });
    const wangwu = member.locator('[data-testid="member-row"][data-userid="wangwu"]');
    await wangwu.waitFor();
    await wangwu.click();
    await byId(member, 'member-card').and(member.locator('[data-userid="wangwu"]')).waitFor();
    const mobile = (await byId(member, 'member-card-mobile').innerText()).trim();
    assert.notEqual(mobile, '13700001111');
    assert.match(mobile, /\*/, `masked: ${mobile}`);

    // The link works once.
    await member.goto(link);
    await byId(member, 'activate-form').waitFor();
    await byId(member, 'activate-password').fill(MEMBER_PASSWORD);
    await byId(member, 'activate-confirm').fill(MEMBER_PASSWORD);
    await byId(member, 'activate-submit').click();
    await byId(member, 'activate-error').waitFor();
    assert.equal(await byId(member, 'page-activate').count(), 1);
    await member.context().close();

    // Still active after a reload.
    await openAdminDirectory();
    await selectAdminDept('后端组');
    await eventually(
      () => admin.locator('[data-testid="admin-member-row"][data-userid="zhangsan"]').getAttribute('data-status'),
      (s) => s === '1',
      'zhangsan is active after activation',
    );
  });

  test('Contacts at phone width: tree and list stack, the card is a full-screen sheet', async () => {
    const dir = process.env.WORKHUB_SCREENSHOT_DIR || join(tmpdir(), 'workhub-web-screens');
    mkdirSync(dir, { recursive: true });
    const phone = await newPage(browser, PHONE);
    await login(phone, server.baseURL, adminCreds());
    await phone.goto(`${server.baseURL}/#/app/contacts`);
    await byId(phone, 'contacts-tree').waitFor();
    await deptButton(phone, 'contacts-tree', '研发部').tap();
    const row = phone.locator('[data-testid="member-row"][data-userid="zhangsan"]');
    await row.waitFor();

    const side = await byId(phone, 'contacts-side').boundingBox();
    const main = await byId(phone, 'contacts-main').boundingBox();
    assert.ok(side.y + side.height <= main.y + 1, `tree above the list (tree ends ${side.y + side.height}, list starts ${main.y})`);
    assert.ok(main.width >= 360, `the list takes the width (${main.width})`);
    assert.ok(await phone.evaluate(() => document.documentElement.scrollWidth <= 390), 'nothing scrolls sideways');
    const shot = await phone.screenshot({ path: join(dir, 'contacts-phone-390x844.png'), fullPage: true });
    assert.ok(shot.length > 10_000, 'a real screenshot');

    await row.tap();
    const card = byId(phone, 'member-card');
    await card.waitFor();
    const box = await card.boundingBox();
    assert.ok(box.x <= 1 && box.y <= 1 && box.width >= 389 && box.height >= 843, `full-screen sheet: ${JSON.stringify(box)}`);
    await phone.screenshot({ path: join(dir, 'contacts-card-phone-390x844.png') });
    await byId(phone, 'member-card-close').tap();
    assert.equal(await card.count(), 0);

    // English, and the org chart scrolls inside its frame.
    await byId(phone, 'lang-switch').tap();
    await expectText(byId(phone, 'contacts-tab-list'), /Members/);
    await phone.screenshot({ path: join(dir, 'contacts-phone-390x844-en.png'), fullPage: true });
    await byId(phone, 'contacts-tab-chart').tap();
    await byId(phone, 'org-chart').waitFor();
    assert.ok(await phone.evaluate(() => document.documentElement.scrollWidth <= 390), 'the chart does not widen the page');
    await phone.screenshot({ path: join(dir, 'org-chart-phone-390x844-en.png') });
    assert.deepEqual(phone.errors, [], 'no page errors');
    await phone.context().close();
  });
});
