//! The signed-in shell (#/app/...): navigation, the connection and unverified-company banners, the user menu,
//! pending sign-ins of mine to approve, and the live event stream's session handling. It holds
//! `me`, reloaded when my admin roles change (`admin.roles_changed`): the Admin entry is shown
//! to whoever may open at least one admin tab (perms.ts).

import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, auth, me as meApi, setUnauthorizedHandler } from '../api';
import { wipeCache } from '../cache';
import { Logo } from '../components/brand';
import { ConnectionBanners } from '../components/connection';
import { Icon, type IconName } from '../components/icons';
import { ApprovalList } from '../components/lists';
import { Alert, Button, Card, ErrorAlert, LangSwitch, Loading, useLoad } from '../components/ui';
import { startEvents, stopEvents, useEvent } from '../events';
import { t, useLang } from '../i18n';
import { allowedTabs } from '../perms';
import { navigate, type Route } from '../router';
import type { Key } from '../strings';
import { currentSession } from '../storage';
import type { Me } from '../types';
import { MySessionsPage } from './account/sessions';
import { PasswordPage } from './account/password';
import { TotpPage } from './account/totp';
import { AdminPage } from './admin';
import { ContactsPage } from './contacts';
import { MessagesPage } from './messages';
import { signOutUploads } from './messages/uploads';

type Section = 'messages' | 'contacts' | 'approvals' | 'workbench' | 'admin';

const NAV: { id: Section; icon: IconName; adminOnly?: boolean }[] = [
  { id: 'messages', icon: 'messages' },
  { id: 'contacts', icon: 'contacts' },
  { id: 'approvals', icon: 'approvals' },
  { id: 'workbench', icon: 'workbench' },
  { id: 'admin', icon: 'admin', adminOnly: true },
];

/** At most this long for the cache to be wiped before the login page shows anyway. */
const WIPE_WAIT_MS = 2_000;

/**
 * Leaves the shell for the login page; `notice` explains why when it was not the user's choice.
 * The local message cache and the records of unfinished uploads go with the session, whoever
 * ended it (a revoked session is often a lost device).
 */
function toLogin(notice?: 'signed_out' | 'logged_out') {
  void wipeCache();
  signOutUploads();
  stopEvents();
  currentSession.set(null);
  navigate(notice ? `/login?notice=${notice}` : '/login', true);
}

export function Shell(props: { route: Route }) {
  useLang();
  const [me, setMe] = useState<Me | null>(null);
  const [error, setError] = useState<unknown>(null);
  const signedIn = useRef(false);

  useEffect(() => {
    // Any user-scoped 401 after this point means the session ended under us.
    setUnauthorizedHandler(() => toLogin(signedIn.current ? 'signed_out' : undefined));
    meApi.get().then(
      (m) => {
        signedIn.current = true;
        setMe(m);
      },
      (err: unknown) => {
        if (!(err instanceof ApiError && err.status === 401)) setError(err);
      },
    );
    return () => setUnauthorizedHandler(null);
  }, []);

  // Once signed in: learn this session's id if the login did not give it (sign-up), then stream.
  useEffect(() => {
    if (!me) return;
    if (me.session_id) currentSession.set(me.session_id);
    else if (!currentSession.get()) {
      meApi.sessions().then(
        (r) => {
          const mine = r.sessions.find((s) => s.current);
          if (mine) currentSession.set(mine.id);
        },
        () => undefined,
      );
    }
    startEvents(me.corpid, me.userid);
  }, [me?.corpid, me?.userid]);

  useEffect(() => () => stopEvents(), []);

  useEvent('session.revoked', (e) => {
    const id = e.data.session_id;
    if (typeof id === 'string' && id === currentSession.get()) toLogin('signed_out');
  });
  useEvent('corp.verified', () => {
    setMe((m) => (m ? { ...m, corp: { ...m.corp, verified: true } } : m));
    // Refresh the rest (edition, member limit) quietly.
    meApi.get().then(setMe, () => undefined);
  });
  // My roles changed (granted, scope changed, removed): what I may see follows at once.
  useEvent('admin.roles_changed', () => {
    meApi.get().then(setMe, () => undefined);
  });

  if (error) {
    return (
      <div class="center-page" data-testid="shell-error">
        <ErrorAlert error={error} testid="shell-error-message" />
        <Button testid="shell-retry" onClick={() => location.reload()}>
          {t('common.retry')}
        </Button>
      </div>
    );
  }
  if (!me) {
    return (
      <div class="center-page">
        <Loading testid="shell-loading" />
      </div>
    );
  }

  const parts = props.route.path.split('/').filter(Boolean); // ['app', section, sub?]
  const mayAdmin = allowedTabs(me).length > 0;
  const section = parts[1] ?? 'messages';
  const sub = parts[2] ?? '';

  let title: string;
  let body: ComponentChildren;
  if (section === 'account') {
    title = t('user.menu.title');
    body =
      sub === '2fa' ? (
        <TotpPage me={me} onChanged={(totp_enabled) => setMe({ ...me, totp_enabled })} />
      ) : sub === 'password' ? (
        <PasswordPage />
      ) : (
        <MySessionsPage />
      );
  } else if (section === 'admin') {
    title = t('nav.admin');
    body = mayAdmin ? (
      <AdminPage sub={sub} params={props.route.params} me={me} />
    ) : (
      <Alert kind="error" testid="admin-forbidden">
        {t('admin.forbidden')}
      </Alert>
    );
  } else if (section === 'contacts') {
    title = t('nav.contacts');
    body = <ContactsPage me={me} sub={sub} />;
  } else if (section === 'approvals' || section === 'workbench') {
    title = t(`nav.${section}` as Key);
    body = <ComingSoon section={section} />;
  } else {
    title = t('nav.messages');
    body = <MessagesPage me={me} sub={section === 'messages' ? sub : ''} />;
  }

  return (
    <div class="shell" data-testid="shell" data-section={section}>
      <nav class="sidenav" data-testid="nav" aria-label={t('nav.label')}>
        <div class="sidenav-brand">
          <Logo size={32} />
        </div>
        {NAV.filter((n) => !n.adminOnly || mayAdmin).map((n) => (
          <a
            key={n.id}
            href={`#/app/${n.id}`}
            class={`nav-item${section === n.id ? ' is-active' : ''}`}
            aria-current={section === n.id ? 'page' : undefined}
            data-testid={`nav-${n.id}`}
          >
            <Icon name={n.icon} />
            <span class="nav-label">{t(`nav.${n.id}` as Key)}</span>
          </a>
        ))}
      </nav>
      <div class="shell-body">
        <header class="topbar">
          <div class="topbar-title">
            <h1 data-testid="shell-title">{title}</h1>
            <span class="topbar-corp" data-testid="shell-corp">
              {me.corp.name}
            </span>
          </div>
          <div class="topbar-tools">
            <LangSwitch />
            <UserMenu me={me} />
          </div>
        </header>
        <ConnectionBanners />
        {me.corp.verified ? null : (
          <div class="banner banner-warning" role="status" data-testid="banner-unverified">
            <Icon name="warning" size={18} />
            <span>{t('banner.unverified', { limit: me.corp.member_limit ?? 50 })}</span>
          </div>
        )}
        <main class="content">
          {props.route.params.get('welcome') ? (
            <Alert kind="success" testid="welcome">
              {t('welcome.body', { corpid: me.corpid })}
            </Alert>
          ) : null}
          {/* The admin approvals page lists the same requests; one list is enough there. */}
          {section === 'admin' && sub === 'approvals' ? null : <MyPendingApprovals />}
          {body}
        </main>
      </div>
    </div>
  );
}

