// A group's picture: the owner chooses an image in the group settings (tus upload, then
// PATCH {avatar: file_id}); the conversation list and the thread header show the server's
// thumbnail, also live on another member's open page, where the settings show it without
// buttons; a non-image file shows the server's `unsupported_file_type` message; "移除" sends
// {avatar: ""} and brings the placeholder back everywhere; the panel at 390x844 in English.
// The tests share one server and run in order.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { api, byId, createPerson, eventually, expectText, launchBrowser, login, makePng, newPage } from './helpers.mjs';
import { convRow, openConversation, signInToMessages } from './chat.mjs';
import { skipReason, startServer } from './server.mjs';

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const PASSWORD = 'Chat-Passw0rd!2024';
const PEOPLE = [
  { userid: 'alice', name: '艾丽丝' },
  { userid: 'bob', name: '鲍勃' },
];
const GROUP = '设计组';
const PNG = { name: 'team.png', mimeType: 'image/png', buffer: makePng(64, 48) };
const TEXT = { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a picture\n') };

const isPatch = (r) => r.method() === 'PATCH' && /^\/api\/v1\/conversations\/[^/]+$/.test(new URL(r.url()).pathname);
const isPatchAnswer = (r) => isPatch(r.request());
const thumbnailOf = (fileId) => `/api/v1/files/${encodeURIComponent(fileId)}/thumbnail`;

/** The `<img>` under `locator` shows the thumbnail of `fileId` and has decoded. */
async function showsPicture(locator, fileId, what) {
  await eventually(
    () => locator.evaluate((img) => (img.tagName === 'IMG' && img.complete ? `${new URL(img.src).pathname} ${img.naturalWidth}` : 'loading')),
    (v) => v.startsWith(`${thumbnailOf(fileId)} `) && Number(v.split(' ')[1]) > 0,
    what,
  );
}

describe('group picture', { skip: skipReason() ?? false, timeout: 240_000 }, () => {
  let server;
  let browser;
  let alice;
  let bob;
  let group;
  let fileId;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    const admin = await newPage(browser);
    await login(admin, server.baseURL, { corpid: server.corpid, login: 'admin', password: server.adminPassword });
    for (const p of PEOPLE) await createPerson(admin, p, PASSWORD);
    await admin.context().close();
    alice = await signInToMessages(browser, server, 'alice', PASSWORD);
    group = await api(alice, 'POST', '/api/v1/conversations', { kind: 'group', name: GROUP, members: ['bob'] });
    bob = await signInToMessages(browser, server, 'bob', PASSWORD);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('the owner sets a picture; list, header and another member\'s open page show it', async () => {
    assert.equal(group.avatar, '', 'a new group has no picture');
    await openConversation(alice, GROUP);
    await openConversation(bob, GROUP);
    assert.equal(await byId(alice, 'thread-picture').count(), 0, 'no picture in the header yet');
    assert.equal(await convRow(alice, GROUP).locator('img').count(), 0, 'the initial in the list');

    // Bob (a plain member) keeps his settings open meanwhile: the picture, no buttons.
    await byId(bob, 'thread-settings').click();
    await byId(bob, 'group-picture-none').waitFor();
    await expectText(byId(bob, 'group-picture-section'), /群头像/);
    assert.equal(await byId(bob, 'group-picture-choose').count(), 0, 'no choose button for members');
    assert.equal(await byId(bob, 'group-picture-remove').count(), 0, 'no remove button for members');

    await byId(alice, 'thread-settings').click();
    await byId(alice, 'group-picture-none').waitFor();
    await expectText(byId(alice, 'group-picture-choose'), /^选择图片$/);
    assert.equal(await byId(alice, 'group-picture-remove').count(), 0, 'nothing to remove yet');
    assert.equal(await byId(alice, 'group-picture-input').getAttribute('accept'), 'image/*');

    const [upload, request, response] = await Promise.all([
      alice.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === '/api/v1/uploads'),
      alice.waitForRequest(isPatch),
      alice.waitForResponse(isPatchAnswer),
      byId(alice, 'group-picture-input').setInputFiles(PNG),
    ]);
    assert.ok(upload, 'uploaded with tus');
    fileId = request.postDataJSON().avatar;
    assert.equal(typeof fileId, 'string');
    assert.ok(fileId.length > 0, 'a file id');
    assert.deepEqual(request.postDataJSON(), { avatar: fileId });
    assert.equal(response.status(), 200, await response.text());
    assert.equal((await response.json()).avatar, fileId);

    await showsPicture(byId(alice, 'group-picture'), fileId, 'the settings show the picture');
    await showsPicture(byId(alice, 'thread-picture'), fileId, 'the header shows the picture');
    await showsPicture(convRow(alice, GROUP).getByTestId('conv-picture'), fileId, 'the list shows the picture');
    await expectText(byId(alice, 'group-picture-choose'), /^更换图片$/);
    await byId(alice, 'group-picture-remove').waitFor();

    // Bob's open page follows (conversation.changed), his own thumbnail request allowed.
    await showsPicture(convRow(bob, GROUP).getByTestId('conv-picture'), fileId, 'Bob\'s list');
    await showsPicture(byId(bob, 'thread-picture'), fileId, 'Bob\'s header');
    await showsPicture(byId(bob, 'group-picture'), fileId, 'Bob\'s settings');
    assert.equal(await byId(bob, 'group-picture-choose').count(), 0, 'still no buttons for Bob');
    assert.deepEqual([...alice.errors, ...bob.errors], [], 'no page errors');
  });

  test('a file that is not an image shows the server\'s unsupported_file_type message', async () => {
    const [response] = await Promise.all([alice.waitForResponse(isPatchAnswer), byId(alice, 'group-picture-input').setInputFiles(TEXT)]);
    assert.ok(response.status() >= 400 && response.status() < 500, `refused: ${response.status()}`);
    const body = await response.json();
    assert.equal(body.code, 'unsupported_file_type');
    await expectText(byId(alice, 'group-settings-error'), new RegExp(body.message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    await showsPicture(byId(alice, 'group-picture'), fileId, 'the picture is unchanged');
    assert.equal((await api(alice, 'GET', `/api/v1/conversations/${group.id}`)).conversation.avatar, fileId);
  });

  test('"移除" sends {avatar: ""} and the placeholder comes back everywhere', async () => {
    const [request] = await Promise.all([alice.waitForRequest(isPatch), byId(alice, 'group-picture-remove').click()]);
    assert.deepEqual(request.postDataJSON(), { avatar: '' });
    await byId(alice, 'group-picture-none').waitFor();
    assert.equal(await byId(alice, 'group-settings-error').count(), 0, 'the earlier error is gone');
    assert.equal(await byId(alice, 'group-picture-remove').count(), 0);
    await eventually(() => byId(alice, 'thread-picture').count(), (n) => n === 0, 'no picture in Alice\'s header');
    await eventually(() => convRow(alice, GROUP).locator('img').count(), (n) => n === 0, 'the initial in Alice\'s list');
    await byId(bob, 'group-picture-none').waitFor();
    await eventually(() => convRow(bob, GROUP).locator('img').count(), (n) => n === 0, 'the initial in Bob\'s list');
    await eventually(() => byId(bob, 'thread-picture').count(), (n) => n === 0, 'no picture in Bob\'s header');
    assert.deepEqual([...alice.errors, ...bob.errors], [], 'no page errors');
  });

  test('at 390x844 in English: the panel fits, the refusal in English, a picture set', async () => {
    const phone = await signInToMessages(browser, server, 'alice', PASSWORD, PHONE);
    const fits = () => phone.evaluate(() => document.documentElement.scrollWidth <= 390);
    await byId(phone, 'lang-switch').tap();
    await convRow(phone, GROUP).tap();
    await phone.locator('[data-testid="thread-messages"][data-loaded="true"]').waitFor();
    await byId(phone, 'thread-settings').tap();
    await expectText(byId(phone, 'group-picture-section'), /Group picture/);
    await expectText(byId(phone, 'group-picture-choose'), /^Choose image$/);
    assert.ok(await fits(), 'the panel fits the width');

    const [refusal] = await Promise.all([phone.waitForResponse(isPatchAnswer), byId(phone, 'group-picture-input').setInputFiles(TEXT)]);
    const body = await refusal.json();
    assert.equal(body.code, 'unsupported_file_type');
    await expectText(byId(phone, 'group-settings-error'), /\S/);
    const shown = await byId(phone, 'group-settings-error').innerText();
    assert.ok(shown.includes(body.message), `the server's message: ${shown}`);
    assert.doesNotMatch(shown, /[\u4e00-\u9fff]/, 'in English');

    const [request] = await Promise.all([phone.waitForRequest(isPatch), byId(phone, 'group-picture-input').setInputFiles(PNG)]);
    const id = request.postDataJSON().avatar;
    await showsPicture(byId(phone, 'group-picture'), id, 'the picture on the phone');
    await expectText(byId(phone, 'group-picture-remove'), /^Remove$/);
    await expectText(byId(phone, 'group-picture-choose'), /^Change image$/);
    const box = await byId(phone, 'group-picture-remove').boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= 390, `remove on screen: ${JSON.stringify(box)}`);
    assert.ok(await fits(), 'still fits with the picture and buttons');
    const dir = process.env.WORKHUB_SCREENSHOT_DIR || join(tmpdir(), 'workhub-web-screens');
    mkdirSync(dir, { recursive: true });
    await phone.screenshot({ path: join(dir, 'group-picture-phone-390x844.png') });

    await byId(phone, 'group-settings-close').tap();
    await showsPicture(byId(phone, 'thread-picture'), id, 'the header on the phone');
    assert.ok(await fits(), 'the thread fits with the header picture');
    await showsPicture(convRow(bob, GROUP).getByTestId('conv-picture'), id, 'Bob\'s list again');
    assert.deepEqual(phone.errors, [], 'no page errors');
    await phone.context().close();
  });
});
