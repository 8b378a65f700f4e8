//! Messages, the pure part: merging what the server sent with what arrived live and what is still
//! being sent, the conversation list's order, previews, day and time labels, @mention parsing.
//! No Preact here, so tests/unit.test.mjs can load it alone.

import { getLang, t } from './i18n';
import type { ConversationView, MessageView } from './types';

/** A message of mine that the server has not confirmed yet. */
export interface Pending {
  /** Shown with `seq: 0` and `id: ''` until the server's copy replaces it. */
  message: MessageView;
  state: 'sending' | 'failed';
  /** The server's refusal (its message), or null for a network failure. */
  error: string | null;
  /**
   * Sending the same again may work (network, server trouble, rate limit). A refusal such as
   * `sensitive_word` would only be refused again, so no retry is offered for it.
   */
  retryable?: boolean;
  /** The refusal's code (`sensitive_word`, …) or `network`. */
  code?: string;
}

/**
 * A fresh client_msg_id. `crypto.randomUUID` exists only in secure contexts (https, localhost); a
 * self-hosted server on plain http over the LAN still gets a random v4 UUID from getRandomValues.
 */
export function newClientId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * Adds `incoming` to `list` (both server messages), one copy per id, ordered by seq. A recall is
 * kept even when an older copy comes later (a page fetched before the recall, answered after it).
 */
export function mergeMessages(list: MessageView[], incoming: MessageView[]): MessageView[] {
  if (incoming.length === 0) return list;
  const byId = new Map<string, MessageView>();
  for (const m of list) byId.set(m.id, m);
  for (const m of incoming) {
    const old = byId.get(m.id);
    if (old && old.recalled && !m.recalled) continue;
    // An event's copy has no reactions: keep the ones known from a page or a live update.
    byId.set(m.id, old?.reactions && m.reactions === undefined ? { ...m, reactions: old.reactions } : m);
  }
  return Array.from(byId.values()).sort((a, b) => a.seq - b.seq);
}

/** Pending sends not yet confirmed: one whose client id the server already echoed is dropped. */
export function unconfirmed(pending: Pending[], sent: MessageView[], me: string): Pending[] {
  if (pending.length === 0) return pending;
  const echoed = new Set(sent.filter((m) => m.sender === me).map((m) => m.client_msg_id));
  return pending.filter((p) => !echoed.has(p.message.client_msg_id));
}

/** Sender kinds: a person (userid), an app (`app:AGENTID`), a group robot (`robot:NAME`). */
export function senderKind(sender: string): { kind: 'user' | 'app' | 'robot'; id: string } {
  if (sender.startsWith('app:')) return { kind: 'app', id: sender.slice(4) };
  if (sender.startsWith('robot:')) return { kind: 'robot', id: sender.slice(6) };
  return { kind: 'user', id: sender };
}

export type NameOf = (userid: string) => string;

export function senderLabel(sender: string, conversation: ConversationView | null, nameOf: NameOf): string {
  const s = senderKind(sender);
  if (s.kind === 'robot') return s.id || t('chat.sender.robot');
  // Apps are named from GET /apps (nameOf knows `app:ID`); an app conversation is named after
  // its app; otherwise (a disabled app, names not loaded) only the agent id is known.
  if (s.kind === 'app') {
    const named = nameOf(sender);
    if (named !== sender) return named;
    return conversation?.kind === 'app' && conversation.name ? conversation.name : t('chat.sender.app', { id: s.id });
  }
  return nameOf(s.id);
}

