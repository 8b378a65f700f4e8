// Unfinished uploads the browser has no record of (GET /api/v1/uploads, docs/api-files.md): two
// tus uploads are begun outside the browser with 艾丽丝's bearer token (POST + one PATCH of half
// the bytes), as another device would. Messages offers both ("报告.pdf 50%"); a file of another
// size is refused in the page; the same name and size, chosen with setInputFiles, continues at
// the server's offset (the first PATCH carries Upload-Offset = half) and is sent into the open
// conversation; the bytes downloaded are the whole file. "放弃" DELETEs the other one, and the
// server then lists nothing. The tests share one server and run in order.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { api, byId, createPerson, eventually, expectText, launchBrowser, login, newPage, waitForStream } from './helpers.mjs';
import { skipReason, startServer } from './server.mjs';

const PASSWORD = 'Tus-Passw0rd!2024';
const TUS = { 'Tus-Resumable': '1.0.0' };
const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');
const b64 = (s) => Buffer.from(s, 'utf8').toString('base64');

describe('unfinished uploads from elsewhere', { skip: skipReason() ?? false, timeout: 300_000 }, () => {
  let server;
  let browser;
  let admin;
  let alice;
  let token;
  let convId;
  const report = { name: '报告.pdf', type: 'application/pdf', bytes: randomBytes(1_500_000) };
  const old = { name: 'old-备份.bin', type: 'application/octet-stream', bytes: randomBytes(300_000) };

  /** A request to the server from this process, as 艾丽丝's other device (bearer token). */
  async function http(method, path, headers = {}, body) {
    const res = await fetch(server.baseURL + path, { method, headers: { Authorization: `Bearer ${token}`, ...headers }, body });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
  }

  /** POST + one PATCH of the first half: an upload left unfinished; returns its location. */
  async function beginElsewhere(f) {
    const created = await http('POST', '/api/v1/uploads', {
      ...TUS,
      'Upload-Length': String(f.bytes.length),
      'Upload-Metadata': `filename ${b64(f.name)},filetype ${b64(f.type)}`,
    });
    assert.equal(created.status, 201, `POST /api/v1/uploads: ${created.status} ${created.text}`);
    const location = created.headers.get('location');
    const half = Math.floor(f.bytes.length / 2);
    const patched = await http(
      'PATCH',
      location,
      { ...TUS, 'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': '0' },
      f.bytes.subarray(0, half),
    );
    assert.equal(patched.status, 204, `PATCH ${location}: ${patched.status} ${patched.text}`);
    assert.equal(patched.headers.get('upload-offset'), String(half));
    return { location, half };
  }

  async function unfinishedOnServer() {
    const res = await http('GET', '/api/v1/uploads');
    assert.equal(res.status, 200, `GET /api/v1/uploads: ${res.status} ${res.text}`);
    return res.json().uploads;
  }

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    admin = await newPage(browser);
    await login(admin, server.baseURL, { corpid: server.corpid, login: 'admin', password: server.adminPassword });
    await createPerson(admin, { userid: 'alice', name: '艾丽丝' }, PASSWORD);
    await createPerson(admin, { userid: 'bob', name: '鲍勃' }, PASSWORD);
    const res = await fetch(`${server.baseURL}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ corpid: server.corpid, login: 'alice', password: PASSWORD, device_id: 'other-device-1', platform: 'web' }),
    });
    const answer = await res.json();
    assert.equal(answer.status, 'ok', `sign-in of the other device: ${JSON.stringify(answer)}`);
    token = answer.token;
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('Messages offers them; the same file resumes at the server offset and is sent; discard deletes', async () => {
    const a = await beginElsewhere(report);
    const b = await beginElsewhere(old);
    const listed = await unfinishedOnServer();
    assert.deepEqual(listed.map((u) => u.name).sort(), [report.name, old.name].sort());
    const first = listed.find((u) => u.name === report.name);
    assert.equal(first.offset, a.half);
    assert.equal(first.length, report.bytes.length);
    assert.equal(first.location, a.location);

    alice = await newPage(browser);
    await login(alice, server.baseURL, { corpid: server.corpid, login: 'alice', password: PASSWORD });
    convId = (await api(alice, 'POST', '/api/v1/conversations', { kind: 'direct', userid: 'bob' })).id;
    const patchOffsets = [];
    alice.on('request', (r) => r.method() === 'PATCH' && /\/api\/v1\/uploads\//.test(r.url()) && patchOffsets.push(Number(r.headers()['upload-offset'])));

    // Messages with no conversation open: offered, but resuming needs a conversation to send to.
    await alice.goto(`${server.baseURL}/#/app/messages`);
    await byId(alice, 'messages-page').waitFor();
    await byId(alice, 'unfinished-uploads').waitFor();
    const row = alice.locator(`[data-testid="server-upload"][data-name="${report.name}"]`);
    await row.waitFor();
    await expectText(row, /报告\.pdf/);
    await expectText(row.getByTestId('server-upload-progress'), /已上传 50%/);
    assert.equal(await row.getAttribute('data-percent'), '50');
    await expectText(row.getByTestId('server-upload-target'), /先打开要发送到的会话/);
    assert.equal(await row.getByTestId('server-upload-resume').isDisabled(), true);
    assert.equal(await byId(alice, 'unfinished-upload').count(), 0, 'no local records in this browser');

    // Open the conversation with 鲍勃: the upload will be sent there.
    await alice.goto(`${server.baseURL}/#/app/messages/${encodeURIComponent(convId)}`);
    await alice.locator('[data-testid="thread-messages"][data-loaded="true"]').waitFor();
    await waitForStream(alice);
    await expectText(row.getByTestId('server-upload-target'), /完成后发送到“鲍勃”/);

    // Another file (same name, other size) is refused in the page; nothing is sent.
    await row.getByTestId('server-upload-file-input').setInputFiles({ name: report.name, mimeType: report.type, buffer: randomBytes(1000) });
    await expectText(row.getByTestId('server-upload-wrong-file'), /文件不一致/);
    assert.deepEqual(patchOffsets, []);

    // The same name and size: continues from the server's offset.
    await row.getByTestId('server-upload-file-input').setInputFiles({ name: report.name, mimeType: report.type, buffer: report.bytes });
    const sent = alice
      .locator('[data-testid="thread-messages"] [data-testid="message"][data-type="file"][data-state="sent"]')
      .filter({ has: alice.getByTestId('message-body').getByText(report.name) });
    await sent.waitFor({ timeout: 60_000 });
    assert.ok(patchOffsets.length > 0, 'PATCHes were sent');
    assert.equal(patchOffsets[0], a.half, `the first PATCH resumes at the server offset (${patchOffsets.join(', ')})`);
    await row.waitFor({ state: 'detached' });

    // The whole file arrived: the bytes downloaded are the original ones.
    const href = await sent.getByTestId('msg-file-download').getAttribute('href');
    const got = await alice.evaluate(async (href) => {
      const buf = await (await fetch(href)).arrayBuffer();
      const hash = await crypto.subtle.digest('SHA-256', buf);
      return { length: buf.byteLength, sha256: Array.from(new Uint8Array(hash), (x) => x.toString(16).padStart(2, '0')).join('') };
    }, href);
    assert.equal(got.length, report.bytes.length);
    assert.equal(got.sha256, sha256(report.bytes));
    const remaining = await unfinishedOnServer();
    assert.deepEqual(remaining.map((u) => u.name), [old.name], 'only the other one is left');

    // Discard the other: a tus DELETE at its location, then the server lists nothing.
    const other = alice.locator(`[data-testid="server-upload"][data-name="${old.name}"]`);
    const deleted = alice.waitForResponse((r) => r.request().method() === 'DELETE' && r.url().endsWith(b.location));
    await other.getByTestId('server-upload-discard').click();
    assert.equal((await deleted).status(), 204);
    await byId(alice, 'unfinished-uploads').waitFor({ state: 'detached' });
    await eventually(() => unfinishedOnServer(), (l) => l.length === 0, 'GET /api/v1/uploads lists nothing');

    // A reload offers nothing any more.
    await alice.reload();
    await alice.locator('[data-testid="thread-messages"][data-loaded="true"]').waitFor();
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await byId(alice, 'unfinished-uploads').count(), 0);
    assert.deepEqual(alice.errors, []);
  });

  test('an upload this browser runs itself is not offered a second time after a reload', async () => {
    // Started here and broken off after the first chunk: after the reload it is offered once, as
    // this browser's own unfinished upload (its record), not again as one from elsewhere.
    const bytes = randomBytes(2 * 1024 * 1024 + 10);
    let firstDone = false;
    await alice.route('**/api/v1/uploads/*', async (route) => {
      if (route.request().method() !== 'PATCH') return route.continue();
      if (!firstDone) {
        firstDone = true;
        return route.continue();
      }
      return route.abort('connectionreset');
    });
    const firstPatch = alice.waitForResponse((r) => r.request().method() === 'PATCH' && r.status() === 204);
    await byId(alice, 'composer-file-input').setInputFiles({ name: 'mine.bin', mimeType: 'application/octet-stream', buffer: bytes });
    await firstPatch;
    await alice.reload();
    await byId(alice, 'unfinished-uploads').waitFor();
    await alice.locator('[data-testid="unfinished-upload"][data-name="mine.bin"]').waitFor();
    await eventually(async () => (await unfinishedOnServer()).map((u) => u.name), (l) => l.join() === 'mine.bin', 'the server lists it');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await alice.locator('[data-testid="server-upload"]').count(), 0, 'not offered as one from elsewhere');
    await alice.unroute('**/api/v1/uploads/*');
    await alice.locator('[data-testid="unfinished-upload"][data-name="mine.bin"]').getByTestId('unfinished-discard').click();
    await byId(alice, 'unfinished-uploads').waitFor({ state: 'detached' });
    await eventually(() => unfinishedOnServer(), (l) => l.length === 0, 'discarded on the server');
  });
});
