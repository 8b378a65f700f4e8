//! UI language: Chinese by default, English on request, remembered in localStorage. Strings come
//! from the one dictionary in strings.ts; `t` interpolates `{name}` placeholders.

import { useEffect, useState } from 'preact/hooks';
import { dictionaries, type Key } from './strings';

export type Lang = 'zh-CN' | 'en';

const STORAGE_KEY = 'workhub.lang';
const listeners = new Set<(lang: Lang) => void>();

function initialLang(): Lang {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh-CN';
  } catch {
    return 'zh-CN';
  }
}

let current: Lang = initialLang();

export function getLang(): Lang {
  return current;
}

export function setLang(lang: Lang): void {
  current = lang;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // Private mode without storage: the choice lasts for this page only.
  }
  applyDocumentLang();
  listeners.forEach((fn) => fn(lang));
}

export function applyDocumentLang(): void {
  document.documentElement.lang = current;
  document.title = t('app.title');
}

/** Re-renders the calling component when the language changes; returns the language. */
export function useLang(): Lang {
  const [lang, setState] = useState(current);
  useEffect(() => {
    listeners.add(setState);
    return () => void listeners.delete(setState);
  }, []);
  return lang;
}

export function t(key: Key, vars?: Record<string, string | number>): string {
  const text = dictionaries[current === 'en' ? 'en' : 'zh'][key];
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

/** `key` with `{n}`, or its `.one` variant when n is 1 ("1 person" / "2 people"). */
export function tCount(key: Key, n: number): string {
  const one = `${key}.one`;
  return n === 1 && one in dictionaries.en ? t(one as Key, { n }) : t(key, { n });
}

/** Unix ms as a local date and time in the UI language. */
export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  return new Intl.DateTimeFormat(current, {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(new Date(ms));
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
