//! Moving things in Admin → Directory: a department to another place among its siblings or under
//! another department (drag and drop on the tree, or the move up / down buttons), and a member to
//! one department (dropped on the tree, after a confirmation). Orders sort descending; the new
//! order comes from tree.ts `placeAt`, which numbers the siblings afresh when there is no gap.

import { useState } from 'preact/hooks';
import { directory, type DepartmentPatch } from '../../api';
import { Dialog } from '../../components/dialog';
import { memberDepartments } from '../../components/member';
import { Button, CodeError } from '../../components/ui';
import { deptName, type Directory } from '../../directory';
import { t } from '../../i18n';
import { placeAt, type Tree } from '../../tree';
import type { Department, Member } from '../../types';

/** The root (the company) cannot be moved, reordered or given siblings. */
export const isRootDept = (tree: Tree, d: Department) => d.parentid === 0 || !tree.byId.has(d.parentid);

/** The department's siblings in display order (itself included) and its position among them. */
export function siblingsOf(tree: Tree, d: Department): { list: Department[]; index: number } {
  const list = tree.children.get(d.parentid) ?? [];
  return { list, index: list.findIndex((x) => x.id === d.id) };
}

/**
 * Puts `dept` under `parent` at `index` of that parent's children (display order, `dept` left
 * out). The department itself is patched first (parent and order in one call), so a refusal such
 * as `department_cycle` comes before any sibling was renumbered. Returns what happened, or null
 * when it already was there.
 */
export async function placeDepartment(tree: Tree, dept: Department, parent: number, index: number): Promise<'moved' | 'reordered' | null> {
  const siblings = (tree.children.get(parent) ?? []).filter((x) => x.id !== dept.id);
  if (parent === dept.parentid && siblingsOf(tree, dept).index === index) return null;
  const place = placeAt(siblings, index, dept.order);
  const body: DepartmentPatch = {};
  if (parent !== dept.parentid) body.parentid = parent;
  if (place.order !== dept.order) body.order = place.order;
  if (body.parentid !== undefined || body.order !== undefined) await directory.updateDepartment(dept.id, body);
  for (const r of place.renumber) await directory.updateDepartment(r.id, { order: r.order });
  return body.parentid !== undefined ? 'moved' : 'reordered';
}

/**
 * Confirms moving a member to one department (their department list becomes just that one), then
 * sends it. The server's refusal stays in the dialog.
 */
export function MemberMoveDialog(props: {
  dir: Directory;
  member: Member;
  target: Department;
  corpName: string;
  onClose: () => void;
  onDone: (notice: string) => void;
}) {
  const { dir, member, target } = props;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const name = member.name || member.userid;
  const dept = deptName(target, props.corpName);
  const now = memberDepartments(member, dir.tree!, props.corpName)
    .map((d) => d.name)
    .join('、');

  async function confirm() {
    setBusy(true);
    setError(null);
    try {
      const saved = await directory.updateMember(member.userid, { department: [target.id], main_department: target.id });
      if (saved) dir.applyMember(saved);
      void dir.reloadMembers();
      props.onDone(t('dir.memberMove.done', { name, dept }));
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  return (
    <Dialog testid="member-move" title={t('dir.memberMove.title')} onClose={props.onClose}>
      <div class="member-move" data-userid={member.userid} data-target={target.id}>
        <p data-testid="member-move-text">{t('dir.memberMove.body', { name, dept })}</p>
        <p class="muted small">{t('dir.memberMove.current', { list: now || '—', dept })}</p>
        <CodeError error={error} testid="member-move-error" />
        <div class="form-actions">
          <Button testid="member-move-confirm" kind="primary" busy={busy} onClick={() => void confirm()}>
            {t('dir.memberMove.confirm')}
          </Button>
          <Button testid="member-move-cancel" onClick={props.onClose} disabled={busy}>
            {t('common.cancel')}
          </Button>
        </div>
      </div>
    </Dialog>
  );
}
