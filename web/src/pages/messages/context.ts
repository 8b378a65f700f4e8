//! What every part of Messages needs: who I am, everyone's names, the conversation list, the
//! outbox and the local cache.

import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { ChatCache } from '../../cache';
import type { NameOf } from '../../chat';
import type { Me, Member } from '../../types';
import type { Outbox } from './outbox';
import type { Conversations } from './use-conversations';

export interface ChatEnv {
  me: Me;
  nameOf: NameOf;
  everyone: Member[] | null;
  conversations: Conversations;
  outbox: Outbox;
  /** The signed-in user's encrypted local cache. */
  cache: ChatCache;
}

export const ChatContext = createContext<ChatEnv | null>(null);

export function useChat(): ChatEnv {
  const env = useContext(ChatContext);
  if (!env) throw new Error('useChat outside ChatContext');
  return env;
}

/** `#/app/messages/<id>` (ids are encoded: they are the server's, any characters). */
export function conversationHref(id: string | null): string {
  return id ? `#/app/messages/${encodeURIComponent(id)}` : '#/app/messages';
}

export function conversationPath(id: string | null): string {
  return conversationHref(id).slice(1);
}
