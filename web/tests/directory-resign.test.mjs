// A member's resignation in Admin → Directory (POST /directory/members/{userid}/resign): the
// admin resigns 鲍勃, who owns a group, picks 卡罗尔 as successor (people not active and 鲍勃
// himself are not offered), reads the warning and sees "1 个群聊已移交给“卡罗尔”"; the server says
// 卡罗尔 owns the group; 鲍勃's row shows disabled in the admin list and, live through
// `member.resigned`, in 艾丽丝's open Contacts; 鲍勃's own browser is signed out. A successor
// disabled meanwhile: the server's refusal in the dialog. The dialog at
// 390x844 in English. The tests share one server and run in order.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { api, byId, createPerson, eventually, expectText, launchBrowser, login, newPage, waitForStream } from './helpers.mjs';
import { skipReason, startServer } from './server.mjs';

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const PASSWORD = 'Resign-Passw0rd!2024';

const adminRow = (page, userid) => page.locator(`[data-testid="admin-member-row"][data-userid="${userid}"]`);

describe('directory resign', { skip: skipReason() ?? false, timeout: 300_000 }, () => {
  let server;
  let browser;
  let admin;
  let alice;
  let bob;
  let carol;
  let groupId;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    admin = await newPage(browser);
    await login(admin, server.baseURL, { corpid: server.corpid, login: 'admin', password: server.adminPassword });
    // Setup through the API: three active members, one invited only, one disabled.
    for (const [userid, name] of [['alice', '艾丽丝'], ['bob', '鲍勃'], ['carol', '卡罗尔'], ['erin', '埃琳']]) {
      await createPerson(admin, { userid, name }, PASSWORD);
    }
    await api(admin, 'POST', '/api/v1/directory/members', { userid: 'dave', name: '戴夫', department: [1], email: 'dave@acme.cn' });
    await api(admin, 'POST', '/api/v1/directory/members/erin/disable');

    bob = await newPage(browser);
    await login(bob, server.baseURL, { corpid: server.corpid, login: 'bob', password: PASSWORD });
    // 鲍勃 owns a group with 艾丽丝 (卡罗尔 is not in it: she is added when it passes to her).
    groupId = (await api(bob, 'POST', '/api/v1/conversations', { kind: 'group', name: '项目群', members: ['alice'] })).id;
    await waitForStream(bob);

    alice = await newPage(browser);
    await login(alice, server.baseURL, { corpid: server.corpid, login: 'alice', password: PASSWORD });
    await alice.goto(`${server.baseURL}/#/app/contacts`);
    await byId(alice, 'contacts-tree').waitFor();
    await waitForStream(alice);

    carol = await newPage(browser);
    await login(carol, server.baseURL, { corpid: server.corpid, login: 'carol', password: PASSWORD });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function openDirectory(page) {
    await page.goto(`${server.baseURL}/#/app/admin/directory`);
    await page.reload();
    await byId(page, 'admin-members-list').waitFor();
  }

  test('resign 鲍勃: successor 卡罗尔, the count shown, the group is hers, 鲍勃 disabled everywhere', async () => {
    const contactsRow = alice.locator('[data-testid="contacts-members"] [data-testid="member-row"][data-userid="bob"]');
    assert.equal(await contactsRow.getAttribute('data-status'), '1');

    await openDirectory(admin);
    assert.equal(await adminRow(admin, 'admin').getByTestId('member-resign').count(), 0, 'not offered on my own row');
    await adminRow(admin, 'bob').getByTestId('member-resign').click();
    const dialog = byId(admin, 'resign-dialog');
    await dialog.waitFor();
    await expectText(admin.locator('#resign-dialog-title'), /办理离职：鲍勃/);
    await expectText(byId(admin, 'resign-warning'), /停用.*退出登录.*群主的群聊将移交给接替人/);
    assert.equal(await byId(admin, 'resign-confirm').isDisabled(), true, 'no successor yet');

    // Only active members other than 鲍勃: not the invited 戴夫, not the disabled 埃琳.
    const offered = await eventually(
      () => admin.locator('[data-testid="resign-picker-option"]').evaluateAll((els) => els.map((e) => e.dataset.userid).sort()),
      (l) => l.length > 0,
      'successors offered',
    );
    assert.deepEqual(offered, ['admin', 'alice', 'carol']);
    // The search box asks the server, and the same people stay out.
    await byId(admin, 'resign-picker-search').fill('戴');
    await admin.locator('[data-testid="resign-picker-options"][data-query="戴"][data-state="done"]').waitFor();
    assert.equal(await admin.locator('[data-testid="resign-picker-option"][data-userid="dave"]').count(), 0);
    await byId(admin, 'resign-picker-search').fill('');

    await admin.locator('[data-testid="resign-picker-option"][data-userid="carol"]').click();
    await admin.locator('[data-testid="resign-picker-chip"][data-userid="carol"]').waitFor();
    const answer = admin.waitForResponse((r) => /\/members\/bob\/resign$/.test(r.url()));
    await byId(admin, 'resign-confirm').click();
    const res = await answer;
    assert.equal(res.status(), 200);
    assert.deepEqual(res.request().postDataJSON(), { handover_to: 'carol' });
    await dialog.waitFor({ state: 'detached' });
    await expectText(byId(admin, 'admin-members-notice'), /“鲍勃”已离职：1 个群聊已移交给“卡罗尔”/);
    await eventually(() => adminRow(admin, 'bob').getAttribute('data-status'), (s) => s === '2', 'disabled in the admin list');

    // The server: 卡罗尔 owns the group, 鲍勃 is disabled and out of it.
    const detail = await api(carol, 'GET', `/api/v1/conversations/${encodeURIComponent(groupId)}`);
    assert.equal(detail.conversation.owner, 'carol');
    assert.deepEqual(detail.members.map((m) => m.userid).sort(), ['alice', 'carol']);
    assert.equal((await api(admin, 'GET', '/api/v1/directory/members/bob')).status, 2);

    // 艾丽丝's open Contacts shows it without a reload; 鲍勃's browser is signed out.
    await eventually(() => contactsRow.getAttribute('data-status'), (s) => s === '2', 'disabled in the other Contacts, live');
    await byId(bob, 'login-submit').waitFor({ timeout: 45_000 });
    // After a reload the admin list still shows him disabled.
    await openDirectory(admin);
    assert.equal(await adminRow(admin, 'bob').getAttribute('data-status'), '2');
    assert.deepEqual([...admin.errors, ...alice.errors], []);
  });

  test('a successor disabled meanwhile: the server refuses, its message shows in the dialog', async () => {
    await openDirectory(admin);
    await adminRow(admin, 'alice').getByTestId('member-resign').click();
    await byId(admin, 'resign-dialog').waitFor();
    await admin.locator('[data-testid="resign-picker-option"][data-userid="carol"]').click();
    await admin.locator('[data-testid="resign-picker-chip"][data-userid="carol"]').waitFor();
    // 卡罗尔 is disabled by someone else while the dialog is open.
    await api(admin, 'POST', '/api/v1/directory/members/carol/disable');
    await byId(admin, 'resign-confirm').click();
    await byId(admin, 'resign-error').waitFor();
    assert.ok((await byId(admin, 'resign-error').innerText()).trim().length > 0, 'the server message is shown');
    const code = await byId(admin, 'resign-error-wrap').getAttribute('data-code');
    assert.notEqual(code, 'client', `a server refusal (${code})`);
    assert.ok(await byId(admin, 'resign-dialog').isVisible(), 'the dialog stays open');
    assert.equal((await api(admin, 'GET', '/api/v1/directory/members/alice')).status, 1, 'nothing changed');
    await byId(admin, 'resign-cancel').click();
    await api(admin, 'POST', '/api/v1/directory/members/carol/enable');
  });

  test('at 390x844 in English: the dialog fits the screen', async () => {
    const phone = await newPage(browser, PHONE);
    await login(phone, server.baseURL, { corpid: server.corpid, login: 'admin', password: server.adminPassword });
    await phone.evaluate(() => localStorage.setItem('workhub.lang', 'en'));
    await openDirectory(phone);
    await adminRow(phone, 'alice').getByTestId('member-resign').tap();
    await byId(phone, 'resign-dialog').waitFor();
    await expectText(byId(phone, 'resign-warning'), /disabled and signed out on every device/);
    await phone.locator('[data-testid="resign-picker-option"][data-userid="carol"]').tap();
    for (const id of ['resign-dialog', 'resign-warning', 'resign-picker-options', 'resign-confirm']) {
      const el = byId(phone, id);
      await el.scrollIntoViewIfNeeded();
      const box = await el.boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 390, `${id} within the screen: ${JSON.stringify(box)}`);
    }
    const width = await phone.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `no horizontal scrolling (scrollWidth ${width})`);
    const dir = process.env.WORKHUB_SCREENSHOT_DIR || join(tmpdir(), 'workhub-web-screens');
    mkdirSync(dir, { recursive: true });
    await phone.screenshot({ path: join(dir, 'admin-resign-dialog-390.png') });
    await byId(phone, 'resign-cancel').tap();
    await byId(phone, 'resign-dialog').waitFor({ state: 'detached' });
    assert.equal((await api(phone, 'GET', '/api/v1/directory/members/alice')).status, 1, 'cancel changes nothing');
    assert.deepEqual(phone.errors, []);
    await phone.context().close();
  });
});
