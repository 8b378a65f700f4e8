//! The @mention list under the composer: group members whose name or userid contains what was
//! typed after `@`, and "@所有人 / @all" first for the group's owner and admins (the server
//! refuses it from anyone else with mention_all_forbidden).

import { t } from '../../i18n';

export interface MentionOption {
  /** A userid, or `@all`. */
  userid: string;
  /** What is inserted after `@`. */
  label: string;
}

export const MAX_OPTIONS = 8;

export function mentionOptions(
  query: string,
  people: { userid: string; name: string }[],
  canMentionAll: boolean,
): MentionOption[] {
  const q = query.toLowerCase();
  const out: MentionOption[] = [];
  const all = t('chat.mention.all');
  if (canMentionAll && (all.toLowerCase().includes(q) || 'all'.includes(q))) out.push({ userid: '@all', label: all });
  for (const p of people) {
    if (out.length >= MAX_OPTIONS) break;
    if (p.name.toLowerCase().includes(q) || p.userid.toLowerCase().includes(q)) out.push({ userid: p.userid, label: p.name });
  }
  return out;
}

export function MentionList(props: { options: MentionOption[]; active: number; onPick: (o: MentionOption) => void }) {
  if (props.options.length === 0) return null;
  return (
    <ul class="mention-list" role="listbox" aria-label={t('chat.mention.title')} data-testid="mention-list">
      {props.options.map((o, i) => (
        <li key={o.userid}>
          <button
            type="button"
            role="option"
            aria-selected={i === props.active}
            class={`mention-option${i === props.active ? ' is-active' : ''}`}
            data-testid="mention-option"
            data-userid={o.userid}
            // mousedown, not click: the textarea keeps its focus and caret.
            onMouseDown={(e) => {
              e.preventDefault();
              props.onPick(o);
            }}
          >
            <span>@{o.label}</span>
            {o.userid === '@all' ? null : <span class="muted small mono">{o.userid}</span>}
          </button>
        </li>
      ))}
    </ul>
  );
}
