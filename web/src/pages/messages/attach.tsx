//! Upload UI: the attach (paperclip) button of the composer, the uploads of the open conversation (progress with
//! percent, cancel, a failure's reason and retry), and the banner of unfinished uploads after a
//! reload, where each file is chosen again to resume (a browser cannot re-read it by itself).
//! The banner also lists the server's unfinished uploads this browser has no record of (begun on
//! another device): the same file, chosen again, continues from the server's offset and is sent
//! into the open conversation (the server does not know which one it was meant for).

import { useRef, useState } from 'preact/hooks';
import { conversationName, humanSize } from '../../chat';
import { Icon } from '../../components/icons';
import { ProgressBar } from '../../components/ui';
import { t } from '../../i18n';
import { navigate } from '../../router';
import type { UploadRecord } from '../../resumable';
import type { ServerUpload } from '../../types';
import { conversationPath, useChat } from './context';
import {
  cancelUpload,
  discardRecord,
  discardServerUpload,
  resumeServerUpload,
  resumeUpload,
  retryUpload,
  useUploads,
} from './uploads';

/** The files of a change / drop / paste, as an array (FileList is not one). */
export function filesOf(list: FileList | null | undefined): File[] {
  return list ? Array.from(list) : [];
}

export function AttachButton(props: { onFiles: (files: File[]) => void; disabled?: boolean }) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button
        type="button"
        class="icon-button composer-attach"
        data-testid="composer-attach"
        aria-label={t('chat.attach')}
        title={t('chat.attach')}
        disabled={props.disabled}
        onClick={() => input.current?.click()}
      >
        <Icon name="attach" size={20} />
      </button>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        data-testid="composer-file-input"
        onChange={(e) => {
          const files = filesOf(e.currentTarget.files);
          // Cleared so that choosing the same file again fires `change` again.
          e.currentTarget.value = '';
          if (files.length) props.onFiles(files);
        }}
      />
    </>
  );
}

/** The uploads into one conversation, above its composer. */
export function UploadList(props: { conversationId: string }) {
  const { items } = useUploads();
  const mine = items.filter((u) => u.conversation_id === props.conversationId);
  if (!mine.length) return null;
  return (
    <ul class="upload-list" data-testid="upload-list">
      {mine.map((u) => (
        <li key={u.key} class="upload-item" data-testid="upload-item" data-state={u.state} data-name={u.name} data-resumed={u.resumed ? 'true' : 'false'}>
          <div class="upload-head">
            <span class="upload-name">{u.name}</span>
            <span class="muted small upload-size">{humanSize(u.size)}</span>
            {u.state === 'failed' && u.retryable ? (
              <button type="button" class="btn btn-link btn-sm" data-testid="upload-retry" onClick={() => retryUpload(u.key)}>
                {t('common.retry')}
              </button>
            ) : null}
            <button
              type="button"
              class="icon-button upload-cancel"
              data-testid="upload-cancel"
              aria-label={t('chat.upload.cancel')}
              title={t('chat.upload.cancel')}
              onClick={() => cancelUpload(u.key)}
            >
              ✕
            </button>
          </div>
          {u.state === 'failed' ? (
            <div class="field-error" role="alert" data-testid="upload-error" data-code={u.code}>
              {u.error}
            </div>
          ) : (
            <ProgressBar testid="upload-progress" value={u.size ? u.sent / u.size : 1} label={t('chat.upload.progress', { name: u.name })} />
          )}
        </li>
      ))}
    </ul>
  );
}

