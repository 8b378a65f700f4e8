//! The composer: a textarea with a type switch (text / markdown / code; code asks for a
//! language), @mentions in groups, an emoji grid, the message being replied to above it, and
//! files (the paperclip, or pasted: a screenshot in the clipboard arrives as a file).
//!
//! Keys: Enter sends and Shift+Enter makes a new line, except in code, where Enter is a new line
//! (code has many lines) and Ctrl/⌘+Enter sends. Enter while an input method is composing
//! (pinyin) only confirms the composition.

import { useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { mentionAt, mentionsIn, messagePreview, senderLabel, type NameOf } from '../../chat';
import { t } from '../../i18n';
import type { ConversationMemberView, ConversationView, MessageView, SendType } from '../../types';
import { AttachButton, filesOf } from './attach';
import { EmojiGrid } from './emoji';
import { MentionList, mentionOptions, type MentionOption } from './mentions';
import type { Draft } from './outbox';

type Mode = Extract<SendType, 'text' | 'markdown' | 'code'>;
const MODES: Mode[] = ['text', 'markdown', 'code'];
const LANGUAGES = ['rust', 'javascript', 'typescript', 'python', 'go', 'java', 'c', 'cpp', 'sql', 'bash', 'json', 'yaml'];

export function Composer(props: {
  conversation: ConversationView | null;
  members: ConversationMemberView[];
  me: string;
  nameOf: NameOf;
  replyTo: MessageView | null;
  onCancelReply: () => void;
  onSend: (d: Draft) => void;
  onFiles: (files: File[]) => void;
}) {
  const [mode, setMode] = useState<Mode>('text');
  const [text, setText] = useState('');
  const [language, setLanguage] = useState('');
  const [languageMissing, setLanguageMissing] = useState(false);
  const [picked, setPicked] = useState<MentionOption[]>([]);
  const [mention, setMention] = useState<{ start: number; query: string; active: number } | null>(null);
  const [emoji, setEmoji] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);
  const languageInput = useRef<HTMLInputElement>(null);

  const group = props.conversation?.kind === 'group';
  const role = props.conversation?.my_role;
  const canMentionAll = group && (role === 'owner' || role === 'admin');
  const people = useMemo(
    () => props.members.filter((m) => m.userid !== props.me).map((m) => ({ userid: m.userid, name: props.nameOf(m.userid) })),
    [props.members, props.me, props.nameOf],
  );
  const options = mention && group ? mentionOptions(mention.query, people, canMentionAll) : [];

  // Where the caret goes once the text just set is on the screen. Applied right after that
  // render, not in a later animation frame: keys typed meanwhile would land at the caret and
  // then be overtaken by it (typing fast after picking a mention scrambled the words).
  const pendingCaret = useRef<number | null>(null);
  useLayoutEffect(() => {
    const pos = pendingCaret.current;
    if (pos === null) return;
    pendingCaret.current = null;
    area.current?.focus();
    area.current?.setSelectionRange(pos, pos);
  });

  function setCaret(pos: number) {
    pendingCaret.current = pos;
  }

  function onInput(value: string, caret: number) {
    setText(value);
    const at = group && mode !== 'code' ? mentionAt(value, caret) : null;
    setMention(at ? { ...at, active: 0 } : null);
  }

  function pick(o: MentionOption) {
    if (!mention) return;
    const caret = area.current?.selectionStart ?? text.length;
    const insert = `@${o.label} `;
    const next = text.slice(0, mention.start) + insert + text.slice(caret);
    setText(next);
    setPicked((l) => (l.some((x) => x.userid === o.userid) ? l : [...l, o]));
    setMention(null);
    setCaret(mention.start + insert.length);
  }

  function insertAtCaret(s: string) {
    const el = area.current;
    const start = el?.selectionStart ?? text.length;
    const end = el?.selectionEnd ?? text.length;
    setText(text.slice(0, start) + s + text.slice(end));
    setCaret(start + s.length);
  }

  function send() {
    if (!text.trim()) return;
    if (mode === 'code' && !language.trim()) {
      setLanguageMissing(true);
      languageInput.current?.focus();
      return;
    }
    const content =
      mode === 'code' ? { language: language.trim(), code: text.replace(/\s+$/, '') } : { content: text.trim() };
    props.onSend({
      type: mode,
      content,
      mentions: group ? mentionsIn(text, picked) : [],
      reply_to: props.replyTo?.id ?? null,
    });
    setText('');
    setPicked([]);
    setMention(null);
    setEmoji(false);
    if (props.replyTo) props.onCancelReply();
    area.current?.focus();
  }

  function onKeyDown(e: KeyboardEvent) {
    if (e.isComposing || e.keyCode === 229) return;
    if (options.length && mention) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const step = e.key === 'ArrowDown' ? 1 : options.length - 1;
        setMention({ ...mention, active: (mention.active + step) % options.length });
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        pick(options[mention.active] ?? options[0]!);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        setMention(null);
        return;
      }
    }
    if (e.key !== 'Enter') return;
    const modifier = e.ctrlKey || e.metaKey;
    if (mode === 'code' ? modifier : !e.shiftKey) {
      e.preventDefault();
      send();
    }
  }

  return (
    <div class="composer" data-testid="composer" data-mode={mode}>
      {props.replyTo ? (
        <div class="composer-reply" data-testid="composer-reply">
          <span class="composer-reply-text">
            {t('chat.replyingTo', { name: senderLabel(props.replyTo.sender, props.conversation, props.nameOf) })}
            <span class="muted"> {messagePreview(props.replyTo)}</span>
          </span>
          <button
            type="button"
            class="icon-button"
            data-testid="composer-reply-cancel"
            aria-label={t('chat.reply.cancel')}
            title={t('chat.reply.cancel')}
            onClick={props.onCancelReply}
          >
            ✕
          </button>
        </div>
      ) : null}
      <div class="composer-tools">
        <div class="segmented composer-modes" role="group" aria-label={t('chat.mode')}>
          {MODES.map((m) => (
            <button
              type="button"
              key={m}
              class={`segment${mode === m ? ' is-active' : ''}`}
              aria-pressed={mode === m}
              data-testid={`composer-mode-${m}`}
              onClick={() => {
                setMode(m);
                setMention(null);
                area.current?.focus();
              }}
            >
              {t(`chat.mode.${m}`)}
            </button>
          ))}
        </div>
        {mode === 'code' ? (
          <input
            ref={languageInput}
            class={`input input-sm composer-language${languageMissing ? ' has-error' : ''}`}
            data-testid="composer-language"
            list="composer-languages"
            value={language}
            placeholder={t('chat.code.language')}
            aria-label={t('chat.code.language')}
            onInput={(e) => {
              setLanguage(e.currentTarget.value);
              setLanguageMissing(false);
            }}
          />
        ) : null}
        <datalist id="composer-languages">
          {LANGUAGES.map((l) => (
            <option key={l} value={l} />
          ))}
        </datalist>
        <button
          type="button"
          class={`icon-button composer-emoji${emoji ? ' is-active' : ''}`}
          data-testid="composer-emoji"
          aria-expanded={emoji}
          aria-label={t('chat.emoji')}
          title={t('chat.emoji')}
          onClick={() => setEmoji(!emoji)}
        >
          ☺
        </button>
        <AttachButton onFiles={props.onFiles} disabled={!props.conversation} />
      </div>
      {languageMissing ? (
        <div class="field-error" data-testid="composer-language-missing">
          {t('chat.code.languageMissing')}
        </div>
      ) : null}
      {emoji ? (
        <EmojiGrid
          onPick={(e) => {
            insertAtCaret(e);
            setEmoji(false);
          }}
        />
      ) : null}
      <div class="composer-row">
        <div class="composer-field">
          {mention ? <MentionList options={options} active={mention.active} onPick={pick} /> : null}
          <textarea
            ref={area}
            class={`input composer-input${mode === 'code' ? ' input-mono' : ''}`}
            data-testid="composer-input"
            // Grows with the text up to six lines, then scrolls.
            rows={Math.min(6, Math.max(mode === 'code' ? 4 : 2, text.split('\n').length))}
            value={text}
            placeholder={mode === 'code' ? t('chat.placeholder.code') : t('chat.placeholder')}
            aria-label={t('chat.placeholder')}
            onInput={(e) => onInput(e.currentTarget.value, e.currentTarget.selectionStart ?? e.currentTarget.value.length)}
            onKeyDown={onKeyDown}
            onPaste={(e) => {
              const files = filesOf(e.clipboardData?.files);
              // Cells copied from a spreadsheet come as text plus a picture of them: the text is
              // what was meant. Other files (or a picture alone, a screenshot) are sent.
              const text = e.clipboardData?.getData('text/plain') ?? '';
              if (!files.length || (text && files.every((f) => f.type.startsWith('image/')))) return;
              e.preventDefault();
              props.onFiles(files);
            }}
            onBlur={() => setMention(null)}
          />
        </div>
        <button type="button" class="btn btn-primary composer-send" data-testid="composer-send" disabled={!text.trim()} onClick={send}>
          {t('chat.send')}
        </button>
      </div>
    </div>
  );
}
