//! Contacts (#/app/contacts, #/app/contacts/chart): the department tree and tags on the left,
//! the members of the selection in the middle (or, when the search box has text, the server's
//! search results: name, pinyin, initials, mobile, email), the member card on the right (a
//! full-screen sheet on phones); the org chart as a second tab. Live through useDirectory
//! (department.*, member.*, tag.* events); a member event also re-runs the search.

import { useEffect, useMemo, useState } from 'preact/hooks';
import { directory } from '../../api';
import { DeptTree } from '../../components/dept-tree';
import { MemberAvatar, MemberCard, StatusBadge, memberDepartments } from '../../components/member';
import { Card, Empty, ErrorAlert, Loading, onValue } from '../../components/ui';
import { deptName, useDirectory, type Directory } from '../../directory';
import { useEvent } from '../../events';
import { t, tCount, useLang } from '../../i18n';
import { useMemberSearch } from '../../search';
import { byName, membersOf, subtreeIds, ROOT_ID } from '../../tree';
import type { Me, Member, TagDetail } from '../../types';
import { OrgChart } from './orgchart';

type Selection = { kind: 'dept'; id: number } | { kind: 'tag'; id: number };

export function ContactsPage(props: { me: Me; sub: string }) {
  useLang();
  const dir = useDirectory();
  const tab = props.sub === 'chart' ? 'chart' : 'list';
  const corpName = props.me.corp.name;
  return (
    <div class="contacts" data-testid="contacts-page" data-tab={tab}>
      <nav class="tabs" aria-label={t('nav.contacts')}>
        <a
          href="#/app/contacts"
          class={`tab${tab === 'list' ? ' is-active' : ''}`}
          aria-current={tab === 'list' ? 'page' : undefined}
          data-testid="contacts-tab-list"
        >
          {t('contacts.tab.list')}
        </a>
        <a
          href="#/app/contacts/chart"
          class={`tab${tab === 'chart' ? ' is-active' : ''}`}
          aria-current={tab === 'chart' ? 'page' : undefined}
          data-testid="contacts-tab-chart"
        >
          {t('contacts.tab.chart')}
        </a>
      </nav>
      <ErrorAlert error={dir.error} testid="contacts-error" />
      {!dir.tree || !dir.members ? (
        dir.error ? null : <Loading testid="contacts-loading" />
      ) : tab === 'chart' ? (
        <OrgChart dir={dir} corpName={corpName} />
      ) : (
        <ContactsList dir={dir} corpName={corpName} />
      )}
    </div>
  );
}

