//! Admin → Roles & permissions (#/app/admin/roles, docs/api-roles.md): the roles (built-in ones
//! marked, holder counts) beside the chosen one: its description, scope kind and permissions by
//! area (read-only for built-ins, an editable checklist for custom roles), and its holders with
//! their scope. Creating, editing and deleting custom roles needs `security.admin_role.edit`;
//! granting, re-scoping and removing holders `security.admin_role.assign` (role-holders.tsx).

import { useEffect, useState } from 'preact/hooks';
import { roles } from '../../api';
import { Alert, Badge, Button, Card, CodeError, Empty, ErrorAlert, Loading, useLoad } from '../../components/ui';
import { useDirectory } from '../../directory';
import { useEvent } from '../../events';
import { t, tCount, useLang } from '../../i18n';
import { can } from '../../perms';
import type { Key } from '../../strings';
import type { Me, PermissionCatalogue, Role } from '../../types';
import { PermissionChecklist, RoleForm } from './role-form';
import { RoleHolders } from './role-holders';

/** The chosen role's id, or the form for a new one. */
type Selected = { kind: 'role'; id: string } | { kind: 'new' } | null;

export function AdminRolesPage(props: { me: Me }) {
  // Built-in names and the catalogue come in the request's language: asked again when it changes.
  const lang = useLang();
  const list = useLoad(roles.list, [lang]);
  const catalogue = useLoad(roles.catalogue, [lang]);
  const dir = useDirectory();
  const [selected, setSelected] = useState<Selected>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const canEdit = can(props.me, 'security.admin_role.edit');
  // My own roles changed: what is listed (and what I may do) may have too.
  useEvent('admin.roles_changed', list.reload);

  // Nothing chosen, or the chosen role is gone: the first role.
  const data = list.data;
  useEffect(() => {
    if (!data) return;
    if (selected?.kind === 'new') return;
    if (selected && data.some((r) => r.id === selected.id)) return;
    setSelected(data[0] ? { kind: 'role', id: data[0].id } : null);
  }, [data, selected]);

  const choose = (next: Selected) => {
    setNotice(null);
    setSelected(next);
  };
  const role = selected?.kind === 'role' ? (data?.find((r) => r.id === selected.id) ?? null) : null;

  return (
    <div class="admin-roles" data-testid="admin-roles">
      <div class="dir-layout">
        <Card
          class="dir-side"
          testid="roles-side"
          title={t('roles.title')}
          actions={
            canEdit ? (
              <Button testid="role-create" kind="primary" small onClick={() => choose({ kind: 'new' })}>
                {t('roles.create')}
              </Button>
            ) : undefined
          }
        >
          <ErrorAlert error={list.error} testid="roles-load-error" />
          {!data ? (
            list.error ? null : <Loading testid="roles-loading" />
          ) : data.length === 0 ? (
            <Empty testid="roles-empty">{t('roles.empty')}</Empty>
          ) : (
            <ul class="role-list" data-testid="roles-list">
              {data.map((r) => {
                const on = selected?.kind === 'role' && selected.id === r.id;
                return (
                  <li key={r.id}>
                    <button
                      type="button"
                      class={`role-item${on ? ' is-selected' : ''}`}
                      data-testid="role-row"
                      data-role-id={r.id}
                      data-name={r.name}
                      data-builtin={String(r.builtin)}
                      aria-current={on ? 'true' : undefined}
                      onClick={() => choose({ kind: 'role', id: r.id })}
                    >
                      <span class="role-item-name">{r.name}</span>
                      <span class="role-item-meta">
                        <Badge kind={r.builtin ? 'grey' : 'blue'} testid="role-kind">
                          {r.builtin ? t('roles.builtin') : t('roles.custom')}
                        </Badge>
                        <span class="muted small" data-testid="role-holder-count" data-count={r.holders.length}>
                          {tCount('roles.holders.count', r.holders.length)}
                        </span>
                      </span>
                    </button>
                  </li>
                );
              })}
            </ul>
          )}
        </Card>

        <div class="dir-main">
          {notice ? (
            <Alert kind="success" testid="role-notice">
              {notice}
            </Alert>
          ) : null}
          <ErrorAlert error={catalogue.error} testid="roles-catalogue-error" />
          {selected?.kind === 'new' ? (
            <Card testid="role-new" title={t('roles.form.newTitle')}>
              {catalogue.data ? (
                <RoleForm
                  role={null}
                  catalogue={catalogue.data}
                  onCancel={() => choose(null)}
                  onSaved={(saved) => {
                    // Listed at once (the reload may answer later), so it can be selected now.
                    list.setData([...(data ?? []).filter((r) => r.id !== saved.id), saved]);
                    list.reload();
                    setSelected({ kind: 'role', id: saved.id });
                    setNotice(t('roles.created', { name: saved.name }));
                  }}
                />
              ) : catalogue.error ? null : (
                <Loading />
              )}
            </Card>
          ) : role ? (
            <RoleDetail
              key={role.id}
              role={role}
              me={props.me}
              catalogue={catalogue.data}
              dir={dir}
              onChanged={list.reload}
              onNotice={setNotice}
              onDeleted={(name) => {
                setSelected(null);
                list.reload();
                setNotice(t('roles.deleted', { name }));
              }}
            />
          ) : data && data.length ? (
            <Card testid="role-none">
              <Empty testid="role-none-text">{t('roles.choose')}</Empty>
            </Card>
          ) : null}
        </div>
      </div>
    </div>
  );
}

