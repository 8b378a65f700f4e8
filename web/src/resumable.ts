//! Resumable uploads (tus 1.0, docs/api-files.md) through tus-js-client, and the record of
//! unfinished ones. tus-js-client keeps each upload's URL in localStorage under its fingerprint;
//! beside it we keep our own record (`workhub.uploads.<corp>.<user>`): which conversation the
//! file was for and the client_msg_id its message will carry, so a resumed upload ends in the
//! same message, sent once. A browser cannot re-read a file by itself after a reload: the user
//! chooses it again, and it must match the record (name, size, type, modification time).
//! An upload the server lists (GET /api/v1/uploads) but this browser has no record of (another
//! device, cleared storage) is continued at its `location` (tus-js-client's `uploadUrl`): the
//! file chosen again must then match its name and size, all the server knows of it.

import { DetailedError, Upload, type HttpResponse } from 'tus-js-client';
import { ApiError, languageHeader, notifyUnauthorized } from './api';
import { t } from './i18n';

/** About 1 MiB per PATCH: small enough that little is lost on a break, big enough to be quick. */
export const CHUNK_SIZE = 1024 * 1024;
/** The server forgets an unfinished upload after 24 h (`Upload-Expires`). */
const MAX_AGE_MS = 24 * 60 * 60 * 1000;
const PREFIX = 'workhub.uploads.';
/** tus-js-client stores `tus::<fingerprint>::<n>`; ours all start with this. */
const TUS_PREFIX = 'tus::workhub:';

export interface UploadRecord {
  /** tus-js-client's fingerprint for this one upload (unique: it names the client_msg_id). */
  fingerprint: string;
  conversation_id: string;
  client_msg_id: string;
  name: string;
  size: number;
  type: string;
  last_modified: number;
  created_at: number;
  /** For an upload begun elsewhere: its URL on the server, where resuming starts (HEAD). */
  upload_url?: string;
}

export function newRecord(owner: string, conversationId: string, clientMsgId: string, file: File): UploadRecord {
  return {
    fingerprint: `workhub:${owner}:${clientMsgId}`,
    conversation_id: conversationId,
    client_msg_id: clientMsgId,
    name: file.name,
    size: file.size,
    type: file.type,
    last_modified: file.lastModified,
    created_at: Date.now(),
  };
}

/** Whether `file` is the one the record was started with (else resuming would mix two files). */
export function sameFile(r: UploadRecord, file: File): boolean {
  return file.name === r.name && file.size === r.size && file.type === r.type && file.lastModified === r.last_modified;
}

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

/** The unfinished uploads of `owner` (`corpid.userid`), without the expired ones. */
export function loadRecords(owner: string): UploadRecord[] {
  const raw = storage()?.getItem(PREFIX + owner);
  let list: UploadRecord[] = [];
  try {
    const parsed: unknown = raw ? JSON.parse(raw) : [];
    if (Array.isArray(parsed)) list = parsed as UploadRecord[];
  } catch {
    list = [];
  }
  const now = Date.now();
  const fresh = list.filter((r) => r && typeof r.fingerprint === 'string' && now - Number(r.created_at) < MAX_AGE_MS);
  for (const r of list) if (!fresh.includes(r)) forgetTusEntries(r.fingerprint);
  if (fresh.length !== list.length) saveRecords(owner, fresh);
  return fresh;
}

export function saveRecords(owner: string, list: UploadRecord[]): void {
  const s = storage();
  try {
    if (list.length) s?.setItem(PREFIX + owner, JSON.stringify(list));
    else s?.removeItem(PREFIX + owner);
  } catch {
    // Storage full or disabled: uploads work, they just cannot be resumed after a reload.
  }
}

function removeKeys(match: (key: string) => boolean): void {
  const s = storage();
  if (!s) return;
  const keys: string[] = [];
  for (let i = 0; i < s.length; i++) {
    const k = s.key(i);
    if (k && match(k)) keys.push(k);
  }
  keys.forEach((k) => s.removeItem(k));
}

function forgetTusEntries(fingerprint: string): void {
  removeKeys((k) => k.startsWith(`tus::${fingerprint}::`));
}

/** Where tus-js-client has saved uploads of ours (any record, any tab of this browser). */
export function savedUploadUrls(): string[] {
  const s = storage();
  const urls: string[] = [];
  for (let i = 0; s && i < s.length; i++) {
    const k = s.key(i);
    if (!k?.startsWith(TUS_PREFIX)) continue;
    try {
      const url = (JSON.parse(s.getItem(k) ?? '{}') as { uploadUrl?: unknown }).uploadUrl;
      if (typeof url === 'string') urls.push(url);
    } catch {
      // A malformed entry names no upload.
    }
  }
  return urls;
}

