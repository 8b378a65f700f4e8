//! Two-factor sign-in (#/app/account/2fa): set up a TOTP authenticator, enable, disable.

import { useState } from 'preact/hooks';
import { me as meApi } from '../../api';
import { Alert, Badge, Button, Card, ErrorAlert, Field, onValue } from '../../components/ui';
import { t } from '../../i18n';
import type { Me } from '../../types';

function CodeInput(props: { testid: string; value: string; onChange: (v: string) => void }) {
  return (
    <input
      class="input input-code"
      data-testid={props.testid}
      value={props.value}
      onInput={onValue((v) => props.onChange(v.replace(/\D/g, '').slice(0, 6)))}
      inputMode="numeric"
      autocomplete="one-time-code"
      maxLength={6}
      required
    />
  );
}

export function TotpPage(props: { me: Me; onChanged: (enabled: boolean) => void }) {
  const [setup, setSetup] = useState<{ secret: string; otpauth_url: string } | null>(null);
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);

  async function run(action: () => Promise<void>) {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      await action();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const start = () =>
    run(async () => {
      setSetup(await meApi.totpSetup());
      setCode('');
    });
  const enable = () =>
    run(async () => {
      await meApi.totpEnable(code);
      setSetup(null);
      setCode('');
      setDone(t('totp.enabled.done'));
      props.onChanged(true);
    });
  const disable = () =>
    run(async () => {
      await meApi.totpDisable(code);
      setCode('');
      setDone(t('totp.disabled.done'));
      props.onChanged(false);
    });

  return (
    <Card
      title={t('totp.title')}
      testid="totp-page"
      class="card-narrow"
      actions={
        props.me.totp_enabled ? (
          <Badge kind="green" testid="totp-status">
            {t('totp.status.on')}
          </Badge>
        ) : (
          <Badge testid="totp-status">{t('totp.status.off')}</Badge>
        )
      }
    >
      <p class="muted">{t('totp.intro')}</p>
      {done ? (
        <Alert kind="success" testid="totp-done">
          {done}
        </Alert>
      ) : null}
      <ErrorAlert error={error} testid="totp-error" />

      {props.me.totp_enabled ? (
        <form
          class="form"
          onSubmit={(e) => {
            e.preventDefault();
            void disable();
          }}
        >
          <Field label={t('totp.code')} hint={t('totp.disable.hint')}>
            <CodeInput testid="totp-disable-code" value={code} onChange={setCode} />
          </Field>
          <div class="form-actions">
            <Button testid="totp-disable" kind="danger" type="submit" busy={busy} disabled={code.length !== 6}>
              {t('totp.disable')}
            </Button>
          </div>
        </form>
      ) : setup ? (
        <form
          class="form"
          onSubmit={(e) => {
            e.preventDefault();
            void enable();
          }}
        >
          <p>{t('totp.setup.step1')}</p>
          <Field label={t('totp.secret')}>
            <code class="code-inline" data-testid="totp-secret">
              {setup.secret}
            </code>
          </Field>
          <Field label={t('totp.url')}>
            <code class="code-inline code-wrap" data-testid="totp-url">
              {setup.otpauth_url}
            </code>
          </Field>
          <p>{t('totp.setup.step2')}</p>
          <Field label={t('totp.code')}>
            <CodeInput testid="totp-enable-code" value={code} onChange={setCode} />
          </Field>
          <div class="form-actions">
            <Button testid="totp-enable" kind="primary" type="submit" busy={busy} disabled={code.length !== 6}>
              {t('totp.enable')}
            </Button>
            <Button testid="totp-cancel" onClick={() => setSetup(null)}>
              {t('common.cancel')}
            </Button>
          </div>
        </form>
      ) : (
        <div class="form-actions">
          <Button testid="totp-setup" kind="primary" busy={busy} onClick={() => void start()}>
            {t('totp.setup')}
          </Button>
        </div>
      )}
    </Card>
  );
}
