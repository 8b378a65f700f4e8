//! The department tree (Contacts, Admin → Directory, role scopes): expand / collapse, select,
//! counts. Everything starts expanded; the path to the selected department is opened when it
//! changes. With `checked` it picks several: those rows are marked and `onSelect` toggles.
//! With `dnd` (Admin → Directory) rows are HTML5 drag sources and drop targets: a department
//! dropped on a row's upper or lower quarter goes before / after it, on the middle under it; a
//! member (dragged from a list with `startMemberDrag`) is dropped on a row as a whole.

import { useEffect, useState } from 'preact/hooks';
import { deptName } from '../directory';
import { t, tCount } from '../i18n';
import { ancestors, type Counts, type Tree } from '../tree';
import type { Department } from '../types';

/** What is being dragged onto the tree. */
export type DragItem = { kind: 'dept'; id: number } | { kind: 'member'; userid: string };
export type DropWhere = 'before' | 'after' | 'inside';

export interface TreeDnd {
  /** Whether this department's row may be dragged. */
  draggable: (d: Department) => boolean;
  /** Whether `item` may be dropped on `target` there (the caller's rules, e.g. permissions). */
  accepts: (item: DragItem, target: Department, where: DropWhere) => boolean;
  onDrop: (item: DragItem, target: Department, where: DropWhere) => void;
}

const DEPT_TYPE = 'application/x-workhub-department';
const MEMBER_TYPE = 'application/x-workhub-member';
/** The drag in progress (a drag over event may not read its data, only its types). */
let dragging: DragItem | null = null;

function begin(e: DragEvent, item: DragItem, type: string, text: string) {
  dragging = item;
  if (!e.dataTransfer) return;
  e.dataTransfer.effectAllowed = 'move';
  e.dataTransfer.setData(type, text);
  e.dataTransfer.setData('text/plain', text);
}

/** Starts dragging a member (a row of a member list) towards the tree. */
export function startMemberDrag(e: DragEvent, userid: string) {
  begin(e, { kind: 'member', userid }, MEMBER_TYPE, userid);
}

export function endDrag() {
  dragging = null;
}

/** The drag in progress, if it is one of ours (its type is there: not a file or text from elsewhere). */
function ours(e: DragEvent): DragItem | null {
  const types = e.dataTransfer ? Array.from(e.dataTransfer.types) : [];
  if (!dragging) return null;
  return types.includes(dragging.kind === 'dept' ? DEPT_TYPE : MEMBER_TYPE) ? dragging : null;
}

