//! Admin → Import / export, "部门 / Departments": the whole department tree in and out as CSV or
//! .xlsx (部门名称,部门ID,父部门ID,排序). The file is checked first (`POST
//! /directory/departments/import/preview`, nothing changes): counts, the departments missing from
//! the file that stay because they are not empty (`kept`, named from the current tree), and the
//! row errors (parents, cycles, depth, sibling names, repeated ids). Apply starts a `replace_party`
//! job, polled to the end; the summary counts what was created, renamed, moved, reordered and
//! deleted, and lists the failures.

import { useEffect, useRef, useState } from 'preact/hooks';
import { directory } from '../../api';
import { Alert, Button, Card, ErrorAlert } from '../../components/ui';
import { t } from '../../i18n';
import type { Key } from '../../strings';
import type { DeptImportPreviewAnswer, Department, DirectoryJob, JobResultRow } from '../../types';
import { FilePick, ImportStats, JobProgress, RowErrors, csvHref, pollJob } from './import-parts';

/** The department template's header row (what the server reads and departments/export.csv writes). */
export const DEPT_TEMPLATE_HEADER = '部门名称,部门ID,父部门ID,排序';
const TEMPLATE_HREF = csvHref(DEPT_TEMPLATE_HEADER);
const FIELDS = new Set(['name', 'id', 'parentid', 'order']);
const fieldLabel = (field: string) => (FIELDS.has(field) ? t(`dimp.field.${field}` as Key) : field);

/** What a result row did, as the keys of its labels: bits 1, 2, 4, 8; 0 is a deletion. */
const ACTIONS = [
  [1, 'create'],
  [2, 'rename'],
  [4, 'move'],
  [8, 'reorder'],
] as const;
type ActionName = (typeof ACTIONS)[number][1] | 'delete';

function actionNames(action: number | undefined): ActionName[] {
  const a = action ?? 0;
  if (a === 0) return ['delete'];
  return ACTIONS.filter(([bit]) => (a & bit) !== 0).map(([, name]) => name);
}

export function DeptImport(props: { mayExport: boolean }) {
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<DeptImportPreviewAnswer | null>(null);
  const [names, setNames] = useState<Map<number, Department> | null>(null);
  const [checking, setChecking] = useState(false);
  const [needFile, setNeedFile] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [job, setJob] = useState<DirectoryJob | null>(null);
  const [applying, setApplying] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  /** Bumped on unmount and on every reset, so a stale poll or answer is dropped. */
  const generation = useRef(0);
  useEffect(() => () => void (generation.current = -1), []);

  function reset(next: File | null) {
    generation.current++;
    setFile(next);
    setPreview(null);
    setJob(null);
    setError(null);
    setApplying(false);
    setChecking(false);
    setNeedFile(false);
  }

  async function check() {
    if (!file) return setNeedFile(true);
    const mine = ++generation.current;
    setNeedFile(false);
    setChecking(true);
    setError(null);
    setPreview(null);
    setJob(null);
    try {
      const answer = await directory.departmentsImportPreview(file);
      if (mine !== generation.current) return;
      setPreview(answer);
      // Name the kept departments from today's tree (they exist, by definition); ids otherwise.
      if (answer.preview.kept.length) {
        directory.departments().then(
          (list) => mine === generation.current && setNames(new Map(list.map((d) => [d.id, d]))),
          () => undefined,
        );
      }
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
      const { jobid } = await directory.departmentsImportApply(preview.import_id);
      await pollJob(jobid, () => mine === generation.current, setJob);
    } catch (err) {
      if (mine === generation.current) setError(err);
    } finally {
      if (mine === generation.current) setApplying(false);
    }
  }

  const p = preview?.preview ?? null;
  const canApply = !!p && p.errors.length === 0 && !job && !applying;
  const finished = job?.status === 3;
  const keptName = (id: number) => {
    const d = names?.get(id);
    return d ? t('dimp.keptItem', { name: d.name || String(id), id }) : t('dimp.keptId', { id });
  };

  return (
    <>
      <Card
        title={t('dimp.title')}
        testid="dept-import-card"
        actions={
          <>
            <a class="btn btn-default btn-sm" href={TEMPLATE_HREF} download="departments-template.csv" data-testid="dept-import-template">
              {t('imp.template')}
            </a>
            {props.mayExport ? (
              <>
                <a
                  class="btn btn-default btn-sm"
                  href={directory.departmentsExportCsvUrl()}
                  download="departments.csv"
                  data-testid="dept-export-csv"
                >
                  {t('dimp.exportCsv')}
                </a>
                <a
                  class="btn btn-default btn-sm"
                  href={directory.departmentsExportXlsxUrl()}
                  download="departments.xlsx"
                  data-testid="dept-export-xlsx"
                >
                  {t('dimp.exportXlsx')}
                </a>
              </>
            ) : null}
          </>
        }
      >
        <p class="muted small">{t('dimp.intro')}</p>
        <form
          class="form import-form"
          data-testid="dept-import-form"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void check();
          }}
        >
          <FilePick prefix="dept-import" file={file} disabled={applying} needFile={needFile} inputRef={inputRef} onFile={reset} />
          <div class="form-actions">
            <Button testid="dept-import-check" kind={p ? 'default' : 'primary'} type="submit" busy={checking} disabled={applying}>
              {t('imp.check')}
            </Button>
          </div>
        </form>
        <ErrorAlert error={error} testid="dept-import-error" />
      </Card>

      {p ? (
        <Card title={t('imp.summary')} testid="dept-import-preview">
          <div class="import-preview-body" data-errors={p.errors.length} data-kept={p.kept.length}>
            <p class="muted small" data-testid="dept-import-total">
              {p.total === 1 ? t('imp.total.one') : t('imp.total', { n: p.total })}
            </p>
            <ImportStats prefix="dept-import" counts={p} />
            {p.kept.length > 0 ? (
              <Alert kind="info" testid="dept-import-kept">
                <span>{p.kept.length === 1 ? t('dimp.kept.one') : t('dimp.kept', { n: p.kept.length })}</span>
                <ul class="chip-list import-kept">
                  {p.kept.map((id) => (
                    <li key={id} class="chip chip-dept" data-testid="dept-import-kept-item" data-dept-id={id}>
                      {keptName(id)}
                    </li>
                  ))}
                </ul>
              </Alert>
            ) : null}
            {p.errors.length > 0 ? (
              <RowErrors prefix="dept-import" errors={p.errors} fieldLabel={fieldLabel} />
            ) : (
              <Alert kind="success" testid="dept-import-ok">
                {t('imp.noErrors')}
              </Alert>
            )}
            {p.delete > 0 && !job ? (
              <Alert kind="warning" testid="dept-import-delete-warning">
                {p.delete === 1 ? t('dimp.deleteWarning.one') : t('dimp.deleteWarning', { n: p.delete })}
              </Alert>
            ) : null}
            <div class="form-actions">
              <Button
                testid="dept-import-apply"
                kind={p.delete > 0 ? 'danger' : 'primary'}
                busy={applying}
                disabled={!canApply}
                onClick={() => void apply()}
              >
                {applying ? t('imp.applying') : t('imp.apply')}
              </Button>
              {finished ? (
                <Button
                  testid="dept-import-again"
                  onClick={() => {
                    if (inputRef.current) inputRef.current.value = '';
                    reset(null);
                  }}
                >
                  {t('imp.again')}
                </Button>
              ) : null}
            </div>
          </div>
        </Card>
      ) : null}

      {job ? <DeptJobCard job={job} /> : null}
    </>
  );
}

