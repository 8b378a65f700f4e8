//! Admin → Directory (#/app/admin/directory): departments (create under the selected one,
//! rename, order, move, delete), members (add, edit, disable / enable, delete, invite with the
//! activation link) and tags (create, rename, delete, add / remove members). Departments are also
//! dragged on the tree (between siblings to reorder, onto one to move under it) or moved up /
//! down with buttons, and a member row dragged onto a department moves them there after a
//! confirmation (directory-moves.tsx). Errors are the server's messages (cycle, depth, not
//! empty, edition limit, outside my scope, …). Buttons follow my `contacts.*` permissions
//! (perms.ts); a branch admin starts in their department. The selected department's visibility
//! rule (directory-visibility.tsx) and a member's resignation with a successor
//! (directory-resign.tsx) have their own files.

import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, directory } from '../../api';
import { DeptTree, endDrag, startMemberDrag, type DragItem, type DropWhere, type TreeDnd } from '../../components/dept-tree';
import { MemberAvatar, StatusBadge, memberDepartments } from '../../components/member';
import { Alert, Badge, Button, Card, CodeError, Empty, ErrorAlert, Field, Loading, onValue } from '../../components/ui';
import { deptName, useDirectory, type Directory } from '../../directory';
import { formatTime, t, useLang } from '../../i18n';
import { contactsAbilities, type ContactsAbilities } from '../../perms';
import type { Key } from '../../strings';
import { ancestors, flatten, matchMember, membersOf, ROOT_ID, type Tree } from '../../tree';
import type { Department, Gender, Invitation, Me, Member, MemberInput, TagDetail, TagMembersAnswer } from '../../types';
import { MemberMoveDialog, isRootDept, placeDepartment, siblingsOf } from './directory-moves';
import { ResignDialog } from './directory-resign';
import { VisibilityCard } from './directory-visibility';

type View = 'org' | 'tags';

export function AdminDirectoryPage(props: { me: Me }) {
  useLang();
  // Only a super admin reads every member unmasked; others ask the server about event payloads.
  const dir = useDirectory();
  const ab = contactsAbilities(props.me);
  const [chosen, setView] = useState<View>('org');
  const views: View[] = ab.tags ? ['org', 'tags'] : ['org'];
  const view: View = views.includes(chosen) ? chosen : 'org';
  return (
    <div class="admin-directory" data-testid="admin-directory" data-view={view}>
      {views.length > 1 ? (
        <div class="segmented" role="tablist">
          {views.map((v) => (
            <button
              key={v}
              type="button"
              role="tab"
              aria-selected={view === v}
              class={`segment${view === v ? ' is-active' : ''}`}
              data-testid={`dir-tab-${v}`}
              onClick={() => setView(v)}
            >
              {t(`dir.tab.${v}` as Key)}
            </button>
          ))}
        </div>
      ) : null}
      <ErrorAlert error={dir.error} testid="admin-directory-error" />
      {!dir.tree || !dir.members ? (
        dir.error ? null : <Loading testid="admin-directory-loading" />
      ) : view === 'org' ? (
        <OrgAdmin dir={dir} me={props.me} ab={ab} />
      ) : (
        <TagsAdmin dir={dir} me={props.me} />
      )}
    </div>
  );
}

/** A client-side problem shown like a server error. */
const localError = (key: Key) => new ApiError(0, 'client', t(key));

function deptOptions(tree: Tree, corpName: string, exclude?: number) {
  return flatten(tree)
    .filter((x) => x.dept.id !== exclude)
    .map(({ dept, depth }) => (
      <option key={dept.id} value={dept.id}>
        {`${'\u3000'.repeat(depth)}${deptName(dept, corpName)}`}
      </option>
    ));
}

// ---------------------------------------------------------------- departments + members

/** Where to start: the root, or for someone whose every role is scoped, their first department. */
function startDept(me: Me, tree: Tree): number {
  const root = tree.roots[0]?.id ?? ROOT_ID;
  if (me.is_admin || me.roles.length === 0 || me.roles.some((r) => r.departments.length === 0)) return root;
  return me.roles.flatMap((r) => r.departments).find((id) => tree.byId.has(id)) ?? root;
}

