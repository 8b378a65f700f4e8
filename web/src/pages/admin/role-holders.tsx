//! A role's holders and their scope (department names, or the whole company), with adding a
//! holder (the member picker, and the department tree for roles that take a scope), changing a
//! holder's scope and removing a holder. The server checks who may grant what (nobody grants
//! more than they hold, the last super admin stays) and its refusal is shown.

import { useMemo, useState } from 'preact/hooks';
import { ApiError, roles } from '../../api';
import { DeptTree } from '../../components/dept-tree';
import { Dialog } from '../../components/dialog';
import { MemberPicker } from '../../components/member-picker';
import { Button, Card, CodeError, Empty, Loading } from '../../components/ui';
import { deptName, type Directory } from '../../directory';
import { t } from '../../i18n';
import { can } from '../../perms';
import type { Me, Member, Role, RoleHolder } from '../../types';

export function RoleHolders(props: { role: Role; me: Me; dir: Directory; onChanged: (notice: string) => void }) {
  const { role, dir } = props;
  const corpName = props.me.corp.name;
  const canAssign = can(props.me, 'security.admin_role.assign');
  const [dialog, setDialog] = useState<{ kind: 'add' } | { kind: 'scope'; holder: RoleHolder } | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  const scopeText = (h: RoleHolder) =>
    role.scoped === 'none' || h.departments.length === 0
      ? t('roles.holders.whole')
      : h.departments.map((id) => (dir.tree?.byId.has(id) ? deptName(dir.tree.byId.get(id), corpName) : `#${id}`)).join('、');

  async function remove(h: RoleHolder) {
    setBusy(h.userid);
    setError(null);
    try {
      await roles.removeHolder(role.id, h.userid);
      setConfirming(null);
      props.onChanged(t('roles.holders.removed', { name: h.name || h.userid, role: role.name }));
    } catch (err) {
      // e.g. `last_super_admin`
      setError(err);
      setConfirming(null);
    } finally {
      setBusy(null);
    }
  }

  return (
    <Card
      testid="role-holders"
      title={t('roles.holders.title')}
      actions={
        canAssign ? (
          <Button
            testid="holder-add"
            kind="primary"
            small
            onClick={() => {
              setError(null);
              setDialog({ kind: 'add' });
            }}
          >
            {t('roles.holders.add')}
          </Button>
        ) : undefined
      }
    >
      <CodeError error={error} testid="holders-error" />
      {role.holders.length === 0 ? (
        <Empty testid="holders-empty">{t('roles.holders.empty')}</Empty>
      ) : (
        <ul class="rows holder-list" data-testid="holders-list">
          {role.holders.map((h) => (
            <li key={h.userid} class="row-card holder-row" data-testid="holder-row" data-userid={h.userid}>
              <div class="row-main">
                <div class="holder-name">
                  <strong data-testid="holder-name">{h.name || h.userid}</strong> <span class="muted small mono">{h.userid}</span>
                </div>
                <div class="small">
                  <span class="muted">{t('roles.holders.scope')}：</span>
                  <span data-testid="holder-scope" data-departments={h.departments.join(',')}>
                    {scopeText(h)}
                  </span>
                </div>
              </div>
              {canAssign ? (
                <span class="row-buttons wrap">
                  {role.scoped !== 'none' ? (
                    <Button testid="holder-edit-scope" small onClick={() => setDialog({ kind: 'scope', holder: h })}>
                      {t('roles.holders.changeScope')}
                    </Button>
                  ) : null}
                  {confirming === h.userid ? (
                    <>
                      <Button testid="holder-remove-confirm" kind="danger" small busy={busy === h.userid} onClick={() => void remove(h)}>
                        {t('roles.holders.removeConfirm')}
                      </Button>
                      <Button testid="holder-remove-cancel" small onClick={() => setConfirming(null)}>
                        {t('common.cancel')}
                      </Button>
                    </>
                  ) : (
                    <Button testid="holder-remove" kind="danger" small onClick={() => setConfirming(h.userid)}>
                      {t('roles.holders.remove')}
                    </Button>
                  )}
                </span>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {dialog ? (
        <HolderDialog
          role={role}
          holder={dialog.kind === 'scope' ? dialog.holder : null}
          dir={dir}
          corpName={corpName}
          onClose={() => setDialog(null)}
          onSaved={(notice) => {
            setDialog(null);
            setError(null);
            props.onChanged(notice);
          }}
        />
      ) : null}
    </Card>
  );
}

/** Adds a holder (`holder` null) or changes one's departments. */
function HolderDialog(props: {
  role: Role;
  holder: RoleHolder | null;
  dir: Directory;
  corpName: string;
  onClose: () => void;
  onSaved: (notice: string) => void;
}) {
  const { role, holder, dir, corpName } = props;
  const [member, setMember] = useState<Member | null>(null);
  const [depts, setDepts] = useState<number[]>(holder?.departments ?? []);
  const [focus, setFocus] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const exclude = useMemo(() => new Set(role.holders.map((h) => h.userid)), [role.holders]);
  const checked = useMemo(() => new Set(depts), [depts]);
  const scoped = role.scoped !== 'none';
  const tree = dir.tree;

  const toggleDept = (id: number) => {
    setFocus(id);
    setDepts((l) => (l.includes(id) ? l.filter((x) => x !== id) : [...l, id]));
  };
  const nameOf = (id: number) => (tree?.byId.has(id) ? deptName(tree.byId.get(id), corpName) : `#${id}`);

  async function save() {
    setError(null);
    const userid = holder?.userid ?? member?.userid;
    if (!userid) return setError(new ApiError(0, 'client', t('roles.holder.pickMember')));
    if (role.scoped === 'required' && depts.length === 0) {
      return setError(new ApiError(0, 'client', t('roles.holder.depts.required')));
    }
    // Departments deleted meanwhile would only make the server refuse the scope.
    const departments = scoped ? (tree ? depts.filter((id) => tree.byId.has(id)) : depts) : [];
    setBusy(true);
    try {
      const saved = await roles.setHolder(role.id, userid, departments);
      const name = saved.name || holder?.name || member?.name || userid;
      props.onSaved(
        holder ? t('roles.holders.scopeSaved', { name }) : t('roles.holders.added', { name, role: role.name }),
      );
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  const title = holder
    ? t('roles.holder.scopeTitle', { name: holder.name || holder.userid })
    : t('roles.holder.addTitle', { role: role.name });
  return (
    <Dialog testid="holder-dialog" title={title} onClose={props.onClose}>
      <form
        class="form holder-form"
        data-testid="holder-form"
        data-mode={holder ? 'scope' : 'add'}
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        {holder ? null : (
          <div class="field">
            <span class="field-label">{t('roles.holder.member')}</span>
            <MemberPicker
              testid="holder-picker"
              everyone={dir.members}
              exclude={exclude}
              selected={member ? [member] : []}
              onToggle={(m) => setMember((cur) => (cur?.userid === m.userid ? null : m))}
            />
          </div>
        )}
        {scoped ? (
          <div class="field">
            <span class="field-label">{t('roles.holder.depts')}</span>
            <span class="field-hint">
              {role.scoped === 'required' ? t('roles.holder.depts.required') : t('roles.holder.depts.optional')}
            </span>
            {depts.length ? (
              <ul class="chip-list holder-depts" data-testid="holder-scope-chips">
                {depts.map((id) => (
                  <li key={id} class="chip chip-dept" data-testid="holder-scope-chip" data-dept-id={id}>
                    {nameOf(id)}
                    <button
                      type="button"
                      class="chip-remove"
                      aria-label={t('picker.remove', { name: nameOf(id) })}
                      onClick={() => toggleDept(id)}
                    >
                      ✕
                    </button>
                  </li>
                ))}
              </ul>
            ) : (
              <span class="muted small" data-testid="holder-scope-none">
                {role.scoped === 'optional' ? t('roles.holders.whole') : t('roles.holder.noDepts')}
              </span>
            )}
            {tree ? (
              <div class="holder-tree">
                <DeptTree
                  testid="holder-scope-tree"
                  tree={tree}
                  corpName={corpName}
                  selected={focus}
                  checked={checked}
                  onSelect={toggleDept}
                />
              </div>
            ) : (
              <Loading />
            )}
          </div>
        ) : null}
        <CodeError error={error} testid="holder-error" />
        <div class="form-actions dialog-actions">
          <Button testid="holder-cancel" onClick={props.onClose} disabled={busy}>
            {t('common.cancel')}
          </Button>
          <Button testid="holder-save" kind="primary" type="submit" busy={busy}>
            {t('roles.holder.save')}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
