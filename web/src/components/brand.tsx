//! The Workhub mark and the centred layout of the pages before sign-in.

import type { ComponentChildren } from 'preact';
import { t } from '../i18n';
import { LangSwitch } from './ui';

export function Logo(props: { size?: number }) {
  const size = props.size ?? 28;
  return (
    <svg class="logo" viewBox="0 0 32 32" width={size} height={size} aria-hidden="true">
      <rect width="32" height="32" rx="8" fill="#2c7be5" />
      <path
        d="M7 10.5h3.1l2.1 8.2 2.4-8.2h2.8l2.4 8.2 2.1-8.2H25l-3.7 12h-3l-2.3-7.6-2.3 7.6h-3L7 10.5Z"
        fill="#fff"
      />
    </svg>
  );
}

export function AuthLayout(props: { testid: string; wide?: boolean; children: ComponentChildren }) {
  return (
    <div class="auth-page" data-testid={props.testid}>
      <header class="auth-top">
        <a class="brand" href="#/login" data-testid="brand-home">
          <Logo />
          <span class="brand-name">{t('app.name')}</span>
        </a>
        <LangSwitch />
      </header>
      <main class={`auth-main${props.wide ? ' is-wide' : ''}`}>{props.children}</main>
      <footer class="auth-foot">{t('app.footer')}</footer>
    </div>
  );
}
