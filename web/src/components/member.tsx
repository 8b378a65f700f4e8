//! Member bits shared by Contacts and the admin directory: status badge, initials avatar, the
//! member card (masked mobile / email are shown exactly as the server sent them).

import { useEffect } from 'preact/hooks';
import { deptName } from '../directory';
import { t } from '../i18n';
import type { Key } from '../strings';
import type { Tree } from '../tree';
import type { Member } from '../types';
import { Badge, Button } from './ui';

export function StatusBadge(props: { status: number; testid?: string }) {
  const s = props.status === 2 || props.status === 4 ? props.status : 1;
  const kind = s === 1 ? 'green' : s === 2 ? 'red' : 'orange';
  return (
    <Badge kind={kind} testid={props.testid ?? 'member-status'}>
      <span data-status={s}>{t(`member.status.${s}` as Key)}</span>
    </Badge>
  );
}

export function MemberAvatar(props: { member: Member; size?: 'lg' }) {
  const initial = (props.member.name || props.member.userid).trim().slice(0, 1).toUpperCase();
  // A stable colour per person, from a small palette.
  let h = 0;
  for (const ch of props.member.userid) h = (h * 31 + (ch.codePointAt(0) ?? 0)) >>> 0;
  const palette = ['#2c7be5', '#0e9f6e', '#d97706', '#7c3aed', '#db2777', '#0891b2'];
  return (
    <span
      class={`avatar member-avatar${props.size === 'lg' ? ' avatar-lg' : ''}`}
      style={{ background: palette[h % palette.length] }}
      aria-hidden="true"
    >
      {initial}
    </span>
  );
}

export function genderLabel(g: string | null | undefined): string {
  return g === '1' || g === '2' ? t(`member.gender.${g}` as Key) : t('member.gender.0');
}

/** Department names of a member, the main one first and marked. */
export function memberDepartments(m: Member, tree: Tree | null, corpName: string): { id: number; name: string; main: boolean }[] {
  const main = m.main_department ?? m.department[0] ?? null;
  const list = m.department.map((id) => ({ id, name: deptName(tree?.byId.get(id), corpName), main: id === main }));
  return list.sort((a, b) => Number(b.main) - Number(a.main));
}

export function MemberCard(props: { member: Member; tree: Tree | null; corpName: string; onClose: () => void }) {
  const m = props.member;
  const { onClose } = props;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [onClose]);
  const value = (v: string | null | undefined, testid: string, mono = false) => (
    <dd data-testid={testid} class={mono ? 'mono' : undefined}>
      {v ? v : <span class="muted">—</span>}
    </dd>
  );
  return (
    <div class="member-sheet" data-testid="member-card" data-userid={m.userid} role="dialog" aria-label={m.name || m.userid}>
      <header class="member-sheet-head">
        <Button testid="member-card-close" kind="link" onClick={props.onClose} title={t('common.close')}>
          ✕ <span class="member-sheet-close-label">{t('common.close')}</span>
        </Button>
      </header>
      <div class="member-hero">
        <MemberAvatar member={m} size="lg" />
        <div class="member-hero-text">
          <h2 data-testid="member-card-name">
            {m.name || m.userid}
            {m.alias ? (
              <span class="member-alias" data-testid="member-card-alias">
                {' '}
                ({m.alias})
              </span>
            ) : null}
          </h2>
          <div class="muted" data-testid="member-card-position">
            {m.position || '—'}
          </div>
          <div class="member-hero-badges">
            <StatusBadge status={m.status} testid="member-card-status" />
            {m.is_admin ? (
              <Badge kind="blue" testid="member-card-admin">
                {t('member.admin')}
              </Badge>
            ) : null}
          </div>
        </div>
      </div>
      <dl class="facts member-facts">
        <dt>{t('member.userid')}</dt>
        {value(m.userid, 'member-card-userid', true)}
        <dt>{t('member.alias')}</dt>
        {value(m.alias, 'member-card-alias-value')}
        <dt>{t('member.departments')}</dt>
        <dd data-testid="member-card-departments">
          {memberDepartments(m, props.tree, props.corpName).map((d) => (
            <span class="chip" key={d.id} data-dept-id={d.id} data-main={d.main ? 'true' : 'false'}>
              {d.name}
              {d.main ? <span class="chip-note">{t('member.main')}</span> : null}
            </span>
          ))}
        </dd>
        <dt>{t('member.position')}</dt>
        {value(m.position, 'member-card-position-value')}
        <dt>{t('member.mobile')}</dt>
        {value(m.mobile, 'member-card-mobile', true)}
        <dt>{t('member.email')}</dt>
        {value(m.email, 'member-card-email', true)}
        <dt>{t('member.telephone')}</dt>
        {value(m.telephone, 'member-card-telephone', true)}
        <dt>{t('member.gender')}</dt>
        {value(genderLabel(m.gender), 'member-card-gender')}
      </dl>
    </div>
  );
}
