// Contacts search through the server (`GET /api/v1/directory/search`): pinyin, initials and
// Chinese all find 张三; the results list shows position and departments and opens the card;
// typing is debounced; an empty box brings back the department list.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { byId, eventually, expectText, launchBrowser, login, newPage, waitForStream } from './helpers.mjs';
import { skipReason, startServer } from './server.mjs';

describe('contacts search', { skip: skipReason() ?? false, timeout: 180_000 }, () => {
  let server;
  let browser;
  let page;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    page = await newPage(browser);
    await login(page, server.baseURL, { corpid: server.corpid, login: 'admin', password: server.adminPassword });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** Waits for the results of `q` (not a stale answer of an earlier query). */
  async function searchFor(q) {
    await byId(page, 'contacts-search').fill(q);
    const results = page.locator(`[data-testid="contacts-search-results"][data-query="${q}"][data-state="done"]`);
    await results.waitFor();
    return results;
  }
  const userids = (results) => results.locator('[data-testid="search-row"]').evaluateAll((rows) => rows.map((r) => r.dataset.userid));

  test('pinyin, initials and Chinese find the member; clicking opens the card', async () => {
    await page.evaluate(async () => {
      const post = (path, body) =>
        fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => {
          if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
          return r.json();
        });
      const dept = await post('/api/v1/directory/departments', { name: '研发部', parentid: 1 });
      await post('/api/v1/directory/members', {
        userid: 'zhangsan',
        name: '张三',
        department: [dept.id],
        mobile: '13812345678',
        position: '后端工程师',
      });
      await post('/api/v1/directory/members', { userid: 'lisi', name: '李四', department: [1], email: 'lisi@acme.cn' });
    });

    await page.goto(`${server.baseURL}/#/app/contacts`);
    await byId(page, 'contacts-tree').waitFor();
    const box = byId(page, 'contacts-search');
    assert.equal(await box.getAttribute('placeholder'), '姓名、拼音、首字母、手机、邮箱');

    let results = await searchFor('zs');
    assert.deepEqual(await userids(results), ['zhangsan'], '"zs" finds 张三 only');
    await expectText(byId(page, 'contacts-heading'), /搜索结果/);
    assert.equal(await byId(page, 'contacts-heading').getAttribute('data-kind'), 'search');

    results = await searchFor('lisi');
    assert.deepEqual(await userids(results), ['lisi'], '"lisi" finds 李四 only');

    for (const q of ['zhangsan', '张三', '13812345678']) {
      results = await searchFor(q);
      assert.ok((await userids(results)).includes('zhangsan'), `"${q}" finds 张三`);
    }
    results = await searchFor('lisi@acme');
    assert.deepEqual(await userids(results), ['lisi'], 'by email');

    // The row: name, position, departments; a click opens the card.
    results = await searchFor('zs');
    const row = results.locator('[data-testid="search-row"][data-userid="zhangsan"]');
    await expectText(row.getByTestId('search-row-position'), /后端工程师/);
    await expectText(row.getByTestId('search-row-departments'), /研发部/);
    await row.click();
    const card = byId(page, 'member-card');
    await card.and(page.locator('[data-userid="zhangsan"]')).waitFor();
    await expectText(byId(page, 'member-card-name'), /张三/);
    await expectText(byId(page, 'member-card-departments'), /研发部/);
    await byId(page, 'member-card-close').click();

    results = await searchFor('nobody-by-that-name');
    await results.getByTestId('contacts-search-empty').waitFor();

    // An empty box: the department list again, with its filter.
    await box.fill('');
    await byId(page, 'contacts-members').waitFor();
    assert.notEqual(await byId(page, 'contacts-heading').getAttribute('data-kind'), 'search');
    assert.equal(await byId(page, 'contacts-include-sub').isDisabled(), false);
    assert.deepEqual(page.errors, [], 'no page errors');
  });

  test('typing is debounced: one request for a word typed quickly', async () => {
    const seen = [];
    const onRequest = (req) => {
      if (req.url().includes('/api/v1/directory/search')) seen.push(new URL(req.url()).searchParams.get('q'));
    };
    page.on('request', onRequest);
    const box = byId(page, 'contacts-search');
    await box.fill('');
    await box.pressSequentially('zhangsan', { delay: 40 });
    await page.locator('[data-testid="contacts-search-results"][data-query="zhangsan"][data-state="done"]').waitFor();
    await new Promise((r) => setTimeout(r, 400));
    page.off('request', onRequest);
    assert.ok(seen.length <= 2, `few requests while typing: ${JSON.stringify(seen)}`);
    assert.equal(seen.at(-1), 'zhangsan');
  });

  test('English hint; a member added meanwhile shows up in the open results', async () => {
    await byId(page, 'lang-switch').click();
    await eventually(
      () => byId(page, 'contacts-search').getAttribute('placeholder'),
      (p) => p === 'Name, pinyin, initials, mobile, email',
      'English hint',
    );
    await waitForStream(page);
    await searchFor('zhang');
    await page.evaluate(() =>
      fetch('/api/v1/directory/members', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ userid: 'zhangwei', name: '张伟', department: [1], mobile: '13700000000' }),
      }),
    );
    await page.locator('[data-testid="contacts-search-results"] [data-testid="search-row"][data-userid="zhangwei"]').waitFor();
    await byId(page, 'lang-switch').click();
  });
});
