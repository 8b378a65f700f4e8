//! Operator console (#/operator): first-run instructions, operator sign-in, the queue of company
//! sign-ups (licence, bank details, payment code) and the company list (verify, edition).

import { useState } from 'preact/hooks';
import { ApiError, operator } from '../api';
import { AuthLayout, Logo } from '../components/brand';
import { Alert, Badge, Button, Card, Empty, ErrorAlert, Field, LangSwitch, Loading, onValue, useLoad } from '../components/ui';
import { formatTime, t } from '../i18n';
import type { Key } from '../strings';
import type { BankStatus, Edition, OperatorCorp, OperatorSignup } from '../types';

type Gate = { kind: 'setup'; command: string } | { kind: 'login' } | { kind: 'in'; username: string };

export function OperatorPage() {
  const gate = useLoad<Gate>(async () => {
    const status = await operator.status();
    if (!status.operator_exists) return { kind: 'setup', command: status.setup_command };
    try {
      const who = await operator.me();
      return { kind: 'in', username: who.username };
    } catch (err) {
      if (err instanceof ApiError && (err.status === 401 || err.status === 403)) return { kind: 'login' };
      throw err;
    }
  });

  if (gate.loading && !gate.data) {
    return (
      <AuthLayout testid="page-operator">
        <Loading />
      </AuthLayout>
    );
  }
  if (gate.error || !gate.data) {
    return (
      <AuthLayout testid="page-operator">
        <div class="auth-card">
          <ErrorAlert error={gate.error} testid="operator-error" />
          <Button testid="operator-retry" onClick={gate.reload}>
            {t('common.retry')}
          </Button>
        </div>
      </AuthLayout>
    );
  }
  const g = gate.data;
  if (g.kind === 'setup') return <OperatorSetup command={g.command} />;
  if (g.kind === 'login') return <OperatorLogin onIn={(username) => gate.setData({ kind: 'in', username })} />;
  return <OperatorConsole username={g.username} onOut={() => gate.setData({ kind: 'login' })} />;
}

function OperatorSetup(props: { command: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <AuthLayout testid="page-operator" wide>
      <div class="auth-card" data-testid="operator-setup">
        <h1 class="auth-title">{t('operator.setup.title')}</h1>
        <p>{t('operator.setup.body')}</p>
        <div class="code-box">
          <pre data-testid="operator-setup-command">
            <code>{props.command}</code>
          </pre>
          <Button
            testid="operator-setup-copy"
            small
            onClick={() => {
              void navigator.clipboard?.writeText(props.command).then(() => setCopied(true));
            }}
          >
            {copied ? t('common.copied') : t('common.copy')}
          </Button>
        </div>
        <p class="muted">{t('operator.setup.after')}</p>
        <div class="auth-links">
          <a href="#/login" data-testid="operator-link-login">
            {t('operator.link.userLogin')}
          </a>
        </div>
      </div>
    </AuthLayout>
  );
}

