//! Starting a conversation: one person picked → a direct chat (the same one if it exists
//! already); several → a group, named here (or after its first members when left empty).

import { useMemo, useState } from 'preact/hooks';
import { chat } from '../../api';
import { Dialog } from '../../components/dialog';
import { MemberPicker } from '../../components/member-picker';
import { Button, ErrorAlert, Field, onValue } from '../../components/ui';
import { t } from '../../i18n';
import type { ConversationView, Member } from '../../types';
import { useChat } from './context';

/** Server limit for a group name (invalid_group_name beyond it). */
const NAME_MAX = 50;

export function defaultGroupName(names: string[]): string {
  const joined = names.join(t('chat.new.separator'));
  return joined.length > NAME_MAX ? `${joined.slice(0, NAME_MAX - 1)}…` : joined;
}

export function NewChatDialog(props: { onClose: () => void; onCreated: (c: ConversationView) => void }) {
  const { me, everyone, nameOf } = useChat();
  const [selected, setSelected] = useState<Member[]>([]);
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const exclude = useMemo(() => new Set([me.userid]), [me.userid]);
  const group = selected.length > 1;

  function toggle(m: Member) {
    setSelected((l) => (l.some((x) => x.userid === m.userid) ? l.filter((x) => x.userid !== m.userid) : [...l, m]));
  }

  async function create() {
    if (selected.length === 0) return;
    setBusy(true);
    setError(null);
    try {
      const c = group
        ? await chat.createGroup(
            name.trim() || defaultGroupName([nameOf(me.userid), ...selected.map((m) => m.name || m.userid)]),
            selected.map((m) => m.userid),
          )
        : await chat.openDirect(selected[0]!.userid);
      props.onCreated(c);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  return (
    <Dialog testid="new-chat" title={t('chat.new.title')} onClose={props.onClose}>
      <p class="muted small">{t('chat.new.hint')}</p>
      <MemberPicker testid="new-chat-member" everyone={everyone} exclude={exclude} selected={selected} onToggle={toggle} />
      {group ? (
        <Field label={t('chat.new.name')} hint={t('chat.new.nameHint')}>
          <input
            class="input"
            data-testid="new-chat-name"
            maxLength={NAME_MAX}
            value={name}
            onInput={onValue(setName)}
          />
        </Field>
      ) : null}
      <ErrorAlert error={error} testid="new-chat-error" />
      <div class="form-actions dialog-actions">
        <Button testid="new-chat-cancel" onClick={props.onClose}>
          {t('common.cancel')}
        </Button>
        <Button testid="new-chat-submit" kind="primary" busy={busy} disabled={selected.length === 0} onClick={() => void create()}>
          {group ? t('chat.new.group', { n: selected.length + 1 }) : t('chat.new.direct')}
        </Button>
      </div>
    </Dialog>
  );
}
