//! Change my password (#/app/account/password).

import { useState } from 'preact/hooks';
import { me } from '../../api';
import { Alert, Button, Card, ErrorAlert, Field, onValue } from '../../components/ui';
import { t } from '../../i18n';

export function PasswordPage() {
  const [oldPassword, setOld] = useState('');
  const [newPassword, setNew] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const mismatch = confirm.length > 0 && confirm !== newPassword;

  async function submit() {
    if (newPassword !== confirm) return;
    setBusy(true);
    setError(null);
    setDone(false);
    try {
      await me.changePassword(oldPassword, newPassword);
      setOld('');
      setNew('');
      setConfirm('');
      setDone(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card title={t('password.title')} testid="password-page" class="card-narrow">
      {done ? (
        <Alert kind="success" testid="password-done">
          {t('password.done')}
        </Alert>
      ) : null}
      <ErrorAlert error={error} testid="password-error" />
      <form
        class="form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <Field label={t('password.old')}>
          <input
            class="input"
            type="password"
            data-testid="password-old"
            value={oldPassword}
            onInput={onValue(setOld)}
            autocomplete="current-password"
            required
          />
        </Field>
        <Field label={t('password.new')}>
          <input
            class="input"
            type="password"
            data-testid="password-new"
            value={newPassword}
            onInput={onValue(setNew)}
            autocomplete="new-password"
            required
          />
        </Field>
        <Field label={t('password.confirm')} error={mismatch ? t('password.mismatch') : null}>
          <input
            class="input"
            type="password"
            data-testid="password-confirm"
            value={confirm}
            onInput={onValue(setConfirm)}
            autocomplete="new-password"
            required
          />
        </Field>
        <div class="form-actions">
          <Button testid="password-submit" kind="primary" type="submit" busy={busy} disabled={mismatch}>
            {t('password.submit')}
          </Button>
        </div>
      </form>
    </Card>
  );
}
