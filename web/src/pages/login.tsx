//! Sign-in (#/login): password, then a TOTP code or a wait for device approval when the server
//! asks, and the forced password change when the password has expired.

import { useEffect, useState } from 'preact/hooks';
import { ApiError, auth } from '../api';
import { AuthLayout } from '../components/brand';
import { Alert, Button, ErrorAlert, Field, onValue } from '../components/ui';
import { t } from '../i18n';
import { navigate } from '../router';
import { currentSession, deviceId, deviceName, lastCorpId } from '../storage';
import type { LoginAnswer } from '../types';

type Stage =
  | { kind: 'form' }
  | { kind: 'totp' }
  | { kind: 'pending'; approvalId: string; pollToken: string }
  | { kind: 'rejected' }
  | { kind: 'expired' };

const POLL_MS = 2000;

function finish(answer: { session_id: string; user: { corpid: string } }) {
  currentSession.set(answer.session_id);
  lastCorpId.set(answer.user.corpid);
  navigate('/app/messages');
}

export function LoginPage(props: { notice: string | null; corpid?: string | null }) {
  const [corpid, setCorpid] = useState(props.corpid || lastCorpId.get());
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [stage, setStage] = useState<Stage>({ kind: 'form' });
  const [error, setError] = useState<unknown>(null);
  const [info, setInfo] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(pw: string, code?: string) {
    setBusy(true);
    setError(null);
    try {
      const answer: LoginAnswer = await auth.login({
        corpid: corpid.trim(),
        login: login.trim(),
        password: pw,
        totp_code: code,
        device_id: deviceId(),
        device_name: deviceName(),
        platform: 'web',
      });
      if (answer.status === 'ok') finish(answer);
      else if (answer.status === 'totp_required') {
        setTotp('');
        setStage({ kind: 'totp' });
      } else if (answer.status === 'device_pending') {
        setStage({ kind: 'pending', approvalId: answer.approval_id, pollToken: answer.poll_token });
      }
    } catch (err) {
      if (err instanceof ApiError && err.code === 'password_expired') {
        setNewPassword('');
        setConfirm('');
        setStage({ kind: 'expired' });
      }
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  // Waiting for approval: ask every two seconds until approved, rejected or failed.
  useEffect(() => {
    if (stage.kind !== 'pending') return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout>;
    const poll = async () => {
      try {
        const answer = await auth.pollApproval(stage.approvalId, stage.pollToken);
        if (stopped) return;
        if (answer.status === 'ok') return finish(answer);
        if (answer.status === 'rejected') return setStage({ kind: 'rejected' });
      } catch (err) {
        if (stopped) return;
        // A network blip keeps waiting; an answer from the server (expired, unknown) ends it.
        if (!(err instanceof ApiError && err.status === 0)) {
          setError(err);
          setStage({ kind: 'form' });
          return;
        }
      }
      timer = setTimeout(poll, POLL_MS);
    };
    timer = setTimeout(poll, POLL_MS);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [stage]);

  const backToForm = () => {
    setError(null);
    setStage({ kind: 'form' });
  };

  async function changeExpired() {
    if (newPassword !== confirm) {
      setError(new ApiError(0, 'mismatch', t('password.mismatch')));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await auth.changeExpired({ corpid: corpid.trim(), login: login.trim(), old_password: password, new_password: newPassword });
      setPassword(newPassword);
      setInfo(t('login.expired.done'));
      setStage({ kind: 'form' });
      setBusy(false);
      await submit(newPassword);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  const notice =
    props.notice === 'signed_out' ? t('login.notice.signedOut') : props.notice === 'logged_out' ? t('login.notice.loggedOut') : null;

  return (
    <AuthLayout testid="page-login">
      <div class="auth-card">
        <h1 class="auth-title">{t('login.title')}</h1>
        {notice && stage.kind === 'form' ? (
          <Alert kind="warning" testid="login-notice">
            {notice}
          </Alert>
        ) : null}
        {props.notice === 'activated' && stage.kind === 'form' ? (
          <Alert kind="success" testid="login-activated">
            {t('login.notice.activated')}
          </Alert>
        ) : null}
        {info ? (
          <Alert kind="success" testid="login-info">
            {info}
          </Alert>
        ) : null}
        <ErrorAlert error={error} testid="login-error" />

        {stage.kind === 'form' ? (
          <form
            class="form"
            data-testid="login-form"
            onSubmit={(e) => {
              e.preventDefault();
              void submit(password);
            }}
          >
            <Field label={t('login.corpid')} hint={t('login.corpid.hint')}>
              <input
                class="input"
                data-testid="login-corpid"
                value={corpid}
                onInput={onValue(setCorpid)}
                autocomplete="organization"
                required
              />
            </Field>
            <Field label={t('login.account')}>
              <input
                class="input"
                data-testid="login-account"
                value={login}
                onInput={onValue(setLogin)}
                placeholder={t('login.account.placeholder')}
                autocomplete="username"
                required
              />
            </Field>
            <Field label={t('login.password')}>
              <input
                class="input"
                type="password"
                data-testid="login-password"
                value={password}
                onInput={onValue(setPassword)}
                autocomplete="current-password"
                required
              />
            </Field>
            <Button testid="login-submit" kind="primary" type="submit" busy={busy}>
              {t('login.submit')}
            </Button>
          </form>
        ) : null}

        {stage.kind === 'totp' ? (
          <form
            class="form"
            data-testid="login-totp-form"
            onSubmit={(e) => {
              e.preventDefault();
              void submit(password, totp.trim());
            }}
          >
            <p class="muted">{t('login.totp.intro')}</p>
            <Field label={t('login.totp.code')}>
              <input
                class="input input-code"
                data-testid="login-totp"
                value={totp}
                onInput={onValue((v) => setTotp(v.replace(/\D/g, '').slice(0, 6)))}
                inputMode="numeric"
                autocomplete="one-time-code"
                pattern="[0-9]{6}"
                maxLength={6}
                required
                autoFocus
              />
            </Field>
            <Button testid="login-totp-submit" kind="primary" type="submit" busy={busy} disabled={totp.length !== 6}>
              {t('login.totp.submit')}
            </Button>
            <Button testid="login-back" kind="link" onClick={backToForm}>
              {t('common.back')}
            </Button>
          </form>
        ) : null}

        {stage.kind === 'pending' ? (
          <div class="waiting" data-testid="login-pending">
            <span class="spinner spinner-lg" aria-hidden="true" />
            <h2>{t('login.pending.title')}</h2>
            <p class="muted">{t('login.pending.body')}</p>
            <Button testid="login-pending-cancel" onClick={backToForm}>
              {t('common.cancel')}
            </Button>
          </div>
        ) : null}

        {stage.kind === 'rejected' ? (
          <div class="waiting" data-testid="login-rejected">
            <Alert kind="error" testid="login-rejected-message">
              {t('login.rejected')}
            </Alert>
            <Button testid="login-back" onClick={backToForm}>
              {t('common.back')}
            </Button>
          </div>
        ) : null}

        {stage.kind === 'expired' ? (
          <form
            class="form"
            data-testid="login-expired-form"
            onSubmit={(e) => {
              e.preventDefault();
              void changeExpired();
            }}
          >
            <p class="muted">{t('login.expired.intro')}</p>
            <Field label={t('password.new')}>
              <input
                class="input"
                type="password"
                data-testid="login-expired-new"
                value={newPassword}
                onInput={onValue(setNewPassword)}
                autocomplete="new-password"
                required
              />
            </Field>
            <Field label={t('password.confirm')}>
              <input
                class="input"
                type="password"
                data-testid="login-expired-confirm"
                value={confirm}
                onInput={onValue(setConfirm)}
                autocomplete="new-password"
                required
              />
            </Field>
            <Button testid="login-expired-submit" kind="primary" type="submit" busy={busy}>
              {t('login.expired.submit')}
            </Button>
            <Button testid="login-back" kind="link" onClick={backToForm}>
              {t('common.back')}
            </Button>
          </form>
        ) : null}

        <div class="auth-links">
          <a href="#/signup" data-testid="login-link-signup">
            {t('login.link.signup')}
          </a>
          <a href="#/operator" data-testid="login-link-operator">
            {t('login.link.operator')}
          </a>
        </div>
      </div>
    </AuthLayout>
  );
}
