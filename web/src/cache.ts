//! The local message cache: the conversation list and the newest messages of each conversation
//! opened, kept in IndexedDB so Messages shows something at once (and offline) before the
//! server answers. Every record is encrypted with AES-GCM: messages must not sit on the disk in
//! plaintext. The key is made once per signed-in user on this device, non-extractable, and
//! stored in IndexedDB as the CryptoKey object itself (structured clone keeps it usable but
//! never readable). Each write uses a fresh 12-byte IV; the record id is the additional data,
//! so a ciphertext moved to another record (or user) fails to decrypt instead of showing.
//!
//! Logging out (or being signed out) wipes keys and records. Without IndexedDB or WebCrypto
//! (plain http on a LAN is not a secure context, so `crypto.subtle` is missing) nothing is
//! cached: there is no unencrypted fallback. Every failure reads as "not cached".

const DB = 'workhub-cache';
const VERSION = 1;
/** `{owner, key: CryptoKey}` */
const KEYS = 'keys';
/** `{id: "owner|name", owner, iv: Uint8Array, data: ArrayBuffer}` */
const RECORDS = 'records';

export interface ChatCache {
  read<T>(name: string): Promise<T | null>;
  write(name: string, value: unknown): Promise<void>;
}

/** Bumped by wipeCache(): work started before a wipe must not write after it. */
let epoch = 0;
let dbPromise: Promise<IDBDatabase> | null = null;
const keys = new Map<string, Promise<CryptoKey>>();

function available(): boolean {
  return typeof indexedDB !== 'undefined' && typeof crypto !== 'undefined' && !!crypto.subtle;
}

function openDb(): Promise<IDBDatabase> {
  if (dbPromise) return dbPromise;
  const p = new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(DB, VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains(KEYS)) db.createObjectStore(KEYS, { keyPath: 'owner' });
      if (!db.objectStoreNames.contains(RECORDS)) db.createObjectStore(RECORDS, { keyPath: 'id' });
    };
    req.onsuccess = () => {
      const db = req.result;
      // Another tab deleting or upgrading the database: let it, open again next time.
      db.onversionchange = () => {
        db.close();
        dbPromise = null;
      };
      resolve(db);
    };
    req.onerror = () => reject(req.error);
    req.onblocked = () => reject(new Error('blocked'));
  });
  dbPromise = p;
  p.catch(() => {
    if (dbPromise === p) dbPromise = null;
  });
  return p;
}

function finished(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('aborted'));
  });
}

async function storedKey(owner: string): Promise<CryptoKey | null> {
  const db = await openDb();
  const tx = db.transaction(KEYS);
  const found = tx.objectStore(KEYS).get(owner);
  await finished(tx);
  const key = (found.result as { key?: unknown } | undefined)?.key;
  return key instanceof CryptoKey ? key : null;
}

/** This owner's key: the stored one, or a new one stored now (the first stored wins a race). */
async function makeKey(owner: string, mine: number): Promise<CryptoKey> {
  const stored = await storedKey(owner);
  if (stored) return stored;
  const db = await openDb();
  const fresh = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  if (mine !== epoch) throw new Error('wiped');
  // One transaction reads and adds, so two tabs cannot both store a key.
  const tx = db.transaction(KEYS, 'readwrite');
  const store = tx.objectStore(KEYS);
  let chosen = fresh;
  const again = store.get(owner);
  again.onsuccess = () => {
    const other = (again.result as { key?: unknown } | undefined)?.key;
    if (other instanceof CryptoKey) chosen = other;
    else store.add({ owner, key: fresh });
  };
  await finished(tx);
  return chosen;
}

function keyFor(owner: string, mine: number): Promise<CryptoKey> {
  let p = keys.get(owner);
  if (!p) {
    const made = makeKey(owner, mine);
    keys.set(owner, made);
    made.catch(() => {
      if (keys.get(owner) === made) keys.delete(owner);
    });
    p = made;
  }
  return p;
}

const encoder = new TextEncoder();

/**
 * The cache of one signed-in user (corp and userid) on this device. A handle made before a wipe
 * stays dead after it (a page still closing after logout cannot bring anything back).
 */
export function chatCache(corpid: string, userid: string): ChatCache {
  const owner = `${corpid}/${userid}`;
  const idOf = (name: string) => `${owner}|${name}`;
  const born = epoch;
  return {
    async read<T>(name: string): Promise<T | null> {
      if (!available() || born !== epoch) return null;
      try {
        const id = idOf(name);
        // Reading never makes a key: nothing stored without one.
        const key = (await keys.get(owner)) ?? (await storedKey(owner));
        if (!key || born !== epoch) return null;
        const db = await openDb();
        const tx = db.transaction(RECORDS);
        const req = tx.objectStore(RECORDS).get(id);
        await finished(tx);
        const rec = req.result as { iv?: Uint8Array<ArrayBuffer>; data?: ArrayBuffer } | undefined;
        if (!rec?.iv || !rec.data) return null;
        const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: rec.iv, additionalData: encoder.encode(id) }, key, rec.data);
        return JSON.parse(new TextDecoder().decode(plain)) as T;
      } catch {
        return null;
      }
    },
    async write(name: string, value: unknown): Promise<void> {
      if (!available() || born !== epoch) return;
      const mine = born;
      try {
        const id = idOf(name);
        const key = await keyFor(owner, mine);
        const iv = crypto.getRandomValues(new Uint8Array(12));
        const data = await crypto.subtle.encrypt(
          { name: 'AES-GCM', iv, additionalData: encoder.encode(id) },
          key,
          encoder.encode(JSON.stringify(value)),
        );
        const db = await openDb();
        // Checked right before the transaction starts: transactions run in the order they are
        // made, so a write made before a wipe's is cleared by it, and none is made after.
        if (mine !== epoch) return;
        const tx = db.transaction(RECORDS, 'readwrite');
        tx.objectStore(RECORDS).put({ id, owner, iv, data });
        await finished(tx);
      } catch {
        // Quota, private mode, a wipe meanwhile: the cache is only a head start.
      }
    },
  };
}

/** Forgets every cached record and key on this device (logout, sign-out). */
export async function wipeCache(): Promise<void> {
  epoch += 1;
  keys.clear();
  if (!available()) return;
  try {
    const db = await openDb();
    const tx = db.transaction([KEYS, RECORDS], 'readwrite');
    tx.objectStore(KEYS).clear();
    tx.objectStore(RECORDS).clear();
    await finished(tx);
  } catch {
    // Nothing to clear, or IndexedDB unusable: nothing was cached either.
  }
}

/** Batches frequent changes (each message moves the list) into one write per `ms`. */
export function debouncedWriter(cache: ChatCache, name: string, ms = 400): (value: unknown) => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let latest: unknown;
  return (value: unknown) => {
    latest = value;
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      void cache.write(name, latest);
    }, ms);
  };
}
