// Admin → Roles & permissions (docs/api-roles.md): the super admin creates a custom role with two
// permissions found through the filter box, gives it to a member scoped to 研发部 (shown by name),
// cannot delete it while held (the server's `role_in_use`), removes the holder and deletes it; the
// super admin makes a member branch admin of 研发部 through the UI, and that member's open shell
// gains the Admin entry live (`admin.roles_changed`) with only the Directory tab (policy, audit and
// roles forbidden), and loses it when the role is removed; the page in English; at 390 px.
// The tests share one server and run in order: later ones use what earlier ones created.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { api, byId, createPerson, eventually, expectText, launchBrowser, login, newPage, waitForStream } from './helpers.mjs';
import { skipReason, startServer } from './server.mjs';

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const PASSWORD = 'Role-Passw0rd!2024';
const ROLE = '前台';
const PERMS = ['contacts.member.read_mobile', 'contacts.member.read_email'];

describe('admin roles and permissions', { skip: skipReason() ?? false, timeout: 300_000 }, () => {
  let server;
  let browser;
  /** The super admin's page. */
  let admin;
  /** 研发部's id. */
  let rd;

  const roleRow = (page, name) => page.locator(`[data-testid="role-row"][data-name="${name}"]`);
  const roleRowById = (page, id) => page.locator(`[data-testid="role-row"][data-role-id="${id}"]`);
  const holderRow = (page, userid) => page.locator(`[data-testid="holder-row"][data-userid="${userid}"]`);
  const permCheck = (page, key) => page.locator(`[data-testid="perm-check"][data-key="${key}"]`);

  async function openRoles(page = admin) {
    await page.goto(`${server.baseURL}/#/app/admin/roles`);
    await page.reload();
    await byId(page, 'admin-roles').waitFor();
    await byId(page, 'roles-list').waitFor();
  }

  /** Picks `userid` (found by `query`) and the departments named in the open holder dialog, then saves. */
  async function fillHolder(page, { query, userid, departments = [] }) {
    const dialog = byId(page, 'holder-dialog');
    await dialog.waitFor();
    if (userid) {
      await byId(page, 'holder-picker-search').fill(query);
      const option = page.locator(`[data-testid="holder-picker-option"][data-userid="${userid}"]`);
      await option.click();
      await eventually(() => option.getAttribute('aria-pressed'), (v) => v === 'true', `${userid} chosen`);
    }
    for (const name of departments) {
      await page.locator(`[data-testid="holder-scope-tree"] [data-testid="dept-select"][data-name="${name}"]`).click();
      await page.locator(`[data-testid="holder-scope-chip"]`, { hasText: name }).waitFor();
    }
  }

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    admin = await newPage(browser);
    await login(admin, server.baseURL, { corpid: server.corpid, login: 'admin', password: server.adminPassword });
    ({ id: rd } = await api(admin, 'POST', '/api/v1/directory/departments', { name: '研发部', parentid: 1 }));
    await createPerson(admin, { userid: 'lisi', name: '李四' }, PASSWORD);
    await createPerson(admin, { userid: 'wangwu', name: '王五' }, PASSWORD);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('a custom role: created with two filtered permissions, held with a scope, deleted once free', async () => {
    await openRoles();
    // The built-ins are listed and marked; the super admin holds the first one.
    const superRow = roleRowById(admin, 'super_admin');
    await superRow.waitFor();
    assert.equal(await superRow.getAttribute('data-builtin'), 'true');
    await expectText(superRow.getByTestId('role-kind'), /内置/);
    assert.equal(await roleRowById(admin, 'branch_admin').getAttribute('data-builtin'), 'true');
    assert.equal(await superRow.getByTestId('role-holder-count').getAttribute('data-count'), '1', 'admin is super admin');

    // A built-in role's permissions are read-only.
    await superRow.click();
    await admin.locator('[data-testid="role-head"][data-role-id="super_admin"]').waitFor();
    assert.equal(await byId(admin, 'perm-checklist').getAttribute('data-editable'), 'false');
    assert.equal(await byId(admin, 'role-form').count(), 0, 'no form for a built-in role');
    assert.ok(await admin.locator('[data-testid="perm-check"]').first().isDisabled(), 'checkboxes are read-only');
    await holderRow(admin, 'admin').waitFor();
    await expectText(holderRow(admin, 'admin').getByTestId('holder-scope'), /全公司/);

    // New role: the two permissions are found through the filter box among ~150.
    await byId(admin, 'role-create').click();
    const form = admin.locator('[data-testid="role-form"][data-mode="new"]');
    await form.waitFor();
    const all = Number(await byId(admin, 'perm-count').getAttribute('data-total'));
    assert.ok(all > 100, `the whole catalogue is offered: ${all}`);
    assert.ok((await admin.locator('[data-testid="perm-area"]').count()) >= 10, 'grouped by area');
    // Areas start folded for a new role; one opens on a click.
    const contacts = admin.locator('[data-testid="perm-area"][data-area="contacts"]');
    assert.equal(await contacts.getAttribute('data-open'), 'false');
    await contacts.getByTestId('perm-area-toggle').click();
    assert.ok((await contacts.getByTestId('perm-check').count()) > 5, 'the area lists its permissions');
    await contacts.getByTestId('perm-area-toggle').click();
    // Nothing chosen: the client says so before asking the server.
    await byId(admin, 'role-form-name').fill(ROLE);
    await byId(admin, 'role-form-description').fill('接待访客，查看联系方式');
    await byId(admin, 'role-form-save').click();
    await expectText(byId(admin, 'role-form-error'), /至少选择一项权限/);
    for (const key of PERMS) {
      await byId(admin, 'perm-filter').fill(key);
      await eventually(() => admin.locator('[data-testid="perm-check"]').count(), (n) => n >= 1 && n <= 3, `the filter narrows to ${key}`);
      await permCheck(admin, key).check();
    }
    await byId(admin, 'perm-filter').fill('');
    assert.equal(await byId(admin, 'perm-count').getAttribute('data-count'), '2');
    await byId(admin, 'role-form-save').click();

    const row = roleRow(admin, ROLE);
    await row.waitFor();
    assert.equal(await row.getAttribute('data-builtin'), 'false');
    await expectText(row.getByTestId('role-kind'), /自定义/);
    await expectText(byId(admin, 'role-notice'), new RegExp(ROLE));
    const roleId = await row.getAttribute('data-role-id');
    assert.equal(await row.getAttribute('aria-current'), 'true', 'the new role is selected');
    await expectText(byId(admin, 'role-description'), /接待访客/);
    await expectText(byId(admin, 'role-scope'), /可为成员指定部门/);
    const stored = (await api(admin, 'GET', '/api/v1/admin/roles')).roles.find((r) => r.id === roleId);
    assert.deepEqual([...stored.permissions].sort(), [...PERMS].sort(), 'exactly the two permissions');
    // The editable checklist shows them chosen.
    for (const key of PERMS) assert.ok(await permCheck(admin, key).isChecked(), key);

    // A holder scoped to 研发部, shown by the department's name.
    await byId(admin, 'holder-add').click();
    await fillHolder(admin, { query: '李四', userid: 'lisi', departments: ['研发部'] });
    await byId(admin, 'holder-save').click();
    await eventually(() => byId(admin, 'holder-dialog').count(), (n) => n === 0, 'the dialog closes');
    await holderRow(admin, 'lisi').waitFor();
    await expectText(holderRow(admin, 'lisi').getByTestId('holder-scope'), /^研发部$/);
    await expectText(holderRow(admin, 'lisi').getByTestId('holder-name'), /李四/);
    await eventually(() => row.getByTestId('role-holder-count').getAttribute('data-count'), (n) => n === '1', 'one holder');
    const held = (await api(admin, 'GET', '/api/v1/admin/roles')).roles.find((r) => r.id === roleId);
    assert.deepEqual(held.holders.map((h) => [h.userid, h.departments.map(Number)]), [['lisi', [Number(rd)]]]);

    // Deleting while held: the server's role_in_use, shown as it says it.
    const expected = await admin.evaluate(async (id) => {
      const res = await fetch(`/api/v1/admin/roles/${encodeURIComponent(id)}`, { method: 'DELETE', headers: { 'Accept-Language': 'zh-CN' } });
      return { status: res.status, body: await res.json() };
    }, roleId);
    assert.equal(expected.status, 409);
    assert.equal(expected.body.code, 'role_in_use');
    await byId(admin, 'role-delete').click();
    await byId(admin, 'role-delete-confirm').click();
    await byId(admin, 'role-error').waitFor();
    assert.equal(await byId(admin, 'role-error-wrap').getAttribute('data-code'), 'role_in_use');
    assert.equal((await byId(admin, 'role-error').innerText()).trim(), expected.body.message);
    assert.equal(await roleRow(admin, ROLE).count(), 1, 'still there');

    // Remove the holder (after a confirmation), then the role goes.
    await holderRow(admin, 'lisi').getByTestId('holder-remove').click();
    await holderRow(admin, 'lisi').getByTestId('holder-remove-confirm').click();
    await byId(admin, 'holders-empty').waitFor();
    await eventually(() => row.getByTestId('role-holder-count').getAttribute('data-count'), (n) => n === '0', 'no holder');
    await byId(admin, 'role-delete').click();
    await byId(admin, 'role-delete-confirm').click();
    await eventually(() => roleRow(admin, ROLE).count(), (n) => n === 0, 'the role is gone');
    await expectText(byId(admin, 'role-notice'), new RegExp(ROLE));
    const after = (await api(admin, 'GET', '/api/v1/admin/roles')).roles;
    assert.equal(after.some((r) => r.id === roleId), false, 'deleted on the server');
    assert.deepEqual(admin.errors, [], 'no page errors');
  });

  test('a branch admin of 研发部 gets the Admin entry live, with only the Directory tab', async () => {
    // wangwu is signed in before being made an admin: no Admin entry yet.
    const member = await newPage(browser);
    await login(member, server.baseURL, { corpid: server.corpid, login: 'wangwu', password: PASSWORD });
    await waitForStream(member);
    assert.equal(await byId(member, 'nav-admin').count(), 0, 'not an admin yet');

    await openRoles();
    await roleRowById(admin, 'branch_admin').click();
    await admin.locator('[data-testid="role-head"][data-role-id="branch_admin"]').waitFor();
    await expectText(byId(admin, 'role-scope'), /须为每位成员指定部门/);
    await byId(admin, 'holder-add').click();
    await fillHolder(admin, { query: 'wangwu', userid: 'wangwu' });
    // A branch admin needs a department: the client says so first.
    await byId(admin, 'holder-save').click();
    await expectText(byId(admin, 'holder-error'), /至少选择一个部门/);
    await fillHolder(admin, { departments: ['研发部'] });
    await byId(admin, 'holder-save').click();
    await holderRow(admin, 'wangwu').waitFor();
    await expectText(holderRow(admin, 'wangwu').getByTestId('holder-scope'), /^研发部$/);

    // The member's open shell follows admin.roles_changed without a reload.
    await byId(member, 'nav-admin').waitFor();
    const me = await api(member, 'GET', '/api/v1/me');
    assert.equal(me.is_admin, false);
    assert.deepEqual(me.roles.map((r) => [r.id, r.departments.map(Number)]), [['branch_admin', [Number(rd)]]]);
    assert.ok(me.permissions.includes('contacts.member.create'), 'branch admins add members');

    await byId(member, 'nav-admin').click();
    const page = byId(member, 'admin-page');
    await page.waitFor();
    assert.equal(await page.getAttribute('data-tab'), 'directory', 'the first allowed tab is the default');
    await byId(member, 'admin-tab-directory').waitFor();
    assert.equal(await member.locator('[data-testid^="admin-tab-"]').count(), 1, 'only the Directory tab');
    for (const tab of ['policy', 'audit', 'roles', 'import']) assert.equal(await byId(member, `admin-tab-${tab}`).count(), 0, tab);
    // It starts at their department and offers no tags (company-wide).
    await member.locator(`[data-testid="dept-panel-head"][data-name="研发部"]`).waitFor();
    assert.equal(await byId(member, 'dir-tab-tags').count(), 0, 'no tags tab');
    await byId(member, 'member-add').waitFor();

    // Tabs not allowed show the forbidden notice when opened by URL.
    for (const tab of ['policy', 'audit', 'roles']) {
      await member.goto(`${server.baseURL}/#/app/admin/${tab}`);
      await byId(member, 'admin-forbidden').waitFor();
      assert.equal(await byId(member, 'admin-page').getAttribute('data-tab'), tab);
    }

    // Removing the role takes the Admin entry away, live.
    await member.goto(`${server.baseURL}/#/app/messages`);
    await waitForStream(member);
    await holderRow(admin, 'wangwu').getByTestId('holder-remove').click();
    await holderRow(admin, 'wangwu').getByTestId('holder-remove-confirm').click();
    await eventually(() => holderRow(admin, 'wangwu').count(), (n) => n === 0, 'holder removed');
    await eventually(() => byId(member, 'nav-admin').count(), (n) => n === 0, 'the Admin entry goes away');
    assert.deepEqual(member.errors, [], 'no page errors for the member');
    await member.context().close();
  });

  test('in English: the page and the built-in roles speak English', async () => {
    await openRoles();
    await byId(admin, 'lang-switch').click();
    await expectText(byId(admin, 'admin-tab-roles'), /^Roles & permissions$/);
    await expectText(admin.locator('[data-testid="roles-side"] .card-title'), /^Roles$/);
    await expectText(byId(admin, 'shell-title'), /Admin/);
    // Built-in names come from the server in the request's language, asked again on the switch.
    await expectText(roleRowById(admin, 'super_admin').locator('.role-item-name'), /^Super admin$/);
    await expectText(roleRowById(admin, 'super_admin').getByTestId('role-kind'), /^Built-in$/);
    await roleRowById(admin, 'super_admin').click();
    await expectText(admin.locator('[data-testid="role-holders"] .card-title'), /^Members with this role$/);
    await expectText(byId(admin, 'role-scope'), /^Scope: the whole company\.$/);
    await expectText(admin.locator('[data-testid="perm-area"][data-area="contacts"] legend'), /^Contacts/);
    await byId(admin, 'role-create').click();
    await expectText(admin.locator('[data-testid="role-new"] .card-title'), /^New role$/);
    await expectText(byId(admin, 'role-form-save'), /^Create role$/);
    await byId(admin, 'role-form-cancel').click();
    await byId(admin, 'lang-switch').click();
    await expectText(byId(admin, 'admin-tab-roles'), /^角色与权限$/);
  });

  test('phone width: the roles page and the holder dialog fit 390 px', async () => {
    const dir = process.env.WORKHUB_SCREENSHOT_DIR || join(tmpdir(), 'workhub-web-screens');
    mkdirSync(dir, { recursive: true });
    // A custom role with a scoped holder, made through the API.
    const role = await api(admin, 'POST', '/api/v1/admin/roles', { name: '外勤', description: 'Field staff', permissions: PERMS });
    await api(admin, 'PUT', `/api/v1/admin/roles/${encodeURIComponent(role.id)}/holders/lisi`, { departments: [Number(rd)] });

    const phone = await newPage(browser, PHONE);
    await login(phone, server.baseURL, { corpid: server.corpid, login: 'admin', password: server.adminPassword });
    await openRoles(phone);
    const fits = () => phone.evaluate(() => document.documentElement.scrollWidth <= 390);
    assert.ok(await fits(), 'the roles page fits the width');
    await roleRow(phone, '外勤').tap();
    await holderRow(phone, 'lisi').waitFor();
    await expectText(holderRow(phone, 'lisi').getByTestId('holder-scope'), /^研发部$/);
    assert.ok(await fits(), 'a custom role (editable checklist, holders) fits the width');
    await phone.screenshot({ path: join(dir, 'admin-roles-phone-390x844.png'), fullPage: true });

    await holderRow(phone, 'lisi').getByTestId('holder-edit-scope').tap();
    const dialog = byId(phone, 'holder-dialog');
    await dialog.waitFor();
    const box = await dialog.boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= 391, `the dialog fits: ${JSON.stringify(box)}`);
    assert.ok(await byId(phone, 'holder-save').isVisible(), 'save on screen');
    assert.ok(await fits(), 'the dialog does not widen the page');
    await phone.screenshot({ path: join(dir, 'admin-roles-holder-phone-390x844.png') });
    await byId(phone, 'holder-cancel').tap();

    await byId(phone, 'lang-switch').tap();
    await expectText(byId(phone, 'admin-tab-roles'), /Roles & permissions/);
    assert.ok(await fits(), 'English fits too');
    await phone.screenshot({ path: join(dir, 'admin-roles-phone-390x844-en.png'), fullPage: true });
    assert.deepEqual(phone.errors, [], 'no page errors');
    await phone.context().close();
  });
});
