//! Admin → Apps (#/app/admin/apps): self-built apps (create, enable / disable, reset the secret,
//! visible range and trusted IPs) and the contacts-sync secret (agent 0). A secret is shown once,
//! in a dialog, right after it was created or reset (docs/api-directory.md "Apps and secrets").

import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, apps, directory } from '../../api';
import { Alert, Badge, Button, Card, CodeError, Empty, ErrorAlert, Field, Loading, copyText, onValue, useLoad } from '../../components/ui';
import { deptName } from '../../directory';
import { formatTime, t, tCount, useLang } from '../../i18n';
import { useMemberSearch } from '../../search';
import { buildTree, flatten, type Tree } from '../../tree';
import type { App, AppVisible, Me, Tag } from '../../types';

/** A secret to show once: an app's (new or reset) or the contacts-sync one. */
type Shown = { kind: 'app'; agentid: number; name: string; secret: string } | { kind: 'contacts'; secret: string };

export function AdminAppsPage(props: { me: Me }) {
  useLang();
  const list = useLoad(apps.list);
  const departments = useLoad(directory.departments);
  const tags = useLoad(directory.tags);
  const tree = useMemo(() => (departments.data ? buildTree(departments.data) : null), [departments.data]);
  const [shown, setShown] = useState<Shown | null>(null);
  const [newName, setNewName] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const [editing, setEditing] = useState<number | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [msg, setMsg] = useState<{ error: unknown; notice: string | null }>({ error: null, notice: null });

  async function act(key: string, fn: () => Promise<string | null>) {
    setBusy(key);
    setMsg({ error: null, notice: null });
    try {
      setMsg({ error: null, notice: await fn() });
    } catch (error) {
      setMsg({ error, notice: null });
    } finally {
      setBusy(null);
    }
  }

  const replace = (app: App) => list.setData((list.data ?? []).map((a) => (a.agentid === app.agentid ? app : a)));

  const create = () => {
    const name = newName.trim();
    if (!name) return setMsg({ error: new ApiError(0, 'client', t('apps.nameRequired')), notice: null });
    void act('create', async () => {
      const r = await apps.create(name);
      setNewName('');
      setShown({ kind: 'app', agentid: r.agentid, name, secret: r.secret });
      list.reload();
      return t('apps.created', { name });
    });
  };

  const toggle = (app: App) =>
    act(`toggle-${app.agentid}`, async () => {
      const updated = await apps.update(app.agentid, { enabled: !app.enabled });
      if (updated) replace(updated);
      else list.reload();
      return t(app.enabled ? 'apps.disabledNotice' : 'apps.enabledNotice', { name: app.name });
    });

  const rotate = (app: App) =>
    act(`rotate-${app.agentid}`, async () => {
      setConfirming(null);
      const r = await apps.rotateSecret(app.agentid);
      setShown({ kind: 'app', agentid: app.agentid, name: app.name, secret: r.secret });
      return null;
    });

  const resetContacts = () =>
    act('contacts', async () => {
      setConfirming(null);
      const r = await apps.resetContactsSecret();
      setShown({ kind: 'contacts', secret: r.secret });
      return null;
    });

  return (
    <div class="admin-apps" data-testid="admin-apps">
      <Card title={t('apps.title')} testid="apps-card">
        <p class="muted">{t('apps.intro')}</p>
        {msg.notice ? (
          <Alert kind="success" testid="apps-notice">
            {msg.notice}
          </Alert>
        ) : null}
        <CodeError error={msg.error} testid="apps-error" />
        <form
          class="inline-form apps-create"
          data-testid="app-create-form"
          onSubmit={(e) => {
            e.preventDefault();
            create();
          }}
        >
          <input
            class="input"
            data-testid="app-new-name"
            value={newName}
            maxLength={64}
            onInput={onValue(setNewName)}
            placeholder={t('apps.name')}
            aria-label={t('apps.name')}
          />
          <Button testid="app-create" kind="primary" type="submit" busy={busy === 'create'}>
            {t('apps.create')}
          </Button>
        </form>

        <ErrorAlert error={list.error} testid="apps-load-error" />
        {!list.data ? (
          list.error ? null : <Loading testid="apps-loading" />
        ) : list.data.length === 0 ? (
          <Empty testid="apps-empty">{t('apps.empty')}</Empty>
        ) : (
          <ul class="rows app-list" data-testid="apps-list">
            {list.data.map((app) => (
              <li
                key={app.agentid}
                class="row-card app-row"
                data-testid="app-row"
                data-agentid={app.agentid}
                data-name={app.name}
                data-enabled={String(app.enabled)}
              >
                <div class="row-main">
                  <h3 class="row-title app-title">
                    <span data-testid="app-name">{app.name}</span>
                    <Badge kind={app.enabled ? 'green' : 'red'} testid="app-status">
                      {app.enabled ? t('apps.status.enabled') : t('apps.status.disabled')}
                    </Badge>
                  </h3>
                  <dl class="facts">
                    <dt>{t('apps.agentid')}</dt>
                    <dd class="mono" data-testid="app-agentid">
                      {app.agentid}
                    </dd>
                    <dt>{t('apps.visible')}</dt>
                    <dd data-testid="app-visible-summary" title={visibleTitle(app.visible, tree, tags.data, props.me.corp.name)}>
                      {visibleSummary(app.visible)}
                    </dd>
                    <dt>{t('apps.trustedIps')}</dt>
                    <dd class={app.trusted_ips.length ? 'mono' : undefined} data-testid="app-trusted-ips-summary">
                      {app.trusted_ips.length ? app.trusted_ips.join(', ') : <span class="muted">{t('apps.trustedIps.any')}</span>}
                    </dd>
                    <dt>{t('common.created')}</dt>
                    <dd>{formatTime(app.created_at)}</dd>
                  </dl>
                </div>
                <div class="row-side">
                  <span class="row-buttons wrap">
                    <Button
                      testid="app-edit"
                      small
                      disabled={editing === app.agentid}
                      onClick={() => {
                        setMsg({ error: null, notice: null });
                        setEditing(app.agentid);
                      }}
                    >
                      {t('common.edit')}
                    </Button>
                    <Button
                      testid="app-toggle"
                      small
                      kind={app.enabled ? 'danger' : 'default'}
                      busy={busy === `toggle-${app.agentid}`}
                      onClick={() => void toggle(app)}
                    >
                      {app.enabled ? t('apps.disable') : t('apps.enable')}
                    </Button>
                    {confirming === `rotate-${app.agentid}` ? null : (
                      <Button
                        testid="app-rotate"
                        small
                        busy={busy === `rotate-${app.agentid}`}
                        onClick={() => setConfirming(`rotate-${app.agentid}`)}
                      >
                        {t('apps.rotate')}
                      </Button>
                    )}
                  </span>
                  {confirming === `rotate-${app.agentid}` ? (
                    <div class="confirm-box" data-testid="app-rotate-confirm-box">
                      <span class="small">{t('apps.rotate.warning')}</span>
                      <span class="row-buttons">
                        <Button testid="app-rotate-confirm" kind="danger" small onClick={() => void rotate(app)}>
                          {t('apps.rotate.confirm')}
                        </Button>
                        <Button testid="app-rotate-cancel" small onClick={() => setConfirming(null)}>
                          {t('common.cancel')}
                        </Button>
                      </span>
                    </div>
                  ) : null}
                </div>
                {editing === app.agentid ? (
                  <AppEditor
                    app={app}
                    tree={tree}
                    tags={tags.data}
                    corpName={props.me.corp.name}
                    onCancel={() => setEditing(null)}
                    onSaved={(saved) => {
                      replace(saved);
                      setEditing(null);
                      setMsg({ error: null, notice: t('apps.saved', { name: saved.name }) });
                    }}
                  />
                ) : null}
              </li>
            ))}
          </ul>
        )}
      </Card>

      <Card title={t('apps.sync.title')} testid="contacts-sync">
        <p class="muted">{t('apps.sync.body')}</p>
        <div class="facts-inline">
          <span class="muted">{t('secret.agentid')}</span> <span class="mono">0</span>
        </div>
        {confirming === 'contacts' ? (
          <div class="confirm-box" data-testid="contacts-secret-confirm-box">
            <span class="small">{t('apps.sync.warning')}</span>
            <span class="row-buttons">
              <Button testid="contacts-secret-reset-confirm" kind="danger" small busy={busy === 'contacts'} onClick={() => void resetContacts()}>
                {t('apps.sync.confirm')}
              </Button>
              <Button testid="contacts-secret-reset-cancel" small onClick={() => setConfirming(null)}>
                {t('common.cancel')}
              </Button>
            </span>
          </div>
        ) : (
          <Button testid="contacts-secret-reset" busy={busy === 'contacts'} onClick={() => setConfirming('contacts')}>
            {t('apps.sync.reset')}
          </Button>
        )}
      </Card>

      {shown ? <SecretDialog shown={shown} corpid={props.me.corpid} onClose={() => setShown(null)} /> : null}
    </div>
  );
}

