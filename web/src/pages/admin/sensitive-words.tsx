//! The sensitive-word list: a table of words and their actions edited locally, saved as a whole
//! (PUT replaces the list), and an import of a text file (one `word` or `word,action` per line,
//! `#` comments) that also replaces the list. Lists can be long (up to 50,000 words), so the
//! table shows a page of rows, filtered by a search box.

import { useRef, useState } from 'preact/hooks';
import { messagingAdmin } from '../../api';
import { Alert, Button, Card, Empty, ErrorAlert, Loading, onValue, useLoad } from '../../components/ui';
import { t } from '../../i18n';
import type { Key } from '../../strings';
import type { SensitiveWord, WordAction } from '../../types';

const ACTIONS: WordAction[] = ['block', 'mask', 'warn'];
const PAGE = 100;

/** A row being edited; `key` keeps inputs stable while rows are added and deleted. */
interface Row extends SensitiveWord {
  key: number;
}

export function ActionSelect(props: { value: WordAction; testid: string; onChange: (a: WordAction) => void; label: string }) {
  return (
    <select
      class="input word-action"
      data-testid={props.testid}
      aria-label={props.label}
      value={props.value}
      onChange={(e) => props.onChange(e.currentTarget.value as WordAction)}
    >
      {ACTIONS.map((a) => (
        <option key={a} value={a}>
          {t(`messaging.action.${a}` as Key)}
        </option>
      ))}
    </select>
  );
}

