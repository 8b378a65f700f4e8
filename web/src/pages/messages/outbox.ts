//! Messages I am sending, per conversation, until the server confirms them. Each has its own
//! client_msg_id from the start; a retry after a failure sends the SAME id, which the server
//! treats as the same message (so a send that reached the server but whose answer was lost does
//! not appear twice). The outbox lives with the Messages page, not with one open conversation,
//! so a failed message is still there after looking at another conversation.

import { useCallback, useRef, useState } from 'preact/hooks';
import { ApiError, chat } from '../../api';
import { newClientId, type Pending } from '../../chat';
import type { MessageView, NewMessage, SendType } from '../../types';

export interface Draft {
  type: SendType;
  content: Record<string, unknown>;
  mentions: string[];
  reply_to: string | null;
  /** Chosen beforehand (an upload's message keeps the id it was given when the upload began). */
  client_msg_id?: string;
}

export interface Outbox {
  pending: Record<string, Pending[]>;
  send: (conversationId: string, draft: Draft) => void;
  retry: (conversationId: string, clientId: string) => void;
  discard: (conversationId: string, clientId: string) => void;
  /** Called with the server's copy of each confirmed message. */
  onConfirmed: (fn: (m: MessageView) => void) => () => void;
}

export function useOutbox(me: string, confirmed: (m: MessageView) => void): Outbox {
  // The ref is the truth (retry reads it synchronously); the counter re-renders on each change.
  const store = useRef<Record<string, Pending[]>>({});
  const [, setVersion] = useState(0);
  const listeners = useRef(new Set<(m: MessageView) => void>());
  const confirmedRef = useRef(confirmed);
  confirmedRef.current = confirmed;

  const update = (conv: string, fn: (list: Pending[]) => Pending[]) => {
    const next = fn(store.current[conv] ?? []);
    const copy = { ...store.current };
    if (next.length) copy[conv] = next;
    else delete copy[conv];
    store.current = copy;
    setVersion((n) => n + 1);
  };

  const post = useCallback((m: MessageView) => {
    const body: NewMessage = {
      client_msg_id: m.client_msg_id,
      type: m.type as SendType,
      // A file message shows its name and size while sending, but the contract takes only the
      // file_id: the server fills in name, size and content_type from the stored file.
      content: m.type === 'image' || m.type === 'file' ? { file_id: m.content.file_id } : m.content,
      mentions: m.mentions,
      reply_to: m.reply_to,
    };
    chat.send(m.conversation_id, body).then(
      (saved) => {
        // The views take the server's copy before the pending one goes: never a frame without it.
        listeners.current.forEach((fn) => fn(saved));
        confirmedRef.current(saved);
        update(m.conversation_id, (l) => l.filter((p) => p.message.client_msg_id !== m.client_msg_id));
      },
      (err: unknown) => {
        // A network failure (status 0) may or may not have reached the server; a retry with the
        // same id is safe either way. A refusal carries the server's reason; only trouble that
        // may pass (server errors, rate limits) is worth a retry, not e.g. `sensitive_word`.
        const status = err instanceof ApiError ? err.status : 0;
        const error = err instanceof ApiError && status !== 0 ? err.message : null;
        const retryable = status === 0 || status >= 500 || status === 408 || status === 429;
        const code = err instanceof ApiError ? err.code : 'network';
        update(m.conversation_id, (l) =>
          l.map((p) => (p.message.client_msg_id === m.client_msg_id ? { ...p, state: 'failed', error, retryable, code } : p)),
        );
      },
    );
  }, []);

  const send = useCallback(
    (conv: string, d: Draft) => {
      const message: MessageView = {
        id: '',
        conversation_id: conv,
        seq: 0,
        sender: me,
        client_msg_id: d.client_msg_id ?? newClientId(),
        type: d.type,
        content: d.content,
        mentions: d.mentions,
        reply_to: d.reply_to,
        recalled: false,
        created_at: Date.now(),
      };
      update(conv, (l) => [...l, { message, state: 'sending', error: null }]);
      post(message);
    },
    [me],
  );

  const retry = useCallback((conv: string, clientId: string) => {
    const p = (store.current[conv] ?? []).find((x) => x.message.client_msg_id === clientId);
    if (!p || p.state !== 'failed' || p.retryable === false) return;
    update(conv, (l) => l.map((x) => (x === p ? { ...x, state: 'sending', error: null } : x)));
    post(p.message);
  }, []);

  const discard = useCallback((conv: string, clientId: string) => {
    update(conv, (l) => l.filter((p) => p.message.client_msg_id !== clientId || p.state !== 'failed'));
  }, []);

  const onConfirmed = useCallback((fn: (m: MessageView) => void) => {
    listeners.current.add(fn);
    return () => void listeners.current.delete(fn);
  }, []);

  return { pending: store.current, send, retry, discard, onConfirmed };
}
