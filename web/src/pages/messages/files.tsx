//! Image and file messages. A file uploaded here (`file_id`) is fetched from this server only:
//! images show inline from their thumbnail and open full size in a viewer, other files are a card with name,
//! size and a download link. Names are text, never markup. Media from WeCom apps (`media_id`)
//! cannot be fetched yet and show their name only.

import { useEffect, useState } from 'preact/hooks';
import { humanSize } from '../../chat';
import { Icon } from '../../components/icons';
import { t } from '../../i18n';
import type { MessageView } from '../../types';

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export const fileUrl = (fileId: string) => `/api/v1/files/${encodeURIComponent(fileId)}`;

function DownloadLink(props: { href: string; name: string; testid: string }) {
  return (
    <a class="msg-file-download" href={props.href} download={props.name || true} data-testid={props.testid}>
      {t('chat.file.download')}
    </a>
  );
}

/** The full image over everything; Escape, the backdrop or ✕ close it. */
function ImageViewer(props: { src: string; name: string; onClose: () => void }) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && props.onClose();
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [props.onClose]);
  return (
    <div
      class="image-viewer"
      role="dialog"
      aria-modal="true"
      aria-label={props.name || t('chat.type.image')}
      data-testid="image-viewer"
      onClick={(e) => e.target === e.currentTarget && props.onClose()}
    >
      <img src={props.src} alt={props.name} data-testid="image-viewer-img" />
      <div class="image-viewer-bar">
        <span class="image-viewer-name">{props.name}</span>
        <DownloadLink href={props.src} name={props.name} testid="image-viewer-download" />
        <button type="button" class="icon-button" data-testid="image-viewer-close" aria-label={t('common.close')} onClick={props.onClose}>
          ✕
        </button>
      </div>
    </div>
  );
}

export function FileMessage(props: { m: MessageView }) {
  const { m } = props;
  const c = m.content;
  const id = str(c.file_id);
  const name = str(c.name);
  const size = typeof c.size === 'number' ? c.size : Number(c.size);
  const [broken, setBroken] = useState(false);
  const [viewing, setViewing] = useState(false);
  // The inline preview loads the server's thumbnail (≤320 px); without one, the full image.
  const [useThumbnail, setUseThumbnail] = useState(true);

  if (!id) {
    return (
      <div class="msg-file" data-testid={`msg-${m.type}`}>
        <span class="msg-file-icon">
          <Icon name={m.type === 'image' ? 'image' : 'file'} />
        </span>
        <span class="msg-file-name">{name || t(m.type === 'image' ? 'chat.type.image' : 'chat.type.file')}</span>
      </div>
    );
  }
  const href = fileUrl(id);
  // An image the browser cannot draw (HEIC, a damaged file) falls back to the file card.
  if (m.type === 'image' && !broken) {
    return (
      <>
        <button type="button" class="msg-image" data-testid="msg-image" title={name} aria-label={t('chat.image.open')} onClick={() => setViewing(true)}>
          <img
            src={useThumbnail ? `${href}/thumbnail` : href}
            alt={name}
            loading="lazy"
            data-testid="msg-image-img"
            onError={() => (useThumbnail ? setUseThumbnail(false) : setBroken(true))}
          />
        </button>
        {viewing ? <ImageViewer src={href} name={name} onClose={() => setViewing(false)} /> : null}
      </>
    );
  }
  return (
    <div class="msg-file-card" data-testid="msg-file" data-file-id={id}>
      <span class="msg-file-icon">
        <Icon name={m.type === 'image' ? 'image' : 'file'} size={28} />
      </span>
      <span class="msg-file-main">
        <span class="msg-file-name" data-testid="msg-file-name">
          {name || t('chat.type.file')}
        </span>
        <span class="msg-file-size muted small" data-testid="msg-file-size">
          {Number.isFinite(size) ? humanSize(size) : ''}
        </span>
      </span>
      <DownloadLink href={href} name={name} testid="msg-file-download" />
    </div>
  );
}
