//! Group settings, a panel over the conversation: the group's picture and its name and
//! announcement (owner and admins edit, others see them; a picture is uploaded with tus, then
//! `PATCH {avatar: file_id}`, `""` removes it), my pin / mute, the members with their roles (anyone adds, owner and admins
//! remove, the owner makes and unmakes admins), robots (owner and admins), and leaving the group. The server checks every right
//! again; its refusal is shown as it says it.

import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { chat } from '../../api';
import { newClientId } from '../../chat';
import { MemberPicker } from '../../components/member-picker';
import { Badge, Button, ErrorAlert, Field, onValue } from '../../components/ui';
import { t } from '../../i18n';
import type { ConversationDetail, ConversationView, Member } from '../../types';
import { useChat } from './context';
import { newRecord, startUpload } from '../../resumable';
import { Avatar, ConversationAvatar } from './message';
import { Robots } from './robots';

/** Uploads a picture (tus, like a file message) and resolves to its file id. */
function uploadPicture(file: File, onProgress: (pct: number) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    // Its own fingerprint: never resumed, and dropped by tus-js-client once complete.
    const record = newRecord('group-picture', '', newClientId(), file);
    const run = startUpload(file, record, false, {
      onProgress: (sent, total) => onProgress(total ? Math.floor((sent * 100) / total) : 0),
      onSuccess: resolve,
      onError: (err) => {
        void run.cancel();
        reject(err);
      },
    });
  });
}

