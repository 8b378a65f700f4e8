//! Everyone in the company by userid, for showing names in Messages (a direct conversation is
//! named after its peer, a group message after its sender). Kept current by `member.*` events.
//! The list is the same `GET /directory/members` that Contacts uses, so it carries this viewer's
//! masking; only names are used here. Apps' names (GET /apps, any member) are known as
//! `app:AGENTID`, the form message senders have.

import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { chat, directory } from './api';
import { useEvent } from './events';
import type { Member } from './types';

export interface People {
  /** Everyone, or null while loading (or when the list could not be fetched). */
  members: Member[] | null;
  /** The display name; the userid itself for someone not (yet) in the list. Also `app:ID`. */
  nameOf: (userid: string) => string;
}

export function usePeople(): People {
  const [members, setMembers] = useState<Member[] | null>(null);
  const [apps, setApps] = useState<Map<string, string>>(() => new Map());
  const generation = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const reload = useCallback(() => {
    const mine = ++generation.current;
    directory.members().then(
      (list) => mine === generation.current && setMembers(list),
      // Names fall back to userids; the next member event tries again.
      () => undefined,
    );
  }, []);
  useEffect(() => {
    reload();
    chat.apps().then(
      (list) => generation.current >= 0 && setApps(new Map(list.filter((a) => a.name).map((a) => [`app:${a.agentid}`, a.name]))),
      // Without names, app senders show their agent id.
      () => undefined,
    );
    return () => {
      generation.current = -1;
      if (timer.current) clearTimeout(timer.current);
    };
  }, []);

  // An import can send hundreds of member events in a burst: one refetch after they settle.
  const later = () => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(reload, 300);
  };
  useEvent('member.created', later);
  useEvent('member.updated', later);
  useEvent('member.deleted', later);
  useEvent('member.resigned', later);
  // Visibility rules decide who is in the list at all.
  useEvent('directory.visibility_changed', later);

  const nameOf = useMemo(() => {
    const names = new Map((members ?? []).map((m) => [m.userid, m.name || m.userid]));
    return (userid: string) => names.get(userid) ?? apps.get(userid) ?? userid;
  }, [members, apps]);
  return { members, nameOf };
}