export function DeptTree(props: {
  testid: string;
  tree: Tree;
  counts?: Map<number, Counts>;
  selected: number | null;
  onSelect: (id: number) => void;
  corpName: string;
  /** Several chosen departments (multiple selection); `selected` then only opens its path. */
  checked?: ReadonlySet<number>;
  dnd?: TreeDnd;
}) {
  const [collapsed, setCollapsed] = useState<Set<number>>(() => new Set());
  const [dropAt, setDropAt] = useState<{ id: number; where: DropWhere } | null>(null);
  const [dragId, setDragId] = useState<number | null>(null);
  useEffect(() => {
    if (props.selected === null) return;
    const path = ancestors(props.tree, props.selected);
    if (path.some((id) => collapsed.has(id))) {
      setCollapsed((c) => {
        const next = new Set(c);
        path.forEach((id) => next.delete(id));
        return next;
      });
    }
  }, [props.selected, props.tree]);

  const toggle = (id: number) =>
    setCollapsed((c) => {
      const next = new Set(c);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  const seen = new Set<number>();
  const node = (d: Department, depth: number) => {
    if (seen.has(d.id)) return null;
    seen.add(d.id);
    const kids = props.tree.children.get(d.id) ?? [];
    const open = !collapsed.has(d.id);
    const selected = props.checked ? props.checked.has(d.id) : props.selected === d.id;
    const count = props.counts?.get(d.id);
    const name = deptName(d, props.corpName);
    const dnd = props.dnd;
    const canDrag = !!dnd && dnd.draggable(d);
    const drop = dropAt?.id === d.id ? dropAt.where : null;
    /** Where a drag over this row would land, or null where it may not. */
    const whereFor = (e: DragEvent): DropWhere | null => {
      const item = dnd ? ours(e) : null;
      if (!dnd || !item) return null;
      let where: DropWhere = 'inside';
      if (item.kind === 'dept') {
        const box = (e.currentTarget as HTMLElement).getBoundingClientRect();
        const y = (e.clientY - box.top) / Math.max(1, box.height);
        where = y < 0.25 ? 'before' : y > 0.75 ? 'after' : 'inside';
        if (where !== 'inside' && !dnd.accepts(item, d, where)) where = 'inside';
      }
      return dnd.accepts(item, d, where) ? where : null;
    };
    return (
      <li
        key={d.id}
        class="dept-node"
        role="treeitem"
        aria-expanded={kids.length ? open : undefined}
        aria-selected={selected}
        data-testid="dept-node"
        data-dept-id={d.id}
        data-name={d.name}
        data-expanded={kids.length ? String(open) : undefined}
      >
        <div
          class={`dept-row${selected ? ' is-selected' : ''}${drop ? ` drop-${drop}` : ''}${dragId === d.id ? ' is-dragging' : ''}`}
          style={{ paddingLeft: `${depth * 16 + 4}px` }}
          data-drop={drop ?? undefined}
          draggable={canDrag ? true : undefined}
          onDragStart={
            canDrag
              ? (e) => {
                  begin(e, { kind: 'dept', id: d.id }, DEPT_TYPE, String(d.id));
                  setDragId(d.id);
                }
              : undefined
          }
          onDragEnd={
            dnd
              ? () => {
                  endDrag();
                  setDragId(null);
                  setDropAt(null);
                }
              : undefined
          }
          onDragOver={
            dnd
              ? (e) => {
                  const where = whereFor(e);
                  if (!where) {
                    if (dropAt?.id === d.id) setDropAt(null);
                    return;
                  }
                  e.preventDefault();
                  if (e.dataTransfer) e.dataTransfer.dropEffect = 'move';
                  if (drop !== where) setDropAt({ id: d.id, where });
                }
              : undefined
          }
          onDragLeave={
            dnd
              ? (e) => {
                  if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDropAt((x) => (x?.id === d.id ? null : x));
                }
              : undefined
          }
          onDrop={
            dnd
              ? (e) => {
                  const item = ours(e);
                  const where = whereFor(e);
                  setDropAt(null);
                  setDragId(null);
                  endDrag();
                  if (!item || !where) return;
                  e.preventDefault();
                  dnd.onDrop(item, d, where);
                }
              : undefined
          }
        >
          {kids.length ? (
            <button
              type="button"
              class={`dept-toggle${open ? ' is-open' : ''}`}
              data-testid="dept-toggle"
              aria-label={open ? t('tree.collapse', { name }) : t('tree.expand', { name })}
              onClick={() => toggle(d.id)}
            >
              <svg viewBox="0 0 24 24" width="14" height="14" aria-hidden="true">
                <path d="M9 6l6 6-6 6" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" />
              </svg>
            </button>
          ) : (
            <span class="dept-toggle-spacer" />
          )}
          <button
            type="button"
            class="dept-select"
            data-testid="dept-select"
            data-dept-id={d.id}
            data-name={d.name}
            aria-current={selected ? 'true' : undefined}
            onClick={() => props.onSelect(d.id)}
            title={name}
          >
            <span class="dept-label">{name}</span>
            {count ? (
              <span class="dept-count" data-testid="dept-count" title={tCount('tree.count', count.total)}>
                {count.total}
              </span>
            ) : null}
          </button>
        </div>
        {kids.length && open ? (
          <ul role="group" class="dept-children">
            {kids.map((k) => node(k, depth + 1))}
          </ul>
        ) : null}
      </li>
    );
  };

  return (
    <ul
      class="dept-tree"
      role="tree"
      data-testid={props.testid}
      aria-label={t('tree.label')}
      aria-multiselectable={props.checked ? true : undefined}
    >
      {props.tree.roots.map((r) => node(r, 0))}
    </ul>
  );
}
