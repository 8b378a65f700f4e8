//! File upload with progress: fetch cannot report upload progress, so this uses XMLHttpRequest.

import { ApiError, languageHeader } from './api';
import { t } from './i18n';
import type { Upload } from './types';

export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

/** POSTs the raw file bytes; `onProgress` receives 0..1. */
export function uploadFile(
  path: string,
  file: Blob,
  onProgress: (fraction: number) => void,
  headers: Record<string, string> = {},
): Promise<Upload> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.withCredentials = false; // same-origin: cookies are sent anyway
    xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('Accept-Language', languageHeader());
    for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      let body: Record<string, unknown> | null = null;
      try {
        body = JSON.parse(xhr.responseText) as Record<string, unknown>;
      } catch {
        body = null;
      }
      if (xhr.status >= 200 && xhr.status < 300 && body && typeof body.file_id === 'string') {
        onProgress(1);
        resolve({ file_id: body.file_id, size: Number(body.size ?? file.size) });
        return;
      }
      const code = typeof body?.code === 'string' ? body.code : `http_${xhr.status}`;
      const message =
        typeof body?.message === 'string' && body.message ? body.message : t('error.http', { status: xhr.status });
      reject(new ApiError(xhr.status, code, message, typeof body?.request_id === 'string' ? body.request_id : null));
    };
    xhr.onerror = () => reject(new ApiError(0, 'network', t('error.network')));
    xhr.onabort = () => reject(new ApiError(0, 'aborted', t('error.aborted')));
    xhr.send(file);
  });
}
