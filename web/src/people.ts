//! Everyone in the company by userid, for showing names in Messages (a direct conversation is
//! named after its peer, a group message after its sender). Kept current by `member.*` events.
//! The list is the same `GET /directory/members` that Contacts uses, so it carries this viewer's
//! masking; only names are used here.

import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { directory } from './api';
import { useEvent } from './events';
import type { Member } from './types';

export interface People {
  /** Everyone, or null while loading (or when the list could not be fetched). */
  members: Member[] | null;
  /** The display name; the userid itself for someone not (yet) in the list. */
  nameOf: (userid: string) => string;
}

export function usePeople(): People {
  const [members, setMembers] = useState<Member[] | null>(null);
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

  const nameOf = useMemo(() => {
    const names = new Map((members ?? []).map((m) => [m.userid, m.name || m.userid]));
    return (userid: string) => names.get(userid) ?? userid;
  }, [members]);
  return { members, nameOf };
}
