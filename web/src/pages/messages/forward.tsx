//! Forwards one message to a conversation picked from my list (searchable by name).

import { useState } from 'preact/hooks';
import { chat } from '../../api';
import { conversationName, messagePreview } from '../../chat';
import { Dialog } from '../../components/dialog';
import { ErrorAlert, Loading, onValue } from '../../components/ui';
import { t } from '../../i18n';
import type { MessageView } from '../../types';
import { useChat } from './context';
import { Avatar } from './message';

export function ForwardDialog(props: { message: MessageView; onClose: () => void; onDone: (to: string) => void }) {
  const { conversations, nameOf } = useChat();
  const [query, setQuery] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const q = query.trim().toLowerCase();
  const list = (conversations.list ?? [])
    .map((c) => ({ c, name: conversationName(c, nameOf) }))
    .filter((x) => !q || x.name.toLowerCase().includes(q));

  async function forward(to: string) {
    setBusy(to);
    setError(null);
    try {
      await chat.forward([props.message.id], to, false);
      props.onDone(to);
    } catch (err) {
      setError(err);
      setBusy(null);
    }
  }

  return (
    <Dialog testid="forward-dialog" title={t('chat.forward.title')} onClose={props.onClose}>
      <p class="muted small forward-preview">{messagePreview(props.message)}</p>
      <input
        class="input"
        type="search"
        data-testid="forward-search"
        value={query}
        onInput={onValue(setQuery)}
        placeholder={t('chat.search')}
        aria-label={t('chat.search')}
      />
      <ErrorAlert error={error} testid="forward-error" />
      {!conversations.list ? (
        <Loading />
      ) : (
        <div class="pick-list forward-list">
          {list.map(({ c, name }) => (
            <button
              type="button"
              key={c.id}
              class="pick-item picker-item"
              data-testid="forward-option"
              data-conv-id={c.id}
              data-name={name}
              disabled={busy !== null}
              aria-busy={busy === c.id}
              onClick={() => void forward(c.id)}
            >
              <Avatar id={c.peer ?? c.id} name={name} />
              <span class="picker-item-main">{name}</span>
            </button>
          ))}
          {list.length === 0 ? <span class="muted small">{t('chat.list.noMatch')}</span> : null}
        </div>
      )}
    </Dialog>
  );
}
