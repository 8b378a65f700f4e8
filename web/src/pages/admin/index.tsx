//! Admin console (#/app/admin/...): tabs for the security policy, the directory (departments,
//! members, tags), CSV import / export of members, apps and secrets, API rate limits, messaging
//! (retention, sensitive words), everyone's sessions, pending device approvals and the audit log.

import { t } from '../../i18n';
import type { Key } from '../../strings';
import type { Me } from '../../types';
import { AdminAppsPage } from './apps';
import { AuditPage } from './audit';
import { AdminApprovalsPage } from './approvals';
import { AdminDirectoryPage } from './directory';
import { AdminImportPage } from './import';
import { AdminMessagingPage } from './messaging';
import { PolicyPage } from './policy';
import { RateLimitsPage } from './rate-limits';
import { AdminSessionsPage } from './sessions';

const TABS = ['policy', 'directory', 'import', 'apps', 'rate-limits', 'messaging', 'sessions', 'approvals', 'audit'] as const;
type Tab = (typeof TABS)[number];

export function AdminPage(props: { sub: string; params: URLSearchParams; me: Me }) {
  const tab: Tab = (TABS as readonly string[]).includes(props.sub) ? (props.sub as Tab) : 'policy';
  return (
    <div class="admin" data-testid="admin-page" data-tab={tab}>
      <nav class="tabs" aria-label={t('nav.admin')}>
        {TABS.map((k) => (
          <a
            key={k}
            href={`#/app/admin/${k}`}
            class={`tab${tab === k ? ' is-active' : ''}`}
            aria-current={tab === k ? 'page' : undefined}
            data-testid={`admin-tab-${k}`}
          >
            {t(`admin.tab.${k}` as Key)}
          </a>
        ))}
      </nav>
      {tab === 'policy' ? <PolicyPage /> : null}
      {tab === 'directory' ? <AdminDirectoryPage me={props.me} /> : null}
      {tab === 'import' ? <AdminImportPage /> : null}
      {tab === 'apps' ? <AdminAppsPage me={props.me} /> : null}
      {tab === 'rate-limits' ? <RateLimitsPage /> : null}
      {tab === 'messaging' ? <AdminMessagingPage /> : null}
      {tab === 'sessions' ? <AdminSessionsPage initialUserid={props.params.get('userid') ?? ''} /> : null}
      {tab === 'approvals' ? <AdminApprovalsPage /> : null}
      {tab === 'audit' ? <AuditPage /> : null}
    </div>
  );
}
