//! Pieces shared by the member import and the department-tree import of Admin → Import / export:
//! the file picker (button or drop; .csv and .xlsx only), the counts, the table of row errors in
//! the UI language, and polling a directory job until it finishes.

import type { ComponentChildren, Ref } from 'preact';
import { useState } from 'preact/hooks';
import { directory } from '../../api';
import { Alert, Card, ProgressBar } from '../../components/ui';
import { getLang, t } from '../../i18n';
import type { Key } from '../../strings';
import type { DirectoryJob, ImportCounts, ImportRowError } from '../../types';

/** What the file inputs offer: CSV (UTF-8) and Excel workbooks. */
export const IMPORT_ACCEPT = '.csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const POLL_MS = 500;

export const isImportFile = (f: File) => /\.(csv|xlsx)$/i.test(f.name);

/** A UTF-8 CSV with a BOM (spreadsheet programs then read the Chinese header right), as a link. */
export const csvHref = (header: string) => `data:text/csv;charset=utf-8,${encodeURIComponent(`\uFEFF${header}\r\n`)}`;

export const rowMessage = (e: ImportRowError) =>
  getLang() === 'en' ? e.message_en || e.message_zh : e.message_zh || e.message_en;

const hasFiles = (e: DragEvent) => !!e.dataTransfer && Array.from(e.dataTransfer.types).includes('Files');

/**
 * The file field: a button opening the file chooser, and the same area as a drop target. A file
 * that is neither .csv nor .xlsx is refused here (the chooser's filter can be switched off).
 */
export function FilePick(props: {
  prefix: string;
  file: File | null;
  disabled: boolean;
  needFile: boolean;
  inputRef: Ref<HTMLInputElement>;
  onFile: (file: File | null) => void;
}) {
  const { prefix } = props;
  const [over, setOver] = useState(false);
  const [refused, setRefused] = useState<string | null>(null);

  function take(file: File | null) {
    if (file && !isImportFile(file)) {
      setRefused(file.name);
      props.onFile(null);
      return;
    }
    setRefused(null);
    props.onFile(file);
  }

  return (
    <div class={`field${props.needFile || refused ? ' has-error' : ''}`}>
      <span class="field-label">{t('imp.file')}</span>
      <div
        class={`file-pick file-drop${over ? ' is-over' : ''}`}
        data-testid={`${prefix}-drop`}
        onDragOver={(e) => {
          if (props.disabled || !hasFiles(e)) return;
          e.preventDefault();
          if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
          setOver(true);
        }}
        onDragLeave={(e) => {
          if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setOver(false);
        }}
        onDrop={(e) => {
          if (!hasFiles(e)) return;
          e.preventDefault();
          setOver(false);
          if (!props.disabled) take(e.dataTransfer?.files[0] ?? null);
        }}
      >
        <label class={`btn btn-default btn-sm file-button${props.disabled ? ' is-disabled' : ''}`}>
          <input
            ref={props.inputRef}
            class="visually-hidden"
            type="file"
            accept={IMPORT_ACCEPT}
            data-testid={`${prefix}-file`}
            disabled={props.disabled}
            onChange={(e) => take(e.currentTarget.files?.[0] ?? null)}
          />
          {props.file ? t('imp.change') : t('imp.choose')}
        </label>
        <span class="file-chosen muted" data-testid={`${prefix}-file-name`}>
          {props.file ? props.file.name : t('imp.none')}
        </span>
        <span class="file-drop-hint muted small">{t('imp.drop')}</span>
      </div>
      {refused ? (
        <span class="field-error" data-testid={`${prefix}-bad-type`}>
          {t('imp.badType', { name: refused })}
        </span>
      ) : props.needFile ? (
        <span class="field-error" data-testid={`${prefix}-need-file`}>
          {t('imp.needFile')}
        </span>
      ) : null}
    </div>
  );
}

