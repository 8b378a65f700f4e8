//! Security policy form (#/app/admin/policy): all fourteen parameters (the contract's twelve and
//! the upload limits of docs/api-files.md). Reloads itself when the policy changes elsewhere
//! (`security_policy.changed`). Every field is sent on save: the server would put back the default
//! of any field left out.

import { useRef, useState } from 'preact/hooks';
import { admin } from '../../api';
import { Alert, Button, Card, ErrorAlert, Loading, useLoad } from '../../components/ui';
import { useEvent } from '../../events';
import { t } from '../../i18n';
import type { Key } from '../../strings';
import type { CharClass, Platform, SecurityPolicy } from '../../types';

type NumberKey =
  | 'min_password_length'
  | 'password_expiry_days'
  | 'password_history'
  | 'lockout_threshold'
  | 'lockout_minutes'
  | 'session_idle_minutes'
  | 'session_max_hours'
  | 'max_devices'
  | 'max_upload_mb_desktop'
  | 'max_upload_mb_mobile';

const CHAR_CLASSES: CharClass[] = ['lower', 'upper', 'digit', 'symbol'];
const PLATFORMS: Platform[] = ['web', 'desktop', 'mobile'];

/** The form keeps numbers as typed text, so a field can be cleared while editing. */
interface Form {
  numbers: Record<NumberKey, string>;
  classes: CharClass[];
  platforms: Platform[];
  ipText: string;
  newDeviceApproval: boolean;
}

const NUMBER_KEYS: NumberKey[] = [
  'min_password_length',
  'password_expiry_days',
  'password_history',
  'lockout_threshold',
  'lockout_minutes',
  'session_idle_minutes',
  'session_max_hours',
  'max_devices',
  'max_upload_mb_desktop',
  'max_upload_mb_mobile',
];

/** The server's defaults, shown should an older server not send a field. */
const DEFAULTS: Partial<Record<NumberKey, number>> = { max_upload_mb_desktop: 3072, max_upload_mb_mobile: 1024 };

function toForm(p: SecurityPolicy): Form {
  const numbers = {} as Record<NumberKey, string>;
  for (const k of NUMBER_KEYS) numbers[k] = String(p[k] ?? DEFAULTS[k] ?? 0);
  return {
    numbers,
    classes: [...(p.required_char_classes ?? [])],
    platforms: [...(p.allowed_platforms ?? [])],
    ipText: (p.ip_allowlist ?? []).join('\n'),
    newDeviceApproval: !!p.new_device_approval,
  };
}

/** The policy, or the first field whose number is not a whole number ≥ 0. */
function fromForm(f: Form): SecurityPolicy | NumberKey {
  const n = {} as Record<NumberKey, number>;
  for (const k of NUMBER_KEYS) {
    const raw = f.numbers[k].trim();
    if (!/^\d+$/.test(raw)) return k;
    n[k] = Number(raw);
  }
  return {
    ...n,
    // Keep the contract's order, whatever order boxes were ticked in.
    required_char_classes: CHAR_CLASSES.filter((c) => f.classes.includes(c)),
    allowed_platforms: PLATFORMS.filter((p) => f.platforms.includes(p)),
    ip_allowlist: f.ipText
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean),
    new_device_approval: f.newDeviceApproval,
  };
}

const same = (a: SecurityPolicy, b: SecurityPolicy) => JSON.stringify(fromForm(toForm(a))) === JSON.stringify(fromForm(toForm(b)));

