//! Message search (#/app/messages/search?q=&in=&files=1&days=7): the server's full-text search
//! over the conversations I am in. The URL holds the query and filters, so the view survives a
//! reload and "back" from a result returns to it. Results open their conversation at the message
//! (`?m=<id>`). An answer for an older query is dropped.

import { useEffect, useRef, useState } from 'preact/hooks';
import { searchMessages, type MessageHit } from '../../api';
import { conversationName, listTime, senderLabel } from '../../chat';
import { Empty, ErrorAlert, Loading, onValue } from '../../components/ui';
import { highlightParts } from '../../highlight';
import { t, useLang } from '../../i18n';
import { navigate, useRoute } from '../../router';
import { conversationHref, conversationPath, useChat } from './context';

const DAY_MS = 86_400_000;
const RANGES = ['', '7', '30'] as const;

export interface SearchFilters {
  q: string;
  in: string;
  files: boolean;
  days: string;
}

export function searchPath(f: SearchFilters): string {
  const p = new URLSearchParams();
  p.set('q', f.q);
  if (f.in) p.set('in', f.in);
  if (f.files) p.set('files', '1');
  if (f.days) p.set('days', f.days);
  return `/app/messages/search?${p.toString()}`;
}

/** The highlight as text nodes and <b> elements: never HTML (see highlight.ts). */
export function Highlight(props: { html: string }) {
  return (
    <span class="msearch-highlight" data-testid="msearch-highlight">
      {highlightParts(props.html).map((p, i) => (p.bold ? <b key={i}>{p.text}</b> : p.text))}
    </span>
  );
}

export function MessageSearchView() {
  useLang();
  const { me, nameOf, conversations } = useChat();
  const { params } = useRoute();
  const f: SearchFilters = {
    q: params.get('q') ?? '',
    in: params.get('in') ?? '',
    files: params.get('files') === '1',
    days: RANGES.includes(params.get('days') as '7') ? params.get('days') ?? '' : '',
  };
  const [text, setText] = useState(f.q);
  const [hits, setHits] = useState<MessageHit[] | null>(null);
  const [partial, setPartial] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState('');
  // Submitting the same query again re-runs it (the index follows new messages within a second).
  const [again, setAgain] = useState(0);
  // Each run gets a number; only the newest one's answer is shown.
  const run = useRef(0);
  const key = searchPath(f);

  useEffect(() => setText(f.q), [f.q]);
  useEffect(() => {
    const q = f.q.trim();
    const n = ++run.current;
    setError(null);
    setHits(null);
    setDone('');
    if (!q) return;
    searchMessages({
      q,
      conversation: f.in || null,
      from: f.days ? Date.now() - Number(f.days) * DAY_MS : null,
      hasFile: f.files,
      limit: 50,
    }).then(
      (r) => n === run.current && (setHits(r.hits), setPartial(r.partial), setDone(key)),
      (err: unknown) => n === run.current && (setError(err), setDone(key)),
    );
  }, [key, again]);

  // Filters apply at once (replacing the entry); a new query is a new history entry.
  const go = (patch: Partial<SearchFilters>, replace = true) => navigate(searchPath({ ...f, q: text.trim(), ...patch }), replace);
  const convOf = (id: string) => conversations.list?.find((c) => c.id === id) ?? null;

  return (
    <section class="chat-thread msearch" data-testid="msearch">
      <header class="thread-head">
        <button
          type="button"
          class="icon-button msearch-back"
          data-testid="msearch-back"
          aria-label={t('common.back')}
          title={t('common.back')}
          onClick={() => navigate(conversationPath(null))}
        >
          ‹
        </button>
        <h2 class="thread-title">{t('msearch.title')}</h2>
      </header>
      <form
        class="msearch-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (text.trim() === f.q) setAgain((n) => n + 1);
          else go({}, false);
        }}
      >
        <div class="msearch-row">
          <input
            class="input"
            type="search"
            data-testid="msearch-input"
            value={text}
            onInput={onValue(setText)}
            placeholder={t('msearch.placeholder')}
            aria-label={t('msearch.placeholder')}
          />
          <button type="submit" class="btn btn-primary" data-testid="msearch-submit">
            {t('msearch.submit')}
          </button>
        </div>
        <div class="msearch-row msearch-filters">
          <select
            class="input"
            data-testid="msearch-conversation"
            aria-label={t('msearch.scope')}
            value={f.in}
            onChange={(e) => go({ in: e.currentTarget.value })}
          >
            <option value="">{t('msearch.scope.any')}</option>
            {(conversations.list ?? []).map((c) => (
              <option key={c.id} value={c.id}>
                {conversationName(c, nameOf)}
              </option>
            ))}
          </select>
          <select
            class="input"
            data-testid="msearch-range"
            aria-label={t('msearch.range')}
            value={f.days}
            onChange={(e) => go({ days: e.currentTarget.value })}
          >
            {RANGES.map((d) => (
              <option key={d} value={d}>
                {t(d ? (d === '7' ? 'msearch.range.7' : 'msearch.range.30') : 'msearch.range.any')}
              </option>
            ))}
          </select>
          <label class="msearch-files">
            <input
              type="checkbox"
              data-testid="msearch-files"
              checked={f.files}
              onChange={(e) => go({ files: e.currentTarget.checked })}
            />
            {t('msearch.files')}
          </label>
        </div>
      </form>
      <div class="msearch-body" data-testid="msearch-results" data-query={f.q} data-state={done === key ? 'done' : 'loading'}>
        <ErrorAlert error={error} testid="msearch-error" />
        {f.q.trim() && hits !== null && partial && (
          <p class="msearch-partial" data-testid="msearch-partial" role="status">
            {t('msearch.partial')}
          </p>
        )}
        {!f.q.trim() ? (
          <Empty testid="msearch-hint">{t('msearch.hint')}</Empty>
        ) : hits === null ? (
          error ? null : <Loading testid="msearch-loading" />
        ) : hits.length === 0 ? (
          <Empty testid="msearch-empty">{t('msearch.empty')}</Empty>
        ) : (
          <ul class="msearch-list">
            {hits.map(({ message: m, highlight }) => {
              const c = convOf(m.conversation_id);
              return (
                <li key={m.id}>
                  <a
                    class="msearch-hit"
                    href={`${conversationHref(m.conversation_id)}?m=${encodeURIComponent(m.id)}`}
                    data-testid="msearch-result"
                    data-conv-id={m.conversation_id}
                    data-message-id={m.id}
                  >
                    <span class="conv-top">
                      <span class="conv-name" data-testid="msearch-conv">
                        {c ? conversationName(c, nameOf) : ''}
                      </span>
                      <span class="conv-time" data-testid="msearch-time">
                        {listTime(m.created_at)}
                      </span>
                    </span>
                    <span class="msearch-line">
                      <span class="msearch-sender" data-testid="msearch-sender">
                        {m.sender === me.userid ? t('msearch.me') : senderLabel(m.sender, c, nameOf)}:
                      </span>{' '}
                      <Highlight html={highlight} />
                    </span>
                  </a>
                </li>
              );
            })}
          </ul>
        )}
      </div>
    </section>
  );
}
