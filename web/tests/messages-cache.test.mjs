// The local message cache (src/cache.ts): after chatting, IndexedDB holds the list and the
// messages encrypted (AES-GCM with a non-extractable key, a fresh 12-byte IV per record; the
// text is nowhere in plaintext); a reload with the conversations and messages API blocked still
// shows the cached conversation and message; logging out leaves the database empty.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, byId, createPerson, eventually, expectText, launchBrowser, login, newPage, waitForStream } from './helpers.mjs';
import { skipReason, startServer } from './server.mjs';

const PASSWORD = 'Chat-Passw0rd!2024';
const SECRET = '机密：第三季度预算 secret-budget-42';

/** Everything in the cache database, as the page can read it (no decryption). */
function dumpCache(page) {
  return page.evaluate(async () => {
    const db = await new Promise((resolve, reject) => {
      const req = indexedDB.open('workhub-cache');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const all = (store) =>
      new Promise((resolve, reject) => {
        if (!db.objectStoreNames.contains(store)) return resolve([]);
        const req = db.transaction(store).objectStore(store).getAll();
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
    const [keys, records] = [await all('keys'), await all('records')];
    db.close();
    const bytes = (v) => (v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    const hex = (v) => Array.from(bytes(v), (b) => b.toString(16).padStart(2, '0')).join('');
    return {
      keys: keys.map((k) => ({
        owner: k.owner,
        isCryptoKey: k.key instanceof CryptoKey,
        extractable: k.key?.extractable,
        algorithm: k.key?.algorithm,
        usages: k.key?.usages,
      })),
      records: records.map((r) => ({
        id: r.id,
        ivLength: bytes(r.iv).length,
        iv: hex(r.iv),
        // Every way the stored bytes could be read as text.
        utf8: new TextDecoder('utf-8', { fatal: false }).decode(bytes(r.data)),
        utf16: new TextDecoder('utf-16le', { fatal: false }).decode(bytes(r.data)),
        json: JSON.stringify(r),
      })),
    };
  });
}

describe('the encrypted local message cache', { skip: skipReason() ?? false, timeout: 300_000 }, () => {
  let server;
  let browser;
  let alice;
  let directId;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    const admin = await newPage(browser);
    await login(admin, server.baseURL, { corpid: server.corpid, login: 'admin', password: server.adminPassword });
    await createPerson(admin, { userid: 'alice', name: '艾丽丝' }, PASSWORD);
    await createPerson(admin, { userid: 'bob', name: '鲍勃' }, PASSWORD);
    await admin.context().close();
    alice = await newPage(browser);
    await login(alice, server.baseURL, { corpid: server.corpid, login: 'alice', password: PASSWORD });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('after chatting, the cached records are encrypted (no plaintext, fresh IVs, a non-extractable key)', async () => {
    directId = (await api(alice, 'POST', '/api/v1/conversations', { kind: 'direct', userid: 'bob' })).id;
    await alice.goto(`${server.baseURL}/#/app/messages/${encodeURIComponent(directId)}`);
    await waitForStream(alice);
    await alice.locator('[data-testid="thread-messages"][data-loaded="true"]').waitFor();
    await byId(alice, 'composer-input').fill(SECRET);
    await byId(alice, 'composer-input').press('Enter');
    await alice.locator('[data-testid="message"][data-state="sent"]').filter({ hasText: 'secret-budget-42' }).waitFor();

    const dump = await eventually(
      () => dumpCache(alice),
      (d) => d.records.some((r) => r.id.endsWith('|list')) && d.records.some((r) => r.id.endsWith(`|msgs:${directId}`)),
      'the list and the conversation are cached',
    );
    assert.equal(dump.keys.length, 1, 'one key for this user');
    const [key] = dump.keys;
    assert.equal(key.owner, `${server.corpid}/alice`);
    assert.equal(key.isCryptoKey, true, 'the CryptoKey object itself is stored');
    assert.equal(key.extractable, false, 'and cannot be exported');
    assert.equal(key.algorithm.name, 'AES-GCM');
    assert.equal(key.algorithm.length, 256);
    for (const r of dump.records) {
      assert.equal(r.ivLength, 12, `${r.id}: a 12-byte IV`);
      for (const text of [r.utf8, r.utf16, r.json]) {
        for (const needle of ['secret-budget-42', '第三季度预算', '机密', 'budget']) {
          assert.ok(!text.includes(needle), `${r.id}: "${needle}" is not stored in plaintext`);
        }
      }
    }
    assert.equal(new Set(dump.records.map((r) => r.iv)).size, dump.records.length, 'no IV used twice');

    // A rewrite of the same record uses a new IV.
    const before = dump.records.find((r) => r.id.endsWith(`|msgs:${directId}`)).iv;
    await byId(alice, 'composer-input').fill('第二条');
    await byId(alice, 'composer-input').press('Enter');
    await eventually(
      async () => (await dumpCache(alice)).records.find((r) => r.id.endsWith(`|msgs:${directId}`)).iv,
      (iv) => iv !== before,
      'a new IV for the rewritten record',
    );
  });

  test('offline: a reload with the conversations and messages API blocked shows the cached chat', async () => {
    const blocked = [];
    const block = (route) => {
      blocked.push(route.request().url());
      return route.abort('internetdisconnected');
    };
    await alice.route('**/api/v1/conversations**', block);
    await alice.route('**/api/v1/messages/**', block);
    await alice.reload();
    await byId(alice, 'messages-page').waitFor();

    const row = alice.locator('[data-testid="conv-row"][data-name="鲍勃"]');
    await row.waitFor();
    assert.equal(await byId(alice, 'conv-list').getAttribute('data-cached'), 'true');
    await expectText(row.getByTestId('conv-preview'), /第二条/);
    await byId(alice, 'conv-offline').waitFor();
    const msg = alice.locator('[data-testid="thread-messages"] [data-testid="message"]').filter({ hasText: 'secret-budget-42' });
    await msg.waitFor();
    await expectText(msg.getByTestId('message-body'), /机密：第三季度预算/);
    assert.equal(await byId(alice, 'thread-messages').getAttribute('data-cached'), 'true');
    await byId(alice, 'thread-offline').waitFor();
    assert.ok(blocked.length > 0, 'the API was really asked and blocked');

    // Back online: the server's answers replace the cached copies.
    await alice.unroute('**/api/v1/conversations**');
    await alice.unroute('**/api/v1/messages/**');
    await alice.reload();
    await alice.locator('[data-testid="thread-messages"][data-loaded="true"][data-cached="false"]').waitFor();
    await eventually(() => byId(alice, 'conv-list').getAttribute('data-cached'), (v) => v === 'false', 'the list from the server');
    await msg.waitFor();
    assert.deepEqual(alice.errors, [], 'no page errors');
  });

  test('logging out empties the cache database', async () => {
    await byId(alice, 'user-menu').click();
    await byId(alice, 'user-menu-logout').click();
    await alice.waitForURL(/#\/login/);
    const dump = await dumpCache(alice);
    assert.deepEqual(dump.keys, [], 'no key');
    assert.deepEqual(dump.records, [], 'no records');

    // Signing in again starts from nothing (then caches again under a new key).
    await login(alice, server.baseURL, { corpid: server.corpid, login: 'alice', password: PASSWORD });
    await alice.goto(`${server.baseURL}/#/app/messages/${encodeURIComponent(directId)}`);
    await alice.locator('[data-testid="thread-messages"][data-loaded="true"]').waitFor();
    await eventually(() => dumpCache(alice), (d) => d.keys.length === 1 && d.records.length >= 1, 'cached again');
  });
});