function UserMenu(props: { me: Me }) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (e: Event) => {
      if (e instanceof KeyboardEvent ? e.key === 'Escape' : !ref.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    document.addEventListener('keydown', close);
    return () => {
      document.removeEventListener('mousedown', close);
      document.removeEventListener('keydown', close);
    };
  }, [open]);

  async function logout() {
    try {
      await auth.logout();
    } catch {
      // Signed out locally either way; the server session expires on its own.
    }
    // Wait for the wipe (bounded: IndexedDB can stall) so nothing is left once the login page shows.
    await Promise.race([wipeCache(), new Promise((r) => setTimeout(r, WIPE_WAIT_MS))]);
    toLogin('logged_out');
  }

  const initials = (props.me.name || props.me.userid).trim().slice(0, 1).toUpperCase();
  const item = (href: string, icon: IconName, label: string, testid: string) => (
    <a href={href} class="menu-item" role="menuitem" data-testid={testid} onClick={() => setOpen(false)}>
      <Icon name={icon} size={18} />
      {label}
    </a>
  );
  return (
    <div class="user-menu" ref={ref}>
      <button
        type="button"
        class="user-button"
        data-testid="user-menu"
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={() => setOpen(!open)}
      >
        <span class="avatar" aria-hidden="true">
          {initials}
        </span>
        <span class="user-name" data-testid="user-name">
          {props.me.name || props.me.userid}
        </span>
        <Icon name="chevron" size={16} />
      </button>
      {open ? (
        <div class="menu" role="menu" data-testid="user-menu-list">
          <div class="menu-head">
            <strong>{props.me.name}</strong>
            <span class="muted mono">{props.me.userid}</span>
            <span class="muted small" data-testid="user-menu-corpid">
              {t('user.menu.corpid')} <span class="mono">{props.me.corpid}</span>
            </span>
          </div>
          {item('#/app/account/sessions', 'sessions', t('user.menu.sessions'), 'user-menu-sessions')}
          {item('#/app/account/2fa', 'key', t('user.menu.totp'), 'user-menu-2fa')}
          {item('#/app/account/password', 'lock', t('user.menu.password'), 'user-menu-password')}
          <button type="button" class="menu-item" role="menuitem" data-testid="user-menu-logout" onClick={() => void logout()}>
            <Icon name="logout" size={18} />
            {t('user.logout')}
          </button>
        </div>
      ) : null}
    </div>
  );
}

/** My own sign-ins on new devices waiting for one of my trusted devices to approve them. */
function MyPendingApprovals() {
  const list = useLoad(() => meApi.deviceApprovals().then((r) => r.approvals));
  useEvent('device_approval.requested', list.reload);
  useEvent('device_approval.decided', list.reload);
  if (!list.data || list.data.length === 0) return null;
  return (
    <Card title={t('approvals.mine.title')} testid="my-approvals" class="card-attention">
      <p class="muted">{t('approvals.mine.body')}</p>
      <ApprovalList testid="my-approvals-list" approvals={list.data} onDecided={list.reload} />
    </Card>
  );
}

function ComingSoon(props: { section: 'approvals' | 'workbench' }) {
  return (
    <Card testid={`coming-soon-${props.section}`} class="coming-soon">
      <div class="coming-soon-icon">
        <Icon name={props.section} size={40} />
      </div>
      <h2>{t('soon.title', { section: t(`nav.${props.section}` as Key) })}</h2>
      <p class="muted">{t(`soon.${props.section}` as Key)}</p>
    </Card>
  );
}