function OrgAdmin(props: { dir: Directory; me: Me; ab: ContactsAbilities }) {
  const { dir, ab } = props;
  const tree = dir.tree!;
  const corpName = props.me.corp.name;
  const [selected, setSelected] = useState<number>(() => startDept(props.me, tree));
  const [msg, setMsg] = useState<{ error: unknown; notice: string | null }>({ error: null, notice: null });
  /** The outcome of the last drop on the tree, shown above it. */
  const [moveMsg, setMoveMsg] = useState<{ error: unknown; notice: string | null }>({ error: null, notice: null });
  const [moving, setMoving] = useState(false);
  const [memberMove, setMemberMove] = useState<{ member: Member; target: Department } | null>(null);

  useEffect(() => {
    if (!tree.byId.has(selected)) setSelected(tree.roots[0]?.id ?? ROOT_ID);
  }, [tree, selected]);

  async function runMove(fn: () => Promise<string | null>) {
    setMoving(true);
    setMoveMsg({ error: null, notice: null });
    try {
      const notice = await fn();
      setMoveMsg({ error: null, notice });
    } catch (error) {
      setMoveMsg({ error, notice: null });
    } finally {
      await dir.reloadDepartments();
      setMoving(false);
    }
  }

  function drop(item: DragItem, target: Department, where: DropWhere) {
    if (moving) return;
    if (item.kind === 'member') {
      const member = dir.members?.find((m) => m.userid === item.userid);
      if (!member || (member.department.length === 1 && member.department[0] === target.id)) return;
      setMoveMsg({ error: null, notice: null });
      setMemberMove({ member, target });
      return;
    }
    const dept = tree.byId.get(item.id);
    if (!dept || dept.id === target.id) return;
    const name = deptName(dept, corpName);
    if (where === 'inside') {
      if (target.id === dept.parentid) return;
      void runMove(async () => {
        await directory.updateDepartment(dept.id, { parentid: target.id });
        return t('dir.dept.moved', { name, parent: deptName(target, corpName) });
      });
      return;
    }
    const parent = target.parentid;
    const siblings = (tree.children.get(parent) ?? []).filter((x) => x.id !== dept.id);
    const index = siblings.findIndex((x) => x.id === target.id) + (where === 'after' ? 1 : 0);
    void runMove(async () => {
      const done = await placeDepartment(tree, dept, parent, index);
      if (done === 'moved') return t('dir.dept.moved', { name, parent: deptName(tree.byId.get(parent), corpName) });
      return done ? t('dir.dept.reordered', { name }) : null;
    });
  }

  const canDragDept = ab.deptEdit || ab.deptMove;
  const dnd: TreeDnd | undefined =
    canDragDept || ab.memberEdit
      ? {
          draggable: (d) => canDragDept && !isRootDept(tree, d),
          accepts: (item, target, where) => {
            if (item.kind === 'member') return ab.memberEdit && where === 'inside';
            const dept = tree.byId.get(item.id);
            if (!dept || dept.id === target.id) return false;
            if (where === 'inside') return ab.deptMove;
            if (isRootDept(tree, target)) return false;
            return ab.deptEdit && (target.parentid === dept.parentid || ab.deptMove);
          },
          onDrop: drop,
        }
      : undefined;

  const dept = tree.byId.get(selected);
  return (
    <div class="dir-layout">
      <Card class="dir-side" testid="admin-dir-side" title={t('dir.departments')}>
        {dnd ? (
          <p class="muted small dnd-hint" data-testid="dir-dnd-hint">
            {t('dir.dnd.hint')}
          </p>
        ) : null}
        {moveMsg.notice ? (
          <Alert kind="success" testid="dir-move-notice">
            {moveMsg.notice}
          </Alert>
        ) : null}
        <CodeError error={moveMsg.error} testid="dir-move-error" />
        <div class={moving ? 'is-busy-tree' : undefined} aria-busy={moving} data-moving={moving ? 'true' : 'false'} data-testid="admin-dir-tree-wrap">
          <DeptTree
            testid="admin-dir-tree"
            tree={tree}
            counts={dir.counts}
            corpName={corpName}
            selected={selected}
            onSelect={(id) => {
              setSelected(id);
              setMsg({ error: null, notice: null });
            }}
            dnd={dnd}
          />
        </div>
      </Card>
      {memberMove ? (
        <MemberMoveDialog
          dir={dir}
          member={memberMove.member}
          target={memberMove.target}
          corpName={corpName}
          onClose={() => setMemberMove(null)}
          onDone={(notice) => {
            setMemberMove(null);
            setMoveMsg({ error: null, notice });
          }}
        />
      ) : null}
      <div class="dir-main">
        {dept ? (
          // Keyed: another department starts with its own values (set at mount, not by an effect
          // that could overwrite what is typed right after the selection).
          <DeptPanel
            key={dept.id}
            dir={dir}
            dept={dept}
            ab={ab}
            corpName={corpName}
            msg={msg}
            setMsg={setMsg}
            onSelect={setSelected}
          />
        ) : null}
        {dept && ab.visibilityEdit ? <VisibilityCard dir={dir} dept={dept} corpName={corpName} /> : null}
        {dept ? <MembersAdmin dir={dir} dept={dept} me={props.me} ab={ab} /> : null}
      </div>
    </div>
  );
}

