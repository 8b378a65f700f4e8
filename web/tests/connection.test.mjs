// The live connection as a person sees it. A device whose stream position the server cannot
// continue from gets a `reset` frame: here the position is ahead of the stream, as after the
// server's database was restored from a backup (the same frame answers a device that was away
// longer than the server keeps events). The page takes the newest position, reloads once, says
// why, and messages reach it live again. A lost connection shows a banner until it is back, and
// what was sent meanwhile arrives.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, byId, createPerson, eventually, expectText, launchBrowser, login, newPage } from './helpers.mjs';
import { openConversation as open, sendText as send, sentMessage as sent, signInToMessages } from './chat.mjs';
import { skipReason, startServer } from './server.mjs';

const PASSWORD = 'Chat-Passw0rd!2024';
const FAR_AHEAD = 999_999;

describe('the live connection', { skip: skipReason() ?? false, timeout: 300_000 }, () => {
  let server;
  let browser;
  let alice;
  let bob;
  /** Bob's sockets, each with its URL and the frames it received (parsed). */
  let sockets;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    const admin = await newPage(browser);
    await login(admin, server.baseURL, { corpid: server.corpid, login: 'admin', password: server.adminPassword });
    for (const p of [{ userid: 'alice', name: '艾丽丝' }, { userid: 'bob', name: '鲍勃' }, { userid: 'carol', name: '卡罗尔' }]) {
      await createPerson(admin, p, PASSWORD);
    }
    await admin.context().close();
    alice = await signInToMessages(browser, server, 'alice', PASSWORD);
    bob = await signInToMessages(browser, server, 'bob', PASSWORD);
    sockets = bob.sockets;
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('gets a reset, starts again from the newest position, and messages arrive live', async () => {
    await api(alice, 'POST', '/api/v1/conversations', { kind: 'group', name: '重置组', members: ['bob', 'carol'] });
    await open(alice, '重置组');
    await open(bob, '重置组'); // reached Bob's list live
    const key = `workhub.seq.${server.corpid}.bob`;
    const seqNow = () => bob.evaluate((k) => Number(localStorage.getItem(k)), key);
    const head = await seqNow();
    assert.ok(head > 0, `a position was kept: ${head}`);

    const earlier = sockets.length;
    await bob.evaluate(({ key, far }) => localStorage.setItem(key, String(far)), { key, far: FAR_AHEAD });
    await bob.reload();
    // The first socket (from the impossible position) is told to reset; the page reloads and
    // opens a second one from the newest position.
    await eventually(() => sockets.length - earlier, (n) => n >= 2, 'a socket after the reset');
    const [refused, resumed] = sockets.slice(earlier);
    assert.equal(new URL(refused.url).searchParams.get('since'), String(FAR_AHEAD));
    assert.deepEqual(refused.frames, [{ type: 'reset', code: 'sync_expired' }]);
    await eventually(() => bob.evaluate(() => document.documentElement.dataset.ws), (s) => s === 'open', 'stream open again');
    const since = Number(new URL(resumed.url).searchParams.get('since'));
    const { seq: newest } = await api(bob, 'GET', '/api/v1/sync/latest');
    assert.ok(since >= head && since <= newest, `from the newest position: ${since} (${head}..${newest})`);
    assert.ok((await seqNow()) <= newest, 'the stored position is a real one');
    assert.ok(!resumed.frames.some((f) => f.type === 'reset'), 'no second reset');

    await open(bob, '重置组');
    await send(alice, 'after the reset');
    await sent(bob, 'after the reset').waitFor();
    assert.equal(sockets.length - earlier, 2, 'no reload loop');
    const note = byId(bob, 'banner-resynced');
    await expectText(note, /重新加载|reloaded/);
    await byId(bob, 'banner-resynced-close').click();
    await note.waitFor({ state: 'hidden' });
    assert.deepEqual([...alice.errors, ...bob.errors], [], 'no page errors');
  });

  test('a lost connection shows a banner until it is back, and what came meanwhile arrives', async () => {
    // Bob's sockets go through a route that can drop them and refuse new ones.
    let down = false;
    let current = null;
    await bob.routeWebSocket(/\/api\/v1\/ws/, (ws) => {
      if (down) return ws.close({ code: 1011, reason: 'offline (test)' });
      ws.connectToServer();
      current = ws;
    });
    await bob.reload();
    await eventually(() => bob.evaluate(() => document.documentElement.dataset.ws), (s) => s === 'open', 'routed stream open');
    assert.ok(current, 'the socket goes through the route');
    await open(bob, '重置组');

    down = true;
    await current.close({ code: 1011, reason: 'offline (test)' });
    const banner = byId(bob, 'banner-reconnecting');
    await banner.waitFor();
    await expectText(banner, /正在重新连接|Reconnecting/);
    await send(alice, 'sent while bob was offline');

    down = false;
    await banner.waitFor({ state: 'hidden', timeout: 20_000 });
    await sent(bob, 'sent while bob was offline').waitFor();
    assert.deepEqual([...alice.errors, ...bob.errors], [], 'no page errors');
  });
});
