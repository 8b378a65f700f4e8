//! A custom role's form (name, description, permissions) and the permission checklist: the
//! catalogue grouped by area, a filter box over key and both descriptions (there are ~150),
//! "select all" per area (of what the filter shows), and "only granted". Areas fold; those
//! holding a chosen permission start open, and a filter opens every area it matches. Read-only
//! without `onChange` (built-in roles), where it starts with only the granted permissions shown.

import { useMemo, useState } from 'preact/hooks';
import { ApiError, roles } from '../../api';
import { Button, CodeError, Field, onValue } from '../../components/ui';
import { getLang, t } from '../../i18n';
import type { Key } from '../../strings';
import type { Permission, PermissionCatalogue, Role } from '../../types';

const NAME_MAX = 32;

/** A client-side problem shown like a server error. */
const localError = (key: Key) => new ApiError(0, 'client', t(key));

export function RoleForm(props: {
  /** null: a new role. */
  role: Role | null;
  catalogue: PermissionCatalogue;
  onSaved: (role: Role) => void;
  onCancel?: () => void;
}) {
  const { role } = props;
  const [name, setName] = useState(role?.name ?? '');
  const [description, setDescription] = useState(role?.description ?? '');
  const [chosen, setChosen] = useState<Set<string>>(() => new Set(role?.permissions ?? []));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function submit() {
    setError(null);
    const n = name.trim();
    if (!n) return setError(localError('roles.form.nameRequired'));
    if (chosen.size === 0) return setError(localError('roles.form.permRequired'));
    const permissions = [...chosen].sort();
    setBusy(true);
    try {
      let saved: Role;
      if (!role) {
        saved = await roles.create({ name: n, description: description.trim(), permissions });
      } else {
        // Only what changed.
        const patch: { name?: string; description?: string; permissions?: string[] } = {};
        if (n !== role.name) patch.name = n;
        if (description.trim() !== role.description) patch.description = description.trim();
        if (permissions.join() !== [...role.permissions].sort().join()) patch.permissions = permissions;
        saved = Object.keys(patch).length ? await roles.update(role.id, patch) : role;
      }
      setBusy(false);
      props.onSaved(saved);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  return (
    <form
      class="form role-form"
      data-testid="role-form"
      data-mode={role ? 'edit' : 'new'}
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <CodeError error={error} testid="role-form-error" />
      <div class="grid-2">
        <Field label={t('roles.form.name')} hint={t('roles.form.name.hint')}>
          <input
            class="input"
            data-testid="role-form-name"
            value={name}
            maxLength={NAME_MAX}
            onInput={onValue(setName)}
          />
        </Field>
        <Field label={t('roles.form.description')}>
          <input class="input" data-testid="role-form-description" value={description} onInput={onValue(setDescription)} />
        </Field>
      </div>
      <PermissionChecklist catalogue={props.catalogue} selected={chosen} onChange={setChosen} />
      <div class="form-actions">
        <Button testid="role-form-save" kind="primary" type="submit" busy={busy}>
          {role ? t('common.save') : t('roles.form.create')}
        </Button>
        {props.onCancel ? (
          <Button testid="role-form-cancel" onClick={props.onCancel} disabled={busy}>
            {t('common.cancel')}
          </Button>
        ) : null}
      </div>
    </form>
  );
}

interface Group {
  id: string;
  label: string;
  items: Permission[];
}

const describe = (p: Permission) => (getLang() === 'en' ? p.en : p.zh) || p.key;

export function PermissionChecklist(props: {
  catalogue: PermissionCatalogue;
  selected: ReadonlySet<string>;
  /** Absent: read-only. */
  onChange?: (next: Set<string>) => void;
}) {
  const { catalogue, selected, onChange } = props;
  const [filter, setFilter] = useState('');
  const [onlyGranted, setOnlyGranted] = useState(!onChange);
  const [opened, setOpened] = useState<Set<string>>(() => {
    const areaIds = new Set(catalogue.areas.map((a) => a.id));
    const areaOf = new Map(catalogue.permissions.map((p) => [p.key, p.area]));
    return new Set(
      [...selected].map((k) => {
        const area = areaOf.get(k);
        return area !== undefined && areaIds.has(area) ? area : 'other';
      }),
    );
  });
  const en = getLang() === 'en';

  // Areas in the catalogue's order; keys the catalogue does not know go to "other".
  const groups = useMemo(() => {
    const known = new Set(catalogue.permissions.map((p) => p.key));
    const out: Group[] = catalogue.areas.map((a) => ({
      id: a.id,
      label: (en ? a.en : a.zh) || a.id,
      items: catalogue.permissions.filter((p) => p.area === a.id),
    }));
    const areaIds = new Set(catalogue.areas.map((a) => a.id));
    const stray = catalogue.permissions.filter((p) => !areaIds.has(p.area));
    const unknown = [...selected].filter((k) => !known.has(k)).map((key) => ({ key, area: '', zh: key, en: key }));
    if (stray.length || unknown.length) out.push({ id: 'other', label: t('roles.otherArea'), items: [...stray, ...unknown] });
    return out;
  }, [catalogue, selected, en]);

  const q = filter.trim().toLowerCase();
  const shown = groups
    .map((g) => ({
      ...g,
      visible: g.items.filter(
        (p) =>
          (!onlyGranted || selected.has(p.key)) &&
          (!q || [p.key, p.zh, p.en, g.label].some((s) => s.toLowerCase().includes(q))),
      ),
    }))
    .filter((g) => g.visible.length > 0);

  const toggle = (keys: string[], on: boolean) => {
    if (!onChange) return;
    const next = new Set(selected);
    for (const k of keys) {
      if (on) next.add(k);
      else next.delete(k);
    }
    onChange(next);
  };

  const total = catalogue.permissions.length;
  return (
    <div class="perm-checklist" data-testid="perm-checklist" data-editable={String(!!onChange)}>
      <div class="perm-tools">
        <span class="field-label">{t('roles.permissions')}</span>
        <span class="muted small" data-testid="perm-count" data-count={selected.size} data-total={total}>
          {t('roles.permissions.count', { n: selected.size, total })}
        </span>
        <input
          class="input"
          type="search"
          data-testid="perm-filter"
          value={filter}
          onInput={onValue(setFilter)}
          placeholder={t('roles.filter')}
          aria-label={t('roles.filter')}
        />
        <label class="check">
          <input
            type="checkbox"
            data-testid="perm-only-granted"
            checked={onlyGranted}
            onChange={(e) => setOnlyGranted(e.currentTarget.checked)}
          />
          {t('roles.onlyGranted')}
        </label>
      </div>
      {shown.length === 0 ? (
        <p class="muted small" data-testid="perm-none">
          {t('roles.noMatch')}
        </p>
      ) : null}
      {shown.map((g) => {
        const keys = g.visible.map((p) => p.key);
        const all = keys.every((k) => selected.has(k));
        const held = g.items.filter((p) => selected.has(p.key)).length;
        const open = q !== '' || opened.has(g.id);
        return (
          <fieldset class="perm-area" key={g.id} data-testid="perm-area" data-area={g.id} data-open={String(open)}>
            <legend>
              <button
                type="button"
                class={`perm-area-toggle${open ? ' is-open' : ''}`}
                data-testid="perm-area-toggle"
                aria-expanded={open}
                disabled={q !== ''}
                onClick={() =>
                  setOpened((cur) => {
                    const next = new Set(cur);
                    if (next.has(g.id)) next.delete(g.id);
                    else next.add(g.id);
                    return next;
                  })
                }
              >
                <svg viewBox="0 0 24 24" width="14" height="14" aria-hidden="true">
                  <path d="M9 6l6 6-6 6" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" />
                </svg>
                <span class="perm-area-name">{g.label}</span>
                <span class="muted small" data-testid="perm-area-count">
                  {held} / {g.items.length}
                </span>
              </button>
            </legend>
            {onChange ? (
              <label class="check perm-area-all">
                <input
                  type="checkbox"
                  data-testid="perm-area-all"
                  data-area={g.id}
                  checked={all}
                  onChange={(e) => toggle(keys, e.currentTarget.checked)}
                />
                {t('roles.areaAll')}
              </label>
            ) : null}
            {open ? (
              <div class="perm-items">
                {g.visible.map((p) => (
                  <label class={`check perm-item${onChange ? '' : ' is-readonly'}`} key={p.key}>
                    <input
                      type="checkbox"
                      data-testid="perm-check"
                      data-key={p.key}
                      checked={selected.has(p.key)}
                      disabled={!onChange}
                      onChange={(e) => toggle([p.key], e.currentTarget.checked)}
                    />
                    <span class="perm-text">
                      <span>{describe(p)}</span>
                      <span class="muted small mono perm-key">{p.key}</span>
                    </span>
                  </label>
                ))}
              </div>
            ) : null}
          </fieldset>
        );
      })}
    </div>
  );
}
