//! Small shared building blocks: buttons, fields, alerts, cards, progress, language switch,
//! and the `useLoad` hook for "fetch on mount, show loading / error / data".

import type { ComponentChildren, TargetedEvent } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api';
import { getLang, setLang, t, useLang } from '../i18n';

export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  return t('error.unexpected');
}

/** onInput handler that passes the field's value to a setter. */
export function onValue(set: (value: string) => void) {
  return (e: TargetedEvent<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>) =>
    set(e.currentTarget.value);
}

type ButtonKind = 'primary' | 'default' | 'danger' | 'link';

export function Button(props: {
  testid: string;
  kind?: ButtonKind;
  type?: 'button' | 'submit';
  busy?: boolean;
  disabled?: boolean;
  small?: boolean;
  onClick?: () => void;
  title?: string;
  children: ComponentChildren;
}) {
  const { kind = 'default', type = 'button', busy = false } = props;
  return (
    <button
      type={type}
      class={`btn btn-${kind}${props.small ? ' btn-sm' : ''}${busy ? ' is-busy' : ''}`}
      data-testid={props.testid}
      disabled={props.disabled || busy}
      aria-busy={busy}
      title={props.title}
      onClick={props.onClick}
    >
      {props.children}
    </button>
  );
}

export function Field(props: { label: string; hint?: string; error?: string | null; children: ComponentChildren }) {
  return (
    <label class={`field${props.error ? ' has-error' : ''}`}>
      <span class="field-label">{props.label}</span>
      {props.children}
      {props.error ? <span class="field-error">{props.error}</span> : props.hint ? <span class="field-hint">{props.hint}</span> : null}
    </label>
  );
}

export type AlertKind = 'error' | 'info' | 'success' | 'warning';

export function Alert(props: { kind: AlertKind; testid: string; children: ComponentChildren }) {
  return (
    <div class={`alert alert-${props.kind}`} role={props.kind === 'error' ? 'alert' : 'status'} data-testid={props.testid}>
      {props.children}
    </div>
  );
}

/** Shows an error's message, or nothing. */
export function ErrorAlert(props: { error: unknown; testid: string }) {
  if (!props.error) return null;
  return (
    <Alert kind="error" testid={props.testid}>
      {errorMessage(props.error)}
    </Alert>
  );
}

/** An error alert that also exposes the error code (`data-code` on `<testid>-wrap`), for tests and support. */
export function CodeError(props: { error: unknown; testid: string }) {
  if (!props.error) return null;
  const code = props.error instanceof ApiError ? props.error.code : 'unexpected';
  return (
    <div data-code={code} data-testid={`${props.testid}-wrap`}>
      <ErrorAlert error={props.error} testid={props.testid} />
    </div>
  );
}

export function Card(props: {
  title?: string;
  testid?: string;
  actions?: ComponentChildren;
  children: ComponentChildren;
  class?: string;
}) {
  return (
    <section class={`card${props.class ? ` ${props.class}` : ''}`} data-testid={props.testid}>
      {props.title || props.actions ? (
        <header class="card-head">
          {props.title ? <h2 class="card-title">{props.title}</h2> : <span />}
          {props.actions ? <div class="card-actions">{props.actions}</div> : null}
        </header>
      ) : null}
      {props.children}
    </section>
  );
}

export function Badge(props: { kind?: 'blue' | 'green' | 'orange' | 'red' | 'grey'; testid?: string; children: ComponentChildren }) {
  return (
    <span class={`badge badge-${props.kind ?? 'grey'}`} data-testid={props.testid}>
      {props.children}
    </span>
  );
}

