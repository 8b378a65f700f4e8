//! Group robots (owner and admins): add one by name and see its webhook URL once (the server
//! keeps only a digest of the key), list them, delete them.

import { useRef, useState } from 'preact/hooks';
import { chat } from '../../api';
import { Alert, Button, ErrorAlert, copyText, onValue } from '../../components/ui';
import { formatTime, t } from '../../i18n';
import type { NewRobot, RobotView } from '../../types';

export function Robots(props: { conversationId: string; robots: RobotView[]; onChanged: () => void }) {
  const [name, setName] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<NewRobot | null>(null);
  const [copied, setCopied] = useState<boolean | null>(null);
  const urlInput = useRef<HTMLInputElement>(null);

  async function run(key: string, fn: () => Promise<void>) {
    setBusy(key);
    setError(null);
    try {
      await fn();
      props.onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  }

  const add = () =>
    run('add', async () => {
      const r = await chat.addRobot(props.conversationId, name.trim());
      // A path is shown resolved against this server, like the activation links.
      let url = r.webhook_url;
      try {
        url = new URL(url, location.origin).href;
      } catch {
        // Not a URL at all: shown as the server sent it.
      }
      setCreated({ ...r, webhook_url: url });
      setCopied(null);
      setName('');
    });

  return (
    <section class="settings-section" data-testid="group-robots">
      <h3 class="settings-title">{t('chat.robots.title')}</h3>
      {created ? (
        <div class="robot-created callout" data-testid="robot-created">
          <Alert kind="warning" testid="robot-once">
            {t('chat.robots.once', { name: created.name })}
          </Alert>
          <div class="callout-row">
            <input
              ref={urlInput}
              class="input input-mono secret-input"
              readOnly
              data-testid="robot-webhook"
              value={created.webhook_url}
              onFocus={(e) => e.currentTarget.select()}
            />
            <Button testid="robot-copy" kind="primary" small onClick={() => void copyText(created.webhook_url, urlInput.current).then(setCopied)}>
              {copied ? t('common.copied') : t('common.copy')}
            </Button>
          </div>
          <Button testid="robot-created-done" small onClick={() => setCreated(null)}>
            {t('chat.robots.done')}
          </Button>
        </div>
      ) : null}
      <ErrorAlert error={error} testid="robot-error" />
      {props.robots.length ? (
        <ul class="settings-list" data-testid="robot-list">
          {props.robots.map((r) => (
            <li key={r.key_hint} class="settings-row" data-testid="robot-row" data-key-hint={r.key_hint} data-name={r.name}>
              <span class="settings-row-main">
                <span>🤖 {r.name}</span>
                <span class="muted small mono">
                  {r.key_hint}… · {formatTime(r.created_at)}
                </span>
              </span>
              <Button
                testid="robot-delete"
                kind="danger"
                small
                busy={busy === r.key_hint}
                onClick={() => void run(r.key_hint, () => chat.deleteRobot(props.conversationId, r.key_hint))}
              >
                {t('common.delete')}
              </Button>
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted small" data-testid="robot-none">
          {t('chat.robots.none')}
        </p>
      )}
      <form
        class="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (name.trim()) void add();
        }}
      >
        <input
          class="input"
          data-testid="robot-name"
          value={name}
          maxLength={50}
          onInput={onValue(setName)}
          placeholder={t('chat.robots.name')}
          aria-label={t('chat.robots.name')}
        />
        <Button testid="robot-add" type="submit" busy={busy === 'add'} disabled={!name.trim()}>
          {t('chat.robots.add')}
        </Button>
      </form>
    </section>
  );
}
