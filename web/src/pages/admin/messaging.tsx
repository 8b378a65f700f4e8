//! Admin → Messaging (#/app/admin/messaging): how long messages are kept, the sensitive-word
//! list (edit, import a file), and the latest sensitive-word hits from the audit log.

import { useState } from 'preact/hooks';
import { ApiError, messagingAdmin } from '../../api';
import { Alert, Button, Card, ErrorAlert, Loading, useLoad } from '../../components/ui';
import { t, useLang } from '../../i18n';
import { SensitiveHits } from './sensitive-hits';
import { SensitiveWords } from './sensitive-words';

export function AdminMessagingPage() {
  useLang();
  return (
    <div class="admin-messaging" data-testid="admin-messaging">
      <Retention />
      <SensitiveWords />
      <SensitiveHits />
    </div>
  );
}

function Retention() {
  const loaded = useLoad(() => messagingAdmin.settings());
  /** What is typed; null until the field is touched (then the loaded value shows). */
  const [typed, setTyped] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const value = typed ?? (loaded.data ? String(loaded.data.retention_days) : '');

  async function save() {
    setSaved(false);
    setError(null);
    const raw = value.trim();
    // Only "is it a whole number" is checked here; the range (1–3650) is the server's to judge.
    if (!/^-?\d+$/.test(raw)) return setError(new ApiError(0, 'client', t('messaging.retention.notNumber')));
    setBusy(true);
    try {
      loaded.setData(await messagingAdmin.saveSettings({ retention_days: Number(raw) }));
      setTyped(null);
      setSaved(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card title={t('messaging.retention.title')} testid="retention-card">
      <p class="muted">{t('messaging.retention.intro')}</p>
      <ErrorAlert error={loaded.error} testid="retention-load-error" />
      {!loaded.data && !loaded.error ? <Loading /> : null}
      {loaded.data ? (
        <form
          class="form"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          {saved ? (
            <Alert kind="success" testid="retention-saved">
              {t('messaging.retention.saved', { n: loaded.data.retention_days })}
            </Alert>
          ) : null}
          <ErrorAlert error={error} testid="retention-error" />
          <label class="field">
            <span class="field-label">{t('messaging.retention.days')}</span>
            <span class="retention-input">
              <input
                class="input input-num"
                type="number"
                inputMode="numeric"
                min={1}
                max={3650}
                step={1}
                data-testid="retention-days"
                value={value}
                onInput={(e) => setTyped(e.currentTarget.value)}
              />
              <span class="muted">{t('messaging.retention.unit')}</span>
            </span>
            <span class="field-hint">{t('messaging.retention.hint')}</span>
          </label>
          <div class="form-actions">
            <Button testid="retention-save" kind="primary" type="submit" busy={busy}>
              {t('common.save')}
            </Button>
          </div>
        </form>
      ) : null}
    </Card>
  );
}