function RoleDetail(props: {
  role: Role;
  me: Me;
  catalogue: PermissionCatalogue | null;
  dir: ReturnType<typeof useDirectory>;
  onChanged: () => void;
  onNotice: (text: string | null) => void;
  onDeleted: (name: string) => void;
}) {
  const { role, catalogue } = props;
  const editable = !role.builtin && can(props.me, 'security.admin_role.edit');
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function remove() {
    setBusy(true);
    setError(null);
    props.onNotice(null);
    try {
      await roles.remove(role.id);
      props.onDeleted(role.name);
    } catch (err) {
      // `role_in_use` while it has holders: the server's message says so.
      setError(err);
      setConfirming(false);
      setBusy(false);
    }
  }

  return (
    <>
      <Card testid="role-detail" class="role-detail">
        <div class="role-head" data-testid="role-head" data-role-id={role.id} data-builtin={String(role.builtin)}>
          <h2 class="card-title role-title" data-testid="role-title">
            {role.name}
            <Badge kind={role.builtin ? 'grey' : 'blue'}>{role.builtin ? t('roles.builtin') : t('roles.custom')}</Badge>
          </h2>
          {role.description ? (
            <p class="muted role-description" data-testid="role-description">
              {role.description}
            </p>
          ) : null}
          <p class="small role-scope" data-testid="role-scope" data-scoped={role.scoped}>
            {t(`roles.scope.${role.scoped}` as Key)}
          </p>
        </div>
        <CodeError error={error} testid="role-error" />
        {!catalogue ? (
          <Loading />
        ) : editable ? (
          <RoleForm
            role={role}
            catalogue={catalogue}
            onSaved={(saved) => {
              props.onChanged();
              props.onNotice(t('roles.saved', { name: saved.name }));
            }}
          />
        ) : (
          <>
            {role.builtin ? <p class="muted small">{t('roles.readonly')}</p> : null}
            <PermissionChecklist catalogue={catalogue} selected={new Set(role.permissions)} />
          </>
        )}
        {editable ? (
          <div class="role-danger">
            {confirming ? (
              <span class="row-buttons wrap">
                <Button testid="role-delete-confirm" kind="danger" small busy={busy} onClick={() => void remove()}>
                  {t('roles.deleteConfirm', { name: role.name })}
                </Button>
                <Button testid="role-delete-cancel" small onClick={() => setConfirming(false)}>
                  {t('common.cancel')}
                </Button>
              </span>
            ) : (
              <Button testid="role-delete" kind="danger" small busy={busy} onClick={() => setConfirming(true)}>
                {t('roles.delete')}
              </Button>
            )}
          </div>
        ) : null}
      </Card>
      <RoleHolders
        role={role}
        me={props.me}
        dir={props.dir}
        onChanged={(notice) => {
          setError(null);
          props.onNotice(notice);
          props.onChanged();
        }}
      />
    </>
  );
}