export function PolicyPage() {
  const [form, setForm] = useState<Form | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [badField, setBadField] = useState<NumberKey | null>(null);
  const [notice, setNotice] = useState<'saved' | 'changed' | null>(null);
  const baseline = useRef<SecurityPolicy | null>(null);

  const loaded = useLoad(async () => {
    const p = await admin.policy();
    baseline.current = p;
    setForm(toForm(p));
    return p;
  });

  useEvent('security_policy.changed', () => {
    admin.policy().then(
      (p) => {
        if (baseline.current && same(p, baseline.current)) return; // our own save echoing back
        baseline.current = p;
        setForm(toForm(p));
        setNotice('changed');
      },
      () => undefined,
    );
  });

  async function save() {
    if (!form) return;
    const policy = fromForm(form);
    if (typeof policy === 'string') {
      setBadField(policy);
      return;
    }
    setBadField(null);
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const saved = await admin.savePolicy(policy);
      baseline.current = saved;
      setForm(toForm(saved));
      setNotice('saved');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  if (!form) {
    return (
      <Card title={t('policy.title')} testid="policy-page">
        {loaded.error ? <ErrorAlert error={loaded.error} testid="policy-error" /> : <Loading />}
      </Card>
    );
  }

  const update = (patch: Partial<Form>) => {
    setNotice(null);
    setForm({ ...form, ...patch });
  };
  const numberField = (k: NumberKey) => (
    <label class={`field${badField === k ? ' has-error' : ''}`} key={k}>
      <span class="field-label">{t(`policy.${k}` as Key)}</span>
      <input
        class="input input-num"
        type="number"
        min={0}
        step={1}
        inputMode="numeric"
        data-testid={`policy-${k}`}
        value={form.numbers[k]}
        onInput={(e) => update({ numbers: { ...form.numbers, [k]: e.currentTarget.value } })}
      />
      {badField === k ? (
        <span class="field-error">{t('policy.wholeNumber')}</span>
      ) : (
        <span class="field-hint">{t(`policy.${k}.hint` as Key)}</span>
      )}
    </label>
  );
  function toggle<T>(list: T[], item: T, on: boolean): T[] {
    return on ? (list.includes(item) ? list : [...list, item]) : list.filter((x) => x !== item);
  }

  return (
    <Card title={t('policy.title')} testid="policy-page">
      {notice === 'saved' ? (
        <Alert kind="success" testid="policy-saved">
          {t('policy.saved')}
        </Alert>
      ) : null}
      {notice === 'changed' ? (
        <Alert kind="info" testid="policy-changed">
          {t('policy.changedElsewhere')}
        </Alert>
      ) : null}
      <ErrorAlert error={error} testid="policy-error" />
      <form
        class="form policy-form"
        data-testid="policy-form"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <fieldset class="group">
          <legend>{t('policy.group.password')}</legend>
          <div class="grid-2">
            {numberField('min_password_length')}
            {numberField('password_expiry_days')}
            {numberField('password_history')}
          </div>
          <div class="field">
            <span class="field-label">{t('policy.required_char_classes')}</span>
            <div class="checks">
              {CHAR_CLASSES.map((c) => (
                <label class="check" key={c}>
                  <input
                    type="checkbox"
                    data-testid={`policy-class-${c}`}
                    checked={form.classes.includes(c)}
                    onChange={(e) => update({ classes: toggle(form.classes, c, e.currentTarget.checked) })}
                  />
                  {t(`policy.class.${c}` as Key)}
                </label>
              ))}
            </div>
          </div>
        </fieldset>

        <fieldset class="group">
          <legend>{t('policy.group.lockout')}</legend>
          <div class="grid-2">
            {numberField('lockout_threshold')}
            {numberField('lockout_minutes')}
          </div>
        </fieldset>

        <fieldset class="group">
          <legend>{t('policy.group.sessions')}</legend>
          <div class="grid-2">
            {numberField('session_idle_minutes')}
            {numberField('session_max_hours')}
            {numberField('max_devices')}
          </div>
          <label class="check">
            <input
              type="checkbox"
              data-testid="policy-new_device_approval"
              checked={form.newDeviceApproval}
              onChange={(e) => update({ newDeviceApproval: e.currentTarget.checked })}
            />
            {t('policy.new_device_approval')}
          </label>
          <span class="field-hint">{t('policy.new_device_approval.hint')}</span>
        </fieldset>

        <fieldset class="group">
          <legend>{t('policy.group.access')}</legend>
          <div class="field">
            <span class="field-label">{t('policy.allowed_platforms')}</span>
            <div class="checks">
              {PLATFORMS.map((p) => (
                <label class="check" key={p}>
                  <input
                    type="checkbox"
                    data-testid={`policy-platform-${p}`}
                    checked={form.platforms.includes(p)}
                    onChange={(e) => update({ platforms: toggle(form.platforms, p, e.currentTarget.checked) })}
                  />
                  {t(`platform.${p}` as Key)}
                </label>
              ))}
            </div>
            {form.platforms.includes('web') ? null : <span class="field-error">{t('policy.noWebWarning')}</span>}
          </div>
          <label class="field">
            <span class="field-label">{t('policy.ip_allowlist')}</span>
            <textarea
              class="input input-mono"
              rows={4}
              data-testid="policy-ip_allowlist"
              value={form.ipText}
              placeholder={'10.0.0.0/8\n192.168.1.0/24'}
              onInput={(e) => update({ ipText: e.currentTarget.value })}
              spellcheck={false}
            />
            <span class="field-hint">{t('policy.ip_allowlist.hint')}</span>
          </label>
        </fieldset>

        <fieldset class="group">
          <legend>{t('policy.group.uploads')}</legend>
          <div class="grid-2">
            {numberField('max_upload_mb_desktop')}
            {numberField('max_upload_mb_mobile')}
          </div>
        </fieldset>

        <div class="form-actions sticky-actions">
          <Button testid="policy-save" kind="primary" type="submit" busy={busy}>
            {t('common.save')}
          </Button>
          <Button
            testid="policy-reset"
            disabled={busy}
            onClick={() => {
              if (baseline.current) setForm(toForm(baseline.current));
              setBadField(null);
              setNotice(null);
            }}
          >
            {t('common.reset')}
          </Button>
        </div>
      </form>
    </Card>
  );
}
