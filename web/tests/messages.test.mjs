// Messages: two people chat live in two browsers (unread badge, reply, "已读"), a group with an
// @mention, settings, a rename seen live, read receipts and a robot; a recall seen by the other
// side; a send that fails on the network and is retried with the same client_msg_id shows up once
// for both; markdown / code / HTML-looking text, reply, forward, emoji; the list and a
// conversation at 390x844.
// The tests share one server and run in order: later ones use the conversations made earlier.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { byId, createPerson, eventually, expectText, launchBrowser, login, newPage, waitForStream } from './helpers.mjs';
import { convRow, openConversation as open, sendText as send, signInToMessages } from './chat.mjs';
import { skipReason, startServer } from './server.mjs';

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const PASSWORD = 'Chat-Passw0rd!2024';
const PEOPLE = [
  { userid: 'alice', name: '艾丽丝' },
  { userid: 'bob', name: '鲍勃' },
  { userid: 'carol', name: '卡罗尔' },
];

const row = convRow;
/** Messages in the open conversation whose body contains `text`. */
const messages = (page, text) =>
  page.locator('[data-testid="thread-messages"] [data-testid="message"]').filter({ has: page.getByTestId('message-body').getByText(text) });
const sent = (page, text) => messages(page, text).and(page.locator('[data-state="sent"]'));

