//! A modal dialog: backdrop, title, Escape and a click on the backdrop close it (unless
//! `sticky`: e.g. while a secret is shown, which must not be lost by accident). A bottom sheet
//! on phones (see app.css).

import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { t } from '../i18n';

export function Dialog(props: {
  testid: string;
  title: string;
  onClose: () => void;
  sticky?: boolean;
  children: ComponentChildren;
}) {
  const box = useRef<HTMLDivElement>(null);
  const onClose = useRef(props.onClose);
  onClose.current = props.onClose;
  useEffect(() => {
    if (props.sticky) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose.current();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [props.sticky]);
  // Focus the first field so the keyboard can be used at once.
  useEffect(() => {
    box.current?.querySelector<HTMLElement>('input, textarea, select, button:not([data-close])')?.focus();
  }, []);
  const id = `${props.testid}-title`;
  return (
    <div
      class="dialog-backdrop"
      data-testid={`${props.testid}-backdrop`}
      onMouseDown={(e) => {
        if (!props.sticky && e.target === e.currentTarget) props.onClose();
      }}
    >
      <div class="dialog" role="dialog" aria-modal="true" aria-labelledby={id} data-testid={props.testid} ref={box}>
        <div class="dialog-head">
          <h2 id={id} class="dialog-title">
            {props.title}
          </h2>
          {props.sticky ? null : (
            <button
              type="button"
              class="icon-button"
              data-close
              data-testid={`${props.testid}-close`}
              aria-label={t('common.close')}
              title={t('common.close')}
              onClick={props.onClose}
            >
              ✕
            </button>
          )}
        </div>
        {props.children}
      </div>
    </div>
  );
}