function DeptPanel(props: {
  dir: Directory;
  dept: Department;
  ab: ContactsAbilities;
  corpName: string;
  msg: { error: unknown; notice: string | null };
  setMsg: (m: { error: unknown; notice: string | null }) => void;
  onSelect: (id: number) => void;
}) {
  const { dir, dept, corpName, ab } = props;
  const tree = dir.tree!;
  const isRoot = dept.parentid === 0 || !tree.byId.has(dept.parentid);
  const [name, setName] = useState(dept.name);
  const [nameEn, setNameEn] = useState(dept.name_en ?? '');
  const [order, setOrder] = useState(String(dept.order));
  const [parent, setParent] = useState(String(dept.parentid));
  const [newName, setNewName] = useState('');
  const [newNameEn, setNewNameEn] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  // The order changes under us when the department is moved up / down or dragged.
  useEffect(() => setOrder(String(dept.order)), [dept.order]);

  async function run(what: string, fn: () => Promise<string>) {
    setBusy(what);
    props.setMsg({ error: null, notice: null });
    try {
      const notice = await fn();
      props.setMsg({ error: null, notice });
    } catch (error) {
      props.setMsg({ error, notice: null });
    } finally {
      setBusy(null);
    }
  }

  const create = () =>
    run('create', async () => {
      const n = newName.trim();
      if (!n) throw localError('dir.dept.nameRequired');
      await directory.createDepartment({ name: n, parentid: dept.id, ...(newNameEn.trim() ? { name_en: newNameEn.trim() } : {}) });
      setNewName('');
      setNewNameEn('');
      await dir.reloadDepartments();
      return t('dir.dept.created', { name: n });
    });

  const save = () =>
    run('save', async () => {
      const n = name.trim();
      if (!n) throw localError('dir.dept.nameRequired');
      if (!/^-?\d+$/.test(order.trim())) throw localError('dir.dept.orderNumber');
      const patch: { name?: string; name_en?: string; order?: number } = {};
      if (n !== dept.name) patch.name = n;
      if (nameEn.trim() !== (dept.name_en ?? '')) patch.name_en = nameEn.trim();
      if (Number(order) !== dept.order) patch.order = Number(order);
      if (Object.keys(patch).length) await directory.updateDepartment(dept.id, patch);
      await dir.reloadDepartments();
      return t('dir.dept.saved');
    });

  const move = () =>
    run('move', async () => {
      const to = Number(parent);
      await directory.updateDepartment(dept.id, { parentid: to });
      await dir.reloadDepartments();
      return t('dir.dept.moved', { name: deptName(dept, corpName), parent: deptName(tree.byId.get(to), corpName) });
    });

  const { list: siblings, index: position } = siblingsOf(tree, dept);
  const shift = (by: -1 | 1) =>
    run(by < 0 ? 'up' : 'down', async () => {
      await placeDepartment(tree, dept, dept.parentid, position + by);
      await dir.reloadDepartments();
      return t('dir.dept.reordered', { name: deptName(dept, corpName) });
    });

  const remove = () =>
    run('delete', async () => {
      setConfirmDelete(false);
      await directory.deleteDepartment(dept.id);
      props.onSelect(dept.parentid);
      await dir.reloadDepartments();
      return t('dir.dept.deleted', { name: deptName(dept, corpName) });
    });

  const path = ancestors(tree, dept.id)
    .reverse()
    .map((id) => deptName(tree.byId.get(id), corpName));

  return (
    <Card testid="dept-panel" class="dept-panel">
      <div class="dept-panel-head" data-testid="dept-panel-head" data-dept-id={dept.id} data-name={dept.name}>
        <div>
          <h2 class="card-title">{deptName(dept, corpName)}</h2>
          <div class="muted small">
            {path.length ? `${path.join(' / ')} / ` : ''}
            {t('dir.dept.id', { id: dept.id })}
          </div>
        </div>
      </div>
      {props.msg.notice ? (
        <Alert kind="success" testid="dept-notice">
          {props.msg.notice}
        </Alert>
      ) : null}
      <CodeError error={props.msg.error} testid="dept-error" />

      {ab.deptCreate ? (
        <form
          class="inline-form dept-section"
          data-testid="dept-create-form"
          onSubmit={(e) => {
            e.preventDefault();
            void create();
          }}
        >
          <span class="section-label">{t('dir.dept.addSub')}</span>
          <input
            class="input"
            data-testid="dept-new-name"
            value={newName}
            onInput={onValue(setNewName)}
            placeholder={t('dir.dept.name')}
            aria-label={t('dir.dept.name')}
          />
          <input
            class="input"
            data-testid="dept-new-name-en"
            value={newNameEn}
            onInput={onValue(setNewNameEn)}
            placeholder={t('dir.dept.nameEn')}
            aria-label={t('dir.dept.nameEn')}
          />
          <Button testid="dept-create" kind="primary" type="submit" busy={busy === 'create'}>
            {t('dir.dept.create')}
          </Button>
        </form>
      ) : null}

      {ab.deptEdit ? (
        <form
          class="dept-section"
          data-testid="dept-edit-form"
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <div class="grid-3">
            <Field label={t('dir.dept.name')}>
              <input class="input" data-testid="dept-name" value={name} onInput={onValue(setName)} />
            </Field>
            <Field label={t('dir.dept.nameEn')}>
              <input class="input" data-testid="dept-name-en" value={nameEn} onInput={onValue(setNameEn)} />
            </Field>
            <Field label={t('dir.dept.order')} hint={t('dir.dept.order.hint')}>
              <input class="input" type="number" step={1} data-testid="dept-order" value={order} onInput={onValue(setOrder)} />
            </Field>
          </div>
          <div class="form-actions">
            <Button testid="dept-save" type="submit" busy={busy === 'save'}>
              {t('common.save')}
            </Button>
          </div>
        </form>
      ) : null}

      {ab.deptEdit && !isRoot && position >= 0 ? (
        <div class="inline-form dept-section dept-position" data-testid="dept-position" data-index={position} data-count={siblings.length}>
          <span class="section-label">{t('dir.dept.position')}</span>
          <span class="muted small" data-testid="dept-position-text">
            {t('dir.dept.positionText', { n: position + 1, total: siblings.length })}
          </span>
          <span class="row-buttons">
            <Button
              testid="dept-move-up"
              small
              busy={busy === 'up'}
              disabled={position <= 0 || busy !== null}
              onClick={() => void shift(-1)}
            >
              {t('dir.dept.moveUp')}
            </Button>
            <Button
              testid="dept-move-down"
              small
              busy={busy === 'down'}
              disabled={position >= siblings.length - 1 || busy !== null}
              onClick={() => void shift(1)}
            >
              {t('dir.dept.moveDown')}
            </Button>
          </span>
        </div>
      ) : null}

      {isRoot ? (
        <p class="muted small" data-testid="dept-root-note">
          {t('dir.dept.rootNote')}
        </p>
      ) : ab.deptMove || ab.deptDelete ? (
        <div class="dept-section dept-danger">
          {ab.deptMove ? (
            <form
              class="inline-form"
              data-testid="dept-move-form"
              onSubmit={(e) => {
                e.preventDefault();
                void move();
              }}
            >
              <span class="section-label">{t('dir.dept.moveTo')}</span>
              <select class="input" data-testid="dept-parent" value={parent} onChange={onValue(setParent)} aria-label={t('dir.dept.moveTo')}>
                {deptOptions(tree, corpName, dept.id)}
              </select>
              <Button testid="dept-move" type="submit" busy={busy === 'move'} disabled={Number(parent) === dept.parentid}>
                {t('dir.dept.move')}
              </Button>
            </form>
          ) : null}
          {ab.deptDelete ? (
            <div class="inline-form">
              <span class="section-label">{t('dir.dept.deleteLabel')}</span>
              {confirmDelete ? (
                <span class="row-buttons">
                  <Button testid="dept-delete-confirm" kind="danger" small busy={busy === 'delete'} onClick={() => void remove()}>
                    {t('dir.dept.deleteConfirm', { name: deptName(dept, corpName) })}
                  </Button>
                  <Button testid="dept-delete-cancel" small onClick={() => setConfirmDelete(false)}>
                    {t('common.cancel')}
                  </Button>
                </span>
              ) : (
                <Button testid="dept-delete" kind="danger" small busy={busy === 'delete'} onClick={() => setConfirmDelete(true)}>
                  {t('dir.dept.delete')}
                </Button>
              )}
            </div>
          ) : null}
        </div>
      ) : null}
    </Card>
  );
}

