// Message search: Alice and Bob chat (Chinese and English); Enter in the list's box opens the
// search; 预算 finds the Chinese message with 预算 in bold, "BUDGET" the English one (its
// HTML-looking text kept as text); "Files only" shows the empty state; Carol, not in the
// conversation, finds nothing; a result opens the conversation at the message; 390x844; a
// partial answer (an index still being built) is said so.
// The index follows new messages within about a second, so the first search is retried.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { api, byId, createPerson, eventually, expectText, launchBrowser, login, newPage, waitForStream } from './helpers.mjs';
import { skipReason, startServer } from './server.mjs';

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const PASSWORD = 'Find-Passw0rd!2024';
const ZH = '第三季度的预算已经批下来了';
const EN = 'The BUDGET <i>review</i> is on Friday';

describe('message search', { skip: skipReason() ?? false, timeout: 180_000 }, () => {
  let server;
  let browser;
  let alice;
  let convId;

  async function signIn(userid, options) {
    const page = await newPage(browser, options);
    await login(page, server.baseURL, { corpid: server.corpid, login: userid, password: PASSWORD });
    return page;
  }

  /** Waits for the answer to `q`; returns the result rows. */
  async function answered(page, q) {
    await page.locator(`[data-testid="msearch-results"][data-state="done"]`).and(page.locator(`[data-query="${q}"]`)).waitFor();
    return byId(page, 'msearch-result');
  }

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    const admin = await newPage(browser);
    await login(admin, server.baseURL, { corpid: server.corpid, login: 'admin', password: server.adminPassword });
    for (const p of [
      { userid: 'alice', name: '艾丽丝' },
      { userid: 'bob', name: '鲍勃' },
      { userid: 'carol', name: '卡罗尔' },
    ]) {
      await createPerson(admin, p, PASSWORD);
    }
    await admin.context().close();
    alice = await signIn('alice');
    convId = (await api(alice, 'POST', '/api/v1/conversations', { kind: 'direct', userid: 'bob' })).id;
    const bob = await signIn('bob');
    await api(bob, 'POST', `/api/v1/conversations/${encodeURIComponent(convId)}/messages`, {
      client_msg_id: 'search-test-en-1',
      type: 'text',
      content: { content: EN },
      mentions: [],
      reply_to: null,
    });
    await bob.context().close();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('Enter in the list box searches messages; Chinese and English hits with bold words', async () => {
    // Alice writes the Chinese message through the composer.
    await alice.goto(`${server.baseURL}/#/app/messages/${encodeURIComponent(convId)}`);
    await waitForStream(alice);
    await byId(alice, 'composer-input').fill(ZH);
    await byId(alice, 'composer-input').press('Enter');
    await alice.locator('[data-testid="message"][data-state="sent"]').filter({ hasText: ZH }).waitFor();

    await byId(alice, 'conv-search').fill('预算');
    await expectText(byId(alice, 'conv-search-messages'), /预算/);
    await byId(alice, 'conv-search').press('Enter');
    await byId(alice, 'msearch').waitFor();
    assert.match(alice.url(), /#\/app\/messages\/search\?q=%E9%A2%84%E7%AE%97/);
    assert.equal(await byId(alice, 'msearch-input').inputValue(), '预算');

    // The index may lag the send by a moment: search again until the hit is there.
    await eventually(
      async () => {
        const n = await (await answered(alice, '预算')).count();
        if (n === 0) await byId(alice, 'msearch-submit').click();
        return n;
      },
      (n) => n === 1,
      'the Chinese message found',
    );
    const hit = byId(alice, 'msearch-result');
    assert.equal(await hit.getAttribute('data-conv-id'), convId);
    await expectText(hit.getByTestId('msearch-highlight'), new RegExp(ZH));
    assert.deepEqual(await hit.locator('[data-testid="msearch-highlight"] b').allInnerTexts(), ['预算']);
    await expectText(hit.getByTestId('msearch-conv'), /^鲍勃$/);
    await expectText(hit.getByTestId('msearch-sender'), /我/);
    assert.equal(await byId(alice, 'msearch-partial').count(), 0, 'an index that has caught up says nothing');

    // English is case-insensitive; the message's tags are text, not elements.
    await byId(alice, 'msearch-input').fill('BUDGET');
    await byId(alice, 'msearch-submit').click();
    await eventually(async () => (await answered(alice, 'BUDGET')).count(), (n) => n === 1, 'the English message found');
    const en = byId(alice, 'msearch-result').getByTestId('msearch-highlight');
    await expectText(en, /<i>review<\/i>/);
    assert.equal(await en.locator('i').count(), 0, 'no <i> element from the message text');
    assert.deepEqual((await en.locator('b').allInnerTexts()).map((s) => s.toLowerCase()), ['budget']);
    await expectText(byId(alice, 'msearch-result').getByTestId('msearch-sender'), /鲍勃/);

    // Files only: nothing here has a file.
    await byId(alice, 'msearch-files').check();
    await answered(alice, 'BUDGET');
    await byId(alice, 'msearch-empty').waitFor();
    assert.match(alice.url(), /files=1/);
    await byId(alice, 'msearch-files').uncheck();
    await eventually(async () => (await answered(alice, 'BUDGET')).count(), (n) => n === 1, 'back without the filter');
    assert.deepEqual(alice.errors, []);
  });

  test('while the index is still reading the history, the page says older messages may be missing', async () => {
    // A node's index is built from the whole history when it is new or rebuilt: the server
    // answers with partial: true meanwhile. Here the real answer is passed on with that flag.
    const page = await signIn('alice');
    await page.route('**/api/v1/search/messages?*', async (route) => {
      const answer = await (await route.fetch()).json();
      await route.fulfill({ json: { ...answer, partial: true } });
    });
    await page.goto(`${server.baseURL}/#/app/messages/search?q=${encodeURIComponent('预算')}`);
    assert.equal(await (await answered(page, '预算')).count(), 1, 'the hits are still shown');
    await expectText(byId(page, 'msearch-partial'), /搜索索引仍在建立中/);
    await page.unroute('**/api/v1/search/messages?*');
    await byId(page, 'msearch-submit').click();
    await byId(page, 'msearch-partial').waitFor({ state: 'detached' });
    await page.context().close();
  });

  test('someone not in the conversation finds nothing', async () => {
    const carol = await signIn('carol');
    await carol.goto(`${server.baseURL}/#/app/messages/search?q=${encodeURIComponent('预算')}`);
    assert.equal(await (await answered(carol, '预算')).count(), 0);
    await byId(carol, 'msearch-empty').waitFor();
    await carol.context().close();
  });

  test('a result opens its conversation at the message', async () => {
    const hit = byId(alice, 'msearch-result');
    const messageId = await hit.getAttribute('data-message-id');
    await hit.click();
    await alice.locator(`[data-testid="thread"][data-conv-id="${convId}"]`).waitFor();
    assert.ok(alice.url().includes(`?m=${encodeURIComponent(messageId)}`), alice.url());
    await expectText(byId(alice, 'thread-title'), /^鲍勃$/);
    const found = alice.locator(`[data-testid="message"][data-id="${messageId}"]`);
    await found.waitFor();
    assert.ok(await found.isVisible());
  });

  test('the search at 390x844, in English', async () => {
    const phone = await signIn('alice', PHONE);
    await phone.evaluate(() => localStorage.setItem('workhub.lang', 'en'));
    await phone.goto(`${server.baseURL}/#/app/messages/search?q=budget`);
    await phone.reload();
    await eventually(async () => (await answered(phone, 'budget')).count(), (n) => n === 1, 'found on the phone');
    await expectText(byId(phone, 'msearch'), /Files only/);
    await byId(phone, 'msearch-files').waitFor();
    const wide = await phone.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= 390, `nothing wider than the screen (${wide})`);
    const dir = process.env.WORKHUB_SCREENSHOT_DIR || join(tmpdir(), 'workhub-web-screens');
    mkdirSync(dir, { recursive: true });
    await phone.screenshot({ path: join(dir, 'messages-search-390.png') });
    await byId(phone, 'msearch-back').click();
    await byId(phone, 'conv-list').waitFor();
    await phone.context().close();
  });
});
