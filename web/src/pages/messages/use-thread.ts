//! One open conversation: its details (members with their read marks, robots), its messages
//! (pages of 50, older ones on demand), and live changes. The component using it is keyed by the
//! conversation id, so everything here starts fresh for another conversation.
//!
//! Messages from the first page, older pages, `message.new` / `message.recalled` events and the
//! answers of my own sends all go through mergeMessages (one copy per id, by seq), so their
//! order of arrival does not matter. While the window is focused and visible, the newest seq is
//! reported read. `message.reactions` replaces a loaded message's tally.
//!
//! The newest messages saved in the encrypted cache (cache.ts) are shown until the first page
//! arrives; that page then replaces them (a message recalled or purged meanwhile must not stay
//! on screen from the cache), and what is loaded from then on is saved again.

import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, chat, normMessage, normReactions } from '../../api';
import { debouncedWriter, type ChatCache } from '../../cache';
import { mergeMessages, withReactions } from '../../chat';
import { useEvent } from '../../events';
import type { ConversationDetail, ConversationView, MessageView, Reaction, Receipts, StreamEvent } from '../../types';

const PAGE = 50;
const READ_MARKS_POLL_MS = 30_000;
/** Groups up to this size hear every member's read mark live (the server's LIVE_RECEIPTS_UP_TO). */
const LIVE_READ_MARKS_UP_TO = 100;
/** How many of the newest messages the cache keeps per conversation. */
const CACHED_MESSAGES = 200;

export interface Thread {
  detail: ConversationDetail | null;
  /** Loading the conversation failed, e.g. `conversation_not_found` after being removed. */
  detailError: unknown;
  messages: MessageView[];
  /** The first page arrived. */
  loaded: boolean;
  /** The messages shown are the cached copy (the first page has not arrived). */
  cached: boolean;
  pageError: unknown;
  hasMore: boolean;
  loadingOlder: boolean;
  loadOlder: () => void;
  /** A message as the server answered (a recall) or as it arrived. */
  apply: (m: MessageView) => void;
  /** A message's new tally of reactions (my toggle's answer). */
  setReactions: (messageId: string, reactions: Reaction[]) => void;
  setConversation: (c: ConversationView) => void;
  reloadDetail: () => void;
  /** What GET receipts said about one message: who has read up to it, who has not. */
  applyReceipts: (m: MessageView, r: Receipts) => void;
}

/** True while the user can see the page and it has the focus (then arriving messages are read). */
export function useAttention(): boolean {
  const get = () => document.visibilityState === 'visible' && document.hasFocus();
  const [on, setOn] = useState(get);
  useEffect(() => {
    const update = () => setOn(get());
    window.addEventListener('focus', update);
    window.addEventListener('blur', update);
    document.addEventListener('visibilitychange', update);
    return () => {
      window.removeEventListener('focus', update);
      window.removeEventListener('blur', update);
      document.removeEventListener('visibilitychange', update);
    };
  }, []);
  return on;
}

const messageOf = (e: StreamEvent): MessageView | null =>
  typeof e.data.id === 'string' && typeof e.data.conversation_id === 'string'
    ? normMessage(e.data as unknown as MessageView)
    : null;

