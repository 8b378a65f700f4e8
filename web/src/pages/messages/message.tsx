//! One message in the open conversation: avatar and sender (others, in groups), the quoted
//! message it replies to, the body, reactions, time, my read receipt, and the actions (react,
//! reply, recall, forward). The actions show on hover or keyboard focus, and on touch screens
//! after a long press. A message still being sent shows "sending…", a failed one its reason and
//! a retry (not for a refusal such as `sensitive_word`, which would only be refused again).

import { useEffect, useRef, useState } from 'preact/hooks';
import { clockTime, messagePreview, senderKind, senderLabel, type NameOf, type Pending } from '../../chat';
import { MemberAvatar } from '../../components/member';
import { copyText } from '../../components/ui';
import { t } from '../../i18n';
import type { ConversationView, Member, MessageView } from '../../types';
import { MessageContent } from './content';
import type { Quote } from './quotes';
import { ReactionChips, ReactionPicker } from './reactions';

export interface Receipt {
  label: string;
  /** Everyone has read it. */
  read: boolean;
}

export interface MessageActions {
  reply: (m: MessageView) => void;
  recall: (m: MessageView) => void;
  forward: (m: MessageView) => void;
  receipts: (m: MessageView) => void;
  retry: (clientId: string) => void;
  discard: (clientId: string) => void;
  /** Toggles my emoji on a message. */
  react: (m: MessageView, emoji: string) => void;
}

/** A stable avatar for a userid (or an app or robot), from what is known of it. */
export function Avatar(props: { id: string; name: string }) {
  const person = { userid: props.id, name: props.name, department: [], status: 1 } as Member;
  return <MemberAvatar member={person} />;
}

/** The server's thumbnail of a group's picture. */
export const pictureUrl = (fileId: string) => `/api/v1/files/${encodeURIComponent(fileId)}/thumbnail`;

/**
 * A conversation's icon: a group's picture when it has one (an image that does not load falls
 * back), else the initial of its name (direct chats: the peer's).
 */
export function ConversationAvatar(props: { c: ConversationView; name: string; testid?: string; large?: boolean }) {
  const { c } = props;
  const picture = c.kind === 'group' ? c.avatar : '';
  const [broken, setBroken] = useState<string | null>(null);
  if (picture && broken !== picture) {
    return (
      <img
        class={`avatar member-avatar group-picture${props.large ? ' avatar-lg' : ''}`}
        src={pictureUrl(picture)}
        alt=""
        data-testid={props.testid}
        data-file-id={picture}
        onError={() => setBroken(picture)}
      />
    );
  }
  if (props.large) {
    return (
      <span data-testid={props.testid ? `${props.testid}-none` : undefined} class="group-picture-none">
        <MemberAvatar member={{ userid: c.id, name: props.name, department: [], status: 1 } as Member} size="lg" />
      </span>
    );
  }
  return <Avatar id={c.peer ?? c.id} name={props.name} />;
}

/** Touch screens: a press held for half a second opens the actions (iOS has no contextmenu). */
function useLongPress(onLong: () => void) {
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const cancel = () => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
  };
  useEffect(() => cancel, []);
  return {
    onTouchStart: () => {
      cancel();
      timer.current = setTimeout(onLong, 500);
    },
    onTouchEnd: cancel,
    onTouchMove: cancel,
    onContextMenu: (e: Event) => {
      e.preventDefault();
      cancel();
      onLong();
    },
  };
}

/** The text a "copy" action copies (long-press selection is awkward on phones), or null. */
function copyable(m: MessageView): string | null {
  const c = m.content;
  if ((m.type === 'text' || m.type === 'markdown') && typeof c.content === 'string') return c.content;
  if (m.type === 'code' && typeof c.code === 'string') return c.code;
  return null;
}