/** An upload's id: the last segment of its URL (absolute or a path). */
export function uploadIdOf(url: string): string {
  const path = url.split(/[?#]/)[0] ?? '';
  return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
}

/** Sign-out: nothing about this user's files stays on the device. */
export function forgetAllUploads(): void {
  removeKeys((k) => k.startsWith(PREFIX) || k.startsWith(TUS_PREFIX));
}

/** The server's error envelope from a tus answer, or a network error when there was none. */
function toApiError(err: Error): ApiError {
  const res: HttpResponse | null = err instanceof DetailedError ? err.originalResponse : null;
  const status = res?.getStatus() ?? 0;
  if (!res || status === 0) return new ApiError(0, 'network', t('error.network'));
  let code = `http_${status}`;
  let message = t('error.http', { status: String(status) });
  try {
    const body = JSON.parse(res.getBody()) as Partial<{ code: string; message: string; request_id: string }>;
    if (typeof body.code === 'string') code = body.code;
    if (typeof body.message === 'string' && body.message) message = body.message;
  } catch {
    // tus refusals such as 412 / 415 are plain text: keep the generic message.
  }
  if (status === 401) notifyUnauthorized();
  return new ApiError(status, code, message);
}

export interface UploadEvents {
  /** The upload's URL on the server is known (created, or found by HEAD). */
  onUrl?: (url: string) => void;
  onProgress: (sent: number, total: number) => void;
  onSuccess: (fileId: string) => void;
  onError: (err: ApiError) => void;
}

export interface RunningUpload {
  /** Stops sending; the server keeps what it has (a later start resumes). */
  pause: () => void;
  /** Stops and deletes the upload on the server (tus termination). */
  cancel: () => Promise<void>;
}

/**
 * Uploads `file` for `record`. With `resume`, continues from the server's offset (HEAD) when
 * tus-js-client has this record's upload URL; otherwise (or if the server forgot it) starts anew.
 */
export function startUpload(file: File, record: UploadRecord, resume: boolean, on: UploadEvents): RunningUpload {
  const metadata: Record<string, string> = { filename: file.name };
  if (file.type) metadata.filetype = file.type;
  const upload = new Upload(file, {
    // Absolute: tus-js-client resolves the relative `Location` against it. Same origin, so the
    // session cookie goes along without `withCredentials`.
    endpoint: `${location.origin}/api/v1/uploads`,
    chunkSize: CHUNK_SIZE,
    retryDelays: [0, 1000, 3000, 5000],
    metadata,
    // Begun elsewhere: continue there (HEAD for the offset); one that expired is created anew.
    uploadUrl: resume && record.upload_url ? record.upload_url : null,
    fingerprint: () => Promise.resolve(record.fingerprint),
    removeFingerprintOnSuccess: true,
    // Per request, so an error reads in the language chosen now.
    onBeforeRequest: (req) => req.setHeader('Accept-Language', languageHeader()),
    onUploadUrlAvailable: () => {
      if (upload.url) on.onUrl?.(upload.url);
    },
    onProgress: on.onProgress,
    // The final PATCH (or the HEAD of an upload already complete) names the stored file.
    onSuccess: ({ lastResponse }) => {
      const id = lastResponse.getHeader('Workhub-File-Id');
      if (id) on.onSuccess(id);
      else on.onError(new ApiError(lastResponse.getStatus(), 'no_file_id', t('error.http', { status: String(lastResponse.getStatus()) })));
    },
    onError: (err) => on.onError(toApiError(err)),
  });
  let stopped = false;
  const go = async () => {
    if (resume) {
      const previous = await upload.findPreviousUploads().catch(() => []);
      if (previous[0]) upload.resumeFromPreviousUpload(previous[0]);
    }
    if (!stopped) upload.start();
  };
  void go();
  return {
    pause: () => {
      stopped = true;
      void upload.abort(false);
    },
    cancel: async () => {
      stopped = true;
      try {
        await upload.abort(true);
      } catch {
        // Already gone on the server, or offline: it expires there on its own.
      }
      forgetTusEntries(record.fingerprint);
    },
  };
}

/** Deletes an upload on the server by its URL (tus termination); failures are left to its expiry. */
export async function terminateUpload(url: string): Promise<void> {
  await Upload.terminate(new URL(url, location.origin).href, {
    retryDelays: null,
    onBeforeRequest: (req) => req.setHeader('Accept-Language', languageHeader()),
  }).catch(() => undefined);
}

/** Gives up an unfinished upload without its file: deletes it on the server and forgets it. */
export async function discardUpload(record: UploadRecord): Promise<void> {
  const s = storage();
  const urls: string[] = [];
  for (let i = 0; s && i < s.length; i++) {
    const k = s.key(i);
    if (!k?.startsWith(`tus::${record.fingerprint}::`)) continue;
    try {
      const url = (JSON.parse(s.getItem(k) ?? '{}') as { uploadUrl?: unknown }).uploadUrl;
      if (typeof url === 'string') urls.push(url);
    } catch {
      // A malformed entry: nothing to delete on the server.
    }
  }
  forgetTusEntries(record.fingerprint);
  await Promise.all(urls.map((u) => Upload.terminate(u, { retryDelays: null }).catch(() => undefined)));
}
