//! Session and device-approval lists, shared by the user's own pages and the admin pages.

import { useState } from 'preact/hooks';
import { approvals as approvalsApi } from '../api';
import { formatTime, t } from '../i18n';
import type { DeviceApproval, Session } from '../types';
import { Badge, Button, Empty, ErrorAlert } from './ui';

function platformLabel(p: string): string {
  return p === 'web' || p === 'desktop' || p === 'mobile' ? t(`platform.${p}`) : p;
}

export function SessionList(props: {
  testid: string;
  sessions: Session[];
  showUser?: boolean;
  onRevoke: (s: Session) => Promise<void>;
}) {
  const [busy, setBusy] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  async function revoke(s: Session) {
    setConfirming(null);
    setBusy(s.id);
    setError(null);
    try {
      await props.onRevoke(s);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  }
  if (props.sessions.length === 0) return <Empty testid={`${props.testid}-empty`}>{t('sessions.empty')}</Empty>;
  return (
    <div data-testid={props.testid}>
      <ErrorAlert error={error} testid={`${props.testid}-error`} />
      <div class="table-wrap">
        <table class="table">
          <thead>
            <tr>
              {props.showUser ? <th>{t('sessions.user')}</th> : null}
              <th>{t('sessions.device')}</th>
              <th>{t('sessions.platform')}</th>
              <th>{t('sessions.ip')}</th>
              <th>{t('sessions.signedIn')}</th>
              <th>{t('sessions.lastSeen')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {props.sessions.map((s) => (
              <tr
                key={s.id}
                data-testid="session-row"
                data-session-id={s.id}
                data-userid={s.userid}
                data-current={s.current ? 'true' : 'false'}
                class={s.current ? 'is-current' : undefined}
              >
                {props.showUser ? (
                  <td data-label={t('sessions.user')} class="mono">
                    {s.userid}
                  </td>
                ) : null}
                <td data-label={t('sessions.device')}>
                  <span title={s.user_agent ?? undefined}>{s.device_name || s.device_id}</span>{' '}
                  {s.current ? (
                    <Badge kind="blue" testid="session-current">
                      {t('sessions.thisDevice')}
                    </Badge>
                  ) : null}
                </td>
                <td data-label={t('sessions.platform')}>{platformLabel(s.platform)}</td>
                <td data-label={t('sessions.ip')} class="mono">
                  {s.ip ?? '—'}
                </td>
                <td data-label={t('sessions.signedIn')}>{formatTime(s.created_at)}</td>
                <td data-label={t('sessions.lastSeen')}>{formatTime(s.last_seen_at)}</td>
                <td class="cell-actions">
                  {s.current ? null : confirming === s.id ? (
                    // Two clicks instead of window.confirm: clearer on phones and scriptable.
                    <span class="row-buttons">
                      <Button testid="session-revoke-confirm" kind="danger" small onClick={() => void revoke(s)}>
                        {t('sessions.revoke.confirm')}
                      </Button>
                      <Button testid="session-revoke-cancel" small onClick={() => setConfirming(null)}>
                        {t('common.cancel')}
                      </Button>
                    </span>
                  ) : (
                    <Button testid="session-revoke" kind="danger" small busy={busy === s.id} onClick={() => setConfirming(s.id)}>
                      {t('sessions.revoke')}
                    </Button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

export function ApprovalList(props: {
  testid: string;
  approvals: DeviceApproval[];
  showUser?: boolean;
  onDecided: () => void;
}) {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  async function decide(a: DeviceApproval, approve: boolean) {
    setBusy(a.id);
    setError(null);
    try {
      await approvalsApi.decide(a.id, approve);
      props.onDecided();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  }
  if (props.approvals.length === 0) return <Empty testid={`${props.testid}-empty`}>{t('approvals.empty')}</Empty>;
  return (
    <div class="rows" data-testid={props.testid}>
      <ErrorAlert error={error} testid={`${props.testid}-error`} />
      {props.approvals.map((a) => (
        <article class="row-card" key={a.id} data-testid="approval-row" data-approval-id={a.id}>
          <div class="row-main">
            <strong>{a.device_name || a.device_id}</strong>
            <div class="muted small">
              {props.showUser ? <span class="mono">{a.userid} · </span> : null}
              {platformLabel(a.platform)} · {a.ip ?? '—'} · {formatTime(a.created_at)}
            </div>
          </div>
          <div class="row-side row-buttons">
            <Button testid="approval-approve" kind="primary" small busy={busy === a.id} onClick={() => void decide(a, true)}>
              {t('approvals.approve')}
            </Button>
            <Button testid="approval-reject" kind="danger" small disabled={busy === a.id} onClick={() => void decide(a, false)}>
              {t('approvals.reject')}
            </Button>
          </div>
        </article>
      ))}
    </div>
  );
}
