// Messages, second part: emoji reactions (picker, chips, counts, mine highlighted, live for the
// others, names in the tooltip and on a long press, kept after a reload); a group's "n 人未读"
// following members' read marks live; the owner making and unmaking an admin; a reply whose
// quoted message is older than the loaded pages (fetched by id); an app's messages in a group
// named after the app (GET /apps).
// The tests share one server and run in order.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { api, byId, createPerson, eventually, expectText, launchBrowser, login, newPage, waitForStream } from './helpers.mjs';
import { convRow, openConversation as open, sendText as send, sentMessage, signInToMessages } from './chat.mjs';
import { skipReason, startServer } from './server.mjs';

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const PASSWORD = 'Chat-Passw0rd!2024';
const PEOPLE = [
  { userid: 'alice', name: '艾丽丝' },
  { userid: 'bob', name: '鲍勃' },
  { userid: 'carol', name: '卡罗尔' },
];

const row = convRow;
const sent = sentMessage;
const chip = (msg, emoji) => msg.locator(`[data-testid="reaction-chip"][data-emoji="${emoji}"]`);

describe('messages: reactions, live group receipts, admins, old quotes, app names', { skip: skipReason() ?? false, timeout: 300_000 }, () => {
  let server;
  const signIn = (userid, options) => signInToMessages(browser, server, userid, PASSWORD, options);
  let browser;
  let admin;
  let alice;
  let bob;
  let group;




  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    admin = await newPage(browser);
    await login(admin, server.baseURL, { corpid: server.corpid, login: 'admin', password: server.adminPassword });
    for (const p of PEOPLE) await createPerson(admin, p, PASSWORD);
    alice = await signIn('alice');
    bob = await signIn('bob');
    group = await api(alice, 'POST', '/api/v1/conversations', { kind: 'group', name: '周会', members: ['bob', 'carol'] });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('reactions: picker, chips with counts, mine highlighted, live, names, after a reload', async () => {
    await open(alice, '周会');
    await send(alice, '下午三点开会');
    await open(bob, '周会');
    const theirs = sent(bob, '下午三点开会');
    await theirs.getByTestId('message-body').hover();
    await theirs.getByTestId('message-react').click();
    await theirs.getByTestId('reaction-picker').waitFor();
    const [request] = await Promise.all([
      bob.waitForRequest((r) => r.method() === 'POST' && /\/messages\/[^/]+\/reactions$/.test(new URL(r.url()).pathname)),
      theirs.locator('[data-testid="reaction-option"][data-emoji="👍"]').click(),
    ]);
    assert.deepEqual(request.postDataJSON(), { emoji: '👍' });
    assert.equal(await theirs.getByTestId('reaction-picker').count(), 0, 'the picker closes');
    await eventually(() => chip(theirs, '👍').getAttribute('data-count'), (n) => n === '1', 'Bob\'s chip');
    assert.equal(await chip(theirs, '👍').getAttribute('data-mine'), 'true');

    // Alice sees it live, not as hers; her click adds hers.
    const mine = sent(alice, '下午三点开会');
    await eventually(() => chip(mine, '👍').getAttribute('data-count'), (n) => n === '1', 'live for Alice');
    assert.equal(await chip(mine, '👍').getAttribute('data-mine'), 'false');
    assert.match(await chip(mine, '👍').getAttribute('title'), /鲍勃/);
    await chip(mine, '👍').click();
    await eventually(() => chip(mine, '👍').getAttribute('data-mine'), (v) => v === 'true', 'mine now');
    await eventually(() => chip(theirs, '👍').getAttribute('data-count'), (n) => n === '2', 'two for Bob');
    assert.match(await chip(theirs, '👍').getAttribute('title'), /鲍勃、艾丽丝/);

    // A second emoji, then Bob takes his 👍 back.
    await mine.getByTestId('message-body').hover();
    await mine.getByTestId('message-react').click();
    await mine.locator('[data-testid="reaction-option"][data-emoji="🎉"]').click();
    await eventually(() => chip(theirs, '🎉').getAttribute('data-count'), (n) => n === '1', '🎉 for Bob');
    await chip(theirs, '👍').click();
    await eventually(() => chip(mine, '👍').getAttribute('data-count'), (n) => n === '1', 'Bob took his back');
    assert.equal(await chip(theirs, '👍').getAttribute('data-mine'), 'false');

    const dir = process.env.WORKHUB_SCREENSHOT_DIR || join(tmpdir(), 'workhub-web-screens');
    mkdirSync(dir, { recursive: true });
    await alice.screenshot({ path: join(dir, 'messages-reactions-desktop.png') });

    // History pages carry the reactions.
    await bob.reload();
    await bob.locator('[data-testid="thread-messages"][data-loaded="true"]').waitFor();
    await waitForStream(bob);
    const again = sent(bob, '下午三点开会');
    await eventually(() => chip(again, '👍').getAttribute('data-count'), (n) => n === '1', 'after a reload');
    assert.equal(await chip(again, '🎉').getAttribute('data-count'), '1');
    assert.deepEqual([...alice.errors, ...bob.errors], [], 'no page errors');
  });

  test('a group\'s "n 人未读" follows the members\' read marks live', async () => {
    // Bob has the group open (and is looking): he reads at once. Carol has not signed in yet.
    await send(alice, '请确认收到');
    const mine = sent(alice, '请确认收到');
    await expectText(mine.getByTestId('message-receipt'), /^1 人未读$/, 'Bob read it, Carol not');
    const carol = await signIn('carol');
    await open(carol, '周会');
    await expectText(mine.getByTestId('message-receipt'), /^全部已读$/, 'Carol\'s read mark arrives live');
    await carol.context().close();
  });

  test('the owner makes Bob an admin and takes it back; Bob\'s settings follow', async () => {
    await byId(alice, 'thread-settings').click();
    const bobRow = alice.locator('[data-testid="group-member"][data-userid="bob"]');
    await expectText(bobRow.getByTestId('group-member-admin'), /设为管理员/);
    assert.equal(await alice.locator('[data-testid="group-member"][data-userid="alice"] [data-testid="group-member-admin"]').count(), 0,
      'not offered on the owner');
    const [request] = await Promise.all([
      alice.waitForRequest((r) => r.method() === 'PATCH'),
      bobRow.getByTestId('group-member-admin').click(),
    ]);
    assert.deepEqual(request.postDataJSON(), { admins: ['bob'] });
    await eventually(() => bobRow.getAttribute('data-role'), (r) => r === 'admin', 'Bob is an admin');
    await expectText(bobRow.getByTestId('group-member-role'), /管理员/);

    // Bob may now edit the group; he cannot appoint admins (owner only).
    await byId(bob, 'thread-settings').click();
    await byId(bob, 'group-name').waitFor();
    assert.equal(await byId(bob, 'group-member-admin').count(), 0);
    await byId(bob, 'group-settings-close').click();

    await expectText(bobRow.getByTestId('group-member-admin'), /取消管理员/);
    await bobRow.getByTestId('group-member-admin').click();
    await eventually(() => bobRow.getAttribute('data-role'), (r) => r === 'member', 'Bob is a member again');
    await byId(alice, 'group-settings-close').click();
    await byId(bob, 'thread-settings').click();
    await byId(bob, 'group-name-text').waitFor();
    await byId(bob, 'group-settings-close').click();
  });

  test('a reply to a message older than the loaded pages shows the quote (GET /messages/{id})', async () => {
    const direct = await api(alice, 'POST', '/api/v1/conversations', { kind: 'direct', userid: 'bob' });
    const path = `/api/v1/conversations/${encodeURIComponent(direct.id)}/messages`;
    const post = (page, body) => api(page, 'POST', path, { client_msg_id: crypto.randomUUID(), type: 'text', mentions: [], ...body });
    const first = await post(alice, { content: { content: '很早以前的一条消息' } });
    for (let i = 0; i < 60; i++) await post(alice, { content: { content: `填充 ${i}` } });
    await post(bob, { content: { content: '回复那条旧消息' }, reply_to: first.id });

    await open(alice, '鲍勃');
    const reply = sent(alice, '回复那条旧消息');
    await reply.waitFor();
    assert.equal(await alice.locator(`[data-testid="message"][data-id="${first.id}"]`).count(), 0, 'the original is not loaded');
    const quote = reply.getByTestId('message-quote');
    await eventually(() => quote.getAttribute('data-state'), (s) => s === 'shown', 'the quote was fetched');
    await expectText(quote, /艾丽丝[\s\S]*很早以前的一条消息/);
  });

  test('an app\'s messages in a group carry the app\'s name', async () => {
    const app = await api(admin, 'POST', '/api/v1/admin/apps', { name: '告警' });
    const base = server.baseURL;
    const token = (await (await fetch(`${base}/cgi-bin/gettoken?corpid=${server.corpid}&corpsecret=${app.secret}`)).json()).access_token;
    const call = async (path, body) => {
      const r = await (await fetch(`${base}/cgi-bin/${path}?access_token=${token}`, { method: 'POST', body: JSON.stringify(body) })).json();
      assert.equal(r.errcode, 0, JSON.stringify(r));
    };
    await call('appchat/create', { chatid: 'ops1', name: '运维群', owner: 'alice', userlist: ['alice', 'bob'] });
    await call('appchat/send', { chatid: 'ops1', msgtype: 'text', text: { content: 'CPU 使用率过高' } });

    // Alice's page loaded the app names before the app existed: a fresh page knows them.
    const phone = await signIn('alice', PHONE);
    await expectText(row(phone, '运维群').getByTestId('conv-preview'), /告警: CPU 使用率过高/);
    await row(phone, '运维群').tap();
    const msg = sent(phone, 'CPU 使用率过高');
    await msg.waitFor();
    assert.equal(await msg.getAttribute('data-sender'), `app:${app.agentid}`);
    await expectText(msg.getByTestId('message-sender'), /^告警$/);

    // Touch: a long press on a chip shows who reacted.
    await api(phone, 'POST', `/api/v1/messages/${encodeURIComponent(await msg.getAttribute('data-id'))}/reactions`, { emoji: '👌' });
    await chip(msg, '👌').waitFor();
    const box = await chip(msg, '👌').boundingBox();
    const cdp = await phone.context().newCDPSession(phone);
    const point = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [point] });
    await new Promise((r) => setTimeout(r, 700));
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    await expectText(msg.getByTestId('reaction-names'), /👌 艾丽丝/);
    assert.equal(await chip(msg, '👌').getAttribute('data-count'), '1', 'the long press did not toggle');
    assert.ok(await phone.evaluate(() => document.documentElement.scrollWidth <= 390), 'fits the width');
    const dir = process.env.WORKHUB_SCREENSHOT_DIR || join(tmpdir(), 'workhub-web-screens');
    mkdirSync(dir, { recursive: true });
    await phone.screenshot({ path: join(dir, 'messages-reactions-phone-390x844.png') });
    assert.deepEqual(phone.errors, [], 'no page errors');
    await phone.context().close();
  });
});