/** A bar that stays visible once started; `value` is 0..1. */
export function ProgressBar(props: { value: number; testid: string; label: string }) {
  const pct = Math.round(Math.max(0, Math.min(1, props.value)) * 100);
  return (
    <div class="progress" data-testid={props.testid}>
      <div
        class="progress-track"
        role="progressbar"
        aria-label={props.label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
      >
        <div class="progress-fill" style={{ width: `${pct}%` }} />
      </div>
      <span class="progress-text">{pct}%</span>
    </div>
  );
}

export function Loading(props: { testid?: string }) {
  return (
    <div class="loading" data-testid={props.testid ?? 'loading'}>
      <span class="spinner" aria-hidden="true" />
      {t('common.loading')}
    </div>
  );
}

export function Empty(props: { testid: string; children: ComponentChildren }) {
  return (
    <p class="empty" data-testid={props.testid}>
      {props.children}
    </p>
  );
}

export function LangSwitch(props: { testid?: string }) {
  useLang();
  const next = getLang() === 'en' ? 'zh-CN' : 'en';
  return (
    <button
      type="button"
      class="lang-switch"
      data-testid={props.testid ?? 'lang-switch'}
      data-lang={getLang()}
      onClick={() => setLang(next)}
      title={t('common.switchLanguage')}
    >
      <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
        <path
          fill="currentColor"
          d="M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20Zm6.9 6h-2.95a15.7 15.7 0 0 0-1.38-3.56A8.03 8.03 0 0 1 18.9 8ZM12 4.04c.83 1.2 1.48 2.53 1.91 3.96h-3.82c.43-1.43 1.08-2.76 1.91-3.96ZM4.26 14a8.2 8.2 0 0 1 0-4h3.38a16.5 16.5 0 0 0 0 4H4.26Zm.82 2h2.95c.32 1.25.78 2.45 1.38 3.56A7.99 7.99 0 0 1 5.08 16Zm2.95-8H5.08a7.99 7.99 0 0 1 4.33-3.56A15.7 15.7 0 0 0 8.03 8ZM12 19.96A14.1 14.1 0 0 1 10.09 16h3.82A14.1 14.1 0 0 1 12 19.96ZM14.34 14H9.66a14.7 14.7 0 0 1 0-4h4.68a14.7 14.7 0 0 1 0 4Zm.25 5.56c.6-1.11 1.06-2.31 1.38-3.56h2.95a8.03 8.03 0 0 1-4.33 3.56ZM16.36 14a16.5 16.5 0 0 0 0-4h3.38a8.2 8.2 0 0 1 0 4h-3.38Z"
        />
      </svg>
      <span>{next === 'en' ? 'English' : '中文'}</span>
    </button>
  );
}

export function StepIndicator(props: { steps: string[]; current: number; testid: string }) {
  return (
    <ol class="steps" data-testid={props.testid} data-current={props.current}>
      {props.steps.map((label, i) => (
        <li
          key={label}
          class={`step${i < props.current ? ' is-done' : ''}${i === props.current ? ' is-current' : ''}`}
          aria-current={i === props.current ? 'step' : undefined}
          data-testid={`${props.testid}-${i + 1}`}
        >
          <span class="step-dot">{i < props.current ? '✓' : i + 1}</span>
          <span class="step-label">{label}</span>
        </li>
      ))}
    </ol>
  );
}

export interface Loaded<T> {
  data: T | null;
  error: unknown;
  loading: boolean;
  reload: () => void;
  setData: (data: T) => void;
}

/** Runs `load` on mount and on `reload()`; a stale answer (after a newer reload) is dropped. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[] = []): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const generation = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const reload = useCallback(() => {
    const mine = ++generation.current;
    setLoading(true);
    loadRef.current().then(
      (value) => {
        if (mine !== generation.current) return;
        setData(value);
        setError(null);
        setLoading(false);
      },
      (err: unknown) => {
        if (mine !== generation.current) return;
        setError(err);
        setLoading(false);
      },
    );
  }, []);
  useEffect(reload, deps);
  useEffect(() => () => void (generation.current = -1), []);
  return { data, error, loading, reload, setData };
}

/**
 * Copies `text` to the clipboard; without the async clipboard API (plain http, older browsers)
 * it selects `input` and uses the legacy copy command. Resolves to whether it worked.
 */
export async function copyText(text: string, input?: HTMLInputElement | HTMLTextAreaElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    if (!input) return false;
    input.focus();
    input.select();
    try {
      return document.execCommand('copy');
    } catch {
      return false;
    }
  }
}
