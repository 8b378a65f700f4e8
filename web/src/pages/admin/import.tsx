//! Admin → Import / export (#/app/admin/import): members, or the department tree (a toggle), in
//! and out as CSV or an Excel .xlsx workbook (WeCom contacts template). A chosen file is first
//! checked (`POST /directory/import/preview`, nothing changes): counts to create / update / keep /
//! delete, department ids the file names that do not exist yet (created under "待分配部门"), and a
//! table of row errors. Apply is possible only without errors and when the server did not block
//! the import; it starts a job that is polled every 500 ms (progress bar), then the succeeded /
//! failed summary with the failures listed. The department tree: import-departments.tsx.

import { useEffect, useRef, useState } from 'preact/hooks';
import { directory } from '../../api';
import { Alert, Button, Card, ErrorAlert } from '../../components/ui';
import { t, useLang } from '../../i18n';
import { can } from '../../perms';
import type { Key } from '../../strings';
import type { DirectoryJob, ImportMode, ImportPreviewAnswer, Me } from '../../types';
import { DeptImport } from './import-departments';
import { FilePick, ImportStats, JobProgress, RowErrors, csvHref, pollJob } from './import-parts';

/** The WeCom template's header row (what the server reads and what export.csv writes). */
export const TEMPLATE_HEADER = '姓名,帐号,手机号,邮箱,所在部门,职位,性别,是否部门内领导,排序,别名,座机,禁用';
const TEMPLATE_HREF = csvHref(TEMPLATE_HEADER);
const MODES: ImportMode[] = ['sync', 'replace'];
const FIELDS = new Set([
  'name', 'userid', 'mobile', 'email', 'department', 'position', 'gender',
  'is_leader_in_dept', 'order', 'alias', 'telephone', 'enable',
]);

function fieldLabel(field: string): string {
  return FIELDS.has(field) ? t(`imp.field.${field}` as Key) : field;
}

type Kind = 'members' | 'departments';
const KINDS: Kind[] = ['members', 'departments'];

/** Both wizards stay mounted (the other one hidden), so switching does not lose a running job. */
export function AdminImportPage(props: { me: Me }) {
  useLang();
  const [kind, setKind] = useState<Kind>('members');
  const mayExport = can(props.me, 'contacts.export');
  return (
    <div class="admin-import" data-testid="admin-import" data-kind={kind}>
      <div class="segmented" role="tablist" aria-label={t('imp.kind')}>
        {KINDS.map((k) => (
          <button
            key={k}
            type="button"
            role="tab"
            aria-selected={kind === k}
            class={`segment${kind === k ? ' is-active' : ''}`}
            data-testid={`import-kind-${k}`}
            onClick={() => setKind(k)}
          >
            {t(`imp.kind.${k}` as Key)}
          </button>
        ))}
      </div>
      <div class="import-pane" hidden={kind !== 'members'} data-testid="import-members-pane">
        <MemberImport mayExport={mayExport} />
      </div>
      <div class="import-pane" hidden={kind !== 'departments'} data-testid="import-departments-pane">
        <DeptImport mayExport={mayExport} />
      </div>
    </div>
  );
}

