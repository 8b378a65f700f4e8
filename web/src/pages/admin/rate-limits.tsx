//! Admin → API rate limits (#/app/admin/rate-limits): the per-minute and per-day limits of the
//! contacts and messages APIs (PUT), and each app's remaining budget this minute and today (GET;
//! agent 0 is the contacts-sync secret), as small bars with a refresh button.

import { useState } from 'preact/hooks';
import { apps } from '../../api';
import { Alert, Button, Card, Empty, ErrorAlert, Loading, useLoad } from '../../components/ui';
import { formatTime, t, useLang } from '../../i18n';
import type { Key } from '../../strings';
import type { AppBudget, RateLimits } from '../../types';

const APIS = ['contacts', 'messages'] as const;
const PERIODS = ['per_minute', 'per_day'] as const;
type Api = (typeof APIS)[number];
type Period = (typeof PERIODS)[number];
type FormText = Record<Api, Record<Period, string>>;

const toText = (l: RateLimits): FormText => ({
  contacts: { per_minute: String(l.contacts.per_minute), per_day: String(l.contacts.per_day) },
  messages: { per_minute: String(l.messages.per_minute), per_day: String(l.messages.per_day) },
});

/** The limits, or the first field that is not a whole number above 0. */
function fromText(f: FormText): RateLimits | `${Api}-${Period}` {
  const out = { contacts: { per_minute: 0, per_day: 0 }, messages: { per_minute: 0, per_day: 0 } };
  for (const api of APIS) {
    for (const p of PERIODS) {
      const raw = f[api][p].trim();
      if (!/^\d+$/.test(raw) || Number(raw) < 1) return `${api}-${p}`;
      out[api][p] = Number(raw);
    }
  }
  return out;
}

export function RateLimitsPage() {
  useLang();
  const loaded = useLoad(async () => ({ ...(await apps.rateLimits()), at: Date.now() }));
  return (
    <div class="admin-rate-limits" data-testid="admin-rate-limits">
      <ErrorAlert error={loaded.error} testid="rate-load-error" />
      {!loaded.data ? (
        loaded.error ? null : <Loading testid="rate-loading" />
      ) : (
        <>
          <LimitsForm initial={loaded.data.limits} onSaved={loaded.reload} />
          <BudgetTable
            limits={loaded.data.limits}
            apps={loaded.data.apps}
            at={loaded.data.at}
            loading={loaded.loading}
            onRefresh={loaded.reload}
          />
        </>
      )}
    </div>
  );
}

function LimitsForm(props: { initial: RateLimits; onSaved: () => void }) {
  const [form, setForm] = useState<FormText>(() => toText(props.initial));
  const [bad, setBad] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);

  async function save() {
    const limits = fromText(form);
    if (typeof limits === 'string') {
      setBad(limits);
      setSaved(false);
      return;
    }
    setBad(null);
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      setForm(toText(await apps.saveRateLimits(limits)));
      setSaved(true);
      props.onSaved();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card title={t('rate.title')} testid="rate-limits-card">
      <p class="muted">{t('rate.intro')}</p>
      <form
        class="form rate-form"
        data-testid="rate-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        {saved ? (
          <Alert kind="success" testid="rate-notice">
            {t('rate.saved')}
          </Alert>
        ) : null}
        <ErrorAlert error={error} testid="rate-error" />
        <div class="grid-2">
          {APIS.map((api) => (
            <fieldset class="group" key={api} data-testid={`rate-group-${api}`}>
              <legend>{t(`rate.${api}` as Key)}</legend>
              {PERIODS.map((p) => (
                <label class={`field${bad === `${api}-${p}` ? ' has-error' : ''}`} key={p}>
                  <span class="field-label">{t(`rate.${p}` as Key)}</span>
                  <input
                    class="input input-num"
                    type="number"
                    min={1}
                    step={1}
                    inputMode="numeric"
                    data-testid={`rate-${api}-${p}`}
                    value={form[api][p]}
                    onInput={(e) => {
                      const value = e.currentTarget.value;
                      setForm((f) => ({ ...f, [api]: { ...f[api], [p]: value } }));
                    }}
                  />
                  {bad === `${api}-${p}` ? (
                    <span class="field-error" data-testid="rate-invalid">
                      {t('rate.invalid')}
                    </span>
                  ) : null}
                </label>
              ))}
            </fieldset>
          ))}
        </div>
        <div class="form-actions">
          <Button testid="rate-save" kind="primary" type="submit" busy={busy}>
            {t('common.save')}
          </Button>
          <Button
            testid="rate-reset"
            disabled={busy}
            onClick={() => {
              setForm(toText(props.initial));
              setBad(null);
              setError(null);
              setSaved(false);
            }}
          >
            {t('common.reset')}
          </Button>
        </div>
      </form>
    </Card>
  );
}

