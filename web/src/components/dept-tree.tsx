//! The department tree (Contacts, Admin → Directory, role scopes): expand / collapse, select,
//! counts. Everything starts expanded; the path to the selected department is opened when it
//! changes. With `checked` it picks several: those rows are marked and `onSelect` toggles.

import { useEffect, useState } from 'preact/hooks';
import { deptName } from '../directory';
import { t, tCount } from '../i18n';
import { ancestors, type Counts, type Tree } from '../tree';
import type { Department } from '../types';

export function DeptTree(props: {
  testid: string;
  tree: Tree;
  counts?: Map<number, Counts>;
  selected: number | null;
  onSelect: (id: number) => void;
  corpName: string;
  /** Several chosen departments (multiple selection); `selected` then only opens its path. */
  checked?: ReadonlySet<number>;
}) {
  const [collapsed, setCollapsed] = useState<Set<number>>(() => new Set());
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
        <div class={`dept-row${selected ? ' is-selected' : ''}`} style={{ paddingLeft: `${depth * 16 + 4}px` }}>
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
