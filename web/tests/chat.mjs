// Shared steps of the chat tests: signing a member into Messages, opening a conversation from
// the list, sending a text and finding it once the server has it.
import { byId, expectText, login, newPage, waitForStream } from './helpers.mjs';

/** The list row of a conversation, by its shown name. */
export const convRow = (page, name) => page.locator(`[data-testid="conv-row"][data-name="${name}"]`);

/** Messages in the open conversation whose body contains `text` and that the server stored. */
export const sentMessage = (page, text) =>
  page
    .locator('[data-testid="thread-messages"] [data-testid="message"][data-state="sent"]')
    .filter({ has: page.getByTestId('message-body').getByText(text) });

/**
 * Every WebSocket `page` opens, with the frames it received (parsed), newest last. Registered
 * before the page loads anything, so no socket is missed.
 */
export function recordSockets(page) {
  const sockets = [];
  page.on('websocket', (ws) => {
    const socket = { url: ws.url(), frames: [] };
    sockets.push(socket);
    ws.on('framereceived', ({ payload }) => {
      try {
        socket.frames.push(JSON.parse(String(payload)));
      } catch {
        socket.frames.push(String(payload));
      }
    });
  });
  return sockets;
}

/**
 * A new page signed in as `userid`, on Messages with the event stream connected; its sockets
 * are recorded from the first one on (`page.sockets`, see recordSockets).
 */
export async function signInToMessages(browser, server, userid, password, options) {
  const page = await newPage(browser, options);
  page.sockets = recordSockets(page);
  await login(page, server.baseURL, { corpid: server.corpid, login: userid, password });
  await page.goto(`${server.baseURL}/#/app/messages`);
  await byId(page, 'messages-page').waitFor();
  await waitForStream(page);
  return page;
}

/** Opens a conversation from the list and waits for its first page. */
export async function openConversation(page, name) {
  await convRow(page, name).click();
  await expectText(byId(page, 'thread-title'), new RegExp(`^${name}$`));
  await page.locator('[data-testid="thread-messages"][data-loaded="true"]').waitFor();
}

/** Types and sends a text, and waits until it is stored. */
export async function sendText(page, text) {
  await byId(page, 'composer-input').fill(text);
  await byId(page, 'composer-input').press('Enter');
  await sentMessage(page, text).waitFor();
}
