//! A file field that uploads as soon as a file is chosen, with a progress bar and a localized
//! picker button (the browser's own "Choose file" text would ignore the UI language).

import { useState } from 'preact/hooks';
import { ApiError } from '../api';
import { formatBytes, t } from '../i18n';
import { MAX_UPLOAD_BYTES, uploadFile } from '../upload';
import { Badge, ErrorAlert, ProgressBar } from './ui';

interface UploadState {
  name: string;
  size: number;
  progress: number;
  fileId: string | null;
  error: unknown;
}

export function UploadField(props: {
  testid: string;
  label: string;
  hint: string;
  accept: string;
  path: string;
  headers?: Record<string, string>;
  onUploaded: (fileId: string | null) => void;
}) {
  const [state, setState] = useState<UploadState | null>(null);
  const uploading = state !== null && state.fileId === null && !state.error;

  function choose(file: File | undefined) {
    props.onUploaded(null);
    if (!file) return setState(null);
    if (file.size > MAX_UPLOAD_BYTES) {
      return setState({
        name: file.name,
        size: file.size,
        progress: 0,
        fileId: null,
        error: new ApiError(0, 'too_large', t('upload.tooLarge')),
      });
    }
    const base = { name: file.name, size: file.size, fileId: null, error: null };
    setState({ ...base, progress: 0 });
    uploadFile(props.path, file, (p) => setState((s) => (s && s.name === file.name ? { ...s, progress: p } : s)), props.headers).then(
      (up) => {
        setState({ ...base, progress: 1, fileId: up.file_id });
        props.onUploaded(up.file_id);
      },
      (err: unknown) => setState({ ...base, progress: 0, error: err }),
    );
  }

  return (
    // Not <Field>: that is a <label>, and the picker below needs its own label.
    <div class="field">
      <span class="field-label">{props.label}</span>
      <div class="file-pick">
        <label class={`btn btn-default btn-sm file-button${uploading ? ' is-disabled' : ''}`}>
          {/* Visually hidden but focusable, so the localized button replaces the browser's own. */}
          <input
            class="visually-hidden"
            type="file"
            accept={props.accept}
            data-testid={`${props.testid}-file`}
            disabled={uploading}
            onChange={(e) => choose(e.currentTarget.files?.[0])}
          />
          {state ? t('upload.change') : t('upload.choose')}
        </label>
        <span class="file-chosen muted">{state ? null : t('upload.none')}</span>
      </div>
      {state ? (
        <div class="upload" data-testid={`${props.testid}-upload`} data-state={state.fileId ? 'done' : state.error ? 'error' : 'uploading'}>
          <span class="upload-name">
            {state.name} · {formatBytes(state.size)}
          </span>
          <ProgressBar value={state.progress} testid={`${props.testid}-progress`} label={t('upload.progress')} />
          {state.fileId ? (
            <Badge kind="green" testid={`${props.testid}-done`}>
              {t('upload.done')}
            </Badge>
          ) : null}
          <ErrorAlert error={state.error} testid={`${props.testid}-error`} />
        </div>
      ) : null}
      <span class="field-hint">{props.hint}</span>
    </div>
  );
}
