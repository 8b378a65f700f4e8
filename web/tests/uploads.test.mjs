// Files and images in chat over tus (docs/api-files.md): a 3 MiB file with its progress bar,
// seen by both sides and downloaded byte for byte; an image shown inline; a drop and a paste;
// an upload broken off,
// the page reloaded and the same file chosen again resuming from the server's offset (one
// message); the company's 1 MiB limit showing the server's message; the policy fields; and the
// composer at 390 px with a cancelled (terminated) upload.
// The tests share one server and run in order.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { api, byId, createPerson, eventually, expectText, launchBrowser, login, makePng, newPage, waitForStream } from './helpers.mjs';
import { skipReason, startServer } from './server.mjs';

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const PASSWORD = 'Files-Passw0rd!2024';
const MiB = 1024 * 1024;
const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');

/** Sent messages of a type in the open conversation whose body contains `text`. */
const sentOf = (page, type, text) =>
  page
    .locator(`[data-testid="thread-messages"] [data-testid="message"][data-type="${type}"][data-state="sent"]`)
    .filter({ has: page.getByTestId('message-body').getByText(text, { exact: false }) });

/** The SHA-256 (hex) and length of what `href` downloads, fetched inside the page (its cookie). */
function download(page, href) {
  return page.evaluate(async (href) => {
    const res = await fetch(href);
    const buf = await res.arrayBuffer();
    const hash = await crypto.subtle.digest('SHA-256', buf);
    return {
      status: res.status,
      length: buf.byteLength,
      sha256: Array.from(new Uint8Array(hash), (b) => b.toString(16).padStart(2, '0')).join(''),
      disposition: res.headers.get('content-disposition'),
      type: res.headers.get('content-type'),
    };
  }, href);
}

/** PATCHes to the tus endpoint held back `ms` each, so the progress bar can be seen. */
async function slowPatches(page, ms) {
  await page.route('**/api/v1/uploads/*', async (route) => {
    if (route.request().method() === 'PATCH') await new Promise((r) => setTimeout(r, ms));
    await route.continue().catch(() => undefined);
  });
}

