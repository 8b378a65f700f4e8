//! Member search on the server (`GET /api/v1/directory/search`): name, pinyin (full and
//! initials), alias, mobile, email, userid. Debounced; an answer for an older query is dropped.

import { useEffect, useRef, useState } from 'preact/hooks';
import { directory } from './api';
import type { Member } from './types';

export interface MemberSearch {
  /** The trimmed query `results` answer (empty while nothing was searched yet). */
  query: string;
  results: Member[] | null;
  error: unknown;
  /** A newer query is waiting for its debounce or its answer. */
  loading: boolean;
}

const IDLE: MemberSearch = { query: '', results: null, error: null, loading: false };

/**
 * Searches `query` after `delay` ms without typing. An empty query clears the results. `refresh`
 * re-runs the current search when it changes (e.g. after a member event).
 */
export function useMemberSearch(query: string, opts: { delay?: number; limit?: number; refresh?: number } = {}): MemberSearch {
  const { delay = 200, limit = 50, refresh = 0 } = opts;
  const q = query.trim();
  const [state, setState] = useState<MemberSearch>(IDLE);
  const generation = useRef(0);

  useEffect(() => {
    const mine = ++generation.current;
    if (!q) {
      setState(IDLE);
      return;
    }
    setState((s) => ({ ...s, loading: true }));
    const timer = setTimeout(() => {
      directory.search(q, limit).then(
        (results) => {
          if (mine === generation.current) setState({ query: q, results, error: null, loading: false });
        },
        (error: unknown) => {
          if (mine === generation.current) setState({ query: q, results: null, error, loading: false });
        },
      );
    }, delay);
    return () => clearTimeout(timer);
  }, [q, limit, refresh]);

  useEffect(() => () => void (generation.current = -1), []);
  return state;
}
