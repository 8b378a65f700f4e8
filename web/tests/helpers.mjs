// Shared browser-test helpers: Debian's Chromium through playwright-core, sign-in, polling
// assertions (playwright-core has no `expect`), and a generated PNG for uploads.
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { chromium } from 'playwright-core';

export const TIMEOUT = 15_000;

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A fresh context (own cookies and localStorage, so its own device id) and page. */
export async function newPage(browser, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  context.setDefaultTimeout(TIMEOUT);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(err));
  page.errors = errors;
  return page;
}

export const byId = (page, id) => page.getByTestId(id);

/** Polls `read` until `check` accepts its value; fails with the last value seen. */
export async function eventually(read, check, what, timeout = TIMEOUT) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await read();
      if (check(last)) return last;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) assert.fail(`${what}: still ${JSON.stringify(String(last))} after ${timeout} ms`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

export function expectText(locator, pattern, what) {
  return eventually(() => locator.innerText(), (text) => pattern.test(text), what ?? `text matching ${pattern}`);
}

/** Waits until the live event stream of the page is connected. */
export async function waitForStream(page) {
  await page.waitForFunction(() => document.documentElement.dataset.ws === 'open', null, { timeout: TIMEOUT });
}

/**
 * Signs in through the login form and waits for the shell. Returns 'ok', or 'pending' when
 * `allowPending` and the server asked for device approval.
 */
export async function login(page, baseURL, { corpid, login, password, allowPending = false }) {
  await page.goto(`${baseURL}/#/login`);
  await byId(page, 'login-corpid').fill(corpid);
  await byId(page, 'login-account').fill(login);
  await byId(page, 'login-password').fill(password);
  await byId(page, 'login-submit').click();
  const shell = byId(page, 'shell');
  const pending = byId(page, 'login-pending');
  const error = byId(page, 'login-error');
  await shell.or(pending).or(error).first().waitFor();
  if (await error.isVisible()) assert.fail(`sign-in failed: ${await error.innerText()}`);
  if (await pending.isVisible()) {
    if (allowPending) return 'pending';
    assert.fail('sign-in is waiting for device approval; the default policy was expected not to ask');
  }
  return 'ok';
}

/**
 * Creates a member through the admin API (in the signed-in administrator's `admin` page),
 * invites them and activates the account with `password`.
 */
export async function createPerson(admin, person, password) {
  await admin.evaluate(
    async ({ person, password }) => {
      const post = async (path, body) => {
        const res = await fetch(path, {
          method: 'POST',
          headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await res.text();
        if (!res.ok) throw new Error(`${path}: ${res.status} ${text}`);
        return text ? JSON.parse(text) : {};
      };
      await post('/api/v1/directory/members', { ...person, department: [1], email: `${person.userid}@acme.cn` });
      const invite = await post(`/api/v1/directory/members/${person.userid}/invite`);
      const link = new URL(invite.activation_url, location.origin);
      const params = new URLSearchParams(link.hash.split('?')[1] ?? '');
      await post('/api/v1/auth/activate', { corpid: params.get('corpid'), token: params.get('token'), password });
    },
    { person, password },
  );
}

/** A JSON call from inside `page` (its session cookie); throws with the body on a non-2xx answer. */
export function api(page, method, path, body) {
  return page.evaluate(
    async ({ method, path, body }) => {
      const res = await fetch(path, {
        method,
        headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
      return text ? JSON.parse(text) : {};
    },
    { method, path, body },
  );
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A valid RGB PNG of the given size with a gradient, made here so no fixture is needed. */
export function makePng(width = 96, height = 64) {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    raw[row] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const i = row + 1 + x * 3;
      raw[i] = 44 + ((x * 3) % 60);
      raw[i + 1] = 123 + ((y * 2) % 60);
      raw[i + 2] = 229;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
