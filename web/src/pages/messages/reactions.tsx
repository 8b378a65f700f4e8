//! Emoji reactions under a message: one chip per emoji with its count (highlighted when one of
//! them is mine; a click toggles mine), and the quick picker opened from the message actions.
//! Who reacted is in the chip's tooltip; touch screens have no hover, so a long press on a chip
//! shows the names instead.

import { useEffect, useRef, useState } from 'preact/hooks';
import type { NameOf } from '../../chat';
import { t } from '../../i18n';
import type { Reaction } from '../../types';

/** The quick choices; any emoji the server accepts can still arrive from other clients. */
export const QUICK_REACTIONS = ['👍', '❤️', '😂', '🎉', '🙏', '👌', '✅', '😮'];

export function ReactionPicker(props: { onPick: (emoji: string) => void }) {
  return (
    <div class="reaction-picker" role="toolbar" aria-label={t('chat.react')} data-testid="reaction-picker">
      {QUICK_REACTIONS.map((e) => (
        <button type="button" key={e} class="reaction-option" data-testid="reaction-option" data-emoji={e} aria-label={e} onClick={() => props.onPick(e)}>
          {e}
        </button>
      ))}
    </div>
  );
}

const namesOf = (r: Reaction, nameOf: NameOf) => r.users.map((u) => nameOf(u)).join(t('chat.new.separator'));

export function ReactionChips(props: { reactions: Reaction[]; me: string; nameOf: NameOf; onToggle: (emoji: string) => void }) {
  const [showing, setShowing] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  /** A long press just showed the names: the click that ends it must not toggle. */
  const held = useRef(false);
  const box = useRef<HTMLDivElement>(null);
  const cancel = () => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
  };
  useEffect(() => cancel, []);
  useEffect(() => {
    if (!showing) return;
    const close = (e: Event) => {
      if (!box.current?.contains(e.target as Node)) setShowing(null);
    };
    document.addEventListener('mousedown', close);
    document.addEventListener('touchstart', close);
    return () => {
      document.removeEventListener('mousedown', close);
      document.removeEventListener('touchstart', close);
    };
  }, [showing]);

  if (props.reactions.length === 0) return null;
  const shown = props.reactions.find((r) => r.emoji === showing);
  return (
    <div class="msg-reactions" ref={box} data-testid="message-reactions">
      {props.reactions.map((r) => {
        const mine = r.users.includes(props.me);
        const names = namesOf(r, props.nameOf);
        return (
          <button
            type="button"
            key={r.emoji}
            class={`reaction-chip${mine ? ' is-mine' : ''}`}
            data-testid="reaction-chip"
            data-emoji={r.emoji}
            data-count={r.users.length}
            data-mine={mine ? 'true' : 'false'}
            title={t('chat.reactions.who', { names, emoji: r.emoji })}
            aria-pressed={mine}
            aria-label={t('chat.reactions.who', { names, emoji: r.emoji })}
            onTouchStart={() => {
              cancel();
              held.current = false;
              timer.current = setTimeout(() => {
                held.current = true;
                setShowing(r.emoji);
              }, 500);
            }}
            onTouchEnd={cancel}
            onTouchMove={cancel}
            onContextMenu={(e) => {
              e.preventDefault();
              cancel();
              setShowing(r.emoji);
            }}
            onClick={() => {
              if (held.current) {
                held.current = false;
                return;
              }
              props.onToggle(r.emoji);
            }}
          >
            <span class="reaction-emoji">{r.emoji}</span>
            <span class="reaction-count">{r.users.length}</span>
          </button>
        );
      })}
      {shown ? (
        <div class="reaction-names" role="status" data-testid="reaction-names" data-emoji={shown.emoji}>
          {shown.emoji} {namesOf(shown, props.nameOf)}
        </div>
      ) : null}
    </div>
  );
}
