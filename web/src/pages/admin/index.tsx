//! Admin console (#/app/admin/...): tabs for the security policy, the directory (departments,
//! members, tags), CSV import / export of members, apps and secrets, API rate limits, messaging
//! (retention, sensitive words), everyone's sessions, pending device approvals, the audit log and
//! admin roles. Only the tabs the member's permissions allow are shown (perms.ts); the first of
//! them is the default, and another one opened by URL shows the forbidden notice.

import { Alert } from '../../components/ui';
import { t } from '../../i18n';
import { ADMIN_TABS, allowedTabs, type AdminTab } from '../../perms';
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
import { AdminRolesPage } from './roles';
import { AdminSessionsPage } from './sessions';

export function AdminPage(props: { sub: string; params: URLSearchParams; me: Me }) {
  const allowed = allowedTabs(props.me);
  const known = (ADMIN_TABS as readonly string[]).includes(props.sub);
  const tab: AdminTab = known ? (props.sub as AdminTab) : (allowed[0] ?? 'policy');
  const permitted = allowed.includes(tab);
  return (
    <div class="admin" data-testid="admin-page" data-tab={tab}>
      <nav class="tabs" aria-label={t('nav.admin')}>
        {allowed.map((k) => (
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
      {!permitted ? (
        <Alert kind="error" testid="admin-forbidden">
          {t('admin.forbidden')}
        </Alert>
      ) : tab === 'policy' ? (
        <PolicyPage />
      ) : tab === 'directory' ? (
        <AdminDirectoryPage me={props.me} />
      ) : tab === 'import' ? (
        <AdminImportPage me={props.me} />
      ) : tab === 'apps' ? (
        <AdminAppsPage me={props.me} />
      ) : tab === 'rate-limits' ? (
        <RateLimitsPage />
      ) : tab === 'messaging' ? (
        <AdminMessagingPage />
      ) : tab === 'sessions' ? (
        <AdminSessionsPage initialUserid={props.params.get('userid') ?? ''} />
      ) : tab === 'approvals' ? (
        <AdminApprovalsPage />
      ) : tab === 'audit' ? (
        <AuditPage />
      ) : (
        <AdminRolesPage me={props.me} />
      )}
    </div>
  );
}
