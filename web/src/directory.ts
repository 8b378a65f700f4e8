//! The loaded directory (departments, everyone, tags) for a page, kept current by the live
//! events `department.*`, `member.*` and `tag.*` (docs/api-directory.md "Events").
//! `member.resigned` {userid, handover_to} is applied like `member.updated` (the member is now
//! disabled). `directory.visibility_changed` and `directory.imported` reload everything: what
//! this viewer may see can change as a whole (departments and people appear or go).
//!
//! An event's payload is applied at once; if a fetch of the same list is in flight it may have
//! been answered before the change, so its answer is dropped and the list is fetched again.
//! Exception: a viewer who is not an administrator does not take a member from the payload but
//! asks `GET /members/{userid}`, which applies the masking of mobile and email for that viewer
//! (the payload is the same for every stream and may carry them unmasked).

import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { directory, normDepartment, normMember, normTag } from './api';
import { useEvent } from './events';
import { getLang } from './i18n';
import { buildTree, memberCounts, upsert, type Counts, type Tree } from './tree';
import type { Department, Member, StreamEvent, Tag } from './types';

export interface Directory {
  departments: Department[] | null;
  members: Member[] | null;
  tags: Tag[] | null;
  error: unknown;
  tree: Tree | null;
  counts: Map<number, Counts>;
  reloadDepartments: () => Promise<void>;
  reloadMembers: () => Promise<void>;
  reloadTags: () => Promise<void>;
  reloadAll: () => void;
  /** Changes whenever tag memberships may have changed; `tagChanged` is the tag concerned, if known. */
  tagSeq: number;
  tagChanged: number | null;
  applyMember: (m: Member) => void;
  removeMember: (userid: string) => void;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const asNumber = (v: unknown): number | null => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
};

/** A list that is fetched, patched by events, and refetched if an event lands mid-fetch. */
function useList<T>(fetch: () => Promise<T[]>) {
  const [data, setData] = useState<T[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const state = useRef({ generation: 0, inFlight: false, dirty: false, alive: true });

  const reload = useCallback(async (): Promise<void> => {
    const s = state.current;
    const mine = ++s.generation;
    s.inFlight = true;
    s.dirty = false;
    try {
      const list = await fetch();
      if (!s.alive || mine !== s.generation) return;
      s.inFlight = false;
      if (s.dirty) return reload();
      setData(list);
      setError(null);
    } catch (err) {
      if (!s.alive || mine !== s.generation) return;
      s.inFlight = false;
      setError(err);
    }
  }, []);

  const patch = useCallback((fn: (list: T[]) => T[]) => {
    if (state.current.inFlight) state.current.dirty = true;
    setData((list) => (list ? fn(list) : list));
  }, []);

  useEffect(() => {
    state.current.alive = true;
    return () => void (state.current.alive = false);
  }, []);
  return { data, error, reload, patch };
}

export function useDirectory(): Directory {
  const departments = useList<Department>(directory.departments);
  const members = useList<Member>(() => directory.members());
  const tags = useList<Tag>(directory.tags);
  const [tagState, setTagState] = useState<{ seq: number; id: number | null }>({ seq: 0, id: null });
  const bumpTags = (id: number | null) => setTagState((s) => ({ seq: s.seq + 1, id }));

  const reloadAll = useCallback(() => {
    void departments.reload();
    void members.reload();
    void tags.reload();
  }, []);
  useEffect(reloadAll, []);

  const onDepartment = (e: StreamEvent) => {
    const d = e.data.department;
    if (e.kind === 'department.deleted') {
      const id = asNumber(e.data.id) ?? (isObject(d) ? asNumber(d.id) : null);
      if (id === null) return void departments.reload();
      departments.patch((list) => list.filter((x) => x.id !== id));
      bumpTags(null); // a deleted department leaves the tags that listed it
      return;
    }
    if (isObject(d) && asNumber(d.id) !== null) {
      const dept = normDepartment(d as unknown as Department);
      departments.patch((list) => upsert(list, dept, (x) => x.id));
    } else {
      void departments.reload();
    }
  };
  useEvent('department.created', onDepartment);
  useEvent('department.updated', onDepartment);
  useEvent('department.deleted', onDepartment);

  const applyMember = useCallback((m: Member) => members.patch((list) => upsert(list, normMember(m), (x) => x.userid)), []);
  const removeMember = useCallback((userid: string) => members.patch((list) => list.filter((x) => x.userid !== userid)), []);

  const onMember = (e: StreamEvent) => {
    const m = e.data.member;
    const userid = typeof e.data.userid === 'string' ? e.data.userid : isObject(m) && typeof m.userid === 'string' ? m.userid : null;
    if (e.kind === 'member.deleted') {
      if (userid === null) return void members.reload();
      removeMember(userid);
      bumpTags(null);
      return;
    }
    if (userid !== null) {
      // Ask for the member: events carry contact details masked for everyone, and the server
      // shows each viewer what their roles allow.
      directory.member(userid).then(applyMember, () => void members.reload());
    } else {
      void members.reload();
    }
    bumpTags(null); // a renamed member shows under a new name in tag lists
  };
  useEvent('member.created', onMember);
  useEvent('member.updated', onMember);
  useEvent('member.deleted', onMember);
  useEvent('member.resigned', onMember);

  const onWholeChange = () => {
    reloadAll();
    bumpTags(null);
  };
  useEvent('directory.visibility_changed', onWholeChange);
  useEvent('directory.imported', onWholeChange);

  const onTag = (e: StreamEvent) => {
    const tg = e.data.tag;
    const id = asNumber(e.data.id) ?? (isObject(tg) ? asNumber(tg.id) : null);
    if (e.kind === 'tag.members_changed') return bumpTags(id);
    if (e.kind === 'tag.deleted') {
      if (id === null) return void tags.reload();
      tags.patch((list) => list.filter((x) => x.id !== id));
      return bumpTags(id);
    }
    if (isObject(tg) && id !== null && typeof tg.name === 'string') {
      const tag = normTag(tg as unknown as Tag);
      tags.patch((list) => upsert(list, tag, (x) => x.id));
      bumpTags(id);
    } else {
      void tags.reload();
    }
  };
  useEvent('tag.created', onTag);
  useEvent('tag.updated', onTag);
  useEvent('tag.deleted', onTag);
  useEvent('tag.members_changed', onTag);

  const tree = useMemo(() => (departments.data ? buildTree(departments.data) : null), [departments.data]);
  const counts = useMemo(
    () => (tree && members.data ? memberCounts(tree, members.data) : new Map<number, Counts>()),
    [tree, members.data],
  );

  return {
    departments: departments.data,
    members: members.data,
    tags: tags.data,
    error: departments.error ?? members.error ?? tags.error,
    tree,
    counts,
    reloadDepartments: departments.reload,
    reloadMembers: members.reload,
    reloadTags: tags.reload,
    reloadAll,
    tagSeq: tagState.seq,
    tagChanged: tagState.id,
    applyMember,
    removeMember,
  };
}

/** A department's name in the UI language; the root falls back to the company name. */
export function deptName(d: Department | undefined, corpName: string): string {
  if (!d) return '—';
  const name = getLang() === 'en' && d.name_en ? d.name_en : d.name;
  return name || (d.parentid === 0 ? corpName : String(d.id));
}
