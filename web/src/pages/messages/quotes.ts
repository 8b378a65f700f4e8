//! Messages quoted by replies but not among the loaded pages: fetched once each with
//! GET /messages/{id}. A 404 (`message_not_found`: purged, or never visible to me) is "gone";
//! another failure falls back to "an earlier message". A recall seen live updates the copy.

import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, chat, normMessage } from '../../api';
import { useEvent } from '../../events';
import type { MessageView } from '../../types';

export type Quote = MessageView | 'loading' | 'gone' | 'unknown';

export function useQuotes(wanted: string[]): Map<string, Quote> {
  const [quotes, setQuotes] = useState<Map<string, Quote>>(() => new Map());
  const asked = useRef(new Set<string>());
  const alive = useRef(true);
  useEffect(
    () => () => {
      alive.current = false;
    },
    [],
  );

  const key = wanted.join('\n');
  useEffect(() => {
    const fresh = wanted.filter((id) => !asked.current.has(id));
    if (fresh.length === 0) return;
    const put = (id: string, q: Quote) => alive.current && setQuotes((m) => new Map(m).set(id, q));
    for (const id of fresh) {
      asked.current.add(id);
      put(id, 'loading');
      chat.message(id).then(
        (m) => put(id, m),
        (err: unknown) => put(id, err instanceof ApiError && err.status === 404 ? 'gone' : 'unknown'),
      );
    }
  }, [key]);

  useEvent('message.recalled', (e) => {
    const id = e.data.id;
    if (typeof id !== 'string' || !quotes.has(id)) return;
    setQuotes((m) => new Map(m).set(id, normMessage(e.data as unknown as MessageView)));
  });
  return quotes;
}