function ContactsList(props: { dir: Directory; corpName: string }) {
  const { dir, corpName } = props;
  const tree = dir.tree!;
  const everyone = dir.members!;
  const [selection, setSelection] = useState<Selection>({ kind: 'dept', id: tree.roots[0]?.id ?? ROOT_ID });
  const [includeSub, setIncludeSub] = useState(true);
  const [query, setQuery] = useState('');
  const [open, setOpen] = useState<string | null>(null);
  const [tag, setTag] = useState<{ detail: TagDetail | null; error: unknown }>({ detail: null, error: null });

  // The selected department or tag was deleted (here or elsewhere): back to the root.
  useEffect(() => {
    if (selection.kind === 'dept' && !tree.byId.has(selection.id)) setSelection({ kind: 'dept', id: tree.roots[0]?.id ?? ROOT_ID });
    if (selection.kind === 'tag' && dir.tags && !dir.tags.some((x) => x.id === selection.id)) {
      setSelection({ kind: 'dept', id: tree.roots[0]?.id ?? ROOT_ID });
    }
  }, [tree, dir.tags, selection]);

  // Tag members: fetched on selection and again when the tag's membership changes.
  const tagId = selection.kind === 'tag' ? selection.id : null;
  useEffect(() => {
    if (tagId === null) return;
    if (dir.tagChanged !== null && dir.tagChanged !== tagId && tag.detail?.id === tagId) return;
    let live = true;
    directory.tag(tagId).then(
      (detail) => live && setTag({ detail, error: null }),
      (error: unknown) => live && setTag({ detail: null, error }),
    );
    return () => void (live = false);
  }, [tagId, dir.tagSeq]);

  const list: Member[] = useMemo(() => {
    if (selection.kind === 'dept') return membersOf(tree, everyone, selection.id, includeSub);
    const detail = tag.detail;
    if (!detail || detail.id !== selection.id) return [];
    const ids = new Set(detail.userlist.map((u) => u.userid));
    const depts = new Set<number>();
    for (const p of detail.partylist) for (const id of includeSub ? subtreeIds(tree, p) : [p]) depts.add(id);
    return everyone.filter((m) => ids.has(m.userid) || m.department.some((d) => depts.has(d))).sort(byName);
  }, [selection, includeSub, tree, everyone, tag.detail]);

  // A non-empty search box shows the server's results for the whole company instead of the
  // selection; a member event re-runs the search so the results stay current.
  const [memberSeq, setMemberSeq] = useState(0);
  const bump = () => setMemberSeq((n) => n + 1);
  useEvent('member.created', bump);
  useEvent('member.updated', bump);
  useEvent('member.deleted', bump);
  useEvent('member.resigned', bump);
  useEvent('directory.visibility_changed', bump);
  const search = useMemberSearch(query, { refresh: memberSeq });
  const searching = query.trim() !== '';
  const results = searching && search.results ? search.results : [];

  const shown = searching ? results : list;
  const opened = open
    ? everyone.find((m) => m.userid === open) ?? results.find((m) => m.userid === open) ?? null
    : null;

  const heading = searching
    ? t('contacts.searchResults')
    : selection.kind === 'dept'
      ? deptName(tree.byId.get(selection.id), corpName)
      : dir.tags?.find((x) => x.id === selection.id)?.name ?? '';

  return (
    <div class={`contacts-layout${opened ? ' has-card' : ''}`}>
      <Card class="contacts-side" testid="contacts-side">
        <h2 class="side-title">{t('contacts.departments')}</h2>
        <DeptTree
          testid="contacts-tree"
          tree={tree}
          counts={dir.counts}
          corpName={corpName}
          selected={selection.kind === 'dept' ? selection.id : null}
          onSelect={(id) => {
            // Choosing a department leaves the search for the department's list.
            setQuery('');
            setSelection({ kind: 'dept', id });
          }}
        />
        <h2 class="side-title side-title-gap">{t('contacts.tags')}</h2>
        {dir.tags && dir.tags.length ? (
          <ul class="tag-list" data-testid="contacts-tags">
            {dir.tags.map((x) => (
              <li key={x.id}>
                <button
                  type="button"
                  class={`tag-item${selection.kind === 'tag' && selection.id === x.id ? ' is-selected' : ''}`}
                  data-testid="contacts-tag"
                  data-tag-id={x.id}
                  data-name={x.name}
                  aria-current={selection.kind === 'tag' && selection.id === x.id ? 'true' : undefined}
                  onClick={() => {
                    setTag({ detail: null, error: null });
                    setQuery('');
                    setSelection({ kind: 'tag', id: x.id });
                  }}
                >
                  <span class="tag-dot" aria-hidden="true" />
                  {x.name}
                </button>
              </li>
            ))}
          </ul>
        ) : (
          <p class="muted small" data-testid="contacts-tags-empty">
            {t('contacts.tags.empty')}
          </p>
        )}
      </Card>

      <Card class="contacts-main" testid="contacts-main">
        <div class="list-head">
          <h2
            class="card-title"
            data-testid="contacts-heading"
            data-kind={searching ? 'search' : selection.kind}
            data-id={searching ? undefined : selection.id}
          >
            {heading}
            <span class="muted list-count" data-testid="contacts-count">
              {searching && !search.results ? '' : tCount('contacts.count', shown.length)}
            </span>
          </h2>
          <div class="list-tools">
            <input
              class="input"
              type="search"
              data-testid="contacts-search"
              value={query}
              onInput={onValue(setQuery)}
              placeholder={t('contacts.search')}
              aria-label={t('contacts.search')}
            />
            <label class={`check${searching ? ' is-disabled' : ''}`}>
              <input
                type="checkbox"
                disabled={searching}
                data-testid="contacts-include-sub"
                checked={includeSub}
                onChange={(e) => setIncludeSub(e.currentTarget.checked)}
              />
              {t('contacts.includeSub')}
            </label>
          </div>
        </div>
        {searching ? (
          <SearchResults
            search={search}
            open={open}
            onOpen={setOpen}
            describe={(m) => memberDepartments(m, tree, corpName).map((d) => d.name).filter((x) => x !== '—').join('、')}
          />
        ) : (
          <>
            {selection.kind === 'tag' ? <ErrorAlert error={tag.error} testid="contacts-tag-error" /> : null}
            {selection.kind === 'tag' && !tag.detail && !tag.error ? <Loading /> : null}
            {shown.length === 0 ? (
              <Empty testid="contacts-members-empty">{t('contacts.noMembers')}</Empty>
            ) : (
              <ul class="member-list" data-testid="contacts-members">
                {shown.map((m) => (
                  <li key={m.userid}>
                    <button
                      type="button"
                      class={`member-row${open === m.userid ? ' is-selected' : ''}`}
                      data-testid="member-row"
                      data-userid={m.userid}
                      data-name={m.name}
                      data-status={m.status}
                      onClick={() => setOpen(m.userid)}
                    >
                      <MemberAvatar member={m} />
                      <span class="member-row-main">
                        <span class="member-row-name">
                          {m.name || m.userid}
                          {m.alias ? <span class="muted"> ({m.alias})</span> : null}
                        </span>
                        <span class="muted small member-row-sub">
                          {[m.position, deptName(tree.byId.get(m.main_department ?? m.department[0] ?? -1), corpName)]
                            .filter((x) => x && x !== '—')
                            .join(' · ')}
                        </span>
                      </span>
                      {m.status !== 1 ? <StatusBadge status={m.status} /> : null}
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </>
        )}
      </Card>

      {opened ? <MemberCard member={opened} tree={tree} corpName={corpName} onClose={() => setOpen(null)} /> : null}
    </div>
  );
}

/**
 * The server's search results: name (alias), position, every department. `data-query` is the
 * query the rows answer and `data-state` is `loading` while a newer one is on its way.
 */
function SearchResults(props: {
  search: ReturnType<typeof useMemberSearch>;
  open: string | null;
  onOpen: (userid: string) => void;
  describe: (m: Member) => string;
}) {
  const { search } = props;
  const state = search.loading ? 'loading' : 'done';
  if (search.error) return <ErrorAlert error={search.error} testid="contacts-search-error" />;
  if (!search.results) return <Loading testid="contacts-searching" />;
  if (search.results.length === 0) {
    return (
      <div data-testid="contacts-search-results" data-query={search.query} data-state={state}>
        <Empty testid="contacts-search-empty">{t('contacts.noMatch')}</Empty>
      </div>
    );
  }
  return (
    <ul class="member-list" data-testid="contacts-search-results" data-query={search.query} data-state={state}>
      {search.results.map((m) => {
        const depts = props.describe(m);
        return (
          <li key={m.userid}>
            <button
              type="button"
              class={`member-row${props.open === m.userid ? ' is-selected' : ''}`}
              data-testid="search-row"
              data-userid={m.userid}
              data-name={m.name}
              data-status={m.status}
              onClick={() => props.onOpen(m.userid)}
            >
              <MemberAvatar member={m} />
              <span class="member-row-main">
                <span class="member-row-name">
                  {m.name || m.userid}
                  {m.alias ? <span class="muted"> ({m.alias})</span> : null}
                </span>
                {m.position ? (
                  <span class="muted small member-row-sub" data-testid="search-row-position">
                    {m.position}
                  </span>
                ) : null}
                <span class="muted small member-row-sub" data-testid="search-row-departments">
                  {depts || '—'}
                </span>
              </span>
              {m.status !== 1 ? <StatusBadge status={m.status} /> : null}
            </button>
          </li>
        );
      })}
    </ul>
  );
}