/** The list's name of a conversation: the peer for a direct one, else its own name. */
export function conversationName(c: ConversationView, nameOf: NameOf): string {
  if (c.kind === 'direct') return c.peer ? nameOf(c.peer) : t('chat.direct');
  if (c.name || c.kind === 'group') return c.name || t('chat.group.unnamed');
  const app = c.owner.startsWith('app:') ? c.owner : `app:${c.owner}`;
  const named = nameOf(app);
  return named !== app ? named : t('chat.sender.app', { id: app.slice(4) });
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** One line describing a message, for the list and for quotes. */
export function messagePreview(m: MessageView): string {
  if (m.recalled) return t('chat.recalled');
  const c = m.content;
  switch (m.type) {
    case 'text':
    case 'markdown':
      return oneLine(str(c.content));
    case 'code':
      return `[${t('chat.type.code')}] ${oneLine(str(c.code))}`;
    case 'link':
    case 'textcard':
      return `[${t('chat.type.link')}] ${oneLine(str(c.title) || str(c.url))}`;
    case 'news': {
      const first = Array.isArray(c.articles) ? (c.articles[0] as Record<string, unknown> | undefined) : undefined;
      return `[${t('chat.type.news')}] ${oneLine(str(first?.title))}`;
    }
    case 'image':
      return `[${t('chat.type.image')}]`;
    case 'file':
      return `[${t('chat.type.file')}] ${str(c.name)}`;
    case 'merged':
      return `[${t('chat.type.merged')}] ${oneLine(str(c.title))}`;
    default:
      return `[${t('chat.type.unsupported')}]`;
  }
}

/** A file size for people: `512 B`, `3.0 MB`, `1.2 GB` (1024-based, one decimal below 10). */
export function humanSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '';
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  // 9.96 would round to "10.0": past that point show whole numbers.
  return `${v < 9.95 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

function oneLine(s: string): string {
  const line = s.replace(/\s+/g, ' ').trim();
  return line.length > 80 ? `${line.slice(0, 80)}…` : line;
}

/** Unread count from the marks: seqs are consecutive per conversation, my own sends count as read. */
export function unreadOf(c: ConversationView): number {
  return Math.max(0, c.last_seq - c.read_seq);
}

/** A message arrived: new preview, marks, and the conversation moved to the top of its group. */
export function withMessage(list: ConversationView[], m: MessageView, me: string): ConversationView[] | null {
  const i = list.findIndex((c) => c.id === m.conversation_id);
  if (i < 0) return null; // not in the list yet: the caller refetches it
  const old = list[i]!;
  const newer = !old.last_message || m.seq >= old.last_message.seq;
  const c: ConversationView = {
    ...old,
    last_message: newer ? m : old.last_message,
    last_seq: Math.max(old.last_seq, m.seq),
    read_seq: m.sender === me ? Math.max(old.read_seq, m.seq) : old.read_seq,
    updated_at: Math.max(old.updated_at, m.created_at),
  };
  c.unread = unreadOf(c);
  if (!newer) return list.map((x, j) => (j === i ? c : x));
  // Pinned conversations stay above the others; within each group the newest activity leads.
  const rest = list.filter((_, j) => j !== i);
  const at = c.pinned ? 0 : rest.findIndex((x) => !x.pinned);
  rest.splice(at < 0 ? rest.length : at, 0, c);
  return rest;
}

/** A message's tally changed (`message.reactions` or my toggle's answer). */
export function withReactions(list: MessageView[], messageId: string, reactions: MessageView['reactions']): MessageView[] {
  const i = list.findIndex((m) => m.id === messageId);
  if (i < 0) return list;
  return list.map((m, j) => (j === i ? { ...m, reactions } : m));
}

/** A recall replaces the preview if it was the last message. */
export function withRecall(list: ConversationView[], m: MessageView): ConversationView[] {
  return list.map((c) => (c.id === m.conversation_id && c.last_message?.id === m.id ? { ...c, last_message: m } : c));
}

/** My read mark moved (here or on another device). */
export function withRead(list: ConversationView[], id: string, readSeq: number): ConversationView[] {
  return list.map((c) => {
    if (c.id !== id || readSeq <= c.read_seq) return c;
    const next = { ...c, read_seq: readSeq };
    next.unread = unreadOf(next);
    return next;
  });
}

/** Replaces one conversation (an answer of PATCH or prefs), keeping pinned ones first. */
export function withConversation(list: ConversationView[], c: ConversationView): ConversationView[] {
  const i = list.findIndex((x) => x.id === c.id);
  if (i < 0) return list;
  const old = list[i]!;
  const next = list.map((x, j) => (j === i ? c : x));
  if (old.pinned === c.pinned) return next;
  const rest = next.filter((_, j) => j !== i);
  const at = c.pinned ? 0 : rest.findIndex((x) => !x.pinned);
  rest.splice(at < 0 ? rest.length : at, 0, c);
  return rest;
}

// ---- Days and times ----

function startOfDay(ms: number): number {
  const d = new Date(ms);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/** Whole local days from `ms` to `now` (0 today, 1 yesterday). */
export function daysAgo(ms: number, now = Date.now()): number {
  return Math.round((startOfDay(now) - startOfDay(ms)) / 86_400_000);
}

export function sameDay(a: number, b: number): boolean {
  return startOfDay(a) === startOfDay(b);
}

/** Day separator: 今天 / 昨天 / 11月3日 (another year: 2025年11月3日). */
export function dayLabel(ms: number, now = Date.now()): string {
  const ago = daysAgo(ms, now);
  if (ago === 0) return t('chat.today');
  if (ago === 1) return t('chat.yesterday');
  const otherYear = new Date(ms).getFullYear() !== new Date(now).getFullYear();
  return new Intl.DateTimeFormat(getLang(), {
    year: otherYear ? 'numeric' : undefined,
    month: 'long',
    day: 'numeric',
  }).format(new Date(ms));
}

export function clockTime(ms: number): string {
  return new Intl.DateTimeFormat(getLang(), { hour: '2-digit', minute: '2-digit', hour12: false }).format(new Date(ms));
}

/** The list's time column: 14:05 today, 昨天, then a short date. */
export function listTime(ms: number, now = Date.now()): string {
  if (!ms) return '';
  const ago = daysAgo(ms, now);
  if (ago === 0) return clockTime(ms);
  if (ago === 1) return t('chat.yesterday');
  const otherYear = new Date(ms).getFullYear() !== new Date(now).getFullYear();
  return new Intl.DateTimeFormat(getLang(), {
    year: otherYear ? '2-digit' : undefined,
    month: 'numeric',
    day: 'numeric',
  }).format(new Date(ms));
}

// ---- @mentions ----

/**
 * The @word being typed at the caret: `@` at the start or after whitespace, then no whitespace up
 * to the caret. Null when the caret is not in one.
 */
export function mentionAt(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const m = /(^|\s)@([^\s@]*)$/.exec(before);
  if (!m) return null;
  return { start: before.length - m[2]!.length - 1, query: m[2]! };
}

/**
 * The mentions to send: the picked people whose `@label` is still in the text (a deleted tag is
 * not sent), once each, in picking order.
 */
export function mentionsIn(text: string, picked: { userid: string; label: string }[]): string[] {
  const out: string[] = [];
  for (const p of picked) {
    if (!out.includes(p.userid) && text.includes(`@${p.label}`)) out.push(p.userid);
  }
  return out;
}