export function useThread(
  id: string,
  opts: {
    me: string;
    /** My read mark moved (the list lowers its unread count). */
    onRead: (id: string, seq: number) => void;
    /** The conversation is gone for me (removed, left): the list should be refetched. */
    onGone: () => void;
    onConfirmed: (fn: (m: MessageView) => void) => () => void;
    cache: ChatCache;
  },
): Thread {
  const [detail, setDetail] = useState<ConversationDetail | null>(null);
  const [detailError, setDetailError] = useState<unknown>(null);
  const [messages, setMessages] = useState<MessageView[]>([]);
  const [page, setPage] = useState({ loaded: false, error: null as unknown, hasMore: false, loadingOlder: false });
  const alive = useRef(true);
  const detailGen = useRef(0);
  const optsRef = useRef(opts);
  optsRef.current = opts;

  const merge = useCallback((incoming: MessageView[]) => setMessages((l) => mergeMessages(l, incoming)), []);
  /** Ids shown from the cache, until the first page replaces them. */
  const fromCache = useRef<Set<string> | null>(null);
  const firstPage = useRef(false);
  const [cached, setCached] = useState(false);
  const save = useMemo(() => debouncedWriter(opts.cache, `msgs:${id}`), [opts.cache, id]);

  const reloadDetail = useCallback(() => {
    const mine = ++detailGen.current;
    chat.get(id).then(
      (d) => {
        if (!alive.current || mine !== detailGen.current) return;
        setDetail(d);
        setDetailError(null);
      },
      (err: unknown) => {
        if (!alive.current || mine !== detailGen.current) return;
        setDetailError(err);
        if (err instanceof ApiError && err.status === 404) optsRef.current.onGone();
      },
    );
  }, [id]);

  useEffect(() => {
    alive.current = true;
    reloadDetail();
    chat.messages(id, null, PAGE).then(
      (r) => {
        if (!alive.current) return;
        firstPage.current = true;
        const stale = fromCache.current;
        fromCache.current = null;
        setMessages((l) => mergeMessages(stale ? l.filter((m) => !stale.has(m.id)) : l, r.messages));
        setCached(false);
        setPage({ loaded: true, error: null, hasMore: r.has_more, loadingOlder: false });
      },
      (error: unknown) => alive.current && setPage((p) => ({ ...p, loaded: true, error })),
    );
    opts.cache.read<MessageView[]>(`msgs:${id}`).then((saved) => {
      if (!alive.current || firstPage.current || !Array.isArray(saved) || saved.length === 0) return;
      const list = saved.map(normMessage).filter((m) => m.id && m.conversation_id === id);
      fromCache.current = new Set(list.map((m) => m.id));
      merge(list);
      setCached(true);
    });
    const off = opts.onConfirmed((m) => {
      if (m.conversation_id === id) merge([m]);
    });
    return () => {
      alive.current = false;
      off();
    };
  }, [id]);

  // The page flags are read synchronously (a scroll event can ask twice before a re-render).
  const pageRef = useRef(page);
  pageRef.current = page;
  const oldest = messages[0]?.seq ?? null;
  const loadOlder = useCallback(() => {
    const p = pageRef.current;
    if (!p.loaded || !p.hasMore || p.loadingOlder || oldest === null) return;
    pageRef.current = { ...p, loadingOlder: true };
    setPage(pageRef.current);
    chat.messages(id, oldest, PAGE).then(
      (r) => {
        if (!alive.current) return;
        merge(r.messages);
        setPage((q) => ({ ...q, hasMore: r.has_more, loadingOlder: false, error: null }));
      },
      (error: unknown) => alive.current && setPage((q) => ({ ...q, loadingOlder: false, error })),
    );
  }, [id, oldest]);

  /** Raises (or with `lower`, caps) members' read marks: what receipts and messages reveal. */
  const setReadMarks = useCallback((marks: Map<string, number>, lower = false) => {
    setDetail((d) => {
      if (!d) return d;
      let changed = false;
      const members = d.members.map((x) => {
        const seq = marks.get(x.userid);
        if (seq === undefined || (lower ? x.read_seq <= seq : x.read_seq >= seq)) return x;
        changed = true;
        return { ...x, read_seq: seq };
      });
      return changed ? { ...d, members } : d;
    });
  }, []);

  const onMessage = (e: StreamEvent) => {
    const m = messageOf(e);
    if (!m || m.conversation_id !== id) return;
    merge([m]);
    // A member who sends has read everything up to their message (the server marks it so).
    if (e.kind === 'message.new') setReadMarks(new Map([[m.sender, m.seq]]));
  };
  useEvent('message.new', onMessage);
  useEvent('message.recalled', onMessage);
  useEvent('message.reactions', (e) => {
    const mid = e.data.message_id;
    if (e.data.conversation_id !== id || typeof mid !== 'string') return;
    setMessages((l) => withReactions(l, mid, normReactions(e.data.reactions)));
  });

  // The newest loaded messages go to the cache once the server has spoken (recalls, reactions
  // and new messages included).
  useEffect(() => {
    if (firstPage.current && messages.length) save(messages.slice(-CACHED_MESSAGES));
  }, [messages]);
  useEvent('conversation.changed', (e) => {
    if (e.data.conversation_id === id) reloadDetail();
  });
  useEvent('conversation.read', (e) => {
    const seq = Number(e.data.read_seq);
    const who = e.data.userid;
    if (e.data.conversation_id !== id || typeof who !== 'string' || !Number.isFinite(seq)) return;
    setDetail((d) => {
      if (!d) return d;
      const members = d.members.map((m) => (m.userid === who && seq > m.read_seq ? { ...m, read_seq: seq } : m));
      const conversation =
        who === opts.me && seq > d.conversation.read_seq ? { ...d.conversation, read_seq: seq } : d.conversation;
      return { ...d, members, conversation };
    });
  });

  const attention = useAttention();

  // Read marks of groups above 100 members reach only the reader's own devices (telling everyone
  // of every read would flood the streams), so while some of my messages there are unread by
  // someone, the marks are refetched now and then. Smaller groups get `conversation.read` live.
  const poll =
    detail !== null &&
    detail.conversation.kind === 'group' &&
    detail.members.length > LIVE_READ_MARKS_UP_TO &&
    messages.some((m) => m.sender === opts.me && !m.recalled && detail.members.some((x) => x.userid !== opts.me && x.read_seq < m.seq));
  useEffect(() => {
    if (!poll || !attention) return;
    const timer = setInterval(reloadDetail, READ_MARKS_POLL_MS);
    return () => clearInterval(timer);
  }, [poll, attention, reloadDetail]);

  // Report the newest message read while the user is looking at it. `posted` avoids asking
  // twice for the same seq; a failure clears it so the next change tries again.
  const newest = messages.length ? messages[messages.length - 1]!.seq : 0;
  const posted = useRef(0);
  useEffect(() => {
    if (!attention || newest <= posted.current) return;
    const seq = newest;
    posted.current = seq;
    chat.read(id, seq).then(
      (r) => optsRef.current.onRead(id, Math.max(seq, r.read_seq)),
      () => {
        if (posted.current === seq) posted.current = 0;
      },
    );
  }, [attention, newest, id]);

  return {
    detail,
    detailError,
    messages,
    loaded: page.loaded,
    cached,
    pageError: page.error,
    hasMore: page.hasMore,
    loadingOlder: page.loadingOlder,
    loadOlder,
    apply: useCallback((m: MessageView) => merge([m]), []),
    setReactions: useCallback((mid: string, r: Reaction[]) => setMessages((l) => withReactions(l, mid, r)), []),
    setConversation: useCallback((c: ConversationView) => setDetail((d) => (d ? { ...d, conversation: c } : d)), []),
    reloadDetail,
    applyReceipts: useCallback(
      (m: MessageView, r: Receipts) => {
        setReadMarks(new Map(r.read.map((u) => [u, m.seq])));
        setReadMarks(new Map(r.unread.map((u) => [u, m.seq - 1])), true);
      },
      [setReadMarks],
    ),
  };
}