export function GroupSettings(props: {
  detail: ConversationDetail;
  onClose: () => void;
  /** The server's answer to a change (the list and the header follow it). */
  onChanged: (c: ConversationView) => void;
  reload: () => void;
  onLeft: () => void;
}) {
  const { me, nameOf, everyone } = useChat();
  const c = props.detail.conversation;
  const manager = c.my_role === 'owner' || c.my_role === 'admin';
  const [name, setName] = useState(c.name);
  const [announcement, setAnnouncement] = useState(c.announcement);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [adding, setAdding] = useState<Member[] | null>(null);
  const [confirmLeave, setConfirmLeave] = useState(false);
  const [progress, setProgress] = useState<number | null>(null);
  const pictureInput = useRef<HTMLInputElement>(null);

  // Someone else renamed the group (or changed the announcement) meanwhile: show the new value,
  // unless I had already edited the field.
  const shown = useRef({ name: c.name, announcement: c.announcement });
  useEffect(() => {
    const was = shown.current;
    setName((n) => (n === was.name ? c.name : n));
    setAnnouncement((a) => (a === was.announcement ? c.announcement : a));
    shown.current = { name: c.name, announcement: c.announcement };
  }, [c.name, c.announcement]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') props.onClose();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [props.onClose]);

  const members = useMemo(() => {
    const rank = { owner: 0, admin: 1, member: 2 } as const;
    return [...props.detail.members].sort((a, b) => rank[a.role] - rank[b.role] || nameOf(a.userid).localeCompare(nameOf(b.userid)));
  }, [props.detail.members, nameOf]);
  const inGroup = useMemo(() => new Set(props.detail.members.map((m) => m.userid)), [props.detail.members]);

  async function run(key: string, fn: () => Promise<ConversationView | void>, after?: () => void) {
    setBusy(key);
    setError(null);
    try {
      const answer = await fn();
      if (answer) props.onChanged(answer);
      after?.();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  }

  // PATCH {admins} replaces the whole set: today's admins plus or minus this one.
  const setAdmin = (userid: string, admin: boolean) => {
    const now = props.detail.members.filter((m) => m.role === 'admin' && m.userid !== userid).map((m) => m.userid);
    return run(`admin:${userid}`, () => chat.update(c.id, { admins: admin ? [...now, userid] : now }), props.reload);
  };

  // The server judges the file (`unsupported_file_type` for anything but an image).
  const setPicture = (file: File) =>
    run('picture', async () => {
      setProgress(0);
      try {
        const fileId = await uploadPicture(file, setProgress);
        return await chat.update(c.id, { avatar: fileId });
      } finally {
        setProgress(null);
      }
    });

  const dirty = name.trim() !== c.name || announcement !== c.announcement;
  const save = () =>
    run('save', () => {
      const body: { name?: string; announcement?: string } = {};
      if (name.trim() !== c.name) body.name = name.trim();
      if (announcement !== c.announcement) body.announcement = announcement;
      return chat.update(c.id, body);
    });

  return (
    <aside class="group-settings" data-testid="group-settings" aria-label={t('chat.settings.title')}>
      <header class="group-settings-head">
        <h2>{t('chat.settings.title')}</h2>
        <button
          type="button"
          class="icon-button"
          data-testid="group-settings-close"
          aria-label={t('common.close')}
          title={t('common.close')}
          onClick={props.onClose}
        >
          ✕
        </button>
      </header>
      <ErrorAlert error={error} testid="group-settings-error" />

      <section class="settings-section" data-testid="group-picture-section">
        <h3 class="settings-title">{t('chat.settings.picture')}</h3>
        <div class="group-picture-row">
          <ConversationAvatar c={c} name={c.name} testid="group-picture" large />
          {manager ? (
            <div class="row-buttons wrap">
              <Button testid="group-picture-choose" small busy={busy === 'picture'} onClick={() => pictureInput.current?.click()}>
                {t(c.avatar ? 'chat.settings.pictureChange' : 'chat.settings.pictureChoose')}
              </Button>
              {c.avatar ? (
                <Button
                  testid="group-picture-remove"
                  kind="link"
                  small
                  busy={busy === 'picture-remove'}
                  disabled={busy === 'picture'}
                  onClick={() => void run('picture-remove', () => chat.update(c.id, { avatar: '' }))}
                >
                  {t('chat.settings.pictureRemove')}
                </Button>
              ) : null}
              <input
                ref={pictureInput}
                type="file"
                accept="image/*"
                hidden
                data-testid="group-picture-input"
                onChange={(e) => {
                  const file = e.currentTarget.files?.[0];
                  // Cleared so that choosing the same file again fires `change` again.
                  e.currentTarget.value = '';
                  if (file) void setPicture(file);
                }}
              />
            </div>
          ) : null}
        </div>
        {progress !== null ? (
          <span class="muted small" data-testid="group-picture-progress">
            {t('chat.settings.pictureUploading', { pct: progress })}
          </span>
        ) : null}
      </section>

      <section class="settings-section">
        {manager ? (
          <form
            class="form"
            onSubmit={(e) => {
              e.preventDefault();
              if (dirty && name.trim()) void save();
            }}
          >
            <Field label={t('chat.settings.name')}>
              <input class="input" data-testid="group-name" maxLength={50} value={name} onInput={onValue(setName)} />
            </Field>
            <Field label={t('chat.settings.announcement')}>
              <textarea
                class="input"
                data-testid="group-announcement"
                rows={3}
                value={announcement}
                onInput={onValue(setAnnouncement)}
              />
            </Field>
            <div class="form-actions">
              <Button testid="group-save" type="submit" kind="primary" small busy={busy === 'save'} disabled={!dirty || !name.trim()}>
                {t('common.save')}
              </Button>
            </div>
          </form>
        ) : (
          <dl class="facts">
            <dt>{t('chat.settings.name')}</dt>
            <dd data-testid="group-name-text">{c.name}</dd>
            <dt>{t('chat.settings.announcement')}</dt>
            <dd data-testid="group-announcement-text" class="pre-wrap">
              {c.announcement || <span class="muted">—</span>}
            </dd>
          </dl>
        )}
      </section>

      <section class="settings-section checks">
        <label class="check">
          <input
            type="checkbox"
            data-testid="group-pinned"
            checked={c.pinned}
            disabled={busy === 'prefs'}
            onChange={(e) => void run('prefs', () => chat.setPrefs(c.id, { pinned: e.currentTarget.checked, muted: c.muted }))}
          />
          {t('chat.settings.pinned')}
        </label>
        <label class="check">
          <input
            type="checkbox"
            data-testid="group-muted"
            checked={c.muted}
            disabled={busy === 'prefs'}
            onChange={(e) => void run('prefs', () => chat.setPrefs(c.id, { pinned: c.pinned, muted: e.currentTarget.checked }))}
          />
          {t('chat.settings.muted')}
        </label>
      </section>

      <section class="settings-section">
        <div class="settings-title-row">
          <h3 class="settings-title">{t('chat.settings.members', { n: props.detail.members.length })}</h3>
          {adding ? null : (
            <Button testid="group-add-open" small onClick={() => setAdding([])}>
              {t('chat.settings.add')}
            </Button>
          )}
        </div>
        {adding ? (
          <div class="group-add" data-testid="group-add">
            <MemberPicker
              testid="group-add-member"
              everyone={everyone}
              exclude={inGroup}
              selected={adding}
              onToggle={(m) =>
                setAdding((l) => (l ?? []).some((x) => x.userid === m.userid) ? (l ?? []).filter((x) => x.userid !== m.userid) : [...(l ?? []), m])
              }
            />
            <div class="form-actions">
              <Button testid="group-add-cancel" small onClick={() => setAdding(null)}>
                {t('common.cancel')}
              </Button>
              <Button
                testid="group-add-submit"
                kind="primary"
                small
                busy={busy === 'add'}
                disabled={adding.length === 0}
                onClick={() =>
                  void run('add', () => chat.update(c.id, { add_members: adding.map((m) => m.userid) }), () => {
                    setAdding(null);
                    props.reload();
                  })
                }
              >
                {t('chat.settings.addConfirm', { n: adding.length })}
              </Button>
            </div>
          </div>
        ) : null}
        <ul class="settings-list" data-testid="group-members">
          {members.map((m) => (
            <li key={m.userid} class="settings-row" data-testid="group-member" data-userid={m.userid} data-role={m.role}>
              <Avatar id={m.userid} name={nameOf(m.userid)} />
              <span class="settings-row-main">
                <span>
                  {nameOf(m.userid)}
                  {m.userid === me.userid ? <span class="muted"> {t('chat.settings.me')}</span> : null}
                </span>
              </span>
              {m.role !== 'member' ? (
                <Badge kind={m.role === 'owner' ? 'orange' : 'blue'} testid="group-member-role">
                  {t(m.role === 'owner' ? 'chat.role.owner' : 'chat.role.admin')}
                </Badge>
              ) : null}
              {c.my_role === 'owner' && m.role !== 'owner' ? (
                <Button
                  testid="group-member-admin"
                  kind="link"
                  small
                  busy={busy === `admin:${m.userid}`}
                  onClick={() => void setAdmin(m.userid, m.role !== 'admin')}
                >
                  {t(m.role === 'admin' ? 'chat.settings.unmakeAdmin' : 'chat.settings.makeAdmin')}
                </Button>
              ) : null}
              {manager && m.userid !== me.userid && m.role !== 'owner' ? (
                <Button
                  testid="group-member-remove"
                  kind="link"
                  small
                  busy={busy === `remove:${m.userid}`}
                  onClick={() => void run(`remove:${m.userid}`, () => chat.update(c.id, { remove_members: [m.userid] }), props.reload)}
                >
                  {t('chat.settings.remove')}
                </Button>
              ) : null}
            </li>
          ))}
        </ul>
      </section>

      {manager ? <Robots conversationId={c.id} robots={props.detail.robots} onChanged={props.reload} /> : null}

      <section class="settings-section">
        {confirmLeave ? (
          <div class="confirm-box settings-leave">
            <span>{t('chat.settings.leaveConfirm')}</span>
            <div class="row-buttons">
              <Button testid="group-leave-cancel" small onClick={() => setConfirmLeave(false)}>
                {t('common.cancel')}
              </Button>
              <Button
                testid="group-leave-confirm"
                kind="danger"
                small
                busy={busy === 'leave'}
                onClick={() => void run('leave', () => chat.leave(c.id), props.onLeft)}
              >
                {t('chat.settings.leave')}
              </Button>
            </div>
          </div>
        ) : (
          <Button testid="group-leave" kind="danger" onClick={() => setConfirmLeave(true)}>
            {t('chat.settings.leave')}
          </Button>
        )}
      </section>
    </aside>
  );
}
