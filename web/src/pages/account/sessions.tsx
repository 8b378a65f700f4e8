//! My sessions and devices (#/app/account/sessions): where I am signed in, revoke the others.

import { me } from '../../api';
import { SessionList } from '../../components/lists';
import { Button, Card, ErrorAlert, Loading, useLoad } from '../../components/ui';
import { useEvent } from '../../events';
import { t } from '../../i18n';

export function MySessionsPage() {
  const list = useLoad(() => me.sessions().then((r) => r.sessions));
  useEvent('session.revoked', list.reload);
  return (
    <Card
      title={t('sessions.mine.title')}
      testid="my-sessions"
      actions={
        <Button testid="my-sessions-refresh" small onClick={list.reload} busy={list.loading}>
          {t('common.refresh')}
        </Button>
      }
    >
      <p class="muted">{t('sessions.mine.intro')}</p>
      <ErrorAlert error={list.error} testid="my-sessions-error" />
      {list.loading && !list.data ? <Loading /> : null}
      {list.data ? (
        <SessionList
          testid="my-sessions-list"
          sessions={list.data}
          onRevoke={async (s) => {
            await me.revokeSession(s.id);
            list.reload();
          }}
        />
      ) : null}
    </Card>
  );
}