describe('uploads', { skip: skipReason() ?? false, timeout: 300_000 }, () => {
  let server;
  let browser;
  let admin;
  let alice;
  let bob;
  let convId;
  let dir;

  async function signIn(userid, options) {
    const page = await newPage(browser, options);
    await login(page, server.baseURL, { corpid: server.corpid, login: userid, password: PASSWORD });
    return page;
  }

  async function openChat(page) {
    await page.goto(`${server.baseURL}/#/app/messages/${encodeURIComponent(convId)}`);
    await page.locator('[data-testid="thread-messages"][data-loaded="true"]').waitFor();
    await waitForStream(page);
  }

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    dir = mkdtempSync(join(tmpdir(), 'workhub-uploads-'));
    admin = await newPage(browser);
    await login(admin, server.baseURL, { corpid: server.corpid, login: 'admin', password: server.adminPassword });
    await createPerson(admin, { userid: 'alice', name: '艾丽丝' }, PASSWORD);
    await createPerson(admin, { userid: 'bob', name: '鲍勃' }, PASSWORD);
    alice = await signIn('alice');
    bob = await signIn('bob');
    convId = (await api(alice, 'POST', '/api/v1/conversations', { kind: 'direct', userid: 'bob' })).id;
    await openChat(alice);
    await openChat(bob);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('a 3 MiB file: progress bar, the message for both sides, identical bytes downloaded', async () => {
    const bytes = randomBytes(3 * MiB);
    // A name that looks like markup must stay text.
    const name = '季度报告 <b>终稿</b>.bin';
    await slowPatches(alice, 300);
    const posts = [];
    alice.on('request', (r) => {
      if (r.method() === 'POST' && /\/conversations\/[^/]+\/messages$/.test(new URL(r.url()).pathname)) posts.push(r.postDataJSON());
    });

    await byId(alice, 'composer-attach').waitFor();
    await byId(alice, 'composer-file-input').setInputFiles({ name, mimeType: 'application/octet-stream', buffer: bytes });
    const item = alice.locator(`[data-testid="upload-item"][data-name="${name}"]`);
    await item.waitFor();
    const bar = item.getByTestId('upload-progress');
    await bar.waitFor();
    // The bar moves and shows its percent while the chunks go up.
    const pct = await eventually(
      () => bar.locator('[role="progressbar"]').getAttribute('aria-valuenow').then(Number),
      (n) => n > 0 && n < 100,
      'progress between 0 and 100 %',
    );
    await expectText(bar, new RegExp(`\\d+%`));
    assert.ok(pct > 0);
    assert.ok(await item.getByTestId('upload-cancel').isVisible(), 'a cancel button while uploading');

    const mine = sentOf(alice, 'file', '季度报告');
    await mine.waitFor({ timeout: 60_000 });
    await item.waitFor({ state: 'detached' });
    await alice.unroute('**/api/v1/uploads/*');
    const theirs = sentOf(bob, 'file', '季度报告');
    await theirs.waitFor();
    for (const m of [mine, theirs]) {
      assert.equal(await m.getByTestId('msg-file-name').innerText(), name, 'the name as text');
      assert.equal(await m.locator('b').count(), 0, 'no markup from the name');
      await expectText(m.getByTestId('msg-file-size'), /^3\.0 MB$/);
    }

    // The message POST carried only the file id, with a fresh client_msg_id.
    const filePosts = posts.filter((p) => p.type === 'file');
    assert.equal(filePosts.length, 1);
    assert.deepEqual(Object.keys(filePosts[0].content), ['file_id']);
    assert.match(filePosts[0].client_msg_id, /^[0-9a-f-]{36}$/);

    const href = await theirs.getByTestId('msg-file-download').getAttribute('href');
    assert.equal(href, `/api/v1/files/${encodeURIComponent(filePosts[0].content.file_id)}`);
    const got = await download(bob, href);
    assert.equal(got.status, 200);
    assert.equal(got.length, bytes.length);
    assert.equal(got.sha256, sha256(bytes), 'the same bytes');
    assert.match(got.disposition ?? '', /filename\*=UTF-8''/);
    assert.deepEqual([...alice.errors, ...bob.errors], [], 'no page errors');
  });

  test('an image shows inline, loads, and opens full size', async () => {
    const png = makePng(120, 80);
    await byId(alice, 'composer-file-input').setInputFiles({ name: 'chart.png', mimeType: 'image/png', buffer: png });
    const img = (page) =>
      page.locator('[data-testid="thread-messages"] [data-testid="message"][data-type="image"][data-state="sent"] img[data-testid="msg-image-img"]');
    await img(alice).waitFor();
    await img(bob).waitFor();
    for (const page of [alice, bob]) {
      const width = await eventually(() => img(page).evaluate((el) => el.complete && el.naturalWidth), (w) => w > 0, 'the image loads');
      assert.equal(width, 120);
      assert.match(await img(page).getAttribute('src'), /^\/api\/v1\/files\/[^/]+\/thumbnail$/, 'the preview is the thumbnail');
      const box = await img(page).boundingBox();
      assert.ok(box && box.width <= 240 && box.height <= 240, `bounded: ${JSON.stringify(box)}`);
    }
    await bob.getByTestId('msg-image').last().click();
    await byId(bob, 'image-viewer').waitFor();
    await eventually(() => byId(bob, 'image-viewer-img').evaluate((el) => el.naturalWidth), (w) => w === 120, 'full image');
    await bob.keyboard.press('Escape');
    await byId(bob, 'image-viewer').waitFor({ state: 'detached' });
  });

  test('a file dropped on the conversation and a screenshot pasted into the composer are sent', async () => {
    await alice.evaluate(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['dropped bytes'], 'dropped.txt', { type: 'text/plain' }));
      const thread = document.querySelector('[data-testid="thread"]');
      thread.dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt, bubbles: true, cancelable: true }));
      thread.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    await sentOf(bob, 'file', 'dropped.txt').waitFor();
    assert.equal(await byId(alice, 'thread-drop-hint').count(), 0, 'the drop hint is gone');

    await alice.evaluate(async (b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], 'image.png', { type: 'image/png' }));
      const input = document.querySelector('[data-testid="composer-input"]');
      input.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
    }, makePng(40, 30).toString('base64'));
    const pasted = bob.locator('[data-testid="message"][data-type="image"][data-state="sent"]').filter({ has: bob.locator('img[alt="image.png"]') });
    await pasted.waitFor();
    await eventually(() => pasted.locator('img').evaluate((el) => el.naturalWidth), (w) => w === 40, 'the pasted image loads');
  });

  test('an upload broken off resumes after a reload from the server offset, one message', async () => {
    const bytes = randomBytes(5 * MiB);
    const path = join(dir, 'backup-五月.zip');
    writeFileSync(path, bytes);

    // Before the reload: the first chunk goes through, every later PATCH fails on the network.
    let phase = 'before';
    let firstDone = false;
    const afterOffsets = [];
    await alice.route('**/api/v1/uploads/*', async (route) => {
      const req = route.request();
      if (req.method() !== 'PATCH') return route.continue();
      if (phase === 'after') {
        afterOffsets.push(Number(req.headers()['upload-offset']));
        return route.continue();
      }
      if (!firstDone) {
        firstDone = true;
        return route.continue();
      }
      return route.abort('connectionreset');
    });
    const firstPatch = alice.waitForResponse((r) => r.request().method() === 'PATCH' && r.status() === 204);
    await byId(alice, 'composer-file-input').setInputFiles(path);
    await alice.locator('[data-testid="upload-item"][data-name="backup-五月.zip"]').waitFor();
    const res = await firstPatch;
    assert.equal(Number(res.headers()['upload-offset']), MiB, 'one chunk of 1 MiB acknowledged');

    // PATCHes keep failing until the reloaded page is up: the server stays at 1 MiB.
    await alice.reload();
    await byId(alice, 'unfinished-uploads').waitFor();
    phase = 'after';
    const row = alice.locator('[data-testid="unfinished-upload"][data-name="backup-五月.zip"]');
    await expectText(row, /5\.0 MB/);
    await expectText(byId(alice, 'unfinished-uploads'), /有未完成的上传/);
    // A different file is refused; the same one resumes.
    const other = join(dir, 'other.zip');
    writeFileSync(other, randomBytes(1024));
    await row.getByTestId('unfinished-file-input').setInputFiles(other);
    await row.getByTestId('unfinished-wrong-file').waitFor();
    await row.getByTestId('unfinished-file-input').setInputFiles(path);
    await byId(alice, 'unfinished-uploads').waitFor({ state: 'detached' });

    const mine = sentOf(alice, 'file', 'backup-五月.zip');
    await mine.waitFor({ timeout: 60_000 });
    assert.ok(afterOffsets.length > 0, 'PATCHes after the reload');
    assert.ok(afterOffsets[0] > 0, `the first PATCH after the reload resumes: Upload-Offset ${afterOffsets[0]}`);
    assert.equal(afterOffsets[0], MiB);
    await alice.unroute('**/api/v1/uploads/*');
    await sentOf(bob, 'file', 'backup-五月.zip').waitFor();

    const href = await mine.getByTestId('msg-file-download').getAttribute('href');
    const got = await download(alice, href);
    assert.equal(got.length, bytes.length);
    assert.equal(got.sha256, sha256(bytes), 'resumed bytes are the file');

    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(await sentOf(alice, 'file', 'backup-五月.zip').count(), 1, 'alice: one message');
    assert.equal(await sentOf(bob, 'file', 'backup-五月.zip').count(), 1, 'bob: one message');
    const stored = await api(bob, 'GET', `/api/v1/conversations/${encodeURIComponent(convId)}/messages?limit=50`);
    assert.equal(stored.messages.filter((m) => m.content?.name === 'backup-五月.zip').length, 1, 'stored once');
    // Nothing is left to resume.
    assert.equal(await alice.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('workhub.uploads.') || k.startsWith('tus::')).length), 0);
  });

  test('the company limit: a 2 MiB file over 1 MiB shows the server message; the policy page keeps the fields', async () => {
    const policy = await api(admin, 'GET', '/api/v1/admin/security-policy');
    assert.equal(policy.max_upload_mb_desktop, 3072);
    await api(admin, 'PUT', '/api/v1/admin/security-policy', { ...policy, max_upload_mb_desktop: 1 });

    await byId(alice, 'composer-file-input').setInputFiles({ name: 'big.bin', mimeType: 'application/octet-stream', buffer: randomBytes(2 * MiB) });
    const item = alice.locator('[data-testid="upload-item"][data-name="big.bin"]');
    await expectText(item.getByTestId('upload-error'), /^文件超过允许的大小：1 MiB$/);
    assert.equal(await item.getByTestId('upload-error').getAttribute('data-code'), 'upload_too_large');
    assert.equal(await item.getByTestId('upload-retry').count(), 0, 'no retry for a refusal');
    await item.getByTestId('upload-cancel').click();
    await item.waitFor({ state: 'detached' });
    // In English the server's message is English (Accept-Language goes with the tus requests).
    await byId(alice, 'lang-switch').click();
    await byId(alice, 'composer-file-input').setInputFiles({ name: 'big.bin', mimeType: 'application/octet-stream', buffer: randomBytes(2 * MiB) });
    await expectText(item.getByTestId('upload-error'), /^The file is larger than allowed: 1 MiB$/);
    await item.getByTestId('upload-cancel').click();
    await byId(alice, 'lang-switch').click();
    await expectText(byId(alice, 'composer-send'), /^发送$/);

    // The admin page shows the limit; saving another field keeps it; the new value persists.
    await admin.goto(`${server.baseURL}/#/app/admin/policy`);
    await byId(admin, 'policy-form').waitFor();
    assert.equal(await byId(admin, 'policy-max_upload_mb_desktop').inputValue(), '1');
    assert.equal(await byId(admin, 'policy-max_upload_mb_mobile').inputValue(), '1024');
    await byId(admin, 'policy-max_upload_mb_desktop').fill('2048');
    await byId(admin, 'policy-save').click();
    await byId(admin, 'policy-saved').waitFor();
    await admin.reload();
    await byId(admin, 'policy-form').waitFor();
    assert.equal(await byId(admin, 'policy-max_upload_mb_desktop').inputValue(), '2048');
    const saved = await api(admin, 'GET', '/api/v1/admin/security-policy');
    assert.equal(saved.max_upload_mb_desktop, 2048);
    assert.equal(saved.max_upload_mb_mobile, 1024);
    await byId(admin, 'lang-switch').click();
    await expectText(admin.locator('legend', { hasText: 'File uploads' }), /File uploads/);
    await byId(admin, 'lang-switch').click();
  });

  test('at 390x844: the attach button and the progress bar fit; cancel terminates the upload', async () => {
    const phone = await signIn('alice', PHONE);
    await openChat(phone);
    const fits = () => phone.evaluate(() => document.documentElement.scrollWidth <= 390);
    const attach = await byId(phone, 'composer-attach').boundingBox();
    assert.ok(attach && attach.x >= 0 && attach.x + attach.width <= 390, `attach on screen: ${JSON.stringify(attach)}`);

    await slowPatches(phone, 1500);
    const deletes = [];
    phone.on('response', (r) => r.request().method() === 'DELETE' && /\/api\/v1\/uploads\//.test(r.url()) && deletes.push(r.status()));
    const name = '一个名字很长很长很长很长很长很长很长很长很长的文件.bin';
    await byId(phone, 'composer-file-input').setInputFiles({ name, mimeType: 'application/octet-stream', buffer: randomBytes(4 * MiB) });
    const item = phone.locator('[data-testid="upload-item"]').first();
    const bar = item.getByTestId('upload-progress');
    await bar.waitFor();
    // Wait for the upload to exist on the server, so cancelling has something to delete.
    await phone.waitForRequest((r) => r.method() === 'PATCH');
    for (const el of [bar, item.getByTestId('upload-cancel')]) {
      const box = await el.boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 390 && box.y + box.height <= 844, `on screen: ${JSON.stringify(box)}`);
    }
    assert.ok(await fits(), 'nothing wider than the screen');
    const screens = process.env.WORKHUB_SCREENSHOT_DIR || join(tmpdir(), 'workhub-web-screens');
    mkdirSync(screens, { recursive: true });
    await phone.screenshot({ path: join(screens, 'uploads-phone-390x844.png') });

    await item.getByTestId('upload-cancel').tap();
    await item.waitFor({ state: 'detached' });
    await eventually(() => deletes.slice(), (d) => d.includes(204), 'the upload is terminated (DELETE 204)');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await sentOf(phone, 'file', '很长').count(), 0, 'nothing was sent');
    assert.deepEqual(phone.errors, [], 'no page errors');
  });
});