function BudgetTable(props: { limits: RateLimits; apps: AppBudget[]; at: number; loading: boolean; onRefresh: () => void }) {
  const { limits } = props;
  const cell = (b: AppBudget, api: Api) => (
    <td data-label={t(`rate.${api}` as Key)}>
      <div class="budget-pair">
        <BudgetBar kind={`${api}-minute`} label={t('rate.minute')} left={b[api][0]} limit={limits[api].per_minute} />
        <BudgetBar kind={`${api}-day`} label={t('rate.day')} left={b[api][1]} limit={limits[api].per_day} />
      </div>
    </td>
  );
  return (
    <Card
      title={t('rate.budget')}
      testid="rate-budget"
      actions={
        <>
          <span class="muted small" data-testid="rate-updated">
            {t('rate.updated', { time: formatTime(props.at) })}
          </span>
          <Button testid="rate-refresh" small busy={props.loading} onClick={props.onRefresh}>
            {t('common.refresh')}
          </Button>
        </>
      }
    >
      <p class="muted small">{t('rate.budget.intro')}</p>
      {props.apps.length === 0 ? (
        <Empty testid="rate-empty">{t('rate.empty')}</Empty>
      ) : (
        <div class="table-wrap">
          <table class="table budget-table" data-testid="rate-table">
            <thead>
              <tr>
                <th>{t('rate.app')}</th>
                <th>{t('rate.contacts')}</th>
                <th>{t('rate.messages')}</th>
              </tr>
            </thead>
            <tbody>
              {props.apps.map((b) => {
                const name = b.agentid === 0 ? t('rate.contactsSync') : b.name;
                return (
                  <tr key={b.agentid} data-testid="rate-row" data-agentid={b.agentid} data-name={name}>
                    <td data-label={t('rate.app')}>
                      <span class="budget-app">
                        <span data-testid="rate-app-name">{name}</span>
                        <span class="muted small mono">{b.agentid}</span>
                      </span>
                    </td>
                    {cell(b, 'contacts')}
                    {cell(b, 'messages')}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}

/** Remaining / limit as a small bar: green, orange below 30 %, red below 10 %. */
function BudgetBar(props: { kind: string; label: string; left: number; limit: number }) {
  const ratio = props.limit > 0 ? Math.max(0, Math.min(1, props.left / props.limit)) : 0;
  const level = ratio < 0.1 ? 'low' : ratio < 0.3 ? 'mid' : 'ok';
  return (
    <div class="budget" data-testid="rate-bar" data-kind={props.kind} data-left={props.left} data-limit={props.limit}>
      <span class="budget-label">{props.label}</span>
      <div
        class="progress-track"
        role="progressbar"
        aria-label={`${props.label}: ${t('rate.left', { left: props.left, limit: props.limit })}`}
        aria-valuemin={0}
        aria-valuemax={props.limit}
        aria-valuenow={props.left}
      >
        <div class={`progress-fill budget-${level}`} style={{ width: `${Math.round(ratio * 1000) / 10}%` }} />
      </div>
      <span class="budget-text" data-testid="rate-bar-text">
        {props.left} / {props.limit}
      </span>
    </div>
  );
}
