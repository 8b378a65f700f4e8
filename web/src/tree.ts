//! Pure directory helpers (no UI): the department tree from the flat list, member counts,
//! department member lists, search matching, and applying live events to the loaded lists.
//! tests/unit.test.mjs exercises them directly.

import type { Department, Member } from './types';

export const ROOT_ID = 1;

export interface Tree {
  byId: Map<number, Department>;
  /** Children of each department, larger `order` first, then by id. */
  children: Map<number, Department[]>;
  /** Departments without a known parent: normally just the root. */
  roots: Department[];
}

const bySiblingOrder = (a: Department, b: Department) => b.order - a.order || a.id - b.id;

export function buildTree(departments: Department[]): Tree {
  const byId = new Map<number, Department>();
  for (const d of departments) byId.set(d.id, d);
  const children = new Map<number, Department[]>();
  const roots: Department[] = [];
  for (const d of byId.values()) {
    if (d.parentid !== d.id && byId.has(d.parentid)) {
      let list = children.get(d.parentid);
      if (!list) children.set(d.parentid, (list = []));
      list.push(d);
    } else {
      roots.push(d);
    }
  }
  for (const list of children.values()) list.sort(bySiblingOrder);
  roots.sort((a, b) => (a.id === ROOT_ID ? -1 : b.id === ROOT_ID ? 1 : bySiblingOrder(a, b)));
  return { byId, children, roots };
}

/** `id` and everything below it (guarded against a cycle in bad data). */
export function subtreeIds(tree: Tree, id: number): Set<number> {
  const out = new Set<number>();
  const stack = [id];
  while (stack.length) {
    const cur = stack.pop() as number;
    if (out.has(cur)) continue;
    out.add(cur);
    for (const c of tree.children.get(cur) ?? []) stack.push(c.id);
  }
  return out;
}

/** Ancestors of `id`, nearest first (not including `id`). */
export function ancestors(tree: Tree, id: number): number[] {
  const out: number[] = [];
  const seen = new Set<number>([id]);
  let cur = tree.byId.get(id);
  while (cur && tree.byId.has(cur.parentid) && !seen.has(cur.parentid)) {
    out.push(cur.parentid);
    seen.add(cur.parentid);
    cur = tree.byId.get(cur.parentid);
  }
  return out;
}

/** Departments in display order (depth-first), each with its depth (root = 0). */
export function flatten(tree: Tree): { dept: Department; depth: number }[] {
  const out: { dept: Department; depth: number }[] = [];
  const seen = new Set<number>();
  const walk = (d: Department, depth: number) => {
    if (seen.has(d.id)) return;
    seen.add(d.id);
    out.push({ dept: d, depth });
    for (const c of tree.children.get(d.id) ?? []) walk(c, depth + 1);
  };
  for (const r of tree.roots) walk(r, 0);
  return out;
}

export interface Counts {
  /** Members directly in the department. */
  direct: number;
  /** Distinct members in the department and everything below it. */
  total: number;
}

export function memberCounts(tree: Tree, members: Member[]): Map<number, Counts> {
  const direct = new Map<number, Set<string>>();
  for (const m of members) {
    for (const id of m.department) {
      let set = direct.get(id);
      if (!set) direct.set(id, (set = new Set()));
      set.add(m.userid);
    }
  }
  const out = new Map<number, Counts>();
  const totals = (id: number, guard: Set<number>): Set<string> => {
    const all = new Set(direct.get(id) ?? []);
    if (guard.has(id)) return all;
    guard.add(id);
    for (const c of tree.children.get(id) ?? []) for (const u of totals(c.id, guard)) all.add(u);
    out.set(id, { direct: direct.get(id)?.size ?? 0, total: all.size });
    return all;
  };
  for (const r of tree.roots) totals(r.id, new Set());
  return out;
}

/** Members of a department, optionally with its sub-departments, sorted by name then userid. */
export function membersOf(tree: Tree, members: Member[], id: number, includeSub: boolean): Member[] {
  const ids = includeSub ? subtreeIds(tree, id) : new Set([id]);
  return members.filter((m) => m.department.some((d) => ids.has(d))).sort(byName);
}

export function byName(a: Member, b: Member): number {
  return (a.name || a.userid).localeCompare(b.name || b.userid, 'zh-CN') || a.userid.localeCompare(b.userid);
}

/** Case-insensitive match on name, userid, alias and position; an empty query matches all. */
export function matchMember(m: Member, q: string): boolean {
  const needle = q.trim().toLowerCase();
  if (!needle) return true;
  return [m.name, m.userid, m.alias, m.position].some((v) => typeof v === 'string' && v.toLowerCase().includes(needle));
}

/** Replaces the item with the same key, or appends it. */
export function upsert<T>(list: T[], item: T, key: (x: T) => string | number): T[] {
  const k = key(item);
  const i = list.findIndex((x) => key(x) === k);
  if (i < 0) return [...list, item];
  const next = list.slice();
  next[i] = item;
  return next;
}

/** Space left between sibling orders when they are numbered afresh. */
export const ORDER_GAP = 100;

/** A department's new `order` for a place among siblings, and siblings whose order must change. */
export interface Placement {
  order: number;
  renumber: { id: number; order: number }[];
}

/**
 * Where a department lands at `index` of `siblings` (its new siblings in display order, larger
 * `order` first, without itself). Its order must lie strictly between its new neighbours' (ties
 * sort by id, which would not put it where it was dropped): its own order if it already does,
 * else a value in the gap, else every sibling is numbered afresh with ORDER_GAP steps and only
 * the ones that change are listed. Orders stay non-negative, as in WeCom.
 */
export function placeAt(siblings: Department[], index: number, current: number): Placement {
  const i = Math.max(0, Math.min(index, siblings.length));
  const above = siblings[i - 1];
  const below = siblings[i];
  const fits = (o: number) => (!above || o < above.order) && (!below || o > below.order) && o >= 0;
  if (fits(current)) return { order: current, renumber: [] };
  let order: number | null = null;
  if (above && below) {
    if (above.order - below.order >= 2) order = Math.floor((above.order + below.order) / 2);
  } else if (below) {
    order = Math.max(below.order, -1) + ORDER_GAP;
  } else if (above) {
    if (above.order >= ORDER_GAP) order = above.order - ORDER_GAP;
    else if (above.order >= 1) order = Math.floor(above.order / 2);
  }
  if (order !== null && fits(order)) return { order, renumber: [] };
  // No gap: number the whole row again, top = n * GAP ... bottom = GAP.
  const n = siblings.length + 1;
  const renumber: { id: number; order: number }[] = [];
  let mine = 0;
  for (let k = 0; k < n; k++) {
    const value = (n - k) * ORDER_GAP;
    if (k === i) mine = value;
    else {
      const d = siblings[k < i ? k : k - 1] as Department;
      if (d.order !== value) renumber.push({ id: d.id, order: value });
    }
  }
  return { order: mine, renumber };
}
