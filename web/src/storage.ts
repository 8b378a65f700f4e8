//! What the client remembers between page loads: device id, current session id, stream positions
//! (localStorage), and an unfinished company sign-up (sessionStorage, so a reload resumes it).

function read(store: Storage | undefined, key: string): string | null {
  try {
    return store ? store.getItem(key) : null;
  } catch {
    return null;
  }
}

function write(store: Storage | undefined, key: string, value: string | null): void {
  try {
    if (!store) return;
    if (value === null) store.removeItem(key);
    else store.setItem(key, value);
  } catch {
    // Storage full or disabled: the client still works, it just forgets across reloads.
  }
}

const local = typeof localStorage === 'undefined' ? undefined : localStorage;
const session = typeof sessionStorage === 'undefined' ? undefined : sessionStorage;

function randomId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A stable id for this browser profile, generated once. */
export function deviceId(): string {
  let id = read(local, 'workhub.device_id');
  if (!id) {
    id = `web-${randomId()}`;
    write(local, 'workhub.device_id', id);
  }
  return id;
}

/** "Chrome 126 · Windows" from the user agent; good enough for a device list. */
export function deviceName(ua: string = navigator.userAgent): string {
  const pick = (re: RegExp) => ua.match(re)?.[1];
  let browser = 'Browser';
  let version: string | undefined;
  if ((version = pick(/Edg\/(\d+)/))) browser = 'Edge';
  else if ((version = pick(/OPR\/(\d+)/))) browser = 'Opera';
  else if ((version = pick(/Firefox\/(\d+)/))) browser = 'Firefox';
  else if ((version = pick(/Chrom(?:e|ium)\/(\d+)/))) browser = /HeadlessChrome/.test(ua) ? 'Headless Chrome' : 'Chrome';
  else if ((version = pick(/Version\/(\d+).*Safari/))) browser = 'Safari';
  let os = 'Unknown OS';
  if (/Windows/.test(ua)) os = 'Windows';
  else if (/iPhone|iPad|iPod/.test(ua)) os = 'iOS';
  else if (/Mac OS X/.test(ua)) os = 'macOS';
  else if (/Android/.test(ua)) os = 'Android';
  else if (/CrOS/.test(ua)) os = 'ChromeOS';
  else if (/Linux/.test(ua)) os = 'Linux';
  return `${browser}${version ? ` ${version}` : ''} · ${os}`;
}

export const currentSession = {
  get: () => read(local, 'workhub.session_id'),
  set: (id: string | null) => write(local, 'workhub.session_id', id),
};

export const lastCorpId = {
  get: () => read(local, 'workhub.last_corpid') ?? '',
  set: (id: string) => write(local, 'workhub.last_corpid', id),
};

/** Last stream seq seen, per corp and user (two accounts in one browser keep apart). */
export const streamSeq = {
  get(corpid: string, userid: string): number | null {
    const raw = read(local, `workhub.seq.${corpid}.${userid}`);
    const n = raw === null ? NaN : Number(raw);
    return Number.isFinite(n) && n >= 0 ? n : null;
  },
  set(corpid: string, userid: string, seq: number): void {
    write(local, `workhub.seq.${corpid}.${userid}`, String(seq));
  },
};

/**
 * Position reached in each large group's own stream (see events.ts), per corp and user like
 * `streamSeq`. Kept as `[id, pos]` pairs in the map's order (least recently raised first): an
 * object would list digit-only ids first and lose that order.
 */
export const streamPositions = {
  get(corpid: string, userid: string): Map<string, number> {
    const positions = new Map<string, number>();
    try {
      const pairs: unknown = JSON.parse(read(local, `workhub.positions.${corpid}.${userid}`) ?? '[]');
      for (const pair of Array.isArray(pairs) ? pairs : []) {
        const [id, pos]: unknown[] = Array.isArray(pair) ? pair : [];
        if (typeof id === 'string' && typeof pos === 'number' && pos >= 0) positions.set(id, pos);
      }
    } catch {
      // Unreadable: start over; those groups are pushed from the next connection on.
    }
    return positions;
  },
  set(corpid: string, userid: string, positions: Map<string, number>): void {
    write(local, `workhub.positions.${corpid}.${userid}`, JSON.stringify(Array.from(positions)));
  },
};

/** When this tab last reloaded because the server reset its stream positions (events.ts). */
export const lastStreamReset = {
  get: () => Number(read(session, 'workhub.stream_reset_at') ?? 0) || 0,
  set: (at: number) => write(session, 'workhub.stream_reset_at', String(at)),
};

/** Set before that reload, taken by the page that loads: it tells the person once, why. */
export const streamResetNotice = {
  set: () => write(session, 'workhub.stream_reset_notice', '1'),
  take(): boolean {
    const pending = read(session, 'workhub.stream_reset_notice') === '1';
    if (pending) write(session, 'workhub.stream_reset_notice', null);
    return pending;
  },
};

export interface SavedSignup {
  signup_id: string;
  signup_token: string;
}

export const savedSignup = {
  get(): SavedSignup | null {
    const raw = read(session, 'workhub.signup');
    if (!raw) return null;
    try {
      const v = JSON.parse(raw) as Partial<SavedSignup>;
      return typeof v.signup_id === 'string' && typeof v.signup_token === 'string'
        ? { signup_id: v.signup_id, signup_token: v.signup_token }
        : null;
    } catch {
      return null;
    }
  },
  set: (v: SavedSignup | null) => write(session, 'workhub.signup', v ? JSON.stringify(v) : null),
};
