//! Sign-ins from new devices waiting for approval, company-wide (#/app/admin/approvals).

import { admin } from '../../api';
import { ApprovalList } from '../../components/lists';
import { Button, Card, ErrorAlert, Loading, useLoad } from '../../components/ui';
import { useEvent } from '../../events';
import { t } from '../../i18n';

export function AdminApprovalsPage() {
  const list = useLoad(() => admin.deviceApprovals().then((r) => r.approvals));
  useEvent('device_approval.requested', list.reload);
  useEvent('device_approval.decided', list.reload);
  return (
    <Card
      title={t('admin.approvals.title')}
      testid="admin-approvals"
      actions={
        <Button testid="admin-approvals-refresh" small onClick={list.reload} busy={list.loading}>
          {t('common.refresh')}
        </Button>
      }
    >
      <p class="muted">{t('admin.approvals.intro')}</p>
      <ErrorAlert error={list.error} testid="admin-approvals-error" />
      {list.loading && !list.data ? <Loading /> : null}
      {list.data ? <ApprovalList testid="admin-approvals-list" approvals={list.data} showUser onDecided={list.reload} /> : null}
    </Card>
  );
}