type Editing = { kind: 'new' } | { kind: 'edit'; member: Member } | null;

function MembersAdmin(props: { dir: Directory; dept: Department; me: Me; ab: ContactsAbilities }) {
  const { dir, dept, me, ab } = props;
  const tree = dir.tree!;
  const corpName = me.corp.name;
  const [includeSub, setIncludeSub] = useState(true);
  const [query, setQuery] = useState('');
  const [editing, setEditing] = useState<Editing>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [invite, setInvite] = useState<{ member: Member; invitation: Invitation } | null>(null);
  const [resigning, setResigning] = useState<Member | null>(null);

  const list = membersOf(tree, dir.members!, dept.id, includeSub).filter((m) => matchMember(m, query));

  async function act(key: string, fn: () => Promise<string | null>) {
    setBusy(key);
    setError(null);
    setNotice(null);
    try {
      const n = await fn();
      if (n) setNotice(n);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  }

  const disable = (m: Member, on: boolean) =>
    act(`status:${m.userid}`, async () => {
      if (on) await directory.enableMember(m.userid);
      else await directory.disableMember(m.userid);
      dir.applyMember({ ...m, status: on ? 1 : 2 });
      await dir.reloadMembers();
      return t(on ? 'dir.member.enabled' : 'dir.member.disabled', { name: m.name || m.userid });
    });

  const remove = (m: Member) =>
    act(`delete:${m.userid}`, async () => {
      setConfirming(null);
      await directory.deleteMember(m.userid);
      dir.removeMember(m.userid);
      if (invite?.member.userid === m.userid) setInvite(null);
      await dir.reloadMembers();
      return t('dir.member.deleted', { name: m.name || m.userid });
    });

  const sendInvite = (m: Member) =>
    act(`invite:${m.userid}`, async () => {
      const invitation = await directory.invite(m.userid);
      setInvite({ member: m, invitation });
      return null;
    });

  return (
    <Card
      testid="admin-members"
      title={t('dir.members.title', { dept: deptName(dept, corpName) })}
      actions={
        ab.memberCreate ? (
          <Button testid="member-add" kind="primary" small onClick={() => setEditing({ kind: 'new' })}>
            {t('dir.member.add')}
          </Button>
        ) : undefined
      }
    >
      {editing ? (
        <MemberForm
          key={editing.kind === 'edit' ? editing.member.userid : 'new'}
          tree={tree}
          corpName={corpName}
          member={editing.kind === 'edit' ? editing.member : null}
          defaultDept={dept.id}
          onCancel={() => setEditing(null)}
          onSaved={(m, created) => {
            setEditing(null);
            dir.applyMember(m);
            void dir.reloadMembers();
            setError(null);
            setNotice(t(created ? 'dir.member.created' : 'dir.member.saved', { name: m.name || m.userid }));
          }}
        />
      ) : null}
      {invite ? <InviteResult member={invite.member} invitation={invite.invitation} onClose={() => setInvite(null)} /> : null}
      {resigning ? (
        <ResignDialog
          dir={dir}
          member={resigning}
          onClose={() => setResigning(null)}
          onDone={(n) => {
            setResigning(null);
            setError(null);
            setNotice(n);
          }}
        />
      ) : null}
      {notice ? (
        <Alert kind="success" testid="admin-members-notice">
          {notice}
        </Alert>
      ) : null}
      <CodeError error={error} testid="admin-members-error" />
      <div class="filters">
        <input
          class="input"
          type="search"
          data-testid="admin-member-search"
          value={query}
          onInput={onValue(setQuery)}
          placeholder={t('contacts.search')}
          aria-label={t('contacts.search')}
        />
        <label class="check">
          <input
            type="checkbox"
            data-testid="admin-include-sub"
            checked={includeSub}
            onChange={(e) => setIncludeSub(e.currentTarget.checked)}
          />
          {t('contacts.includeSub')}
        </label>
      </div>
      {list.length === 0 ? (
        <Empty testid="admin-members-empty">{query.trim() ? t('contacts.noMatch') : t('contacts.noMembers')}</Empty>
      ) : (
        <div class="table-wrap">
          <table class="table" data-testid="admin-members-list">
            <thead>
              <tr>
                <th>{t('member.name')}</th>
                <th>{t('member.userid')}</th>
                <th>{t('member.position')}</th>
                <th>{t('member.departments')}</th>
                <th>{t('member.mobile')}</th>
                <th>{t('member.status')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {list.map((m) => {
                const self = m.userid === me.userid;
                return (
                  <tr
                    key={m.userid}
                    data-testid="admin-member-row"
                    data-userid={m.userid}
                    data-name={m.name}
                    data-status={m.status}
                    class={ab.memberEdit ? 'is-draggable' : undefined}
                    draggable={ab.memberEdit ? true : undefined}
                    onDragStart={ab.memberEdit ? (e) => startMemberDrag(e, m.userid) : undefined}
                    onDragEnd={ab.memberEdit ? endDrag : undefined}
                  >
                    <td data-label={t('member.name')}>
                      <span class="name-cell">
                        {ab.memberEdit ? (
                          <span class="drag-handle" aria-hidden="true" title={t('dir.member.dragHint')}>
                            ⋮⋮
                          </span>
                        ) : null}
                        <MemberAvatar member={m} />
                        <span>
                          {m.name}
                          {m.alias ? <span class="muted"> ({m.alias})</span> : null}
                        </span>
                      </span>
                    </td>
                    <td data-label={t('member.userid')} class="mono">
                      {m.userid}
                    </td>
                    <td data-label={t('member.position')}>{m.position || '—'}</td>
                    <td data-label={t('member.departments')}>
                      {memberDepartments(m, tree, corpName)
                        .map((d) => d.name)
                        .join('、')}
                    </td>
                    <td data-label={t('member.mobile')} class="mono">
                      {m.mobile || m.email || '—'}
                    </td>
                    <td data-label={t('member.status')}>
                      <StatusBadge status={m.status} />
                      {m.is_admin ? (
                        <>
                          {' '}
                          <Badge kind="blue">{t('member.admin')}</Badge>
                        </>
                      ) : null}
                    </td>
                    <td class="cell-actions">
                      <span class="row-buttons wrap">
                        {ab.memberEdit ? (
                          <Button testid="member-edit" small onClick={() => setEditing({ kind: 'edit', member: m })}>
                            {t('common.edit')}
                          </Button>
                        ) : null}
                        {ab.memberInvite && m.status === 4 ? (
                          <Button testid="member-invite" small busy={busy === `invite:${m.userid}`} onClick={() => void sendInvite(m)}>
                            {t('dir.member.invite')}
                          </Button>
                        ) : null}
                        {self || !ab.memberDisable ? null : m.status === 2 ? (
                          <Button testid="member-enable" small busy={busy === `status:${m.userid}`} onClick={() => void disable(m, true)}>
                            {t('dir.member.enable')}
                          </Button>
                        ) : (
                          <Button testid="member-disable" small busy={busy === `status:${m.userid}`} onClick={() => void disable(m, false)}>
                            {t('dir.member.disable')}
                          </Button>
                        )}
                        {self || !ab.memberResign ? null : (
                          <Button
                            testid="member-resign"
                            small
                            onClick={() => {
                              setNotice(null);
                              setResigning(m);
                            }}
                          >
                            {t('dir.member.resign')}
                          </Button>
                        )}
                        {self || !ab.memberDelete ? null : confirming === m.userid ? (
                          <>
                            <Button testid="member-delete-confirm" kind="danger" small onClick={() => void remove(m)}>
                              {t('dir.member.deleteConfirm')}
                            </Button>
                            <Button testid="member-delete-cancel" small onClick={() => setConfirming(null)}>
                              {t('common.cancel')}
                            </Button>
                          </>
                        ) : (
                          <Button
                            testid="member-delete"
                            kind="danger"
                            small
                            busy={busy === `delete:${m.userid}`}
                            onClick={() => setConfirming(m.userid)}
                          >
                            {t('common.delete')}
                          </Button>
                        )}
                      </span>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}

/** Unix ms; a value that looks like seconds is taken as seconds. */
const toMs = (n: number) => (n > 0 && n < 1e11 ? n * 1000 : n);

function InviteResult(props: { member: Member; invitation: Invitation; onClose: () => void }) {
  const [copied, setCopied] = useState(false);
  // The contract gives a path (`/#/activate?…`); make it a link that works when sent to someone.
  const url = useMemo(() => {
    try {
      return new URL(props.invitation.activation_url, location.origin).href;
    } catch {
      return props.invitation.activation_url;
    }
  }, [props.invitation.activation_url]);

  async function copy() {
    let ok = false;
    try {
      await navigator.clipboard.writeText(url);
      ok = true;
    } catch {
      const input = document.querySelector<HTMLInputElement>('[data-testid="invite-link"]');
      if (input) {
        input.select();
        try {
          ok = document.execCommand('copy');
        } catch {
          ok = false;
        }
      }
    }
    setCopied(ok);
  }

  return (
    <div class="callout invite-result" data-testid="invite-result" data-userid={props.member.userid}>
      <strong>{t('dir.invite.title', { name: props.member.name || props.member.userid })}</strong>
      <span class="muted small">{t('dir.invite.body')}</span>
      <div class="callout-row">
        <input
          class="input input-mono"
          readOnly
          data-testid="invite-link"
          value={url}
          aria-label={t('dir.invite.link')}
          onFocus={(e) => e.currentTarget.select()}
        />
        <Button testid="invite-copy" small kind="primary" onClick={() => void copy()}>
          {copied ? t('common.copied') : t('common.copy')}
        </Button>
        <Button testid="invite-close" small kind="link" onClick={props.onClose}>
          {t('common.close')}
        </Button>
      </div>
      <span class="muted small" data-testid="invite-expires">
        {t('dir.invite.expires', { time: formatTime(toMs(Number(props.invitation.expires_at))) })}
      </span>
    </div>
  );
}

interface MemberFormState {
  userid: string;
  name: string;
  alias: string;
  mobile: string;
  email: string;
  telephone: string;
  position: string;
  gender: Gender;
  department: number[];
  main: number | null;
}

function toState(m: Member | null, defaultDept: number): MemberFormState {
  if (!m) {
    return {
      userid: '',
      name: '',
      alias: '',
      mobile: '',
      email: '',
      telephone: '',
      position: '',
      gender: '0',
      department: [defaultDept],
      main: defaultDept,
    };
  }
  return {
    userid: m.userid,
    name: m.name ?? '',
    alias: m.alias ?? '',
    mobile: m.mobile ?? '',
    email: m.email ?? '',
    telephone: m.telephone ?? '',
    position: m.position ?? '',
    gender: m.gender === '1' || m.gender === '2' ? m.gender : '0',
    department: [...m.department],
    main: m.main_department ?? m.department[0] ?? null,
  };
}

const TEXT_FIELDS = ['name', 'alias', 'mobile', 'email', 'telephone', 'position'] as const;

function MemberForm(props: {
  tree: Tree;
  corpName: string;
  member: Member | null;
  defaultDept: number;
  onCancel: () => void;
  onSaved: (m: Member, created: boolean) => void;
}) {
  const original = useMemo(() => toState(props.member, props.defaultDept), [props.member, props.defaultDept]);
  const [form, setForm] = useState<MemberFormState>(original);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const editing = props.member !== null;
  const set = (k: keyof MemberFormState) => onValue((v) => setForm((f) => ({ ...f, [k]: v })));

  function toggleDept(id: number, on: boolean) {
    setForm((f) => {
      const department = on ? (f.department.includes(id) ? f.department : [...f.department, id]) : f.department.filter((x) => x !== id);
      const main = f.main !== null && department.includes(f.main) ? f.main : department[0] ?? null;
      return { ...f, department, main };
    });
  }

  async function submit() {
    setError(null);
    const f = { ...form, userid: form.userid.trim() };
    for (const k of TEXT_FIELDS) f[k] = f[k].trim();
    if (!f.userid || !f.name) return setError(localError('dir.member.required'));
    if (!f.mobile && !f.email) return setError(localError('dir.member.needContact'));
    if (f.department.length === 0) return setError(localError('dir.member.needDept'));
    const main = f.main ?? f.department[0];
    setBusy(true);
    try {
      let saved: Member;
      if (!editing) {
        const body: MemberInput = { userid: f.userid, name: f.name, department: f.department, gender: f.gender };
        if (main !== undefined) body.main_department = main;
        for (const k of TEXT_FIELDS) if (k !== 'name' && f[k]) body[k] = f[k];
        saved = await directory.createMember(body);
      } else {
        // Only what changed: masked or untouched values are not sent back.
        const patch: Partial<MemberInput> = {};
        for (const k of TEXT_FIELDS) if (f[k] !== original[k]) patch[k] = f[k];
        if (f.gender !== original.gender) patch.gender = f.gender;
        if (f.department.join() !== original.department.join()) patch.department = f.department;
        if (main !== undefined && (main !== original.main || patch.department)) patch.main_department = main;
        const answer = Object.keys(patch).length ? await directory.updateMember(f.userid, patch) : undefined;
        saved = answer ?? (await directory.member(f.userid));
      }
      props.onSaved(saved ?? (await directory.member(f.userid)), !editing);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  const options = flatten(props.tree);
  return (
    <form
      class="form member-form"
      data-testid="member-form"
      data-mode={editing ? 'edit' : 'new'}
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h3 class="form-title">
        {editing ? t('dir.member.editTitle', { name: props.member?.name || form.userid }) : t('dir.member.newTitle')}
      </h3>
      <CodeError error={error} testid="member-form-error" />
      <div class="grid-3">
        <Field label={t('member.userid')} hint={editing ? t('dir.member.userid.fixed') : t('dir.member.userid.hint')}>
          <input
            class="input input-mono"
            data-testid="member-form-userid"
            value={form.userid}
            onInput={set('userid')}
            readOnly={editing}
            required
            autocomplete="off"
          />
        </Field>
        <Field label={t('member.name')}>
          <input class="input" data-testid="member-form-name" value={form.name} onInput={set('name')} required />
        </Field>
        <Field label={t('member.alias')}>
          <input class="input" data-testid="member-form-alias" value={form.alias} onInput={set('alias')} />
        </Field>
        <Field label={t('member.mobile')}>
          <input class="input" type="tel" data-testid="member-form-mobile" value={form.mobile} onInput={set('mobile')} />
        </Field>
        <Field label={t('member.email')}>
          <input class="input" type="email" data-testid="member-form-email" value={form.email} onInput={set('email')} />
        </Field>
        <Field label={t('member.telephone')}>
          <input class="input" type="tel" data-testid="member-form-telephone" value={form.telephone} onInput={set('telephone')} />
        </Field>
        <Field label={t('member.position')}>
          <input class="input" data-testid="member-form-position" value={form.position} onInput={set('position')} />
        </Field>
        <Field label={t('member.gender')}>
          <select class="input" data-testid="member-form-gender" value={form.gender} onChange={set('gender')}>
            {(['0', '1', '2'] as const).map((g) => (
              <option key={g} value={g}>
                {t(`member.gender.${g}` as Key)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('member.mainDepartment')}>
          <select
            class="input"
            data-testid="member-form-main"
            value={form.main === null ? '' : String(form.main)}
            onChange={(e) => {
              const v = e.currentTarget.value;
              setForm((f) => ({ ...f, main: v ? Number(v) : null }));
            }}
          >
            {form.department.map((id) => (
              <option key={id} value={id}>
                {deptName(props.tree.byId.get(id), props.corpName)}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <div class="field">
        <span class="field-label">{t('member.departments')}</span>
        <div class="dept-checks" data-testid="member-form-departments">
          {options.map(({ dept, depth }) => (
            <label class="check" key={dept.id} style={{ paddingLeft: `${depth * 18}px` }}>
              <input
                type="checkbox"
                data-testid={`member-form-dept-${dept.id}`}
                data-name={dept.name}
                checked={form.department.includes(dept.id)}
                onChange={(e) => toggleDept(dept.id, e.currentTarget.checked)}
              />
              {deptName(dept, props.corpName)}
            </label>
          ))}
        </div>
      </div>
      <div class="form-actions">
        <Button testid="member-form-save" kind="primary" type="submit" busy={busy}>
          {editing ? t('common.save') : t('dir.member.create')}
        </Button>
        <Button testid="member-form-cancel" onClick={props.onCancel} disabled={busy}>
          {t('common.cancel')}
        </Button>
      </div>
    </form>
  );
}

// ---------------------------------------------------------------- tags

function TagsAdmin(props: { dir: Directory; me: Me }) {
  const { dir } = props;
  const tags = dir.tags ?? [];
  const [selected, setSelected] = useState<number | null>(null);
  const [newName, setNewName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    if (selected !== null && dir.tags && !dir.tags.some((x) => x.id === selected)) setSelected(null);
  }, [dir.tags, selected]);

  async function create() {
    const name = newName.trim();
    if (!name) return setError(localError('dir.tag.nameRequired'));
    setBusy(true);
    setError(null);
    try {
      const { id } = await directory.createTag(name);
      setNewName('');
      await dir.reloadTags();
      setSelected(id);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const tag = tags.find((x) => x.id === selected) ?? null;
  return (
    <div class="dir-layout">
      <Card class="dir-side" testid="admin-tags" title={t('dir.tags')}>
        <form
          class="inline-form"
          data-testid="tag-create-form"
          onSubmit={(e) => {
            e.preventDefault();
            void create();
          }}
        >
          <input
            class="input"
            data-testid="tag-new-name"
            value={newName}
            onInput={onValue(setNewName)}
            placeholder={t('dir.tag.name')}
            aria-label={t('dir.tag.name')}
          />
          <Button testid="tag-create" kind="primary" type="submit" busy={busy}>
            {t('dir.tag.create')}
          </Button>
        </form>
        <CodeError error={error} testid="tag-create-error" />
        {tags.length === 0 ? (
          <Empty testid="tags-empty">{t('contacts.tags.empty')}</Empty>
        ) : (
          <ul class="tag-list" data-testid="tags-list">
            {tags.map((x) => (
              <li key={x.id}>
                <button
                  type="button"
                  class={`tag-item${selected === x.id ? ' is-selected' : ''}`}
                  data-testid="tag-row"
                  data-tag-id={x.id}
                  data-name={x.name}
                  aria-current={selected === x.id ? 'true' : undefined}
                  onClick={() => setSelected(x.id)}
                >
                  <span class="tag-dot" aria-hidden="true" />
                  {x.name}
                </button>
              </li>
            ))}
          </ul>
        )}
      </Card>
      <div class="dir-main">
        {tag ? (
          <TagPanel key={tag.id} dir={dir} tagId={tag.id} tagName={tag.name} corpName={props.me.corp.name} />
        ) : (
          <Card testid="tag-none">
            <Empty testid="tag-none-text">{t('dir.tag.choose')}</Empty>
          </Card>
        )}
      </div>
    </div>
  );
}

function invalidText(answer: TagMembersAnswer): string {
  const list = (v: unknown): string[] =>
    Array.isArray(v) ? v.map(String) : typeof v === 'string' && v ? v.split('|').filter(Boolean) : [];
  return [...list(answer.invalidlist), ...list(answer.invalidparty)].join(', ');
}

function TagPanel(props: { dir: Directory; tagId: number; tagName: string; corpName: string }) {
  const { dir, tagId } = props;
  const tree = dir.tree!;
  const [detail, setDetail] = useState<TagDetail | null>(null);
  const [name, setName] = useState(props.tagName);
  const [addUser, setAddUser] = useState('');
  const [addParty, setAddParty] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [invalid, setInvalid] = useState<string | null>(null);

  const load = () =>
    directory.tag(tagId).then(
      (d) => setDetail(d),
      (err: unknown) => setError(err),
    );
  useEffect(() => {
    if (dir.tagChanged === null || dir.tagChanged === tagId || detail === null) void load();
  }, [tagId, dir.tagSeq]);

  async function act(key: string, fn: () => Promise<string | null>) {
    setBusy(key);
    setError(null);
    setNotice(null);
    setInvalid(null);
    try {
      const n = await fn();
      if (n) setNotice(n);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  }

  const change = (add: boolean, body: { userlist?: string[]; partylist?: number[] }) =>
    act(add ? 'add' : 'remove', async () => {
      const answer = add ? await directory.addTagMembers(tagId, body) : await directory.removeTagMembers(tagId, body);
      const bad = answer ? invalidText(answer) : '';
      if (bad) setInvalid(bad);
      await load();
      return null;
    });

  const members = detail?.userlist ?? [];
  const parties = detail?.partylist ?? [];
  const candidates = (dir.members ?? []).filter((m) => !members.some((u) => u.userid === m.userid));
  const partyOptions = flatten(tree).filter((x) => !parties.includes(x.dept.id));

  return (
    <Card testid="tag-panel" class="tag-panel">
      <div class="dept-panel-head" data-testid="tag-panel-head" data-tag-id={tagId} data-name={props.tagName}>
        <h2 class="card-title">{props.tagName}</h2>
      </div>
      {notice ? (
        <Alert kind="success" testid="tag-notice">
          {notice}
        </Alert>
      ) : null}
      {invalid ? (
        <Alert kind="warning" testid="tag-invalid">
          {t('dir.tag.invalid', { list: invalid })}
        </Alert>
      ) : null}
      <CodeError error={error} testid="tag-error" />

      <form
        class="inline-form dept-section"
        data-testid="tag-rename-form"
        onSubmit={(e) => {
          e.preventDefault();
          const n = name.trim();
          if (!n) return setError(localError('dir.tag.nameRequired'));
          void act('rename', async () => {
            await directory.renameTag(tagId, n);
            await dir.reloadTags();
            return t('dir.tag.renamed');
          });
        }}
      >
        <span class="section-label">{t('dir.tag.name')}</span>
        <input class="input" data-testid="tag-name" value={name} onInput={onValue(setName)} aria-label={t('dir.tag.name')} />
        <Button testid="tag-rename" type="submit" busy={busy === 'rename'} disabled={name.trim() === props.tagName}>
          {t('dir.tag.rename')}
        </Button>
        {confirmDelete ? (
          <span class="row-buttons">
            <Button
              testid="tag-delete-confirm"
              kind="danger"
              small
              busy={busy === 'delete'}
              onClick={() =>
                void act('delete', async () => {
                  setConfirmDelete(false);
                  await directory.deleteTag(tagId);
                  await dir.reloadTags();
                  return null;
                })
              }
            >
              {t('dir.tag.deleteConfirm')}
            </Button>
            <Button testid="tag-delete-cancel" small onClick={() => setConfirmDelete(false)}>
              {t('common.cancel')}
            </Button>
          </span>
        ) : (
          <Button testid="tag-delete" kind="danger" small onClick={() => setConfirmDelete(true)}>
            {t('common.delete')}
          </Button>
        )}
      </form>

      <div class="dept-section">
        <h3 class="form-title">{t('dir.tag.members')}</h3>
        {!detail ? (
          error ? null : <Loading />
        ) : (
          <>
            {members.length === 0 && parties.length === 0 ? (
              <Empty testid="tag-members-empty">{t('dir.tag.noMembers')}</Empty>
            ) : (
              <ul class="chip-list" data-testid="tag-members">
                {members.map((u) => (
                  <li key={u.userid} class="chip" data-testid="tag-member" data-userid={u.userid}>
                    {u.name || u.userid}
                    <button
                      type="button"
                      class="chip-remove"
                      data-testid="tag-member-remove"
                      aria-label={t('dir.tag.remove', { name: u.name || u.userid })}
                      disabled={busy !== null}
                      onClick={() => void change(false, { userlist: [u.userid] })}
                    >
                      ✕
                    </button>
                  </li>
                ))}
                {parties.map((id) => (
                  <li key={`p${id}`} class="chip chip-dept" data-testid="tag-party" data-dept-id={id}>
                    {deptName(tree.byId.get(id), props.corpName)}
                    <button
                      type="button"
                      class="chip-remove"
                      data-testid="tag-party-remove"
                      aria-label={t('dir.tag.remove', { name: deptName(tree.byId.get(id), props.corpName) })}
                      disabled={busy !== null}
                      onClick={() => void change(false, { partylist: [id] })}
                    >
                      ✕
                    </button>
                  </li>
                ))}
              </ul>
            )}
            <form
              class="inline-form"
              data-testid="tag-add-user-form"
              onSubmit={(e) => {
                e.preventDefault();
                if (addUser) void change(true, { userlist: [addUser] }).then(() => setAddUser(''));
              }}
            >
              <select class="input" data-testid="tag-add-user" value={addUser} onChange={onValue(setAddUser)} aria-label={t('dir.tag.addMember')}>
                <option value="">{t('dir.tag.addMember')}</option>
                {candidates.map((m) => (
                  <option key={m.userid} value={m.userid}>
                    {m.name ? `${m.name} (${m.userid})` : m.userid}
                  </option>
                ))}
              </select>
              <Button testid="tag-add-user-submit" type="submit" busy={busy === 'add'} disabled={!addUser}>
                {t('dir.tag.add')}
              </Button>
            </form>
            <form
              class="inline-form"
              data-testid="tag-add-party-form"
              onSubmit={(e) => {
                e.preventDefault();
                if (addParty) void change(true, { partylist: [Number(addParty)] }).then(() => setAddParty(''));
              }}
            >
              <select class="input" data-testid="tag-add-party" value={addParty} onChange={onValue(setAddParty)} aria-label={t('dir.tag.addDept')}>
                <option value="">{t('dir.tag.addDept')}</option>
                {partyOptions.map(({ dept, depth }) => (
                  <option key={dept.id} value={dept.id}>
                    {`${'\u3000'.repeat(depth)}${deptName(dept, props.corpName)}`}
                  </option>
                ))}
              </select>
              <Button testid="tag-add-party-submit" type="submit" busy={busy === 'add'} disabled={!addParty}>
                {t('dir.tag.add')}
              </Button>
            </form>
          </>
        )}
      </div>
    </Card>
  );
}
