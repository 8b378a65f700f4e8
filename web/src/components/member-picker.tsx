//! Picks people from the directory: with an empty box the whole company (from the loaded list),
//! with text the server's search (name, pinyin, initials, mobile, email, userid). Options carry
//! `data-userid` and `aria-pressed` (selected); chosen people show as removable chips above.

import { useMemo, useState } from 'preact/hooks';
import { t } from '../i18n';
import { useMemberSearch } from '../search';
import { byName } from '../tree';
import type { Member } from '../types';
import { MemberAvatar } from './member';
import { ErrorAlert, onValue } from './ui';

/** With an empty query, at most this many people are listed (a big company scrolls a lot). */
const BROWSE_LIMIT = 200;

export function MemberPicker(props: {
  /** Prefix of the test ids: `-search`, `-options`, `-option`, `-chip`. */
  testid: string;
  everyone: Member[] | null;
  /** Not offered (me, people already in the group). */
  exclude: Set<string>;
  selected: Member[];
  onToggle: (m: Member) => void;
}) {
  const [query, setQuery] = useState('');
  const search = useMemberSearch(query, { limit: 50 });
  const q = query.trim();
  const chosen = new Set(props.selected.map((m) => m.userid));

  const options = useMemo(() => {
    const source = q ? search.results ?? [] : [...(props.everyone ?? [])].sort(byName).slice(0, BROWSE_LIMIT);
    // Disabled members (status 2) cannot sign in to read anything.
    return source.filter((m) => m.status !== 2 && !props.exclude.has(m.userid));
  }, [q, search.results, props.everyone, props.exclude]);

  return (
    <div class="member-picker">
      {props.selected.length ? (
        <ul class="chip-list" data-testid={`${props.testid}-selected`}>
          {props.selected.map((m) => (
            <li key={m.userid} class="chip" data-testid={`${props.testid}-chip`} data-userid={m.userid}>
              {m.name || m.userid}
              <button
                type="button"
                class="chip-remove"
                aria-label={t('picker.remove', { name: m.name || m.userid })}
                onClick={() => props.onToggle(m)}
              >
                ✕
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <input
        class="input"
        type="search"
        data-testid={`${props.testid}-search`}
        value={query}
        onInput={onValue(setQuery)}
        placeholder={t('picker.search')}
        aria-label={t('picker.search')}
      />
      <div
        class="pick-list picker-options"
        data-testid={`${props.testid}-options`}
        data-query={q ? search.query : ''}
        data-state={q && (search.loading || !search.results) ? 'loading' : 'done'}
      >
        <ErrorAlert error={search.error} testid={`${props.testid}-error`} />
        {(q ? search.results : props.everyone) && options.length === 0 ? (
          <span class="muted small">{t('contacts.noMatch')}</span>
        ) : null}
        {options.map((m) => {
          const on = chosen.has(m.userid);
          return (
            <button
              type="button"
              key={m.userid}
              class={`pick-item picker-item${on ? ' is-selected' : ''}`}
              data-testid={`${props.testid}-option`}
              data-userid={m.userid}
              data-name={m.name}
              aria-pressed={on}
              onClick={() => props.onToggle(m)}
            >
              <MemberAvatar member={m} />
              <span class="picker-item-main">
                <span>{m.name || m.userid}</span>
                <span class="muted small mono">{m.userid}</span>
              </span>
              <span class="picker-check" aria-hidden="true">
                {on ? '✓' : ''}
              </span>
            </button>
          );
        })}
      </div>
    </div>
  );
}