function visibleSummary(v: AppVisible): string {
  const parts: string[] = [];
  if (v.departments.length) parts.push(tCount('apps.visible.departments', v.departments.length));
  if (v.users.length) parts.push(tCount('apps.visible.users', v.users.length));
  if (v.tags.length) parts.push(tCount('apps.visible.tags', v.tags.length));
  return parts.length ? parts.join(' · ') : t('apps.visible.all');
}

/** The names behind the summary, for a tooltip. */
function visibleTitle(v: AppVisible, tree: Tree | null, tags: Tag[] | null, corpName: string): string | undefined {
  const names = [
    ...v.departments.map((id) => (tree?.byId.has(id) ? deptName(tree.byId.get(id), corpName) : `#${id}`)),
    ...v.users,
    ...v.tags.map((id) => tags?.find((x) => x.id === id)?.name ?? `#${id}`),
  ];
  return names.length ? names.join(', ') : undefined;
}

const linesOf = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

function AppEditor(props: {
  app: App;
  tree: Tree | null;
  tags: Tag[] | null;
  corpName: string;
  onCancel: () => void;
  onSaved: (app: App) => void;
}) {
  const { app, tree, tags } = props;
  const [name, setName] = useState(app.name);
  const [depts, setDepts] = useState<number[]>(app.visible.departments);
  const [users, setUsers] = useState<string[]>(app.visible.users);
  const [tagIds, setTagIds] = useState<number[]>(app.visible.tags);
  const [ipText, setIpText] = useState(app.trusted_ips.join('\n'));
  const [query, setQuery] = useState('');
  const [names, setNames] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const search = useMemberSearch(query, { limit: 20 });
  const first = useRef<HTMLInputElement>(null);

  // Focused as the editor appears, before the browser paints it: an effect ran after paint, and a
  // click into another field meanwhile (a CI browser test filling the trusted IPs) lost its
  // typing to the name field.
  useLayoutEffect(() => first.current?.focus(), []);

  // Names for the members already in the range (a few look-ups; the userid is shown meanwhile).
  useEffect(() => {
    let live = true;
    for (const userid of app.visible.users.slice(0, 50)) {
      directory.member(userid).then(
        (m) => live && setNames((n) => ({ ...n, [userid]: m.name })),
        () => undefined,
      );
    }
    return () => void (live = false);
  }, [app.agentid]);

  const toggleIn = <T,>(list: T[], item: T, on: boolean) => (on ? (list.includes(item) ? list : [...list, item]) : list.filter((x) => x !== item));

  async function save() {
    setBusy(true);
    setError(null);
    // Departments or tags deleted meanwhile would only make the server refuse the range.
    const visible: AppVisible = {
      departments: tree ? depts.filter((id) => tree.byId.has(id)) : depts,
      users,
      tags: tags ? tagIds.filter((id) => tags.some((x) => x.id === id)) : tagIds,
    };
    const n = name.trim();
    try {
      const saved = await apps.update(app.agentid, {
        ...(n && n !== app.name ? { name: n } : {}),
        visible,
        trusted_ips: linesOf(ipText),
      });
      props.onSaved(saved ?? { ...app, name: n || app.name, visible, trusted_ips: linesOf(ipText) });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const label = (userid: string) => names[userid] || userid;
  const options = (search.results ?? []).filter((m) => !users.includes(m.userid));

  return (
    <form
      class="app-editor"
      data-testid="app-editor"
      data-agentid={app.agentid}
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <CodeError error={error} testid="app-error" />
      <Field label={t('apps.name')}>
        <input
          ref={first}
          class="input"
          data-testid="app-edit-name"
          value={name}
          maxLength={64}
          onInput={onValue(setName)}
        />
      </Field>

      <fieldset class="group">
        <legend>{t('apps.visible')}</legend>
        <p class="muted small app-hint">{t('apps.visible.hint')}</p>
        <div class="visible-grid">
          <div class="visible-col">
            <span class="field-label">{t('apps.visible.depts')}</span>
            {!tree ? (
              <Loading />
            ) : (
              <div class="dept-checks" data-testid="app-visible-depts">
                {flatten(tree).map(({ dept, depth }) => (
                  <label class="check" key={dept.id} style={{ paddingLeft: `${depth * 18}px` }}>
                    <input
                      type="checkbox"
                      data-testid="app-visible-dept"
                      data-dept-id={dept.id}
                      data-name={dept.name}
                      checked={depts.includes(dept.id)}
                      onChange={(e) => setDepts((l) => toggleIn(l, dept.id, e.currentTarget.checked))}
                    />
                    {deptName(dept, props.corpName)}
                  </label>
                ))}
              </div>
            )}
          </div>

          <div class="visible-col">
            <span class="field-label">{t('apps.visible.members')}</span>
            {users.length ? (
              <ul class="chip-list" data-testid="app-visible-users">
                {users.map((userid) => (
                  <li key={userid} class="chip" data-testid="app-visible-user" data-userid={userid}>
                    {label(userid)}
                    <button
                      type="button"
                      class="chip-remove"
                      data-testid="app-visible-user-remove"
                      aria-label={t('apps.visible.remove', { name: label(userid) })}
                      onClick={() => setUsers((l) => l.filter((x) => x !== userid))}
                    >
                      ✕
                    </button>
                  </li>
                ))}
              </ul>
            ) : (
              <p class="muted small" data-testid="app-visible-users-empty">
                {t('apps.visible.noUsers')}
              </p>
            )}
            <input
              class="input"
              type="search"
              data-testid="app-visible-user-search"
              value={query}
              onInput={onValue(setQuery)}
              placeholder={t('apps.visible.search')}
              aria-label={t('apps.visible.search')}
            />
            {query.trim() ? (
              <div class="pick-list" data-testid="app-visible-user-options" data-query={search.query} data-state={search.loading ? 'loading' : 'done'}>
                <ErrorAlert error={search.error} testid="app-visible-user-error" />
                {search.results && options.length === 0 ? (
                  <span class="muted small" data-testid="app-visible-user-none">
                    {t('contacts.noMatch')}
                  </span>
                ) : null}
                {options.map((m) => (
                  <button
                    type="button"
                    key={m.userid}
                    class="pick-item"
                    data-testid="app-visible-user-option"
                    data-userid={m.userid}
                    data-name={m.name}
                    aria-label={t('apps.visible.add', { name: m.name || m.userid })}
                    onClick={() => {
                      setNames((n) => ({ ...n, [m.userid]: m.name }));
                      setUsers((l) => (l.includes(m.userid) ? l : [...l, m.userid]));
                    }}
                  >
                    <span>{m.name || m.userid}</span>
                    <span class="muted small mono">{m.userid}</span>
                  </button>
                ))}
              </div>
            ) : null}
          </div>

          <div class="visible-col">
            <span class="field-label">{t('apps.visible.tagList')}</span>
            {!tags ? (
              <Loading />
            ) : tags.length === 0 ? (
              <p class="muted small" data-testid="app-visible-tags-empty">
                {t('contacts.tags.empty')}
              </p>
            ) : (
              <div class="dept-checks" data-testid="app-visible-tags">
                {tags.map((tag) => (
                  <label class="check" key={tag.id}>
                    <input
                      type="checkbox"
                      data-testid="app-visible-tag"
                      data-tag-id={tag.id}
                      data-name={tag.name}
                      checked={tagIds.includes(tag.id)}
                      onChange={(e) => setTagIds((l) => toggleIn(l, tag.id, e.currentTarget.checked))}
                    />
                    {tag.name}
                  </label>
                ))}
              </div>
            )}
          </div>
        </div>
      </fieldset>

      <Field label={t('apps.trustedIps')} hint={t('apps.trustedIps.hint')}>
        <textarea
          class="input input-mono"
          rows={4}
          data-testid="app-trusted-ips"
          value={ipText}
          onInput={onValue(setIpText)}
          placeholder="10.0.0.0/8"
          spellcheck={false}
        />
      </Field>

      <div class="form-actions">
        <Button testid="app-save" kind="primary" type="submit" busy={busy}>
          {t('common.save')}
        </Button>
        <Button testid="app-cancel" onClick={props.onCancel} disabled={busy}>
          {t('common.cancel')}
        </Button>
      </div>
    </form>
  );
}

/**
 * Shows a secret once. It closes only through its button (not Escape, not a click outside), so
 * a secret is not lost by accident; closing forgets it.
 */
function SecretDialog(props: { shown: Shown; corpid: string; onClose: () => void }) {
  const { shown } = props;
  const [copied, setCopied] = useState<boolean | null>(null);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    input.current?.focus();
    input.current?.select();
  }, [shown.secret]);
  const title = shown.kind === 'app' ? t('secret.title.app', { name: shown.name }) : t('secret.title.contacts');
  return (
    <div class="dialog-backdrop" data-testid="secret-backdrop">
      <div
        class="dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="secret-dialog-title"
        data-testid="secret-dialog"
        data-kind={shown.kind}
        data-agentid={shown.kind === 'app' ? shown.agentid : 0}
      >
        <h2 id="secret-dialog-title" class="dialog-title" data-testid="secret-title">
          {title}
        </h2>
        <Alert kind="warning" testid="secret-warning">
          {t('secret.warning')}
        </Alert>
        <dl class="facts">
          <dt>{t('secret.corpid')}</dt>
          <dd class="mono" data-testid="secret-corpid">
            {props.corpid}
          </dd>
          <dt>{t('secret.agentid')}</dt>
          <dd class="mono" data-testid="secret-agentid">
            {shown.kind === 'app' ? shown.agentid : 0}
          </dd>
        </dl>
        <label class="field">
          <span class="field-label">{t('secret.label')}</span>
          <div class="callout-row">
            <input
              ref={input}
              class="input input-mono secret-input"
              readOnly
              data-testid="secret-value"
              value={shown.secret}
              onFocus={(e) => e.currentTarget.select()}
            />
            <Button
              testid="secret-copy"
              kind="primary"
              small
              onClick={() => void copyText(shown.secret, input.current).then(setCopied)}
            >
              {copied ? t('common.copied') : t('common.copy')}
            </Button>
          </div>
        </label>
        <div class="form-actions dialog-actions">
          <Button testid="secret-close" onClick={props.onClose}>
            {t('secret.done')}
          </Button>
        </div>
      </div>
    </div>
  );
}