describe('messages', { skip: skipReason() ?? false, timeout: 300_000 }, () => {
  let server;
  const signIn = (userid, options) => signInToMessages(browser, server, userid, PASSWORD, options);
  let browser;
  let alice;
  let bob;
  let carol;
  let directId;




  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    const admin = await newPage(browser);
    await login(admin, server.baseURL, { corpid: server.corpid, login: 'admin', password: server.adminPassword });
    for (const p of PEOPLE) await createPerson(admin, p, PASSWORD);
    await admin.context().close();
    alice = await signIn('alice');
    bob = await signIn('bob');
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('two people chat live: unread badge, reply, and 已读 once the other opened it', async () => {
    await byId(alice, 'conv-empty').waitFor();
    await bob.evaluate(() => (window.__sameDocument = true));

    // Alice starts a direct chat with Bob, found by the directory search.
    await byId(alice, 'conv-new').click();
    await byId(alice, 'new-chat').waitFor();
    await byId(alice, 'new-chat-member-search').fill('鲍勃');
    await alice.locator('[data-testid="new-chat-member-option"][data-userid="bob"]').click();
    await expectText(byId(alice, 'new-chat-submit'), /发起单聊/);
    await byId(alice, 'new-chat-submit').click();
    await expectText(byId(alice, 'thread-title'), /^鲍勃$/);
    directId = await byId(alice, 'thread').getAttribute('data-conv-id');
    assert.ok(directId, 'the thread names its conversation');
    assert.ok(alice.url().endsWith(`#/app/messages/${encodeURIComponent(directId)}`), alice.url());
    await byId(alice, 'thread-empty').waitFor();

    // Opening the same direct chat again gives the same conversation.
    await byId(alice, 'conv-new').click();
    await byId(alice, 'new-chat-member-search').fill('bob');
    await alice.locator('[data-testid="new-chat-member-option"][data-userid="bob"]').click();
    await byId(alice, 'new-chat-submit').click();
    await byId(alice, 'new-chat').waitFor({ state: 'detached' });
    assert.equal(await byId(alice, 'thread').getAttribute('data-conv-id'), directId);
    assert.equal(await row(alice, '鲍勃').count(), 1, 'one row for Bob');

    await send(alice, 'hello bob 你好 https://example.com/x');
    const mine = sent(alice, 'hello bob');
    assert.equal(await mine.getAttribute('data-mine'), 'true');
    await expectText(mine.getByTestId('message-receipt'), /^未读$/, 'unread before Bob opens it');
    assert.equal(await mine.locator('a[href="https://example.com/x"]').count(), 1, 'the URL is a link');

    // Bob: the conversation appears with an unread badge, without a reload.
    const bobRow = row(bob, '艾丽丝');
    await bobRow.waitFor();
    await expectText(bobRow.getByTestId('conv-unread'), /^1$/);
    await expectText(bobRow.getByTestId('conv-preview'), /hello bob/);
    assert.equal(await bob.evaluate(() => window.__sameDocument), true, 'no reload');

    await open(bob, '艾丽丝');
    const received = sent(bob, 'hello bob');
    await received.waitFor();
    assert.equal(await received.getAttribute('data-mine'), 'false');
    await eventually(() => bobRow.getByTestId('conv-unread').count(), (n) => n === 0, 'the badge goes once read');

    // Alice sees 已读 on her message, and Bob's reply, live.
    await expectText(mine.getByTestId('message-receipt'), /^已读$/, 'read after Bob opened it');
    await send(bob, 'hi alice');
    await sent(alice, 'hi alice').waitFor();
    assert.equal(await messages(alice, 'hi alice').count(), 1);
    await expectText(row(alice, '鲍勃').getByTestId('conv-preview'), /hi alice/);
    await byId(alice, 'day-separator').first().waitFor();
    await expectText(byId(alice, 'day-separator').first(), /今天/);
    assert.deepEqual([...alice.errors, ...bob.errors], [], 'no page errors');
  });

  test('a group: created with two members, an @mention, settings, a rename seen live, receipts', async () => {
    carol = await signIn('carol');

    await byId(alice, 'conv-new').click();
    await byId(alice, 'new-chat-member-search').fill('鲍勃');
    await alice.locator('[data-testid="new-chat-member-option"][data-userid="bob"]').click();
    await byId(alice, 'new-chat-member-search').fill('卡罗尔');
    await alice.locator('[data-testid="new-chat-member-option"][data-userid="carol"]').click();
    await byId(alice, 'new-chat-name').fill('项目组');
    await expectText(byId(alice, 'new-chat-submit'), /创建群聊/);
    await byId(alice, 'new-chat-submit').click();
    await expectText(byId(alice, 'thread-title'), /^项目组$/);
    await expectText(byId(alice, 'thread-count'), /3 人/);

    // @ opens the member list; the owner is offered @所有人 too.
    const input = byId(alice, 'composer-input');
    await input.pressSequentially('@');
    await byId(alice, 'mention-list').waitFor();
    await alice.locator('[data-testid="mention-option"][data-userid="@all"]').waitFor();
    await input.pressSequentially('鲍');
    await alice.locator('[data-testid="mention-option"][data-userid="carol"]').waitFor({ state: 'detached' });
    await alice.locator('[data-testid="mention-option"][data-userid="bob"]').click();
    assert.equal(await input.inputValue(), '@鲍勃 ');
    await input.pressSequentially('请看一下');
    const [request] = await Promise.all([
      alice.waitForRequest((r) => r.method() === 'POST' && /\/conversations\/[^/]+\/messages$/.test(new URL(r.url()).pathname)),
      input.press('Enter'),
    ]);
    const body = request.postDataJSON();
    assert.deepEqual(body.mentions, ['bob']);
    assert.equal(body.type, 'text');
    assert.deepEqual(body.content, { content: '@鲍勃 请看一下' });
    assert.match(body.client_msg_id, /^[0-9a-f-]{36}$/);
    await sent(alice, '请看一下').waitFor();

    // Bob sees the group, the message with its sender, and no @所有人 (he is a plain member).
    await expectText(row(bob, '项目组').getByTestId('conv-unread'), /^1$/);
    await expectText(row(bob, '项目组').getByTestId('conv-mentioned'), /有人@我/);
    await open(bob, '项目组');
    const got = sent(bob, '请看一下');
    await expectText(got.getByTestId('message-sender'), /艾丽丝/);
    await byId(bob, 'composer-input').pressSequentially('@');
    await bob.locator('[data-testid="mention-option"][data-userid="alice"]').waitFor();
    assert.equal(await bob.locator('[data-testid="mention-option"][data-userid="@all"]').count(), 0, 'no @all for members');
    await byId(bob, 'composer-input').fill('');

    // Receipts: Bob read it (his badge is gone), Carol has not opened the group. In a group of
    // at most 100 members the read mark reaches Alice live; the receipts dialog agrees.
    await eventually(() => row(bob, '项目组').getByTestId('conv-unread').count(), (n) => n === 0, 'Bob has read the group');
    const mine = sent(alice, '请看一下');
    await expectText(mine.getByTestId('message-receipt'), /^1 人未读$/, 'Bob\'s read mark arrives live');
    await mine.getByTestId('message-receipt').click();
    await byId(alice, 'receipts-dialog').waitFor();
    await byId(alice, 'receipts-read').locator('[data-userid="bob"]').waitFor();
    await byId(alice, 'receipts-unread').locator('[data-userid="carol"]').waitFor();
    await expectText(byId(alice, 'receipts-unread'), /未读 1 人/);
    await byId(alice, 'receipts-dialog-close').click();
    await expectText(mine.getByTestId('message-receipt'), /^1 人未读$/);

    // Settings: members with roles; a rename reaches Bob's open header and list live.
    await byId(alice, 'thread-settings').click();
    await byId(alice, 'group-settings').waitFor();
    await eventually(() => byId(alice, 'group-member').count(), (n) => n === 3, 'three members');
    assert.equal(await alice.locator('[data-testid="group-member"][data-userid="alice"]').getAttribute('data-role'), 'owner');
    assert.equal(await alice.locator('[data-testid="group-member"][data-userid="bob"]').getAttribute('data-role'), 'member');
    await byId(alice, 'group-name').fill('项目组二期');
    await byId(alice, 'group-announcement').fill('周五发布');
    await byId(alice, 'group-save').click();
    await expectText(byId(bob, 'thread-title'), /^项目组二期$/, 'Bob\'s header follows the rename');
    await expectText(byId(bob, 'thread-announcement'), /周五发布/);
    await row(bob, '项目组二期').waitFor();
    await expectText(byId(alice, 'thread-title'), /^项目组二期$/);

    // Bob's settings are read-only: no name field, no remove buttons.
    await byId(bob, 'thread-settings').click();
    await expectText(byId(bob, 'group-name-text'), /项目组二期/);
    assert.equal(await byId(bob, 'group-member-remove').count(), 0);
    assert.equal(await byId(bob, 'group-robots').count(), 0, 'robots are for the owner and admins');
    await byId(bob, 'group-settings-close').click();

    // A robot: its webhook URL is shown once, then listed by name.
    await byId(alice, 'robot-name').fill('告警');
    await byId(alice, 'robot-add').click();
    const url = await byId(alice, 'robot-webhook').inputValue();
    assert.match(url, /^https?:\/\/.+/, url);
    await byId(alice, 'robot-created-done').click();
    await alice.locator('[data-testid="robot-row"][data-name="告警"]').waitFor();
    assert.equal(await byId(alice, 'robot-webhook').count(), 0, 'the URL is gone after closing');
    await byId(alice, 'group-settings-close').click();
    assert.deepEqual([...alice.errors, ...bob.errors, ...carol.errors], [], 'no page errors');
  });

  test('a recalled message shows the placeholder for the other side', async () => {
    await open(alice, '鲍勃');
    await send(alice, 'oops wrong chat');
    // Bob is in the group: the direct chat's preview and badge change in his list.
    await expectText(row(bob, '艾丽丝').getByTestId('conv-preview'), /oops wrong chat/);

    const msg = sent(alice, 'oops wrong chat');
    const id = await msg.getAttribute('data-id');
    await msg.getByTestId('message-body').hover();
    await msg.getByTestId('message-recall').click();
    const recalled = alice.locator(`[data-testid="message"][data-id="${id}"]`);
    await expectText(recalled.getByTestId('message-recalled'), /此消息已撤回/);
    await expectText(row(bob, '艾丽丝').getByTestId('conv-preview'), /此消息已撤回/);

    await open(bob, '艾丽丝');
    const theirs = bob.locator(`[data-testid="message"][data-id="${id}"]`);
    assert.equal(await theirs.getAttribute('data-recalled'), 'true');
    await expectText(theirs.getByTestId('message-recalled'), /此消息已撤回/);
    assert.equal(await theirs.getByText('oops wrong chat').count(), 0, 'the text is gone');
  });

  test('a send lost on the network is retried with the same client_msg_id and shows once', async () => {
    // Both have the direct chat open. The first POST fails before reaching the server.
    const posted = [];
    let first = true;
    await alice.route('**/api/v1/conversations/*/messages', async (route) => {
      const req = route.request();
      if (req.method() !== 'POST') return route.continue();
      posted.push(req.postDataJSON());
      if (first) {
        first = false;
        return route.abort('internetdisconnected');
      }
      return route.continue();
    });
    await byId(alice, 'composer-input').fill('retry me once');
    await byId(alice, 'composer-input').press('Enter');
    const failed = messages(alice, 'retry me once');
    await failed.and(alice.locator('[data-state="failed"]')).waitFor();
    await byId(alice, 'message-failed').waitFor();
    await byId(alice, 'message-retry').click();
    await sent(alice, 'retry me once').waitFor();
    await sent(bob, 'retry me once').waitFor();
    assert.equal(posted.length, 2);
    assert.equal(posted[1].client_msg_id, posted[0].client_msg_id, 'the retry reuses the client_msg_id');

    // The answer of a send lost after the server stored it: the retry (or the event) must not
    // make a second copy either.
    let lose = true;
    await alice.unroute('**/api/v1/conversations/*/messages');
    await alice.route('**/api/v1/conversations/*/messages', async (route) => {
      const req = route.request();
      if (req.method() !== 'POST') return route.continue();
      posted.push(req.postDataJSON());
      if (lose) {
        lose = false;
        await route.fetch(); // the server gets it...
        return route.abort('connectionreset'); // ...the browser never hears back
      }
      return route.continue();
    });
    await byId(alice, 'composer-input').fill('stored but unanswered');
    await byId(alice, 'composer-input').press('Enter');
    await messages(alice, 'stored but unanswered').waitFor();
    // The message.new event may confirm it first; otherwise the retry does.
    const retry = messages(alice, 'stored but unanswered').getByTestId('message-retry');
    await eventually(
      async () => (await retry.count()) + (await sent(alice, 'stored but unanswered').count()),
      (n) => n > 0,
      'failed or confirmed',
    );
    if (await retry.count()) await retry.click();
    await sent(alice, 'stored but unanswered').waitFor();
    await sent(bob, 'stored but unanswered').waitFor();
    await alice.unroute('**/api/v1/conversations/*/messages');

    // Let any late event arrive, then count: one copy each, also on the server.
    await new Promise((r) => setTimeout(r, 1000));
    for (const text of ['retry me once', 'stored but unanswered']) {
      assert.equal(await messages(alice, text).count(), 1, `alice: one "${text}"`);
      assert.equal(await messages(bob, text).count(), 1, `bob: one "${text}"`);
    }
    const stored = await bob.evaluate(async (id) => {
      const res = await fetch(`/api/v1/conversations/${encodeURIComponent(id)}/messages?limit=50`);
      return (await res.json()).messages.map((m) => m.content?.content);
    }, directId);
    assert.equal(stored.filter((x) => x === 'retry me once').length, 1);
    assert.equal(stored.filter((x) => x === 'stored but unanswered').length, 1);
  });

  test('markdown, code and HTML-looking text are shown safely; reply, forward, emoji', async () => {
    await byId(alice, 'composer-mode-markdown').click();
    await byId(alice, 'composer-input').fill('# 周报\n**重点** 和 *斜体* `code` [链接](https://example.com/r)');
    await byId(alice, 'composer-input').press('Enter');
    const md = sent(bob, '重点');
    await md.waitFor();
    assert.equal(await md.getAttribute('data-type'), 'markdown');
    await expectText(md.locator('strong'), /重点/);
    await expectText(md.locator('em'), /斜体/);
    await expectText(md.locator('.md-h'), /周报/);
    assert.equal(await md.locator('a[href="https://example.com/r"]').count(), 1);

    await byId(alice, 'composer-mode-code').click();
    await byId(alice, 'composer-input').fill('fn main() {\n    let x = 1;\n}');
    await byId(alice, 'composer-input').press('Control+Enter');
    await byId(alice, 'composer-language-missing').waitFor();
    await byId(alice, 'composer-language').fill('rust');
    await byId(alice, 'composer-input').press('Control+Enter');
    const code = bob.locator('[data-testid="message"][data-type="code"][data-state="sent"]').last();
    await code.waitFor();
    assert.equal(await code.getByTestId('code-snippet').getAttribute('data-language'), 'rust');
    await expectText(code.locator('.tok-kw').first(), /fn/);

    await byId(alice, 'composer-mode-text').click();
    await send(alice, '<img src=x onerror="window.__xss=1"> <b>not bold</b>');
    const html = sent(bob, '<b>not bold</b>');
    await html.waitFor();
    assert.equal(await html.locator('img, b').count(), 0, 'tags are shown as text');
    assert.equal(await bob.evaluate(() => window.__xss), undefined);

    // Reply: the quote is shown above the composer and on the message.
    const target = sent(bob, 'hello bob');
    await target.getByTestId('message-body').hover();
    await target.getByTestId('message-reply').click();
    await expectText(byId(bob, 'composer-reply'), /hello bob/);
    await send(bob, 'replying now');
    await expectText(sent(alice, 'replying now').getByTestId('message-quote'), /hello bob/);
    assert.equal(await byId(bob, 'composer-reply').count(), 0, 'the quote leaves the composer after sending');

    // Forward to the group: the group's preview in Bob's list shows it.
    const original = sent(alice, 'hello bob');
    await original.getByTestId('message-body').hover();
    await original.getByTestId('message-forward').click();
    await byId(alice, 'forward-dialog').waitFor();
    await byId(alice, 'forward-search').fill('项目组');
    await alice.locator('[data-testid="forward-option"][data-name="项目组二期"]').click();
    await expectText(byId(alice, 'thread-action-done'), /已转发给 项目组二期/);
    await expectText(row(bob, '项目组二期').getByTestId('conv-preview'), /hello bob/);

    // The emoji grid inserts at the caret.
    await byId(alice, 'composer-input').fill('好');
    await byId(alice, 'composer-emoji').click();
    await alice.locator('[data-testid="emoji-option"][data-emoji="👍"]').click();
    assert.equal(await byId(alice, 'composer-input').inputValue(), '好👍');
    await byId(alice, 'composer-input').press('Enter');
    await sent(bob, '好👍').waitFor();
  });

  test('at 390x844: list → conversation → back, nothing wider than the screen', async () => {
    const phone = await signIn('bob', PHONE);
    const fits = () => phone.evaluate(() => document.documentElement.scrollWidth <= 390);
    await byId(phone, 'conv-list').waitFor();
    assert.equal(await byId(phone, 'thread-none').isVisible(), false, 'only the list at first');
    assert.ok(await fits(), 'the list fits the width');

    await row(phone, '艾丽丝').tap();
    await byId(phone, 'thread').waitFor();
    await phone.locator('[data-testid="thread-messages"][data-loaded="true"]').waitFor();
    assert.equal(await byId(phone, 'conv-panel').isVisible(), false, 'the list gives way to the conversation');
    assert.ok(await byId(phone, 'thread-back').isVisible());
    assert.ok(await byId(phone, 'composer-send').isVisible());
    const box = await byId(phone, 'composer-send').boundingBox();
    assert.ok(box && box.x + box.width <= 390 && box.y + box.height <= 844 - 50, `send button on screen: ${JSON.stringify(box)}`);
    assert.ok(await fits(), 'the conversation fits the width');

    await byId(phone, 'composer-input').fill('from my phone');
    await byId(phone, 'composer-send').tap();
    await sent(phone, 'from my phone').waitFor();
    await sent(alice, 'from my phone').waitFor();
    assert.ok(await fits(), 'still fits with the new message');

    const dir = process.env.WORKHUB_SCREENSHOT_DIR || join(tmpdir(), 'workhub-web-screens');
    mkdirSync(dir, { recursive: true });
    await phone.screenshot({ path: join(dir, 'messages-thread-phone-390x844.png') });

    await byId(phone, 'thread-back').tap();
    await byId(phone, 'conv-list').waitFor();
    assert.match(phone.url(), /#\/app\/messages$/);
    assert.equal(await byId(phone, 'thread').count(), 0);
    await phone.screenshot({ path: join(dir, 'messages-list-phone-390x844.png') });

    // English: the list and the recalled placeholder.
    await byId(phone, 'lang-switch').tap();
    assert.equal(await byId(phone, 'conv-search').getAttribute('placeholder'), 'Search conversations');
    await row(phone, '项目组二期').tap();
    await expectText(byId(phone, 'thread-count'), /3 members/);
    await byId(phone, 'thread-back').tap();
    await row(phone, '艾丽丝').tap();
    await expectText(phone.getByTestId('message-recalled').first(), /message recalled/);
    assert.ok(await fits());
    assert.deepEqual(phone.errors, [], 'no page errors');
  });
});