function DeptJobCard(props: { job: DirectoryJob }) {
  const { job } = props;
  const failures = job.result.filter((r) => r.errcode !== 0);
  const tally = new Map<ActionName, number>();
  for (const r of job.result) {
    if (r.errcode !== 0) continue;
    for (const a of actionNames(r.action)) tally.set(a, (tally.get(a) ?? 0) + 1);
  }
  const actionText = (r: JobResultRow) => actionNames(r.action).map((a) => t(`dimp.action.${a}` as Key)).join('、');
  const summary = tally.size ? (
    <ul class="chip-list import-tally" data-testid="dept-import-tally">
      {(['create', 'rename', 'move', 'reorder', 'delete'] as const)
        .filter((a) => tally.has(a))
        .map((a) => (
          <li key={a} class="chip" data-testid={`dept-import-tally-${a}`} data-count={tally.get(a)}>
            {t('dimp.tally', { action: t(`dimp.action.${a}` as Key), n: tally.get(a) ?? 0 })}
          </li>
        ))}
    </ul>
  ) : null;
  return (
    <JobProgress job={job} prefix="dept-import" doneKey="dimp.done" summary={summary}>
      <a class="btn btn-default btn-sm import-open-dir" href="#/app/admin/directory" data-testid="dept-import-open-directory">
        {t('dimp.openDirectory')}
      </a>
      {failures.length > 0 ? (
        <div class="table-wrap">
          <h3 class="import-subtitle">{t('dimp.failures')}</h3>
          <table class="table" data-testid="dept-import-failures">
            <thead>
              <tr>
                <th>{t('dimp.deptId')}</th>
                <th>{t('dimp.action')}</th>
                <th>{t('imp.errcode')}</th>
                <th>{t('imp.errmsg')}</th>
              </tr>
            </thead>
            <tbody>
              {failures.map((r, i) => (
                <tr key={`${r.partyid ?? ''}-${i}`} data-testid="dept-import-failure-row" data-dept-id={r.partyid}>
                  <td data-label={t('dimp.deptId')} class="mono">
                    {r.partyid ?? '—'}
                  </td>
                  <td data-label={t('dimp.action')}>{actionText(r)}</td>
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