/** Create / update / unchanged / delete, each with `data-count`. */
export function ImportStats(props: { prefix: string; counts: ImportCounts }) {
  const p = props.counts;
  return (
    <dl class="import-stats" data-testid={`${props.prefix}-stats`}>
      {(['create', 'update', 'unchanged', 'delete'] as const).map((k) => (
        <div class={`import-stat import-stat-${k}`} key={k} data-testid={`${props.prefix}-count-${k}`} data-count={p[k]}>
          <dt>{t(`imp.${k}` as Key)}</dt>
          <dd>{p[k]}</dd>
        </div>
      ))}
    </dl>
  );
}

/** The note and the table of row errors (row, field, message in the UI language). */
export function RowErrors(props: { prefix: string; errors: ImportRowError[]; fieldLabel: (field: string) => string }) {
  const { prefix, errors } = props;
  return (
    <>
      <Alert kind="error" testid={`${prefix}-errors-note`}>
        {errors.length === 1 ? t('imp.errors.one') : t('imp.errors', { n: errors.length })}
      </Alert>
      <div class="table-wrap">
        <table class="table" data-testid={`${prefix}-errors`}>
          <thead>
            <tr>
              <th>{t('imp.row')}</th>
              <th>{t('imp.field')}</th>
              <th>{t('imp.message')}</th>
            </tr>
          </thead>
          <tbody>
            {errors.map((e, i) => (
              <tr key={`${e.row}-${e.field}-${i}`} data-testid={`${prefix}-error-row`} data-row={e.row} data-field={e.field}>
                <td data-label={t('imp.row')} data-testid={`${prefix}-error-rownum`}>
                  {e.row}
                </td>
                <td data-label={t('imp.field')} data-testid={`${prefix}-error-field`}>
                  {props.fieldLabel(e.field)}
                </td>
                <td data-label={t('imp.message')} data-testid={`${prefix}-error-message`}>
                  {rowMessage(e)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

/**
 * Polls a job every 500 ms until it finishes (status 3), passing each state on. Stops quietly
 * when `alive()` turns false (the page was left or another file chosen).
 */
export async function pollJob(jobid: string, alive: () => boolean, onState: (job: DirectoryJob) => void): Promise<void> {
  for (;;) {
    if (!alive()) return;
    const state = await directory.job(jobid);
    if (!alive()) return;
    onState(state);
    if (state.status === 3) return;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** Progress in percent: 100 once finished, else the server's figure clamped. */
export const jobPercent = (job: DirectoryJob) => (job.status === 3 ? 100 : Math.max(0, Math.min(100, job.percentage)));

/**
 * A running or finished import job: the progress bar, and once done the outcome (`summary` adds
 * to it) and what follows it (`children`: the failures). Test ids start with `prefix`.
 */
export function JobProgress(props: {
  job: DirectoryJob;
  prefix: string;
  doneKey: Key;
  summary?: ComponentChildren;
  children?: ComponentChildren;
}) {
  const { job, prefix } = props;
  const finished = job.status === 3;
  const failed = job.result.filter((r) => r.errcode !== 0).length;
  const ok = job.result.length - failed;
  const pct = jobPercent(job);
  return (
    <Card title={t('imp.progress')} testid={`${prefix}-job`}>
      <div class="import-job" data-status={job.status} data-percentage={pct} data-done={finished ? 'true' : 'false'}>
        <ProgressBar value={pct / 100} testid={`${prefix}-progress`} label={t('imp.progress')} />
        <p class="muted small" data-testid={`${prefix}-progress-text`}>
          {t('imp.progressText', { done: job.done, total: job.total })}
        </p>
        {finished ? (
          <Alert kind={failed ? 'warning' : 'success'} testid={`${prefix}-result`}>
            <span data-testid={`${prefix}-result-text`} data-ok={ok} data-failed={failed}>
              {t(props.doneKey, { ok, failed })}
            </span>
            {props.summary}
          </Alert>
        ) : null}
        {finished ? props.children : null}
      </div>
    </Card>
  );
}
