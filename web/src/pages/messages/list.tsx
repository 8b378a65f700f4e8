//! The conversation list: search by name (client-side), "new chat", one row per conversation
//! with its name, last message, time and unread count. The server's order (pinned first, then
//! the most recent) is kept; live changes move rows as use-conversations.ts decides.
//! Enter in the name filter (or its "search messages" row) runs the server's message search.

import { useState } from 'preact/hooks';
import { conversationName, listTime, messagePreview, senderLabel } from '../../chat';
import { Alert, Empty, ErrorAlert, Loading, onValue } from '../../components/ui';
import { t, useLang } from '../../i18n';
import { navigate } from '../../router';
import type { ConversationView } from '../../types';
import { conversationHref, useChat } from './context';
import { ConversationAvatar } from './message';
import { searchPath } from './search';

function preview(c: ConversationView, me: string, nameOf: (id: string) => string): string {
  const m = c.last_message;
  if (!m) return '';
  const text = messagePreview(m);
  // In a group, whose message it was matters ("张三: 好的").
  if (c.kind === 'group' && !m.recalled && m.sender !== me) return `${senderLabel(m.sender, c, nameOf)}: ${text}`;
  return text;
}

/** The unread last message mentions me (or everyone): WeCom's "[有人@我]". */
function mentionsMe(c: ConversationView, me: string): boolean {
  const m = c.last_message;
  return !!m && !m.recalled && m.sender !== me && (m.mentions.includes(me) || m.mentions.includes('@all'));
}

export function ConversationList(props: { openId: string | null; onNew: () => void }) {
  useLang();
  const { conversations, nameOf, me } = useChat();
  const [query, setQuery] = useState('');
  const q = query.trim().toLowerCase();
  const rows = (conversations.list ?? [])
    .map((c) => ({ c, name: conversationName(c, nameOf) }))
    .filter((x) => !q || x.name.toLowerCase().includes(q));
  const searchHref = `#${searchPath({ q: query.trim(), in: '', files: false, days: '' })}`;

  return (
    <aside class="chat-list" data-testid="conv-panel">
      <div class="chat-list-head">
        <input
          class="input"
          type="search"
          data-testid="conv-search"
          value={query}
          onInput={onValue(setQuery)}
          onKeyDown={(e) => {
            // Enter while an input method is composing only confirms the composition.
            if (e.key === 'Enter' && !e.isComposing && query.trim()) navigate(searchHref.slice(1));
          }}
          placeholder={t('chat.search')}
          aria-label={t('chat.search')}
        />
        <button
          type="button"
          class="btn btn-primary chat-new"
          data-testid="conv-new"
          title={t('chat.new.title')}
          aria-label={t('chat.new.title')}
          onClick={props.onNew}
        >
          +
        </button>
      </div>
      {query.trim() ? (
        <a class="conv-search-messages" href={searchHref} data-testid="conv-search-messages">
          🔍 {t('msearch.open', { q: query.trim() })}
        </a>
      ) : null}
      {conversations.cached && conversations.error ? (
        // The saved list is still useful offline; the error would only repeat "no connection".
        <Alert kind="info" testid="conv-offline">
          {t('chat.offline.list')}
        </Alert>
      ) : (
        <ErrorAlert error={conversations.error} testid="conv-error" />
      )}
      {!conversations.list ? (
        conversations.error ? null : <Loading testid="conv-loading" />
      ) : rows.length === 0 ? (
        <Empty testid={q ? 'conv-no-match' : 'conv-empty'}>{q ? t('chat.list.noMatch') : t('chat.list.empty')}</Empty>
      ) : (
        <ul class="conv-list" data-testid="conv-list" data-cached={conversations.cached ? 'true' : 'false'}>
          {rows.map(({ c, name }) => {
            const open = c.id === props.openId;
            const time = c.last_message?.created_at ?? c.updated_at;
            // The open conversation is being read while the window has the focus: its badge
            // would only flash until the read mark comes back.
            const unread = open && document.hasFocus() ? 0 : c.unread;
            return (
              <li key={c.id}>
                <a
                  href={conversationHref(c.id)}
                  class={`conv-row${open ? ' is-open' : ''}${c.pinned ? ' is-pinned' : ''}`}
                  aria-current={open ? 'true' : undefined}
                  data-testid="conv-row"
                  data-conv-id={c.id}
                  data-kind={c.kind}
                  data-name={name}
                  data-unread={unread}
                  data-pinned={c.pinned ? 'true' : 'false'}
                >
                  <ConversationAvatar c={c} name={name} testid="conv-picture" />
                  <span class="conv-main">
                    <span class="conv-top">
                      <span class="conv-name" data-testid="conv-name">
                        {name}
                      </span>
                      <span class="conv-time" data-testid="conv-time">
                        {listTime(time)}
                      </span>
                    </span>
                    <span class="conv-bottom">
                      <span class="conv-preview" data-testid="conv-preview">
                        {unread > 0 && mentionsMe(c, me.userid) ? (
                          <span class="conv-mentioned" data-testid="conv-mentioned">
                            {t('chat.mentioned')}{' '}
                          </span>
                        ) : null}
                        {preview(c, me.userid, nameOf)}
                      </span>
                      {c.muted ? (
                        <span class="conv-muted" title={t('chat.muted')} aria-label={t('chat.muted')}>
                          🔕
                        </span>
                      ) : null}
                      {unread > 0 ? (
                        <span
                          class={`conv-unread${c.muted ? ' is-muted' : ''}`}
                          data-testid="conv-unread"
                          aria-label={t('chat.unread', { n: unread })}
                        >
                          {unread > 99 ? '99+' : unread}
                        </span>
                      ) : null}
                    </span>
                  </span>
                </a>
              </li>
            );
          })}
        </ul>
      )}
    </aside>
  );
}
