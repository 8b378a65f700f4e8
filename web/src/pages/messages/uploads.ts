//! Files being uploaded into conversations, and the unfinished ones of earlier page loads.
//!
//! A module-level store rather than a component's state, so an upload goes on while the user
//! looks at Contacts. Each upload gets its client_msg_id when it starts (kept in its record):
//! once the file is stored, its message goes to the Messages page's outbox (shown "sending…" like
//! any send) with that id, or is posted directly when no Messages page is mounted; a resumed
//! upload thus ends in the same message, never a second one. The record is forgotten once the
//! server has the message, or when the upload is cancelled or refused for good.
//!
//! The server's list of my unfinished uploads (GET /api/v1/uploads, fetched when Messages opens)
//! adds those this browser knows nothing of: begun on another device, or their record lost. Such
//! an upload has no conversation: resumed, it becomes a record for the conversation open at that
//! moment and goes on like any other. An upload is "known" once any tus-js-client entry of this
//! browser names its URL (also another tab's), or once it ran here: it is never offered twice.

import { useEffect, useState } from 'preact/hooks';
import { chat, files, type ApiError } from '../../api';
import { newClientId } from '../../chat';
import {
  discardUpload,
  forgetAllUploads,
  loadRecords,
  newRecord,
  sameFile,
  saveRecords,
  savedUploadUrls,
  startUpload,
  terminateUpload,
  uploadIdOf,
  type RunningUpload,
  type UploadRecord,
} from '../../resumable';
import type { MessageView, NewMessage, SendType, ServerUpload } from '../../types';
import type { Draft } from './outbox';

export interface UploadItem {
  /** The client_msg_id of the message the file will be sent as. */
  key: string;
  conversation_id: string;
  name: string;
  size: number;
  /** Bytes sent so far. */
  sent: number;
  /** From a record of an earlier page load (the file was chosen again). */
  resumed: boolean;
  state: 'uploading' | 'failed';
  error: string | null;
  /** Trying again may work (network, server trouble); a refusal such as 413 would not. */
  retryable: boolean;
  code: string;
}

interface Entry {
  item: UploadItem;
  file: File;
  record: UploadRecord;
  run: RunningUpload | null;
}

let owner = '';
let records: UploadRecord[] = [];
const entries = new Map<string, Entry>();
/** Uploaded, their message handed to the outbox: not "unfinished" while that is under way. */
const delivering = new Set<string>();
const listeners = new Set<() => void>();
let deliver: ((conversationId: string, d: Draft) => void) | null = null;
/** The server's unfinished uploads as last fetched, and the ids of those known here. */
let remote: ServerUpload[] = [];
const known = new Set<string>();
let remoteGeneration = 0;

function changed(): void {
  listeners.forEach((fn) => fn());
}

function putRecord(r: UploadRecord): void {
  records = [...records.filter((x) => x.client_msg_id !== r.client_msg_id), r];
  saveRecords(owner, records);
}

function dropRecord(key: string): void {
  if (!records.some((r) => r.client_msg_id === key)) return;
  records = records.filter((r) => r.client_msg_id !== key);
  saveRecords(owner, records);
}

function reset(): void {
  for (const e of entries.values()) e.run?.pause();
  entries.clear();
  delivering.clear();
  records = [];
  remote = [];
  known.clear();
  remoteGeneration++;
}

/** The signed-in user (`corpid.userid`): their records are loaded, anyone else's uploads stop. */
export function bindUploads(who: string): void {
  if (who === owner) return;
  reset();
  owner = who;
  records = loadRecords(who);
  changed();
}

/** Sign-out: stops everything and forgets every record on this device. */
export function signOutUploads(): void {
  reset();
  owner = '';
  forgetAllUploads();
  changed();
}

/** The mounted Messages page's outbox takes finished files' messages (null when it unmounts). */
export function setDeliver(fn: ((conversationId: string, d: Draft) => void) | null): void {
  deliver = fn;
}

/** The server has a message of mine: if it carried an upload, that upload is done. */
export function uploadConfirmed(m: MessageView): void {
  delivering.delete(m.client_msg_id);
  dropRecord(m.client_msg_id);
  changed();
}

/** A failed message of mine was deleted by me: if it carried an upload, that is given up too. */
export function uploadDiscarded(clientMsgId: string): void {
  delivering.delete(clientMsgId);
  dropRecord(clientMsgId);
  changed();
}

function send(r: UploadRecord, fileId: string): void {
  const type: SendType = r.type.startsWith('image/') ? 'image' : 'file';
  delivering.add(r.client_msg_id);
  if (deliver) {
    // name / size / content_type only for the "sending…" view; the outbox posts just file_id.
    deliver(r.conversation_id, {
      type,
      content: { file_id: fileId, name: r.name, size: r.size, content_type: r.type },
      mentions: [],
      reply_to: null,
      client_msg_id: r.client_msg_id,
    });
    return;
  }
  const body: NewMessage = { client_msg_id: r.client_msg_id, type, content: { file_id: fileId }, mentions: [], reply_to: null };
  chat.send(r.conversation_id, body).then(uploadConfirmed, () => {
    // Kept: after a reload it is offered again, and the same client_msg_id makes it one message.
    delivering.delete(r.client_msg_id);
    changed();
  });
}

