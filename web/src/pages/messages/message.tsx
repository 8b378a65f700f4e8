//! One message in the open conversation: avatar and sender (others, in groups), the quoted
//! message it replies to, the body, time, my read receipt, and the actions (reply, recall,
//! forward). The actions show on hover or keyboard focus, and on touch screens after a long
//! press. A message still being sent shows "sending…", a failed one its reason and a retry.

import { useEffect, useRef, useState } from 'preact/hooks';
import { clockTime, messagePreview, senderKind, senderLabel, type NameOf, type Pending } from '../../chat';
import { MemberAvatar } from '../../components/member';
import { copyText } from '../../components/ui';
import { t } from '../../i18n';
import type { ConversationView, Member, MessageView } from '../../types';
import { MessageContent } from './content';

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
}

/** A stable avatar for a userid (or an app or robot), from what is known of it. */
export function Avatar(props: { id: string; name: string }) {
  const person = { userid: props.id, name: props.name, department: [], status: 1 } as Member;
  return <MemberAvatar member={person} />;
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
  /** undefined: not a reply; null: the quoted message is not loaded (older than the pages shown). */
  quote: MessageView | null | undefined;
  receipt: Receipt | null;
  canRecall: boolean;
  actions: MessageActions;
}) {
  const { m, pending, mine, actions } = props;
  const [open, setOpen] = useState(false);
  const row = useRef<HTMLDivElement>(null);
  const press = useLongPress(() => setOpen(true));

  // A long-press menu closes on the next touch or click elsewhere.
  useEffect(() => {
    if (!open) return;
    const close = (e: Event) => {
      if (!row.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    document.addEventListener('touchstart', close);
    return () => {
      document.removeEventListener('mousedown', close);
      document.removeEventListener('touchstart', close);
    };
  }, [open]);

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
            {props.quote !== undefined ? (
              <div class="msg-quote" data-testid="message-quote">
                {props.quote ? (
                  <>
                    <span class="msg-quote-sender">{senderLabel(props.quote.sender, props.conversation, props.nameOf)}</span>
                    <span class="msg-quote-text">{messagePreview(props.quote)}</span>
                  </>
                ) : (
                  <span class="msg-quote-text">{t('chat.quote.older')}</span>
                )}
              </div>
            ) : null}
            <div class="msg-body" data-testid="message-body">
              <MessageContent m={m} conversation={props.conversation} nameOf={props.nameOf} />
            </div>
          </div>
        )}
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
            <span data-testid="message-failed">{pending.error ?? t('chat.failed')}</span>
            <button type="button" class="btn btn-link btn-sm" data-testid="message-retry" onClick={() => actions.retry(m.client_msg_id)}>
              {t('common.retry')}
            </button>
            <button type="button" class="btn btn-link btn-sm" data-testid="message-discard" onClick={() => actions.discard(m.client_msg_id)}>
              {t('chat.discard')}
            </button>
          </div>
        ) : null}
      </div>
      {live ? (
        <div class="msg-actions" role="toolbar" aria-label={t('chat.actions')}>
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
