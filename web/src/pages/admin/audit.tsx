//! Audit log (#/app/admin/audit): filters, a table, "load more" by cursor, CSV export of the
//! same filters.

import { useState } from 'preact/hooks';
import { admin, type AuditFilter } from '../../api';
import { Badge, Button, Card, Empty, ErrorAlert, Loading, onValue, useLoad } from '../../components/ui';
import { formatTime, t } from '../../i18n';
import type { AuditEntry } from '../../types';

const PAGE = 50;

interface FilterForm {
  actor: string;
  action: string;
  outcome: string;
  from: string; // yyyy-mm-dd, local day
  to: string;
}

const EMPTY: FilterForm = { actor: '', action: '', outcome: '', from: '', to: '' };

/** Dates are whole local days: `from` at 00:00, `to` at the day's last millisecond. */
function toFilter(f: FilterForm): AuditFilter {
  const day = (s: string, end: boolean) => {
    if (!s) return null;
    const ms = new Date(`${s}T${end ? '23:59:59.999' : '00:00:00'}`).getTime();
    return Number.isFinite(ms) ? ms : null;
  };
  return {
    actor: f.actor.trim(),
    action: f.action.trim(),
    outcome: f.outcome,
    from: day(f.from, false),
    to: day(f.to, true),
  };
}

function outcomeBadge(outcome: string) {
  const o = outcome.toLowerCase();
  const kind = o === 'success' || o === 'ok' ? 'green' : o === 'failure' || o === 'denied' || o === 'error' ? 'red' : 'grey';
  return (
    <Badge kind={kind} testid="audit-outcome">
      {o === 'success' || o === 'failure' || o === 'denied' ? t(`audit.outcome.${o}`) : outcome}
    </Badge>
  );
}

export function AuditPage() {
  const [form, setForm] = useState<FilterForm>(EMPTY);
  const [applied, setApplied] = useState<AuditFilter>(() => toFilter(EMPTY));
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [more, setMore] = useState<{ busy: boolean; error: unknown }>({ busy: false, error: null });

  const first = useLoad(async () => {
    const page = await admin.audit(applied, PAGE, null);
    setEntries(page.entries);
    setCursor(page.next_cursor ?? null);
    return page;
  }, [applied]);

  async function loadMore() {
    if (!cursor) return;
    setMore({ busy: true, error: null });
    try {
      const page = await admin.audit(applied, PAGE, cursor);
      setEntries((e) => [...e, ...page.entries]);
      setCursor(page.next_cursor ?? null);
      setMore({ busy: false, error: null });
    } catch (err) {
      setMore({ busy: false, error: err });
    }
  }

  const set = (k: keyof FilterForm) => onValue((v) => setForm({ ...form, [k]: v }));

  return (
    <Card
      title={t('audit.title')}
      testid="audit-page"
      actions={
        <a class="btn btn-default btn-sm" href={admin.auditCsvUrl(applied)} download="audit.csv" data-testid="audit-export">
          {t('audit.export')}
        </a>
      }
    >
      <form
        class="filters"
        data-testid="audit-filters"
        onSubmit={(e) => {
          e.preventDefault();
          const next = toFilter(form);
          if (JSON.stringify(next) === JSON.stringify(applied)) first.reload();
          else setApplied(next);
        }}
      >
        <input class="input" data-testid="audit-actor" value={form.actor} onInput={set('actor')} placeholder={t('audit.actor')} aria-label={t('audit.actor')} />
        <input class="input" data-testid="audit-action" value={form.action} onInput={set('action')} placeholder={t('audit.action')} aria-label={t('audit.action')} />
        <select class="input" data-testid="audit-outcome-filter" value={form.outcome} onChange={set('outcome')} aria-label={t('audit.outcome')}>
          <option value="">{t('audit.outcome.any')}</option>
          <option value="success">{t('audit.outcome.success')}</option>
          <option value="failure">{t('audit.outcome.failure')}</option>
          <option value="denied">{t('audit.outcome.denied')}</option>
        </select>
        <label class="date-field">
          <span>{t('audit.from')}</span>
          <input class="input" type="date" data-testid="audit-from" value={form.from} onInput={set('from')} />
        </label>
        <label class="date-field">
          <span>{t('audit.to')}</span>
          <input class="input" type="date" data-testid="audit-to" value={form.to} onInput={set('to')} />
        </label>
        <Button testid="audit-search" kind="primary" type="submit" busy={first.loading}>
          {t('common.search')}
        </Button>
        <Button
          testid="audit-clear"
          onClick={() => {
            setForm(EMPTY);
            setApplied(toFilter(EMPTY));
          }}
        >
          {t('common.clear')}
        </Button>
      </form>
      <ErrorAlert error={first.error} testid="audit-error" />
      {first.loading && !first.data ? <Loading /> : null}
      {first.data && entries.length === 0 ? <Empty testid="audit-empty">{t('audit.empty')}</Empty> : null}
      {entries.length > 0 ? (
        <div class="table-wrap">
          <table class="table" data-testid="audit-table">
            <thead>
              <tr>
                <th>{t('audit.time')}</th>
                <th>{t('audit.actor')}</th>
                <th>{t('audit.action')}</th>
                <th>{t('audit.target')}</th>
                <th>{t('sessions.ip')}</th>
                <th>{t('audit.outcome')}</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id} data-testid="audit-row" data-action={e.action} data-actor={e.actor} data-target={e.target ?? ""} data-outcome={e.outcome}>
                  <td data-label={t('audit.time')}>{formatTime(e.time)}</td>
                  <td data-label={t('audit.actor')} class="mono">
                    {e.actor}
                  </td>
                  <td data-label={t('audit.action')} class="mono">
                    {e.action}
                  </td>
                  <td data-label={t('audit.target')}>{e.target ?? '—'}</td>
                  <td data-label={t('sessions.ip')} class="mono" title={e.user_agent ?? undefined}>
                    {e.ip ?? '—'}
                  </td>
                  <td data-label={t('audit.outcome')}>{outcomeBadge(e.outcome)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <ErrorAlert error={more.error} testid="audit-more-error" />
      {cursor ? (
        <div class="form-actions">
          <Button testid="audit-more" busy={more.busy} onClick={() => void loadMore()}>
            {t('audit.more')}
          </Button>
        </div>
      ) : null}
    </Card>
  );
}
