//! Activation of an invited member (#/activate?corpid=…&token=…): choose a password, then the
//! login page opens with the company ID filled in and a success notice.

import { useState } from 'preact/hooks';
import { ApiError, auth } from '../api';
import { AuthLayout } from '../components/brand';
import { Alert, Button, ErrorAlert, Field, onValue } from '../components/ui';
import { t } from '../i18n';
import { navigate } from '../router';
import { lastCorpId } from '../storage';

export function ActivatePage(props: { params: URLSearchParams }) {
  const corpid = (props.params.get('corpid') ?? '').trim();
  const token = (props.params.get('token') ?? '').trim();
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function submit() {
    if (password !== confirm) {
      setError(new ApiError(0, 'mismatch', t('password.mismatch')));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await auth.activate({ corpid, token, password });
      lastCorpId.set(corpid);
      navigate(`/login?notice=activated&corpid=${encodeURIComponent(corpid)}`, true);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  return (
    <AuthLayout testid="page-activate">
      <div class="auth-card">
        <h1 class="auth-title">{t('activate.title')}</h1>
        {!corpid || !token ? (
          <>
            <Alert kind="error" testid="activate-invalid">
              {t('activate.invalidLink')}
            </Alert>
            <a class="btn btn-default" href="#/login" data-testid="activate-to-login">
              {t('activate.toLogin')}
            </a>
          </>
        ) : (
          <form
            class="form"
            data-testid="activate-form"
            onSubmit={(e) => {
              e.preventDefault();
              void submit();
            }}
          >
            <p class="muted">{t('activate.intro')}</p>
            <Field label={t('login.corpid')}>
              <input class="input input-mono" data-testid="activate-corpid" value={corpid} readOnly />
            </Field>
            <ErrorAlert error={error} testid="activate-error" />
            <Field label={t('password.new')}>
              <input
                class="input"
                type="password"
                data-testid="activate-password"
                value={password}
                onInput={onValue(setPassword)}
                autocomplete="new-password"
                required
              />
            </Field>
            <Field label={t('password.confirm')}>
              <input
                class="input"
                type="password"
                data-testid="activate-confirm"
                value={confirm}
                onInput={onValue(setConfirm)}
                autocomplete="new-password"
                required
              />
            </Field>
            <Button testid="activate-submit" kind="primary" type="submit" busy={busy}>
              {t('activate.submit')}
            </Button>
          </form>
        )}
        <div class="auth-links">
          <a href="#/login" data-testid="activate-link-login">
            {t('activate.haveAccount')}
          </a>
        </div>
      </div>
    </AuthLayout>
  );
}
