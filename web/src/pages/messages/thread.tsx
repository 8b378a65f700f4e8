//! The open conversation: header (name, member count and settings for groups, back on phones),
//! the announcement, the messages (oldest at the top, day separators, older pages when scrolled
//! to the top), the composer, and the dialogs of the message actions.
//!
//! Scrolling: the view sticks to the bottom while the user is there (new messages stay in
//! sight); scrolled up, it stays put and offers a "new messages" button instead. A page of older
//! messages is prepended without moving what is on screen.
//! Opened from a search result (`focus`), it scrolls to that message if it is among the loaded
//! pages and marks it for a moment; otherwise it simply shows the newest messages.

import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { chat } from '../../api';
import { conversationName, dayLabel, sameDay, unconfirmed, type Pending } from '../../chat';
import { Alert, Button, ErrorAlert, Loading, errorMessage } from '../../components/ui';
import { t, tCount, useLang } from '../../i18n';
import { can } from '../../perms';
import { navigate } from '../../router';
import type { ConversationDetail, ConversationView, MessageView } from '../../types';
import { UploadList, filesOf } from './attach';
import { Composer } from './composer';
import { conversationPath, useChat } from './context';
import { ForwardDialog } from './forward';
import { ConversationAvatar, MessageItem, type MessageActions, type Receipt } from './message';
import { useQuotes } from './quotes';
import { ReceiptsDialog } from './receipts';
import { GroupSettings } from './settings';
import { addFiles, uploadDiscarded } from './uploads';
import { useThread } from './use-thread';

const DAY_MS = 86_400_000;
/** Closer than this to the bottom counts as "at the bottom". */
const STICK_PX = 48;
/** Closer than this to the top loads the previous page. */
const OLDER_PX = 120;

const hasFiles = (e: DragEvent) => !!e.dataTransfer && Array.from(e.dataTransfer.types).includes('Files');

/** My message's read state: direct "已读/未读", group "n 人未读" (from the members' read marks). */
function receiptOf(m: MessageView, c: ConversationView, d: ConversationDetail | null, me: string): Receipt | null {
  if (m.sender !== me || c.kind === 'app' || !d) return null;
  const others = d.members.filter((x) => x.userid !== me);
  if (others.length === 0) return null;
  const unread = others.filter((x) => x.read_seq < m.seq).length;
  if (c.kind === 'direct') return { read: unread === 0, label: t(unread === 0 ? 'chat.read' : 'chat.notRead') };
  return { read: unread === 0, label: unread === 0 ? t('chat.allRead') : tCount('chat.nUnread', unread) };
}