const retryable = (err: ApiError) => err.status === 0 || err.status >= 500 || [408, 409, 423, 429].includes(err.status);

function run(e: Entry, resume: boolean): void {
  const key = e.item.key;
  const live = () => entries.get(key) === e;
  e.item = { ...e.item, state: 'uploading', error: null };
  let shown = -1;
  e.run = startUpload(e.file, e.record, resume, {
    onUrl: (url) => {
      known.add(uploadIdOf(url));
      changed();
    },
    onProgress: (sent, total) => {
      if (!live()) return;
      e.item = { ...e.item, sent };
      // Redraw once per percent, not on every progress event.
      const pct = Math.floor((sent / Math.max(1, total)) * 100);
      if (pct !== shown) {
        shown = pct;
        changed();
      }
    },
    onSuccess: (fileId) => {
      if (!live()) return;
      entries.delete(key);
      send(e.record, fileId);
      changed();
    },
    onError: (err) => {
      if (!live()) return;
      const again = retryable(err);
      if (!again) dropRecord(key);
      e.item = { ...e.item, state: 'failed', error: err.message, retryable: again, code: err.code };
      changed();
    },
  });
}

function begin(file: File, record: UploadRecord, resumed: boolean): void {
  const key = record.client_msg_id;
  const item: UploadItem = {
    key,
    conversation_id: record.conversation_id,
    name: file.name,
    size: file.size,
    sent: 0,
    resumed,
    state: 'uploading',
    error: null,
    retryable: true,
    code: '',
  };
  const e: Entry = { item, file, record, run: null };
  entries.set(key, e);
  run(e, resumed);
}

/** Starts one upload per file into a conversation. */
export function addFiles(conversationId: string, files: File[]): void {
  if (!owner) return;
  for (const file of files) {
    const record = newRecord(owner, conversationId, newClientId(), file);
    putRecord(record);
    begin(file, record, false);
  }
  changed();
}

/** Stops an upload and deletes it on the server. */
export function cancelUpload(key: string): void {
  const e = entries.get(key);
  entries.delete(key);
  dropRecord(key);
  void e?.run?.cancel();
  changed();
}

export function retryUpload(key: string): void {
  const e = entries.get(key);
  if (!e || e.item.state !== 'failed' || !e.item.retryable) return;
  run(e, true);
  changed();
}

/** Continues an unfinished upload with its file chosen again; false if it is another file. */
export function resumeUpload(record: UploadRecord, file: File): boolean {
  if (!sameFile(record, file)) return false;
  if (!entries.has(record.client_msg_id)) begin(file, record, true);
  changed();
  return true;
}

/** Asks the server for my unfinished uploads (Messages opening); a failure just offers none. */
export function loadServerUploads(): void {
  if (!owner) return;
  const mine = ++remoteGeneration;
  files.unfinished().then(
    (list) => {
      if (mine !== remoteGeneration) return;
      remote = list;
      changed();
    },
    () => undefined,
  );
}

/**
 * Continues an upload begun elsewhere with its file chosen again, into `conversationId`;
 * false if the file's name or size is not the upload's.
 */
export function resumeServerUpload(u: ServerUpload, file: File, conversationId: string): boolean {
  if (!owner || file.name !== u.name || file.size !== u.length) return false;
  const record: UploadRecord = {
    ...newRecord(owner, conversationId, newClientId(), file),
    upload_url: new URL(u.location, location.origin).href,
  };
  known.add(u.id);
  remote = remote.filter((x) => x.id !== u.id);
  putRecord(record);
  begin(file, record, true);
  changed();
  return true;
}

/** Gives up an upload begun elsewhere: deleted on the server (tus termination). */
export function discardServerUpload(u: ServerUpload): void {
  remote = remote.filter((x) => x.id !== u.id);
  void terminateUpload(u.location);
  changed();
}

/** Gives up an unfinished upload whose file is not at hand. */
export function discardRecord(record: UploadRecord): void {
  dropRecord(record.client_msg_id);
  void discardUpload(record);
  changed();
}

export interface UploadsView {
  items: UploadItem[];
  /** Records of uploads not running in this page (after a reload): the file must be chosen again. */
  unfinished: UploadRecord[];
  /** The server's unfinished uploads this browser has no record of. */
  elsewhere: ServerUpload[];
}

function view(): UploadsView {
  for (const url of savedUploadUrls()) known.add(uploadIdOf(url));
  return {
    items: [...entries.values()].map((e) => e.item),
    unfinished: records.filter((r) => !entries.has(r.client_msg_id) && !delivering.has(r.client_msg_id)),
    elsewhere: remote.filter((u) => !known.has(u.id)),
  };
}

export function useUploads(): UploadsView {
  const [state, setState] = useState(view);
  useEffect(() => {
    const update = () => setState(view());
    listeners.add(update);
    update();
    return () => void listeners.delete(update);
  }, []);
  return state;
}
