//! Messages (#/app/messages, #/app/messages/<conversation id>): the conversation list on the left
//! and the open conversation on the right; on phones one of the two fills the screen (the
//! conversation has a back button). Everything below shares the list, the names of everyone and
//! the outbox of messages being sent through ChatContext. The encrypted local cache (cache.ts)
//! lets the list and the last conversation show at once, before (or without) the server.
//! `#/app/messages/search?…` puts the message search where the conversation goes (search.tsx);
//! `#/app/messages/<id>?m=<message id>` opens a conversation at a found message.

import { useEffect, useMemo, useState } from 'preact/hooks';
import { chatCache } from '../../cache';
import { usePeople } from '../../people';
import { t, useLang } from '../../i18n';
import { navigate, useRoute } from '../../router';
import type { Me } from '../../types';
import { UnfinishedUploads } from './attach';
import { ChatContext, conversationPath, type ChatEnv } from './context';
import { ConversationList } from './list';
import { NewChatDialog } from './new-chat';
import { useOutbox } from './outbox';
import { MessageSearchView } from './search';
import { ThreadView } from './thread';
import { bindUploads, loadServerUploads, setDeliver, uploadConfirmed } from './uploads';
import { useConversations } from './use-conversations';

function decode(sub: string): string | null {
  if (!sub) return null;
  try {
    return decodeURIComponent(sub);
  } catch {
    return sub;
  }
}

export function MessagesPage(props: { me: Me; sub: string }) {
  useLang();
  const { me } = props;
  const people = usePeople();
  const cache = useMemo(() => chatCache(me.corpid, me.userid), [me.corpid, me.userid]);
  const conversations = useConversations(me.userid, cache);
  const outbox = useOutbox(me.userid, conversations.sent);
  const [creating, setCreating] = useState(false);
  const { params } = useRoute();
  // Server ids never read "search"; the search view takes the conversation's place.
  const searching = props.sub === 'search';
  const openId = searching ? null : decode(props.sub);

  // Uploads outlive this page (uploads.ts); while it is here, finished files' messages go
  // through its outbox, and a confirmed message ends its upload's record.
  // The server's unfinished uploads are asked for each time the page opens (another device may
  // have left one).
  useEffect(() => {
    bindUploads(`${me.corpid}.${me.userid}`);
    loadServerUploads();
  }, [me.corpid, me.userid]);
  useEffect(() => {
    setDeliver(outbox.send);
    const off = outbox.onConfirmed(uploadConfirmed);
    return () => {
      setDeliver(null);
      off();
    };
  }, [outbox.send, outbox.onConfirmed]);

  const env: ChatEnv = useMemo(
    () => ({ me, nameOf: people.nameOf, everyone: people.members, conversations, outbox, cache }),
    [me, people.nameOf, people.members, conversations, outbox, cache],
  );

  return (
    <ChatContext.Provider value={env}>
      <UnfinishedUploads openId={openId} />
      <div class={`chat-layout${openId || searching ? ' has-open' : ''}`} data-testid="messages-page">
        <ConversationList openId={openId} onNew={() => setCreating(true)} />
        {searching ? (
          <MessageSearchView />
        ) : openId ? (
          <ThreadView key={openId} id={openId} focus={params.get('m')} />
        ) : (
          <section class="chat-thread chat-placeholder" data-testid="thread-none">
            <p class="muted">{t('chat.pick')}</p>
          </section>
        )}
      </div>
      {creating ? (
        <NewChatDialog
          onClose={() => setCreating(false)}
          onCreated={(c) => {
            setCreating(false);
            conversations.reload();
            navigate(conversationPath(c.id));
          }}
        />
      ) : null}
    </ChatContext.Provider>
  );
}