function OperatorLogin(props: { onIn: (username: string) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  async function submit() {
    setBusy(true);
    setError(null);
    try {
      const who = await operator.login(username.trim(), password);
      props.onIn(who.username);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }
  return (
    <AuthLayout testid="page-operator">
      <div class="auth-card">
        <h1 class="auth-title">{t('operator.login.title')}</h1>
        <ErrorAlert error={error} testid="operator-login-error" />
        <form
          class="form"
          data-testid="operator-login-form"
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <Field label={t('operator.login.username')}>
            <input class="input" data-testid="operator-username" value={username} onInput={onValue(setUsername)} autocomplete="username" required />
          </Field>
          <Field label={t('login.password')}>
            <input
              class="input"
              type="password"
              data-testid="operator-password"
              value={password}
              onInput={onValue(setPassword)}
              autocomplete="current-password"
              required
            />
          </Field>
          <Button testid="operator-login-submit" kind="primary" type="submit" busy={busy}>
            {t('login.submit')}
          </Button>
        </form>
        <div class="auth-links">
          <a href="#/login" data-testid="operator-link-login">
            {t('operator.link.userLogin')}
          </a>
        </div>
      </div>
    </AuthLayout>
  );
}

type Tab = 'queue' | 'corps';

function OperatorConsole(props: { username: string; onOut: () => void }) {
  const [tab, setTab] = useState<Tab>('queue');
  async function logout() {
    try {
      await operator.logout();
    } finally {
      props.onOut();
    }
  }
  return (
    <div class="console" data-testid="page-operator">
      <header class="console-top">
        <div class="brand">
          <Logo />
          <span class="brand-name">{t('operator.title')}</span>
        </div>
        <div class="console-user">
          <LangSwitch />
          <span class="muted" data-testid="operator-whoami">
            {props.username}
          </span>
          <Button testid="operator-logout" small onClick={() => void logout()}>
            {t('user.logout')}
          </Button>
        </div>
      </header>
      <nav class="tabs" role="tablist">
        {(['queue', 'corps'] as Tab[]).map((k) => (
          <button
            key={k}
            type="button"
            role="tab"
            class={`tab${tab === k ? ' is-active' : ''}`}
            aria-selected={tab === k}
            data-testid={`operator-tab-${k}`}
            onClick={() => setTab(k)}
          >
            {t(`operator.tab.${k}` as Key)}
          </button>
        ))}
      </nav>
      <main class="console-main">{tab === 'queue' ? <SignupQueue /> : <CorpList />}</main>
    </div>
  );
}

export function bankBadge(status: BankStatus, testid?: string) {
  const kind = status === 'verified' ? 'green' : status === 'awaiting_payment' ? 'orange' : 'grey';
  return (
    <Badge kind={kind} testid={testid}>
      {t(`bank.status.${status}` as Key)}
    </Badge>
  );
}

function SignupQueue() {
  const list = useLoad(async () => {
    const [signups, corps] = await Promise.all([operator.signups(), operator.corps('all')]);
    return { signups: signups.signups, corps: new Map(corps.corps.map((c) => [c.corpid, c])) };
  });
  return (
    <Card
      title={t('operator.queue.title')}
      testid="operator-queue"
      actions={
        <Button testid="operator-queue-refresh" small onClick={list.reload} busy={list.loading}>
          {t('common.refresh')}
        </Button>
      }
    >
      <ErrorAlert error={list.error} testid="operator-queue-error" />
      {list.loading && !list.data ? <Loading /> : null}
      {list.data && list.data.signups.length === 0 ? <Empty testid="operator-queue-empty">{t('operator.queue.empty')}</Empty> : null}
      <div class="rows">
        {list.data?.signups.map((s) => (
          <SignupRow key={s.signup_id} signup={s} corp={s.corpid ? list.data?.corps.get(s.corpid) ?? null : null} onChanged={list.reload} />
        ))}
      </div>
    </Card>
  );
}

function SignupRow(props: { signup: OperatorSignup; corp: OperatorCorp | null; onChanged: () => void }) {
  const s = props.signup;
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState<'code' | 'verify' | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);

  async function act(kind: 'code' | 'verify') {
    setBusy(kind);
    setError(null);
    setSaved(false);
    try {
      if (kind === 'code') {
        await operator.recordBankCode(s.signup_id, code.trim());
        setCode('');
        setSaved(true);
      } else if (s.corpid) {
        await operator.verify(s.corpid);
      }
      props.onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  }

  return (
    <article class="row-card" data-testid="operator-signup-row" data-signup-id={s.signup_id} data-company={s.company_name}>
      <div class="row-main">
        <h3 class="row-title">{s.company_name}</h3>
        <dl class="facts">
          <dt>{t('operator.uscc')}</dt>
          <dd class="mono">{s.uscc}</dd>
          <dt>{t('operator.licence')}</dt>
          <dd>
            {s.licence_file_id ? (
              <a href={operator.fileUrl(s.licence_file_id)} target="_blank" rel="noopener" data-testid="operator-signup-licence">
                {t('operator.licence.open')}
              </a>
            ) : (
              '—'
            )}
          </dd>
          <dt>{t('operator.bank')}</dt>
          <dd>
            {s.bank_name ? (
              <span>
                {s.bank_name} · {s.account_name} · <span class="mono">{s.account_number}</span>
              </span>
            ) : (
              t('operator.bank.none')
            )}
          </dd>
          <dt>{t('operator.bankStatus')}</dt>
          <dd>{bankBadge(s.bank_status, 'operator-signup-bank-status')}</dd>
          <dt>{t('operator.company')}</dt>
          <dd>
            {props.corp ? (
              <span>
                <span class="mono">{props.corp.corpid}</span>{' '}
                {props.corp.verified ? (
                  <Badge kind="green" testid="operator-signup-corp-status">
                    {t('corp.verified')}
                  </Badge>
                ) : (
                  <Badge kind="orange" testid="operator-signup-corp-status">
                    {t('corp.unverified')}
                  </Badge>
                )}
              </span>
            ) : (
              <span class="muted">{t('operator.company.notYet')}</span>
            )}
          </dd>
          <dt>{t('common.created')}</dt>
          <dd>{formatTime(s.created_at)}</dd>
        </dl>
      </div>
      <div class="row-side">
        {s.bank_status !== 'verified' && s.bank_name ? (
          <div class="inline-form">
            <input
              class="input input-mono"
              data-testid="operator-bank-code"
              value={code}
              onInput={onValue(setCode)}
              placeholder={t('operator.bankCode')}
              aria-label={t('operator.bankCode')}
            />
            <Button testid="operator-bank-code-save" small busy={busy === 'code'} disabled={!code.trim()} onClick={() => void act('code')}>
              {t('operator.bankCode.save')}
            </Button>
          </div>
        ) : null}
        {saved ? (
          <Alert kind="success" testid="operator-bank-code-saved">
            {t('operator.bankCode.saved')}
          </Alert>
        ) : null}
        {props.corp && !props.corp.verified ? (
          <Button testid="operator-signup-verify" kind="primary" small busy={busy === 'verify'} onClick={() => void act('verify')}>
            {t('operator.verify')}
          </Button>
        ) : null}
        <ErrorAlert error={error} testid="operator-signup-error" />
      </div>
    </article>
  );
}

type CorpFilter = 'unverified' | 'verified' | 'all';

function CorpList() {
  const [filter, setFilter] = useState<CorpFilter>('unverified');
  const list = useLoad(() => operator.corps(filter).then((r) => r.corps), [filter]);
  return (
    <Card
      title={t('operator.corps.title')}
      testid="operator-corps"
      actions={
        <div class="inline-form">
          <select
            class="input input-sm"
            data-testid="operator-corps-filter"
            value={filter}
            onChange={onValue((v) => setFilter(v as CorpFilter))}
            aria-label={t('operator.corps.filter')}
          >
            {(['unverified', 'verified', 'all'] as CorpFilter[]).map((f) => (
              <option key={f} value={f}>
                {t(`operator.corps.filter.${f}` as Key)}
              </option>
            ))}
          </select>
          <Button testid="operator-corps-refresh" small onClick={list.reload} busy={list.loading}>
            {t('common.refresh')}
          </Button>
        </div>
      }
    >
      <ErrorAlert error={list.error} testid="operator-corps-error" />
      {list.loading && !list.data ? <Loading /> : null}
      {list.data && list.data.length === 0 ? <Empty testid="operator-corps-empty">{t('operator.corps.empty')}</Empty> : null}
      {list.data && list.data.length > 0 ? (
        <div class="table-wrap">
          <table class="table">
            <thead>
              <tr>
                <th>{t('operator.corps.name')}</th>
                <th>corpid</th>
                <th>{t('operator.corps.status')}</th>
                <th>{t('operator.corps.edition')}</th>
                <th>{t('operator.corps.members')}</th>
                <th>{t('common.created')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {list.data.map((c) => (
                <CorpRow key={c.corpid} corp={c} onChanged={list.reload} />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </Card>
  );
}

function CorpRow(props: { corp: OperatorCorp; onChanged: () => void }) {
  const c = props.corp;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  async function run(action: () => Promise<void>) {
    setBusy(true);
    setError(null);
    try {
      await action();
      props.onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <tr data-testid="operator-corp-row" data-corpid={c.corpid} data-name={c.name}>
      <td data-label={t('operator.corps.name')}>
        {c.name}
        <ErrorAlert error={error} testid="operator-corp-error" />
      </td>
      <td class="mono" data-label="corpid">
        {c.corpid}
      </td>
      <td data-label={t('operator.corps.status')}>
        {c.verified ? (
          <Badge kind="green" testid="operator-corp-status">
            {t('corp.verified')}
          </Badge>
        ) : (
          <Badge kind="orange" testid="operator-corp-status">
            {t('corp.unverified')}
          </Badge>
        )}
      </td>
      <td data-label={t('operator.corps.edition')}>
        <select
          class="input input-sm"
          data-testid="operator-corp-edition"
          value={c.edition}
          disabled={busy}
          aria-label={t('operator.corps.edition')}
          onChange={onValue((v) => void run(() => operator.setEdition(c.corpid, v as Edition)))}
        >
          {(['standard', 'professional'] as Edition[]).map((e) => (
            <option key={e} value={e}>
              {t(`edition.${e}` as Key)}
            </option>
          ))}
        </select>
      </td>
      <td data-label={t('operator.corps.members')}>{c.member_count}</td>
      <td data-label={t('common.created')}>{formatTime(c.created_at)}</td>
      <td>
        {c.verified ? null : (
          <Button testid="operator-corp-verify" kind="primary" small busy={busy} onClick={() => void run(() => operator.verify(c.corpid))}>
            {t('operator.verify')}
          </Button>
        )}
      </td>
    </tr>
  );
}
