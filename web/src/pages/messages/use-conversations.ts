//! The conversation list, kept current by the event stream: `message.new` moves a conversation
//! up with its new preview and unread count, `message.recalled` fixes the preview,
//! `conversation.read` (mine, from any device) lowers the unread count, `conversation.changed`
//! and a message in a conversation not listed yet refetch the list.
//!
//! As in directory.ts, an event patch that lands while a fetch is in flight may be older than
//! that fetch's answer would show, so the answer is dropped and the list fetched again.
//!
//! The encrypted local cache (cache.ts) gives the list shown before the first answer (or when
//! there is none: offline); each list that came from the server, patched live, is saved back.

import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { chat, normConversation, normMessage } from '../../api';
import { debouncedWriter, type ChatCache } from '../../cache';
import { withConversation, withMessage, withRead, withRecall } from '../../chat';
import { useEvent } from '../../events';
import type { ConversationView, MessageView, StreamEvent } from '../../types';

export interface Conversations {
  list: ConversationView[] | null;
  /** The list shown is the cached copy: the server has not answered (yet). */
  cached: boolean;
  error: unknown;
  reload: () => void;
  /** A conversation as the server answered it (created, renamed, prefs). */
  put: (c: ConversationView) => void;
  /** A message I sent was accepted. */
  sent: (m: MessageView) => void;
  /** My read mark moved. */
  read: (id: string, seq: number) => void;
}

const asMessage = (e: StreamEvent): MessageView | null =>
  typeof e.data.id === 'string' && typeof e.data.conversation_id === 'string'
    ? normMessage(e.data as unknown as MessageView)
    : null;

export function useConversations(myUserid: string, cache: ChatCache): Conversations {
  const [list, setList] = useState<ConversationView[] | null>(null);
  const [cached, setCached] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const s = useRef({
    generation: 0,
    inFlight: false,
    dirty: false,
    alive: true,
    fromServer: false,
    timer: 0 as unknown as ReturnType<typeof setTimeout>,
  });
  const save = useMemo(() => debouncedWriter(cache, 'list'), [cache]);

  const fetchNow = useCallback(async (): Promise<void> => {
    const st = s.current;
    const mine = ++st.generation;
    st.inFlight = true;
    st.dirty = false;
    try {
      const fresh = await chat.list();
      if (!st.alive || mine !== st.generation) return;
      st.inFlight = false;
      if (st.dirty) return fetchNow();
      st.fromServer = true;
      setList(fresh);
      setCached(false);
      setError(null);
    } catch (err) {
      if (!st.alive || mine !== st.generation) return;
      st.inFlight = false;
      setError(err);
    }
  }, []);

  // Several changes in a burst (members added one by one, a rename and an announcement) make one
  // request.
  const reload = useCallback(() => {
    clearTimeout(s.current.timer);
    s.current.timer = setTimeout(() => void fetchNow(), 100);
  }, []);

  useEffect(() => {
    s.current.alive = true;
    void fetchNow();
    cache.read<ConversationView[]>('list').then((saved) => {
      const st = s.current;
      if (!st.alive || st.fromServer || !Array.isArray(saved)) return;
      setList((l) => l ?? saved.map(normConversation));
      setCached(true);
    });
    return () => {
      s.current.alive = false;
      clearTimeout(s.current.timer);
    };
  }, []);

  const patch = useCallback((fn: (l: ConversationView[]) => ConversationView[] | null) => {
    if (s.current.inFlight) s.current.dirty = true;
    setList((l) => {
      if (!l) return l;
      const next = fn(l);
      if (next === null) {
        reload();
        return l;
      }
      return next;
    });
  }, []);

  const onMessage = (e: StreamEvent) => {
    const m = asMessage(e);
    if (!m) return reload();
    patch((l) => withMessage(l, m, myUserid));
  };
  // Only what the server said (and live changes to it) is saved, never the cache read back.
  useEffect(() => {
    if (list && s.current.fromServer) save(list);
  }, [list]);

  useEvent('message.new', onMessage);
  useEvent('message.recalled', (e) => {
    const m = asMessage(e);
    if (m) patch((l) => withRecall(l, m));
  });
  useEvent('conversation.changed', reload);
  useEvent('conversation.read', (e) => {
    const { conversation_id: id, userid } = e.data;
    const seq = Number(e.data.read_seq);
    if (userid === myUserid && typeof id === 'string' && Number.isFinite(seq)) patch((l) => withRead(l, id, seq));
  });

  return {
    list,
    cached,
    error,
    reload,
    put: useCallback((c: ConversationView) => {
      patch((l) => (l.some((x) => x.id === c.id) ? withConversation(l, c) : null));
    }, []),
    sent: useCallback((m: MessageView) => patch((l) => withMessage(l, m, myUserid)), [myUserid]),
    read: useCallback((id: string, seq: number) => patch((l) => withRead(l, id, seq)), []),
  };
}
