// Large groups (read fan-out): with `large_group_members = 2` a group of three has its own event
// stream, whose frames name the group. A message reaches the other member live; the page then
// leaves, a message is sent while it is away, and on its return the socket names the group with
// the position it had reached, so the server catches up only what it missed: after another
// message each of the three is shown exactly once, in order.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, createPerson, launchBrowser, login, newPage, waitForStream } from './helpers.mjs';
import { openConversation as open, sendText as send, sentMessage as sent, signInToMessages } from './chat.mjs';
import { skipReason, startServer } from './server.mjs';

const PASSWORD = 'Chat-Passw0rd!2024';
const PEOPLE = [
  { userid: 'alice', name: '艾丽丝' },
  { userid: 'bob', name: '鲍勃' },
  { userid: 'carol', name: '卡罗尔' },
];
const TEXTS = ['first live', 'sent while away', 'sent after return'];

/** The texts of the `message.new` frames of group `id`'s stream on `socket`. */
const groupTexts = (socket, id) =>
  socket.frames
    .filter((f) => f.conversation_id === id && f.event?.kind === 'message.new')
    .map((f) => TEXTS.find((t) => JSON.stringify(f.event.data).includes(t)))
    .filter(Boolean);

describe('messages in a large group', { skip: skipReason() ?? false, timeout: 300_000 }, () => {
  let server;
  let browser;
  let alice;
  let bob;
  let bobSockets;
  let groupId;

  before(async () => {
    server = await startServer({ config: '[messaging]\nlarge_group_members = 2\n' });
    browser = await launchBrowser();
    const admin = await newPage(browser);
    await login(admin, server.baseURL, { corpid: server.corpid, login: 'admin', password: server.adminPassword });
    for (const p of PEOPLE) await createPerson(admin, p, PASSWORD);
    await admin.context().close();
    alice = await signInToMessages(browser, server, 'alice', PASSWORD);
    bob = await signInToMessages(browser, server, 'bob', PASSWORD);
    bobSockets = bob.sockets;
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('a message in a group of three (over the threshold) arrives live from the group\'s stream', async () => {
    groupId = (await api(alice, 'POST', '/api/v1/conversations', { kind: 'group', name: '大群', members: ['bob', 'carol'] })).id;
    await bob.evaluate(() => (window.__sameDocument = true));
    await open(alice, '大群');
    await open(bob, '大群'); // the new group reached Bob's list live

    await send(alice, TEXTS[0]);
    await sent(bob, TEXTS[0]).waitFor();
    assert.equal(await bob.evaluate(() => window.__sameDocument), true, 'no reload');
    assert.deepEqual(groupTexts(bobSockets.at(-1), groupId), [TEXTS[0]], 'it came in a frame naming the group');
    assert.deepEqual([...alice.errors, ...bob.errors], [], 'no page errors');
  });

  test('away and back: the socket names the group at its position, each message is shown once, in order', async () => {
    const earlier = bobSockets.length;
    await bob.goto('about:blank');
    await send(alice, TEXTS[1]);

    await bob.goto(`${server.baseURL}/#/app/messages`);
    await waitForStream(bob);
    const socket = bobSockets.at(-1);
    assert.ok(bobSockets.length > earlier, 'a new socket');
    const named = new URL(socket.url).searchParams.get('conversations') ?? '';
    assert.match(named, new RegExp(`(^|,)${groupId}:[1-9]\\d*(,|$)`), `the group is named with its position: ${socket.url}`);

    await open(bob, '大群');
    await send(alice, TEXTS[2]);
    await sent(bob, TEXTS[2]).waitFor();
    // What was missed is caught up from the position, what was seen before is not sent again.
    assert.deepEqual(groupTexts(socket, groupId), [TEXTS[1], TEXTS[2]]);

    // Let any late or duplicate event arrive, then count.
    await new Promise((r) => setTimeout(r, 1000));
    const shown = await bob
      .locator('[data-testid="thread-messages"] [data-testid="message"] [data-testid="message-body"]')
      .allInnerTexts();
    assert.deepEqual(
      shown.map((s) => TEXTS.find((t) => s.includes(t))).filter(Boolean),
      TEXTS,
      `each once, in order: ${JSON.stringify(shown)}`,
    );
    assert.deepEqual([...alice.errors, ...bob.errors], [], 'no page errors');
  });
});
