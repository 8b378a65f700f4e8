// Admin → Directory, moving by drag and drop and by buttons: a department dragged between siblings
// (the order checked through GET /directory/departments: larger order first, ties by id), the
// move up / down buttons, a member row dropped on a department (confirmation, then the member's
// departments on the server), a department dropped on its own child (the server's
// department_cycle shown, nothing moved) and onto another department (moved under it); the
// buttons at phone width (drag and drop does not work on phones), in English.
// The tests share one server and run in order.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { api, byId, eventually, expectText, launchBrowser, login, newPage } from './helpers.mjs';
import { skipReason, startServer } from './server.mjs';

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const TREE = '[data-testid="admin-dir-tree"]';

describe('directory: drag and drop, move up / down', { skip: skipReason() ?? false, timeout: 300_000 }, () => {
  let server;
  let browser;
  let admin;
  /** Department ids by name, made in `before`. */
  const ids = {};

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    admin = await newPage(browser);
    await login(admin, server.baseURL, { corpid: server.corpid, login: 'admin', password: server.adminPassword });
    // Three siblings under the root, all with order 0 (shown by id), and a child of the first.
    for (const name of ['研发部', '市场部', '销售部']) {
      ids[name] = (await api(admin, 'POST', '/api/v1/directory/departments', { name, parentid: 1 })).id;
    }
    ids['后端组'] = (await api(admin, 'POST', '/api/v1/directory/departments', { name: '后端组', parentid: ids['研发部'] })).id;
    await api(admin, 'POST', '/api/v1/directory/members', {
      userid: 'zhangsan', name: '张三', department: [ids['研发部'], ids['后端组']], email: 'zhangsan@acme.cn',
    });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** Children of `parent` on the server, in display order (larger order first, then id). */
  async function serverChildren(parent) {
    const { departments } = await api(admin, 'GET', '/api/v1/directory/departments');
    return departments
      .filter((d) => d.parentid === parent)
      .sort((a, b) => b.order - a.order || a.id - b.id)
      .map((d) => d.name);
  }

  /** Children of `parent` as the admin tree shows them. */
  function treeChildren(page, parentName) {
    return page
      .locator(`${TREE} [data-testid="dept-node"][data-name="${parentName}"] > ul > [data-testid="dept-node"]`)
      .evaluateAll((nodes) => nodes.map((n) => n.dataset.name));
  }

  const row = (page, name) => page.locator(`${TREE} [data-testid="dept-node"][data-name="${name}"] > .dept-row`);

  /** Drags department `name` onto `target`: its upper quarter ('before'), lower ('after') or middle ('inside'). */
  async function dragDept(page, name, target, where) {
    const box = await row(page, target).boundingBox();
    const y = where === 'before' ? 3 : where === 'after' ? box.height - 3 : box.height / 2;
    await row(page, name).dragTo(row(page, target), { targetPosition: { x: Math.min(60, box.width / 2), y } });
  }

  async function openDirectory(page = admin) {
    await page.goto(`${server.baseURL}/#/app/admin/directory`);
    await page.reload();
    await byId(page, 'admin-dir-tree').waitFor();
  }

  async function selectDept(page, name) {
    await page.locator(`${TREE} [data-testid="dept-select"][data-name="${name}"]`).click();
    await page.locator(`[data-testid="dept-panel-head"][data-name="${name}"]`).waitFor();
  }

  test('dragging a department between siblings reorders it on the server', async () => {
    await openDirectory();
    await byId(admin, 'dir-dnd-hint').waitFor();
    const rootName = await byId(admin, 'dept-panel-head').getAttribute('data-name');
    assert.deepEqual(await serverChildren(1), ['研发部', '市场部', '销售部']);

    // 销售部 above 研发部: one PATCH with an order above 研发部's.
    await dragDept(admin, '销售部', '研发部', 'before');
    await expectText(byId(admin, 'dir-move-notice'), /销售部/);
    await eventually(() => serverChildren(1), (v) => v.join() === '销售部,研发部,市场部', 'server order after the first drag');
    await eventually(() => treeChildren(admin, rootName), (v) => v.join() === '销售部,研发部,市场部', 'tree order');

    // 研发部 below 市场部 (order 0 there: no gap, the siblings are numbered afresh).
    await dragDept(admin, '研发部', '市场部', 'after');
    await eventually(() => serverChildren(1), (v) => v.join() === '销售部,市场部,研发部', 'server order after the second drag');
    await eventually(() => treeChildren(admin, rootName), (v) => v.join() === '销售部,市场部,研发部', 'tree order again');
    const { departments } = await api(admin, 'GET', '/api/v1/directory/departments');
    const orders = departments.filter((d) => d.parentid === 1).map((d) => d.order);
    assert.equal(new Set(orders).size, orders.length, `distinct orders after renumbering: ${orders}`);
    assert.deepEqual(admin.errors, []);
  });

  test('move up / move down buttons reorder among siblings', async () => {
    await openDirectory();
    await selectDept(admin, '市场部');
    await expectText(byId(admin, 'dept-position-text'), /第 2 个，共 3 个/);
    await byId(admin, 'dept-move-up').click();
    await expectText(byId(admin, 'dept-notice'), /市场部/);
    await eventually(() => serverChildren(1), (v) => v.join() === '市场部,销售部,研发部', 'after move up');
    await expectText(byId(admin, 'dept-position-text'), /第 1 个，共 3 个/);
    assert.ok(await byId(admin, 'dept-move-up').isDisabled(), 'the first cannot move up');
    // The order field follows the new order (saving the form must not put the old one back).
    const { departments } = await api(admin, 'GET', '/api/v1/directory/departments');
    await eventually(
      () => byId(admin, 'dept-order').inputValue(),
      (v) => v === String(departments.find((d) => d.name === '市场部').order),
      'order field',
    );

    await byId(admin, 'dept-move-down').click();
    await eventually(() => serverChildren(1), (v) => v.join() === '销售部,市场部,研发部', 'after move down');
    await selectDept(admin, '研发部');
    assert.ok(await byId(admin, 'dept-move-down').isDisabled(), 'the last cannot move down');
    // Keyboard: focus the button and press Enter.
    await byId(admin, 'dept-move-up').focus();
    await admin.keyboard.press('Enter');
    await eventually(() => serverChildren(1), (v) => v.join() === '销售部,研发部,市场部', 'after move up by keyboard');
    assert.deepEqual(admin.errors, []);
  });

  test('dragging a member onto a department asks, then moves them there', async () => {
    await openDirectory();
    await selectDept(admin, '研发部');
    const member = admin.locator('[data-testid="admin-member-row"][data-userid="zhangsan"]');
    await member.waitFor();

    // Cancel first: nothing changes.
    await member.dragTo(row(admin, '市场部'));
    await byId(admin, 'member-move').waitFor();
    await expectText(byId(admin, 'member-move-text'), /张三.*市场部/);
    await byId(admin, 'member-move-cancel').click();
    assert.equal(await byId(admin, 'member-move').count(), 0);
    assert.deepEqual((await api(admin, 'GET', '/api/v1/directory/members/zhangsan')).department.sort(), [ids['研发部'], ids['后端组']].sort());

    await member.dragTo(row(admin, '市场部'));
    await byId(admin, 'member-move-confirm').click();
    await byId(admin, 'member-move').waitFor({ state: 'detached' });
    await expectText(byId(admin, 'dir-move-notice'), /张三/);
    const moved = await api(admin, 'GET', '/api/v1/directory/members/zhangsan');
    assert.deepEqual(moved.department, [ids['市场部']]);
    assert.equal(moved.main_department, ids['市场部']);
    // Gone from 研发部's list (with sub-departments), listed in 市场部.
    await eventually(() => member.count(), (n) => n === 0, 'no longer in 研发部');
    await selectDept(admin, '市场部');
    await admin.locator('[data-testid="admin-member-row"][data-userid="zhangsan"]').waitFor();
    assert.deepEqual(admin.errors, []);
  });

  test('a department dropped on its own child shows department_cycle; onto another one it moves', async () => {
    await openDirectory();
    await dragDept(admin, '研发部', '后端组', 'inside');
    await byId(admin, 'dir-move-error').waitFor();
    assert.equal(await byId(admin, 'dir-move-error-wrap').getAttribute('data-code'), 'department_cycle');
    assert.ok((await byId(admin, 'dir-move-error').innerText()).trim().length > 0, 'the server message is shown');
    const { departments } = await api(admin, 'GET', '/api/v1/directory/departments');
    assert.equal(departments.find((d) => d.name === '研发部').parentid, 1, 'nothing moved');

    await dragDept(admin, '后端组', '市场部', 'inside');
    await expectText(byId(admin, 'dir-move-notice'), /后端组.*市场部/);
    await eventually(
      async () => (await api(admin, 'GET', '/api/v1/directory/departments')).departments.find((d) => d.name === '后端组').parentid,
      (p) => p === ids['市场部'],
      '后端组 under 市场部',
    );
    await admin.locator(`${TREE} [data-testid="dept-node"][data-name="市场部"] [data-testid="dept-node"][data-name="后端组"]`).waitFor();
    assert.equal(await byId(admin, 'dir-move-error').count(), 0, 'the old error is gone');
    assert.deepEqual(admin.errors, []);
  });

  test('phone width, English: move up / down by touch, nothing wider than the screen', async () => {
    const phone = await newPage(browser, PHONE);
    await login(phone, server.baseURL, { corpid: server.corpid, login: 'admin', password: server.adminPassword });
    await phone.evaluate(() => localStorage.setItem('workhub.lang', 'en'));
    await openDirectory(phone);
    await selectDept(phone, '市场部');
    await expectText(byId(phone, 'dept-position-text'), /^3 of 3$/);
    const before = await serverChildren(1);
    await byId(phone, 'dept-move-up').tap();
    await expectText(byId(phone, 'dept-notice'), /Order of "市场部" changed/);
    await eventually(() => serverChildren(1), (v) => v.join() === [before[0], '市场部', before[1]].join(), 'moved up on the phone');
    assert.ok(await byId(phone, 'dept-move-down').isVisible());
    assert.equal(await byId(phone, 'dir-dnd-hint').isVisible(), false, 'no drag hint on a touch screen');
    const width = await phone.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `no horizontal scrolling at phone width (scrollWidth ${width})`);
    const dir = process.env.WORKHUB_SCREENSHOT_DIR || join(tmpdir(), 'workhub-web-screens');
    mkdirSync(dir, { recursive: true });
    await byId(phone, 'dept-position').scrollIntoViewIfNeeded();
    await phone.screenshot({ path: join(dir, 'admin-directory-move-390.png') });
    assert.deepEqual(phone.errors, []);
    await phone.context().close();
  });
});