export function MessageItem(props: {
  m: MessageView;
  pending: Pending | null;
  mine: boolean;
  showSender: boolean;
  conversation: ConversationView | null;
  nameOf: NameOf;
  /** undefined: not a reply; otherwise the quoted message, or how fetching it went. */
  quote: Quote | undefined;
  me: string;
  receipt: Receipt | null;
  canRecall: boolean;
  actions: MessageActions;
}) {
  const { m, pending, mine, actions } = props;
  const [open, setOpen] = useState(false);
  const [picking, setPicking] = useState(false);
  const row = useRef<HTMLDivElement>(null);
  const press = useLongPress(() => setOpen(true));

  // A long-press menu (and the reaction picker) closes on the next touch or click elsewhere.
  useEffect(() => {
    if (!open && !picking) return;
    const close = (e: Event) => {
      if (row.current?.contains(e.target as Node)) return;
      setOpen(false);
      setPicking(false);
    };
    document.addEventListener('mousedown', close);
    document.addEventListener('touchstart', close);
    return () => {
      document.removeEventListener('mousedown', close);
      document.removeEventListener('touchstart', close);
    };
  }, [open, picking]);

  const [copied, setCopied] = useState(false);
  const sent = pending === null;
  const live = sent && !m.recalled;
  const name = senderLabel(m.sender, props.conversation, props.nameOf);
  const act = (fn: () => void) => () => {
    setOpen(false);
    fn();
  };

  return (
    <div
      ref={row}
      class={`msg-row${mine ? ' is-mine' : ''}${open ? ' is-open' : ''}`}
      data-testid="message"
      data-id={m.id || undefined}
      data-client-id={m.client_msg_id}
      data-seq={m.seq || undefined}
      data-sender={m.sender}
      data-mine={mine ? 'true' : 'false'}
      data-type={m.type}
      data-state={pending ? pending.state : 'sent'}
      data-recalled={m.recalled ? 'true' : 'false'}
    >
      {mine ? null : <Avatar id={senderKind(m.sender).id} name={name} />}
      <div class="msg-main">
        {props.showSender ? (
          <div class="msg-sender" data-testid="message-sender">
            {name}
          </div>
        ) : null}
        {m.recalled ? (
          <div class="msg-recalled" data-testid="message-recalled">
            {t('chat.recalled')}
          </div>
        ) : (
          <div class="msg-bubble" tabIndex={0} {...press}>
            {props.quote !== undefined ? <QuoteLine quote={props.quote} conversation={props.conversation} nameOf={props.nameOf} /> : null}
            <div class="msg-body" data-testid="message-body">
              <MessageContent m={m} conversation={props.conversation} nameOf={props.nameOf} />
            </div>
          </div>
        )}
        {live && m.reactions?.length ? (
          <ReactionChips reactions={m.reactions} me={props.me} nameOf={props.nameOf} onToggle={(e) => actions.react(m, e)} />
        ) : null}
        {live && picking ? (
          <ReactionPicker
            onPick={(e) => {
              setPicking(false);
              actions.react(m, e);
            }}
          />
        ) : null}
        <div class="msg-meta">
          <span class="msg-time" data-testid="message-time">
            {clockTime(m.created_at)}
          </span>
          {pending?.state === 'sending' ? (
            <span class="msg-state" data-testid="message-sending">
              {t('chat.sending')}
            </span>
          ) : null}
          {live && props.receipt ? (
            <button
              type="button"
              class={`msg-receipt${props.receipt.read ? ' is-read' : ''}`}
              data-testid="message-receipt"
              data-read={props.receipt.read ? 'true' : 'false'}
              title={t('chat.receipts.show')}
              onClick={() => actions.receipts(m)}
            >
              {props.receipt.label}
            </button>
          ) : null}
        </div>
        {pending?.state === 'failed' ? (
          <div class="msg-failed" role="alert">
            <span data-testid="message-failed" data-code={pending.code ?? ''}>
              {pending.error ?? t('chat.failed')}
            </span>
            {pending.retryable !== false ? (
              <button type="button" class="btn btn-link btn-sm" data-testid="message-retry" onClick={() => actions.retry(m.client_msg_id)}>
                {t('common.retry')}
              </button>
            ) : null}
            <button type="button" class="btn btn-link btn-sm" data-testid="message-discard" onClick={() => actions.discard(m.client_msg_id)}>
              {t('chat.discard')}
            </button>
          </div>
        ) : null}
      </div>
      {live ? (
        <div class="msg-actions" role="toolbar" aria-label={t('chat.actions')}>
          <button
            type="button"
            data-testid="message-react"
            aria-expanded={picking}
            onClick={() => {
              setOpen(false);
              setPicking(!picking);
            }}
          >
            {t('chat.react')}
          </button>
          <button type="button" data-testid="message-reply" onClick={act(() => actions.reply(m))}>
            {t('chat.reply')}
          </button>
          <button type="button" data-testid="message-forward" onClick={act(() => actions.forward(m))}>
            {t('chat.forward')}
          </button>
          {copyable(m) !== null ? (
            <button
              type="button"
              data-testid="message-copy"
              onClick={() => void copyText(copyable(m) ?? '').then((ok) => ok && setCopied(true))}
              onMouseLeave={() => setCopied(false)}
            >
              {copied ? t('common.copied') : t('common.copy')}
            </button>
          ) : null}
          {props.canRecall ? (
            <button type="button" data-testid="message-recall" onClick={act(() => actions.recall(m))}>
              {t('chat.recall')}
            </button>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

/** The quoted message's sender and first line; while fetching or when it is gone, a note. */
function QuoteLine(props: { quote: Quote; conversation: ConversationView | null; nameOf: NameOf }) {
  const q = props.quote;
  const state = typeof q === 'string' ? q : 'shown';
  return (
    <div class="msg-quote" data-testid="message-quote" data-state={state}>
      {typeof q !== 'string' ? (
        <>
          <span class="msg-quote-sender">{senderLabel(q.sender, props.conversation, props.nameOf)}</span>
          <span class="msg-quote-text">{messagePreview(q)}</span>
        </>
      ) : (
        <span class="msg-quote-text">{t(q === 'loading' ? 'common.loading' : q === 'gone' ? 'chat.quote.gone' : 'chat.quote.older')}</span>
      )}
    </div>
  );
}