export function SensitiveWords() {
  const nextKey = useRef(1);
  const toRows = (words: SensitiveWord[]): Row[] => words.map((w) => ({ ...w, key: nextKey.current++ }));
  const [rows, setRows] = useState<Row[] | null>(null);
  const loaded = useLoad(async () => {
    const words = await messagingAdmin.words();
    setRows(toRows(words));
    return words;
  });
  const [filter, setFilter] = useState('');
  const [limit, setLimit] = useState(PAGE);
  const [busy, setBusy] = useState<'save' | 'import' | null>(null);
  const [msg, setMsg] = useState<{ error: unknown; notice: string | null }>({ error: null, notice: null });
  const [focusKey, setFocusKey] = useState<number | null>(null);
  const file = useRef<HTMLInputElement>(null);
  const [fileName, setFileName] = useState('');
  const [importAction, setImportAction] = useState<WordAction>('block');

  const clean = (rows ?? []).map((r) => ({ word: r.word.trim(), action: r.action })).filter((w) => w.word);
  const dirty = loaded.data !== null && JSON.stringify(clean) !== JSON.stringify(loaded.data);
  const q = filter.trim().toLowerCase();
  const matching = (rows ?? []).filter((r) => !q || r.word.toLowerCase().includes(q));

  const edit = (key: number, patch: Partial<SensitiveWord>) => setRows((l) => (l ?? []).map((r) => (r.key === key ? { ...r, ...patch } : r)));

  async function act(kind: 'save' | 'import', fn: () => Promise<string>) {
    setBusy(kind);
    setMsg({ error: null, notice: null });
    try {
      setMsg({ error: null, notice: await fn() });
    } catch (err) {
      setMsg({ error: err, notice: null });
    } finally {
      setBusy(null);
    }
  }

  const save = () =>
    act('save', async () => {
      const n = await messagingAdmin.saveWords(clean);
      loaded.reload();
      return t('messaging.words.saved', { n });
    });

  const importFile = () =>
    act('import', async () => {
      const f = file.current?.files?.[0];
      if (!f) throw new Error('no file');
      const n = await messagingAdmin.importWords(f, importAction);
      if (file.current) file.current.value = '';
      setFileName('');
      setFilter('');
      loaded.reload();
      return t('messaging.words.imported', { n });
    });

  return (
    <Card title={t('messaging.words.title')} testid="words-card">
      <p class="muted" data-testid="words-help">
        {t('messaging.words.intro')}
      </p>
      <ul class="muted small words-actions-help">
        {ACTIONS.map((a) => (
          <li key={a}>
            <strong>{t(`messaging.action.${a}` as Key)}</strong>: {t(`messaging.action.${a}.help` as Key)}
          </li>
        ))}
      </ul>
      <p class="muted small" data-testid="words-matching">
        {t('messaging.words.matching')}
      </p>
      {msg.notice ? (
        <Alert kind="success" testid="words-notice">
          {msg.notice}
        </Alert>
      ) : null}
      <ErrorAlert error={msg.error} testid="words-error" />
      <ErrorAlert error={loaded.error} testid="words-load-error" />
      {rows === null ? (
        loaded.error ? null : <Loading />
      ) : (
        <>
          <div class="filters words-toolbar">
            <input
              class="input"
              type="search"
              data-testid="words-filter"
              value={filter}
              onInput={onValue((v) => {
                setFilter(v);
                setLimit(PAGE);
              })}
              placeholder={t('messaging.words.filter')}
              aria-label={t('messaging.words.filter')}
            />
            <span class="muted small" data-testid="words-count" data-count={clean.length}>
              {t('messaging.words.count', { n: clean.length })}
            </span>
            <Button
              testid="words-add"
              onClick={() => {
                const key = nextKey.current++;
                setRows((l) => [{ key, word: '', action: 'block' }, ...(l ?? [])]);
                setFilter('');
                setFocusKey(key);
              }}
            >
              {t('messaging.words.add')}
            </Button>
            <Button testid="words-save" kind="primary" busy={busy === 'save'} disabled={!dirty} onClick={() => void save()}>
              {t('common.save')}
            </Button>
          </div>
          {matching.length === 0 ? (
            <Empty testid="words-empty">{q ? t('messaging.words.noMatch') : t('messaging.words.empty')}</Empty>
          ) : (
            <div class="table-wrap">
              <table class="table words-table" data-testid="words-table">
                <thead>
                  <tr>
                    <th>{t('messaging.words.word')}</th>
                    <th>{t('messaging.words.action')}</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {matching.slice(0, limit).map((r) => (
                    <tr key={r.key} data-testid="word-row" data-word={r.word} data-action={r.action}>
                      <td data-label={t('messaging.words.word')}>
                        <input
                          class="input word-input"
                          data-testid="word-input"
                          maxLength={50}
                          value={r.word}
                          aria-label={t('messaging.words.word')}
                          ref={(el) => {
                            if (el && focusKey === r.key) {
                              el.focus();
                              setFocusKey(null);
                            }
                          }}
                          onInput={(e) => edit(r.key, { word: e.currentTarget.value })}
                        />
                      </td>
                      <td data-label={t('messaging.words.action')}>
                        <ActionSelect
                          testid="word-action"
                          label={t('messaging.words.action')}
                          value={r.action}
                          onChange={(action) => edit(r.key, { action })}
                        />
                      </td>
                      <td class="cell-actions">
                        <Button testid="word-delete" kind="link" small onClick={() => setRows((l) => (l ?? []).filter((x) => x.key !== r.key))}>
                          {t('messaging.words.delete')}
                        </Button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {matching.length > limit ? (
            <div class="form-actions">
              <Button testid="words-more" onClick={() => setLimit(limit + PAGE)}>
                {t('messaging.words.more', { n: matching.length - limit })}
              </Button>
            </div>
          ) : null}
        </>
      )}

      <section class="words-import" data-testid="words-import-section">
        <h3 class="settings-title">{t('messaging.import.title')}</h3>
        <p class="muted small">{t('messaging.import.intro')}</p>
        <div class="filters">
          <div class="file-pick">
            <label class="btn btn-default file-button">
              {/* Visually hidden but focusable, so the localized button replaces the browser's own. */}
              <input
                ref={file}
                class="visually-hidden"
                type="file"
                accept=".txt,.csv,text/plain"
                data-testid="words-import-file"
                onChange={(e) => setFileName(e.currentTarget.files?.[0]?.name ?? '')}
              />
              {t('messaging.import.choose')}
            </label>
            <span class="file-chosen muted" data-testid="words-import-file-name">
              {fileName || t('imp.none')}
            </span>
          </div>
          <label class="words-import-action">
            <span class="small muted">{t('messaging.import.default')}</span>
            <ActionSelect testid="words-import-action" label={t('messaging.import.default')} value={importAction} onChange={setImportAction} />
          </label>
          <Button testid="words-import" kind="primary" busy={busy === 'import'} disabled={!fileName} onClick={() => void importFile()}>
            {t('messaging.import.submit')}
          </Button>
        </div>
      </section>
    </Card>
  );
}