export function ThreadView(props: { id: string; focus?: string | null }) {
  useLang();
  const { me, nameOf, conversations, outbox, cache } = useChat();
  const { id } = props;
  const thread = useThread(id, {
    me: me.userid,
    onRead: conversations.read,
    onGone: conversations.reload,
    onConfirmed: outbox.onConfirmed,
    cache,
  });
  const conv = thread.detail?.conversation ?? conversations.list?.find((c) => c.id === id) ?? null;
  const pending = unconfirmed(outbox.pending[id] ?? [], thread.messages, me.userid);
  const byId = new Map(thread.messages.map((m) => [m.id, m]));
  // Quotes of messages older than the loaded pages are fetched one by one (once the first page
  // is here: until then most of them would be found in it).
  const quotes = useQuotes(
    thread.loaded
      ? [...new Set([...thread.messages, ...pending.map((p) => p.message)].flatMap((m) => (m.reply_to && !byId.has(m.reply_to) ? [m.reply_to] : [])))]
      : [],
  );

  const [replyTo, setReplyTo] = useState<MessageView | null>(null);
  const [receiptsFor, setReceiptsFor] = useState<MessageView | null>(null);
  const [forwarding, setForwarding] = useState<MessageView | null>(null);
  const [settings, setSettings] = useState(false);
  const [notice, setNotice] = useState<{ kind: 'error' | 'success'; text: string } | null>(null);
  // Files dragged over the conversation: a hint to drop them (counted: enter / leave fire per child).
  const [dragging, setDragging] = useState(0);

  // A file dropped beside the conversation must not replace the app: the browser would open it.
  useEffect(() => {
    const stop = (e: DragEvent) => hasFiles(e) && e.preventDefault();
    window.addEventListener('dragover', stop);
    window.addEventListener('drop', stop);
    return () => {
      window.removeEventListener('dragover', stop);
      window.removeEventListener('drop', stop);
    };
  }, []);

  // ---- scrolling ----
  const scroller = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const lastHeight = useRef(0);
  const firstSeq = useRef<number | null>(null);
  const lastKey = useRef<string | null>(null);
  const seen = useRef(false);
  const [below, setBelow] = useState(0);
  // "New messages below" counts arrivals from others; my own sends scroll down anyway.
  const newest = thread.messages[thread.messages.length - 1];
  const newestOther = newest && newest.sender !== me.userid ? newest.id : null;

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const first = thread.messages[0]?.seq ?? null;
    const prepended = first !== null && firstSeq.current !== null && first < firstSeq.current;
    if (prepended) el.scrollTop += el.scrollHeight - lastHeight.current;
    else if (stick.current) el.scrollTop = el.scrollHeight;
    else if (newestOther && newestOther !== lastKey.current && seen.current) setBelow((n) => n + 1);
    firstSeq.current = first;
    if (newestOther) lastKey.current = newestOther;
    // What the first page shows is not "new".
    seen.current = thread.loaded;
    lastHeight.current = el.scrollHeight;
    // A first page shorter than the view cannot be scrolled up: fetch more right away.
    if (thread.hasMore && el.scrollHeight <= el.clientHeight + OLDER_PX) thread.loadOlder();
  }, [thread.messages, pending.length, thread.hasMore, thread.loaded]);

  // Once per found message: the class is set on the element directly, since it is a passing
  // mark that no state of the message describes.
  const focused = useRef<string | null>(null);
  useEffect(() => {
    const el = scroller.current;
    const want = props.focus;
    if (!want || focused.current === want || !thread.loaded || !el) return;
    const target = el.querySelector<HTMLElement>(`[data-testid="message"][data-id="${CSS.escape(want)}"]`);
    if (!target) return;
    focused.current = want;
    stick.current = false;
    target.scrollIntoView({ block: 'center' });
    target.classList.add('is-found');
    setTimeout(() => target.classList.remove('is-found'), 2500);
  }, [props.focus, thread.loaded, thread.messages]);

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < STICK_PX;
    if (stick.current && below) setBelow(0);
    if (el.scrollTop < OLDER_PX) thread.loadOlder();
    lastHeight.current = el.scrollHeight;
  };
  const toBottom = () => {
    const el = scroller.current;
    stick.current = true;
    setBelow(0);
    if (el) el.scrollTop = el.scrollHeight;
  };

  if (thread.detailError && !conv) {
    return (
      <section class="chat-thread" data-testid="thread" data-conv-id={id}>
        <div class="thread-gone">
          <ErrorAlert error={thread.detailError} testid="thread-error" />
          <a class="btn" href="#/app/messages" data-testid="thread-back-list">
            {t('common.back')}
          </a>
        </div>
      </section>
    );
  }

  const manager = conv?.kind === 'group' && (conv.my_role === 'owner' || conv.my_role === 'admin');
  const actions: MessageActions = {
    reply: setReplyTo,
    forward: setForwarding,
    receipts: setReceiptsFor,
    recall: (m) => {
      setNotice(null);
      chat.recall(m.id).then(thread.apply, (err: unknown) => setNotice({ kind: 'error', text: errorMessage(err) }));
    },
    retry: (clientId) => outbox.retry(id, clientId),
    discard: (clientId) => {
      outbox.discard(id, clientId);
      uploadDiscarded(clientId);
    },
    react: (m, emoji) => {
      setNotice(null);
      chat.react(m.id, emoji).then(
        (r) => thread.setReactions(m.id, r),
        (err: unknown) => setNotice({ kind: 'error', text: errorMessage(err) }),
      );
    },
  };
  const canRecall = (m: MessageView) =>
    (m.sender === me.userid && Date.now() - m.created_at < DAY_MS) || can(me, 'messaging.message.recall_any') || manager;

  const items: { m: MessageView; p: Pending | null }[] = [
    ...thread.messages.map((m) => ({ m, p: null })),
    ...pending.map((p) => ({ m: p.message, p })),
  ];
  const group = conv?.kind === 'group';
  const name = conv ? conversationName(conv, nameOf) : '';
  const sendFiles = (files: File[]) => {
    stick.current = true;
    addFiles(id, files);
  };

  return (
    <section
      class={`chat-thread${dragging ? ' is-dropping' : ''}`}
      data-testid="thread"
      data-conv-id={id}
      data-kind={conv?.kind ?? ''}
      onDragEnter={(e) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        setDragging((n) => n + 1);
      }}
      onDragOver={(e) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
      }}
      onDragLeave={(e) => hasFiles(e) && setDragging((n) => Math.max(0, n - 1))}
      onDrop={(e) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        setDragging(0);
        const files = filesOf(e.dataTransfer?.files);
        if (files.length) sendFiles(files);
      }}
    >
      {dragging ? (
        <div class="drop-hint" data-testid="thread-drop-hint">
          {t('chat.upload.drop')}
        </div>
      ) : null}
      <header class="thread-head">
        <button
          type="button"
          class="icon-button thread-back"
          data-testid="thread-back"
          aria-label={t('common.back')}
          title={t('common.back')}
          onClick={() => navigate(conversationPath(null))}
        >
          ‹
        </button>
        {group && conv?.avatar ? <ConversationAvatar c={conv} name={name} testid="thread-picture" /> : null}
        <div class="thread-title">
          <h2 data-testid="thread-title">{name}</h2>
          {group && conv ? (
            <span class="muted thread-count" data-testid="thread-count">
              {tCount('chat.members', thread.detail?.members.length ?? conv.member_count)}
            </span>
          ) : null}
        </div>
        {group ? (
          <button
            type="button"
            class="icon-button"
            data-testid="thread-settings"
            aria-label={t('chat.settings.title')}
            title={t('chat.settings.title')}
            aria-expanded={settings}
            onClick={() => setSettings(!settings)}
          >
            ⋯
          </button>
        ) : null}
      </header>
      {group && conv?.announcement ? (
        <div class="thread-announcement" data-testid="thread-announcement">
          <strong>{t('chat.settings.announcement')}</strong> {conv.announcement}
        </div>
      ) : null}
      {notice ? (
        <div class="thread-notice">
          <Alert kind={notice.kind} testid={notice.kind === 'error' ? 'thread-action-error' : 'thread-action-done'}>
            {notice.text}
          </Alert>
          <button type="button" class="icon-button" aria-label={t('common.close')} onClick={() => setNotice(null)}>
            ✕
          </button>
        </div>
      ) : null}

      <div class="thread-body">
        <div
          class="thread-scroll"
          ref={scroller}
          onScroll={onScroll}
          // An image that loads grows its message: stay at the bottom if we were there.
          onLoadCapture={() => {
            const el = scroller.current;
            if (el && stick.current) el.scrollTop = el.scrollHeight;
          }}
          data-testid="thread-messages"
          data-loaded={thread.loaded ? 'true' : 'false'}
          data-cached={thread.cached ? 'true' : 'false'}
        >
          {thread.hasMore ? (
            <div class="thread-older">
              <Button testid="thread-load-older" kind="link" small busy={thread.loadingOlder} onClick={thread.loadOlder}>
                {t('chat.older')}
              </Button>
            </div>
          ) : thread.loaded && items.length ? (
            <div class="thread-start muted small" data-testid="thread-start">
              {t('chat.start')}
            </div>
          ) : null}
          {thread.cached && thread.pageError ? (
            <Alert kind="info" testid="thread-offline">
              {t('chat.offline.messages')}
            </Alert>
          ) : (
            <ErrorAlert error={thread.pageError} testid="thread-page-error" />
          )}
          {!thread.loaded && items.length === 0 ? <Loading testid="thread-loading" /> : null}
          {thread.loaded && items.length === 0 && !thread.pageError ? (
            <p class="empty" data-testid="thread-empty">
              {t('chat.noMessages')}
            </p>
          ) : null}
          {items.map(({ m, p }, i) => {
            const prev = items[i - 1]?.m;
            const newDay = !prev || !sameDay(prev.created_at, m.created_at);
            const mine = m.sender === me.userid;
            return (
              <div key={p ? `c:${m.client_msg_id}` : m.id}>
                {newDay ? (
                  <div class="day-separator" data-testid="day-separator">
                    <span>{dayLabel(m.created_at)}</span>
                  </div>
                ) : null}
                <MessageItem
                  m={m}
                  pending={p}
                  mine={mine}
                  showSender={!mine && (group || m.sender.includes(':'))}
                  conversation={conv}
                  nameOf={nameOf}
                  quote={m.reply_to ? byId.get(m.reply_to) ?? quotes.get(m.reply_to) ?? 'loading' : undefined}
                  me={me.userid}
                  receipt={conv && !p ? receiptOf(m, conv, thread.detail, me.userid) : null}
                  canRecall={canRecall(m)}
                  actions={actions}
                />
              </div>
            );
          })}
        </div>
        {below ? (
          <button type="button" class="thread-below" data-testid="thread-new-below" onClick={toBottom}>
            ↓ {t('chat.newBelow')}
          </button>
        ) : null}
      </div>

      <UploadList conversationId={id} />
      <Composer
        conversation={conv}
        members={thread.detail?.members ?? []}
        me={me.userid}
        nameOf={nameOf}
        replyTo={replyTo}
        onCancelReply={() => setReplyTo(null)}
        onSend={(d) => {
          stick.current = true;
          outbox.send(id, d);
        }}
        onFiles={sendFiles}
      />

      {settings && thread.detail && group ? (
        <GroupSettings
          detail={thread.detail}
          onClose={() => setSettings(false)}
          onChanged={(c) => {
            conversations.put(c);
            thread.setConversation(c);
          }}
          reload={thread.reloadDetail}
          onLeft={() => {
            conversations.reload();
            navigate(conversationPath(null));
          }}
        />
      ) : null}
      {receiptsFor ? (
        <ReceiptsDialog
          message={receiptsFor}
          nameOf={nameOf}
          onClose={() => setReceiptsFor(null)}
          onLoaded={(r) => thread.applyReceipts(receiptsFor, r)}
        />
      ) : null}
      {forwarding ? (
        <ForwardDialog
          message={forwarding}
          onClose={() => setForwarding(null)}
          onDone={(to) => {
            setForwarding(null);
            const target = conversations.list?.find((c) => c.id === to);
            setNotice({ kind: 'success', text: t('chat.forward.done', { name: target ? conversationName(target, nameOf) : '' }) });
          }}
        />
      ) : null}
    </section>
  );
}
