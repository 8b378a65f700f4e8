//! A small emoji grid for the composer. Plain Unicode characters (shown with the system's emoji
//! font), so nothing is downloaded.

import { t } from '../../i18n';

const EMOJI = [
  '😀', '😄', '😂', '🤣', '😊', '😍', '😘', '😎', '🤔', '😅', '😭', '😡', '😱', '😴', '🙄', '😉',
  '🙏', '👍', '👎', '👏', '💪', '🤝', '👌', '✌️', '🎉', '🔥', '❤️', '💔', '⭐', '✅', '❌', '❓',
  '☕', '🍵', '🍺', '🎂', '🌹', '💡', '📌', '⏰',
];

export function EmojiGrid(props: { onPick: (emoji: string) => void }) {
  return (
    <div class="emoji-grid" role="listbox" aria-label={t('chat.emoji')} data-testid="emoji-grid">
      {EMOJI.map((e) => (
        <button
          type="button"
          key={e}
          class="emoji-option"
          role="option"
          data-testid="emoji-option"
          data-emoji={e}
          aria-label={e}
          onClick={() => props.onPick(e)}
        >
          {e}
        </button>
      ))}
    </div>
  );
}
