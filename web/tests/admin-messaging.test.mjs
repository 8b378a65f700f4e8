// Admin → Messaging (docs/api-messaging.md "Administration"): message retention (a bad value
// shows the server's message, a good one persists); the sensitive-word table (add, action,
// delete, save) and a file import that replaces it; in the chat, a blocked send shows the
// server's reason once with no retry, a masked one arrives starred, a warned one unchanged, and
// a traditional / spaced variant is caught; the recent hits list those sends; the page at 390 px.
// The tests share one server and run in order.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { api, byId, createPerson, eventually, expectText, launchBrowser, login, newPage, waitForStream } from './helpers.mjs';
import { skipReason, startServer } from './server.mjs';

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const PASSWORD = 'Chat-Passw0rd!2024';

describe('admin messaging settings and sensitive words', { skip: skipReason() ?? false, timeout: 300_000 }, () => {
  let server;
  let browser;
  let admin;
  let alice;

  const wordRow = (page, word) => page.locator(`[data-testid="word-row"][data-word="${word}"]`);

  async function openPage(page = admin) {
    await page.goto(`${server.baseURL}/#/app/admin/messaging`);
    await byId(page, 'admin-messaging').waitFor();
  }

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    admin = await newPage(browser);
    await login(admin, server.baseURL, { corpid: server.corpid, login: 'admin', password: server.adminPassword });
    await createPerson(admin, { userid: 'alice', name: '艾丽丝' }, PASSWORD);
    await createPerson(admin, { userid: 'bob', name: '鲍勃' }, PASSWORD);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('retention: the server judges the range, a good value persists', async () => {
    await openPage();
    await byId(admin, 'admin-tab-messaging').waitFor();
    await expectText(byId(admin, 'admin-tab-messaging'), /消息设置/);
    const days = byId(admin, 'retention-days');
    await eventually(() => days.inputValue(), (v) => v === '180', 'the default is 180 days');

    await days.fill('0');
    await byId(admin, 'retention-save').click();
    await expectText(byId(admin, 'retention-error'), /3650/, 'the server\'s message for 0');
    await days.fill('5000');
    await byId(admin, 'retention-save').click();
    await expectText(byId(admin, 'retention-error'), /3650/);

    await days.fill('30');
    await byId(admin, 'retention-save').click();
    await expectText(byId(admin, 'retention-saved'), /30/);
    assert.equal(await byId(admin, 'retention-error').count(), 0);
    await admin.reload();
    await eventually(() => byId(admin, 'retention-days').inputValue(), (v) => v === '30', 'kept after a reload');
  });

  test('sensitive words: add, choose actions, delete, save; the matching is explained', async () => {
    await openPage();
    await byId(admin, 'words-empty').waitFor();
    await expectText(byId(admin, 'words-matching'), /全角.*大小写.*繁体.*空格或符号/);

    // Each new row comes first and takes the focus.
    for (const [word, action] of [['删掉我', 'warn'], ['傻瓜', 'mask'], ['赌博', 'block']]) {
      await byId(admin, 'words-add').click();
      const input = byId(admin, 'word-input').first();
      assert.equal(await input.evaluate((el) => el === document.activeElement), true, 'the new row has the focus');
      await input.fill(word);
      await byId(admin, 'word-action').first().selectOption(action);
    }
    await wordRow(admin, '删掉我').getByTestId('word-delete').click();
    await byId(admin, 'words-add').click(); // an empty row is dropped, not sent
    await expectText(byId(admin, 'words-count'), /共 2 个/);
    await byId(admin, 'words-save').click();
    await expectText(byId(admin, 'words-notice'), /共 2 个敏感词/);

    await admin.reload();
    await wordRow(admin, '赌博').waitFor();
    assert.equal(await wordRow(admin, '赌博').getAttribute('data-action'), 'block');
    assert.equal(await wordRow(admin, '傻瓜').getAttribute('data-action'), 'mask');
    assert.equal(await wordRow(admin, '删掉我').count(), 0);
    assert.equal(await byId(admin, 'words-save').isDisabled(), true, 'nothing to save after a reload');

    // A word the server refuses (only symbols) shows its message.
    await byId(admin, 'words-add').click();
    await byId(admin, 'word-input').first().fill('！！');
    await byId(admin, 'words-save').click();
    await expectText(byId(admin, 'words-error'), /word/);
  });

  test('import a file: it replaces the list, lines without an action take the chosen one', async () => {
    await openPage();
    await wordRow(admin, '赌博').waitFor();
    const file = ['# 公司敏感词', '赌博', '傻瓜,mask', '注意,warn', 'Spam,mask', 'SCAM', ''].join('\n');
    await byId(admin, 'words-import-file').setInputFiles({ name: 'words.txt', mimeType: 'text/plain', buffer: Buffer.from(file, 'utf8') });
    await expectText(byId(admin, 'words-import-file-name'), /words\.txt/);
    await byId(admin, 'words-import-action').selectOption('block');
    const [request] = await Promise.all([
      admin.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === '/api/v1/admin/sensitive-words/import'),
      byId(admin, 'words-import').click(),
    ]);
    assert.equal(new URL(request.url()).searchParams.get('action'), 'block');
    // (Playwright does not expose a File body; the list below shows what the server read.)
    await expectText(byId(admin, 'words-notice'), /已导入 5 个敏感词/);
    await wordRow(admin, '注意').waitFor();
    assert.equal(await wordRow(admin, '注意').getAttribute('data-action'), 'warn');
    assert.equal(await wordRow(admin, 'SCAM').getAttribute('data-action'), 'block', 'no action on the line: the chosen one');
    assert.equal(await wordRow(admin, 'Spam').getAttribute('data-action'), 'mask');
    assert.equal(await wordRow(admin, '傻瓜').getAttribute('data-action'), 'mask');
    await expectText(byId(admin, 'words-count'), /共 5 个/);

    await byId(admin, 'words-filter').fill('sp');
    await eventually(() => byId(admin, 'word-row').count(), (n) => n === 1, 'the filter');
    await byId(admin, 'words-filter').fill('');
  });

  test('in the chat: blocked (with the reason, no retry), masked, warned, a disguised word caught', async () => {
    alice = await newPage(browser);
    await login(alice, server.baseURL, { corpid: server.corpid, login: 'alice', password: PASSWORD });
    const direct = await api(alice, 'POST', '/api/v1/conversations', { kind: 'direct', userid: 'bob' });
    await alice.goto(`${server.baseURL}/#/app/messages/${encodeURIComponent(direct.id)}`);
    await waitForStream(alice);
    await alice.locator('[data-testid="thread-messages"][data-loaded="true"]').waitFor();

    const posts = [];
    alice.on('request', (r) => {
      if (r.method() === 'POST' && /\/conversations\/[^/]+\/messages$/.test(new URL(r.url()).pathname)) posts.push(r.postDataJSON());
    });
    const say = async (text) => {
      await byId(alice, 'composer-input').fill(text);
      await byId(alice, 'composer-input').press('Enter');
    };

    // Traditional characters with a space between them still hit 赌博 (block).
    await say('周末一起去賭 博吧');
    const failed = alice.locator('[data-testid="message"][data-state="failed"]');
    await failed.waitFor();
    const reason = failed.getByTestId('message-failed');
    assert.equal(await reason.getAttribute('data-code'), 'sensitive_word');
    await expectText(reason, /消息包含企业禁止发送的内容/);
    assert.equal(await failed.getByTestId('message-retry').count(), 0, 'no retry for a refusal');
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(posts.length, 1, 'sent once, not retried');
    await failed.getByTestId('message-discard').click();
    await failed.waitFor({ state: 'detached' });

    // Masked: the server's copy has the stars; full-width and upper case still match.
    await say('你这个傻瓜，ｓｐａｍ！');
    await say('请注意安全');
    const masked = alice.locator('[data-testid="message"][data-state="sent"]').filter({ hasText: '你这个' });
    await masked.waitFor();
    await expectText(masked.getByTestId('message-body'), /你这个\*\*，\*\*\*\*！/);
    const warned = alice.locator('[data-testid="message"][data-state="sent"]').filter({ hasText: '请注意安全' });
    await warned.waitFor();
    assert.equal(posts.length, 3);

    // Bob's copy is the masked one too.
    const bob = await newPage(browser);
    await login(bob, server.baseURL, { corpid: server.corpid, login: 'bob', password: PASSWORD });
    const stored = await api(bob, 'GET', `/api/v1/conversations/${encodeURIComponent(direct.id)}/messages?limit=10`);
    const texts = stored.messages.map((m) => m.content.content);
    assert.ok(texts.includes('你这个**，****！'), JSON.stringify(texts));
    assert.ok(!texts.some((x) => /賭|赌/.test(x)), 'the blocked message was not stored');
    await bob.context().close();
    assert.deepEqual(alice.errors, [], 'no page errors');
  });

  test('recent hits: sender, word, action and outcome of each', async () => {
    await openPage();
    await byId(admin, 'hits-refresh').click();
    const hit = (word) => admin.locator(`[data-testid="hit-row"][data-word="${word}"]`);
    await hit('赌博').waitFor();
    assert.equal(await hit('赌博').getAttribute('data-action'), 'block');
    assert.equal(await hit('赌博').getAttribute('data-outcome'), 'blocked');
    assert.equal(await hit('赌博').getAttribute('data-actor'), 'alice');
    await expectText(hit('赌博').getByTestId('hit-sender'), /艾丽丝/);
    await expectText(hit('赌博').getByTestId('hit-outcome'), /已拦截/);
    await expectText(hit('赌博').getByTestId('hit-action'), /拦截/);
    assert.equal(await hit('傻瓜').getAttribute('data-outcome'), 'sent');
    await expectText(hit('傻瓜').getByTestId('hit-action'), /替换为\*/);
    assert.equal(await hit('spam').getAttribute('data-action'), 'mask', 'the folded form of Ｓｐａｍ');
    assert.equal(await hit('注意').getAttribute('data-action'), 'warn');
    await expectText(hit('注意').getByTestId('hit-outcome'), /已发出/);
    assert.deepEqual(admin.errors, [], 'no page errors');
  });

  test('at 390x844, in English: everything fits', async () => {
    const phone = await newPage(browser, PHONE);
    await login(phone, server.baseURL, { corpid: server.corpid, login: 'admin', password: server.adminPassword });
    await byId(phone, 'lang-switch').tap();
    await openPage(phone);
    await wordRow(phone, '赌博').waitFor();
    await phone.locator('[data-testid="hit-row"]').first().waitFor();
    await expectText(byId(phone, 'admin-tab-messaging'), /Messaging/);
    await expectText(byId(phone, 'words-matching'), /full-width.*case.*traditional.*spaces or symbols/);
    await expectText(phone.locator('[data-testid="hit-row"][data-word="赌博"] [data-testid="hit-outcome"]'), /Blocked/);
    assert.ok(await phone.evaluate(() => document.documentElement.scrollWidth <= 390), 'the page fits the width');
    const box = await byId(phone, 'words-save').boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= 390, `save on screen: ${JSON.stringify(box)}`);
    const dir = process.env.WORKHUB_SCREENSHOT_DIR || join(tmpdir(), 'workhub-web-screens');
    mkdirSync(dir, { recursive: true });
    await phone.screenshot({ path: join(dir, 'admin-messaging-phone-390x844-en.png'), fullPage: true });
    assert.deepEqual(phone.errors, [], 'no page errors');
    await phone.context().close();
  });
});
