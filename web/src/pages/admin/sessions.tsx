//! Everyone's sessions and devices (#/app/admin/sessions), filterable by userid.

import { useState } from 'preact/hooks';
import { admin } from '../../api';
import { SessionList } from '../../components/lists';
import { Button, Card, ErrorAlert, Loading, onValue, useLoad } from '../../components/ui';
import { t } from '../../i18n';
import { navigate } from '../../router';

export function AdminSessionsPage(props: { initialUserid: string }) {
  const [userid, setUserid] = useState(props.initialUserid);
  const applied = props.initialUserid;
  const list = useLoad(() => admin.sessions(applied).then((r) => r.sessions), [applied]);
  return (
    <Card title={t('admin.sessions.title')} testid="admin-sessions">
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          // The filter lives in the URL so a reload keeps it.
          const q = userid.trim();
          if (q === applied) list.reload();
          else navigate(q ? `/app/admin/sessions?userid=${encodeURIComponent(q)}` : '/app/admin/sessions');
        }}
      >
        <input
          class="input"
          data-testid="admin-sessions-userid"
          value={userid}
          onInput={onValue(setUserid)}
          placeholder={t('admin.sessions.filter')}
          aria-label={t('admin.sessions.filter')}
        />
        <Button testid="admin-sessions-search" kind="primary" type="submit" busy={list.loading}>
          {t('common.search')}
        </Button>
      </form>
      <ErrorAlert error={list.error} testid="admin-sessions-error" />
      {list.loading && !list.data ? <Loading /> : null}
      {list.data ? (
        <SessionList
          testid="admin-sessions-list"
          sessions={list.data}
          showUser
          onRevoke={async (s) => {
            await admin.revokeSession(s.id);
            list.reload();
          }}
        />
      ) : null}
    </Card>
  );
}