function UnfinishedRow(props: { r: UploadRecord }) {
  const { r } = props;
  const { conversations, nameOf } = useChat();
  const [wrong, setWrong] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const conv = conversations.list?.find((c) => c.id === r.conversation_id);
  return (
    <li class="unfinished-row" data-testid="unfinished-upload" data-name={r.name}>
      <div class="unfinished-main">
        <span class="upload-name">{r.name}</span>
        <span class="muted small">
          {humanSize(r.size)}
          {conv ? ` · ${conversationName(conv, nameOf)}` : ''}
        </span>
        {wrong ? (
          <span class="field-error" data-testid="unfinished-wrong-file">
            {t('chat.upload.wrongFile', { name: r.name })}
          </span>
        ) : null}
      </div>
      <span class="unfinished-actions">
        <button type="button" class="btn btn-sm btn-primary" data-testid="unfinished-choose" onClick={() => input.current?.click()}>
          {t('chat.upload.choose')}
        </button>
        <button type="button" class="btn btn-sm" data-testid="unfinished-discard" onClick={() => discardRecord(r)}>
          {t('chat.upload.discard')}
        </button>
      </span>
      <input
        ref={input}
        type="file"
        hidden
        data-testid="unfinished-file-input"
        onChange={(e) => {
          const file = filesOf(e.currentTarget.files)[0];
          e.currentTarget.value = '';
          if (!file) return;
          const ok = resumeUpload(r, file);
          setWrong(!ok);
          // Show the progress where the message will appear.
          if (ok) navigate(conversationPath(r.conversation_id));
        }}
      />
    </li>
  );
}

/** An upload the server has but this browser does not know (another device, a lost record). */
function ElsewhereRow(props: { u: ServerUpload; openId: string | null }) {
  const { u, openId } = props;
  const { conversations, nameOf } = useChat();
  const [wrong, setWrong] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const pct = Math.floor((u.offset / Math.max(1, u.length)) * 100);
  const conv = openId ? conversations.list?.find((c) => c.id === openId) : undefined;
  return (
    <li class="unfinished-row" data-testid="server-upload" data-name={u.name} data-upload-id={u.id} data-percent={pct}>
      <div class="unfinished-main">
        <span class="upload-name">{u.name}</span>
        <span class="muted small" data-testid="server-upload-progress">
          {t('chat.upload.elsewhere.progress', { pct, size: humanSize(u.length) })}
        </span>
        <span class="muted small" data-testid="server-upload-target">
          {openId
            ? t('chat.upload.elsewhere.target', { name: conv ? conversationName(conv, nameOf) : t('chat.upload.elsewhere.thisChat') })
            : t('chat.upload.elsewhere.pickChat')}
        </span>
        {wrong ? (
          <span class="field-error" data-testid="server-upload-wrong-file">
            {t('chat.upload.elsewhere.wrongFile', { name: u.name, size: humanSize(u.length) })}
          </span>
        ) : null}
      </div>
      <span class="unfinished-actions">
        <button
          type="button"
          class="btn btn-sm btn-primary"
          data-testid="server-upload-resume"
          disabled={!openId}
          onClick={() => input.current?.click()}
        >
          {t('chat.upload.elsewhere.resume')}
        </button>
        <button type="button" class="btn btn-sm" data-testid="server-upload-discard" onClick={() => discardServerUpload(u)}>
          {t('chat.upload.discard')}
        </button>
      </span>
      <input
        ref={input}
        type="file"
        hidden
        data-testid="server-upload-file-input"
        onChange={(e) => {
          const file = filesOf(e.currentTarget.files)[0];
          e.currentTarget.value = '';
          if (!file || !openId) return;
          setWrong(!resumeServerUpload(u, file, openId));
        }}
      />
    </li>
  );
}

/** Uploads of an earlier page load, or of another device, that did not finish. */
export function UnfinishedUploads(props: { openId: string | null }) {
  const { unfinished, elsewhere } = useUploads();
  if (!unfinished.length && !elsewhere.length) return null;
  return (
    <section class="unfinished" data-testid="unfinished-uploads" role="region" aria-label={t('chat.upload.unfinished')}>
      <div class="unfinished-title">
        <strong>{t('chat.upload.unfinished')}</strong>
        <span class="muted small"> {t('chat.upload.unfinishedHint')}</span>
      </div>
      <ul class="unfinished-list">
        {unfinished.map((r) => (
          <UnfinishedRow key={r.client_msg_id} r={r} />
        ))}
        {elsewhere.map((u) => (
          <ElsewhereRow key={u.id} u={u} openId={props.openId} />
        ))}
      </ul>
    </section>
  );
}
