//! The latest sensitive-word hits: the audit log filtered by `messaging.sensitive_word`. Each
//! record's target is `conversationId:word:action` (the word as matched, folded: lower case,
//! simplified); its outcome says whether the message went out (`success`) or was refused
//! (`failure:sensitive_word`, when any word in it blocks).

import { useState } from 'preact/hooks';
import { admin } from '../../api';
import { Badge, Button, Card, Empty, ErrorAlert, Loading, useLoad } from '../../components/ui';
import { formatTime, t } from '../../i18n';
import { usePeople } from '../../people';
import type { Key } from '../../strings';
import type { AuditEntry } from '../../types';

const PAGE = 20;
const FILTER = { action: 'messaging.sensitive_word' };

/** Conversation ids may hold colons; the word and the action never do (they are the last two). */
export function parseHitTarget(target: string | null): { conversation: string; word: string; action: string } {
  const parts = (target ?? '').split(':');
  const action = parts.length >= 3 ? parts.pop()! : '';
  const word = parts.length >= 2 ? parts.pop()! : '';
  return { conversation: parts.join(':'), word, action };
}

export function SensitiveHits() {
  const { nameOf } = usePeople();
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [more, setMore] = useState<{ busy: boolean; error: unknown }>({ busy: false, error: null });
  const first = useLoad(async () => {
    const page = await admin.audit(FILTER, PAGE, null);
    setEntries(page.entries);
    setCursor(page.next_cursor ?? null);
    return page;
  });

  async function loadMore() {
    if (!cursor) return;
    setMore({ busy: true, error: null });
    try {
      const page = await admin.audit(FILTER, PAGE, cursor);
      setEntries((e) => [...e, ...page.entries]);
      setCursor(page.next_cursor ?? null);
      setMore({ busy: false, error: null });
    } catch (err) {
      setMore({ busy: false, error: err });
    }
  }

  return (
    <Card
      title={t('messaging.hits.title')}
      testid="hits-card"
      actions={
        <Button testid="hits-refresh" small busy={first.loading} onClick={first.reload}>
          {t('common.refresh')}
        </Button>
      }
    >
      <p class="muted small">{t('messaging.hits.intro')}</p>
      <ErrorAlert error={first.error} testid="hits-error" />
      {first.loading && !first.data ? <Loading /> : null}
      {first.data && entries.length === 0 ? <Empty testid="hits-empty">{t('messaging.hits.empty')}</Empty> : null}
      {entries.length > 0 ? (
        <div class="table-wrap">
          <table class="table" data-testid="hits-table">
            <thead>
              <tr>
                <th>{t('audit.time')}</th>
                <th>{t('messaging.hits.sender')}</th>
                <th>{t('messaging.words.word')}</th>
                <th>{t('messaging.words.action')}</th>
                <th>{t('messaging.hits.outcome')}</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => {
                const hit = parseHitTarget(e.target);
                const blocked = e.outcome !== 'success';
                const known = hit.action === 'block' || hit.action === 'mask' || hit.action === 'warn';
                return (
                  <tr
                    key={e.id}
                    data-testid="hit-row"
                    data-actor={e.actor}
                    data-word={hit.word}
                    data-action={hit.action}
                    data-outcome={blocked ? 'blocked' : 'sent'}
                    title={hit.conversation}
                  >
                    <td data-label={t('audit.time')}>{formatTime(e.time)}</td>
                    <td data-label={t('messaging.hits.sender')} data-testid="hit-sender">
                      {nameOf(e.actor)}
                      {nameOf(e.actor) !== e.actor ? <span class="muted small mono"> {e.actor}</span> : null}
                    </td>
                    <td data-label={t('messaging.words.word')} data-testid="hit-word">
                      {hit.word}
                    </td>
                    <td data-label={t('messaging.words.action')} data-testid="hit-action">
                      {known ? t(`messaging.action.${hit.action}` as Key) : hit.action}
                    </td>
                    <td data-label={t('messaging.hits.outcome')}>
                      <Badge kind={blocked ? 'red' : 'green'} testid="hit-outcome">
                        {t(blocked ? 'messaging.hits.blocked' : 'messaging.hits.sent')}
                      </Badge>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      <ErrorAlert error={more.error} testid="hits-more-error" />
      {cursor ? (
        <div class="form-actions">
          <Button testid="hits-more" busy={more.busy} onClick={() => void loadMore()}>
            {t('audit.more')}
          </Button>
        </div>
      ) : null}
    </Card>
  );
}