function MemberImport(props: { mayExport: boolean }) {
  const [file, setFile] = useState<File | null>(null);
  const [mode, setMode] = useState<ImportMode>('sync');
  const [preview, setPreview] = useState<ImportPreviewAnswer | null>(null);
  const [checking, setChecking] = useState(false);
  const [needFile, setNeedFile] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [job, setJob] = useState<DirectoryJob | null>(null);
  const [applying, setApplying] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  /** Bumped on unmount and on every reset, so a stale poll or answer is dropped. */
  const generation = useRef(0);
  useEffect(() => () => void (generation.current = -1), []);

  function reset(nextFile: File | null, nextMode: ImportMode) {
    generation.current++;
    setFile(nextFile);
    setMode(nextMode);
    setPreview(null);
    setJob(null);
    setError(null);
    setApplying(false);
    setChecking(false);
    setNeedFile(false);
  }

  async function check() {
    if (!file) {
      setNeedFile(true);
      return;
    }
    const mine = ++generation.current;
    setNeedFile(false);
    setChecking(true);
    setError(null);
    setPreview(null);
    setJob(null);
    try {
      const answer = await directory.importPreview(file, mode);
      if (mine === generation.current) setPreview(answer);
    } catch (err) {
      if (mine === generation.current) setError(err);
    } finally {
      if (mine === generation.current) setChecking(false);
    }
  }

  async function apply() {
    if (!preview) return;
    const mine = ++generation.current;
    setApplying(true);
    setError(null);
    try {
      const { jobid } = await directory.importApply(preview.import_id, preview.mode);
      await pollJob(jobid, () => mine === generation.current, setJob);
    } catch (err) {
      if (mine === generation.current) setError(err);
    } finally {
      if (mine === generation.current) setApplying(false);
    }
  }

  const p = preview?.preview ?? null;
  const canApply = !!p && p.errors.length === 0 && !p.blocked && !job && !applying;
  const finished = job?.status === 3;

  return (
    <>
      <Card
        title={t('imp.title')}
        testid="import-card"
        actions={
          <>
            <a class="btn btn-default btn-sm" href={TEMPLATE_HREF} download="members-template.csv" data-testid="import-template">
              {t('imp.template')}
            </a>
            {props.mayExport ? (
              <>
                <a class="btn btn-default btn-sm" href={directory.exportCsvUrl()} download="members.csv" data-testid="import-export">
                  {t('imp.export')}
                </a>
                <a class="btn btn-default btn-sm" href={directory.exportXlsxUrl()} download="members.xlsx" data-testid="import-export-xlsx">
                  {t('imp.exportXlsx')}
                </a>
              </>
            ) : null}
          </>
        }
      >
        <p class="muted small">{t('imp.intro')}</p>
        <form
          class="form import-form"
          data-testid="import-form"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void check();
          }}
        >
          <FilePick
            prefix="import"
            file={file}
            disabled={applying}
            needFile={needFile}
            inputRef={inputRef}
            onFile={(f) => reset(f, mode)}
          />
          <fieldset class="group import-modes" data-testid="import-modes">
            <legend>{t('imp.mode')}</legend>
            {MODES.map((m) => (
              <label class="check" key={m}>
                <input
                  type="radio"
                  name="import-mode"
                  value={m}
                  checked={mode === m}
                  disabled={applying}
                  data-testid={`import-mode-${m}`}
                  onChange={() => reset(file, m)}
                />
                <span>{t(`imp.mode.${m}` as Key)}</span>
              </label>
            ))}
            {mode === 'replace' ? (
              <Alert kind="warning" testid="import-replace-warning">
                {t('imp.replaceWarning')}
              </Alert>
            ) : null}
          </fieldset>
          <div class="form-actions">
            <Button testid="import-check" kind={p ? 'default' : 'primary'} type="submit" busy={checking} disabled={applying}>
              {t('imp.check')}
            </Button>
          </div>
        </form>
        <ErrorAlert error={error} testid="import-error" />
      </Card>

      {p ? (
        <Card title={t('imp.summary')} testid="import-preview">
          <div class="import-preview-body" data-mode={preview?.mode} data-errors={p.errors.length} data-blocked={p.blocked ? 'true' : 'false'}>
            <p class="muted small" data-testid="import-total">
              {p.total === 1 ? t('imp.total.one') : t('imp.total', { n: p.total })}
            </p>
            <ImportStats prefix="import" counts={p} />
            {p.pending_departments.length > 0 ? (
              <Alert kind="warning" testid="import-pending">
                <span data-testid="import-pending-text" data-ids={p.pending_departments.join(',')}>
                  {t('imp.pending', { list: p.pending_departments.join(', ') })}
                </span>
              </Alert>
            ) : null}
            {p.blocked ? (
              <Alert kind="error" testid="import-blocked">
                {t('imp.blocked', { reason: p.blocked })}
              </Alert>
            ) : null}
            {p.errors.length > 0 ? (
              <RowErrors prefix="import" errors={p.errors} fieldLabel={fieldLabel} />
            ) : !p.blocked ? (
              <Alert kind="success" testid="import-ok">
                {t('imp.noErrors')}
              </Alert>
            ) : null}
            {preview?.mode === 'replace' && p.delete > 0 && !job ? (
              <Alert kind="warning" testid="import-delete-warning">
                {t('imp.replaceWarning')}
              </Alert>
            ) : null}
            <div class="form-actions">
              <Button
                testid="import-apply"
                kind={preview?.mode === 'replace' && p.delete > 0 ? 'danger' : 'primary'}
                busy={applying}
                disabled={!canApply}
                onClick={() => void apply()}
              >
                {applying ? t('imp.applying') : t('imp.apply')}
              </Button>
              {finished ? (
                <Button
                  testid="import-again"
                  onClick={() => {
                    if (inputRef.current) inputRef.current.value = '';
                    reset(null, mode);
                  }}
                >
                  {t('imp.again')}
                </Button>
              ) : null}
            </div>
          </div>
        </Card>
      ) : null}

      {job ? <JobCard job={job} /> : null}
    </>
  );
}

function JobCard(props: { job: DirectoryJob }) {
  const failures = props.job.result.filter((r) => r.errcode !== 0);
  return (
    <JobProgress job={props.job} prefix="import" doneKey="imp.done">
      {failures.length > 0 ? (
        <div class="table-wrap">
          <h3 class="import-subtitle">{t('imp.failures')}</h3>
          <table class="table" data-testid="import-failures">
            <thead>
              <tr>
                <th>{t('imp.userid')}</th>
                <th>{t('imp.errcode')}</th>
                <th>{t('imp.errmsg')}</th>
              </tr>
            </thead>
            <tbody>
              {failures.map((r, i) => (
                <tr key={`${r.userid ?? ''}-${i}`} data-testid="import-failure-row" data-userid={r.userid}>
                  <td data-label={t('imp.userid')} class="mono">
                    {r.userid}
                  </td>
                  <td data-label={t('imp.errcode')}>{r.errcode}</td>
                  <td data-label={t('imp.errmsg')}>{r.errmsg}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </JobProgress>
  );
}
