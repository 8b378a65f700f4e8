//! Admin → Directory, the selected department's visibility (docs/api-directory.md "Visibility"):
//! whether it has its own rule, follows a parent's (named) or sees everything; the rule edited as
//! "only their own departments" (`[]`) or departments picked on the tree, saved, or removed
//! (`{visible: null}`). Rules are reloaded on `directory.visibility_changed` (another admin).

import { useState } from 'preact/hooks';
import { ApiError, directory } from '../../api';
import { DeptTree } from '../../components/dept-tree';
import { Alert, Button, Card, CodeError, Loading, useLoad } from '../../components/ui';
import { deptName, type Directory } from '../../directory';
import { useEvent } from '../../events';
import { t, tCount } from '../../i18n';
import { ancestors, type Tree } from '../../tree';
import type { Department, VisibilityRule } from '../../types';

type Mode = 'own' | 'chosen';

/** The rule that applies to `id`: its own, else the nearest ancestor's, else none (everything). */
export function ruleFor(tree: Tree, rules: VisibilityRule[], id: number): { rule: VisibilityRule | null; from: number | null } {
  const byDept = new Map(rules.map((r) => [r.department, r]));
  const own = byDept.get(id);
  if (own) return { rule: own, from: id };
  for (const up of ancestors(tree, id)) {
    const r = byDept.get(up);
    if (r) return { rule: r, from: up };
  }
  return { rule: null, from: null };
}

export function VisibilityCard(props: { dir: Directory; dept: Department; corpName: string }) {
  const rules = useLoad(directory.visibility);
  useEvent('directory.visibility_changed', () => rules.reload());
  return (
    <Card testid="visibility-card" class="vis-card" title={t('dir.vis.title')}>
      <p class="muted small" data-testid="visibility-explain">
        {t('dir.vis.explain')}
      </p>
      {rules.data ? (
        // Keyed: another department starts with its own form and messages.
        <VisibilityPanel
          key={props.dept.id}
          tree={props.dir.tree!}
          dept={props.dept}
          corpName={props.corpName}
          rules={rules.data}
          reload={rules.reload}
        />
      ) : rules.error ? (
        <CodeError error={rules.error} testid="visibility-load-error" />
      ) : (
        <Loading testid="visibility-loading" />
      )}
    </Card>
  );
}

function VisibilityPanel(props: { tree: Tree; dept: Department; corpName: string; rules: VisibilityRule[]; reload: () => void }) {
  const { tree, dept, corpName } = props;
  const [editing, setEditing] = useState(false);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const [busy, setBusy] = useState<'save' | 'remove' | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const { rule, from } = ruleFor(tree, props.rules, dept.id);
  const state = !rule ? 'none' : from === dept.id ? 'own' : 'inherited';
  const name = deptName(dept, corpName);
  const known = (ids: number[]) => ids.filter((id) => tree.byId.has(id));

  async function put(what: 'save' | 'remove', visible: number[] | null) {
    setBusy(what);
    setError(null);
    setNotice(null);
    try {
      await directory.setVisibility(dept.id, visible);
      setEditing(false);
      setConfirmRemove(false);
      setNotice(t(visible === null ? 'dir.vis.removed' : 'dir.vis.saved', { name }));
      props.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  }

  const summary = !rule
    ? null
    : rule.visible.length === 0
      ? t('dir.vis.onlyOwnText')
      : t('dir.vis.listText', { list: known(rule.visible).map((id) => deptName(tree.byId.get(id), corpName)).join('、') || '—' });

  return (
    <div class="vis-panel" data-testid="visibility-panel" data-dept-id={dept.id} data-state={state} data-from={from ?? undefined}>
      <div class="vis-status" data-testid="visibility-status">
        <strong>
          {state === 'own'
            ? t('dir.vis.own')
            : state === 'inherited'
              ? t('dir.vis.inherited', { name: deptName(tree.byId.get(from!), corpName) })
              : t('dir.vis.none')}
        </strong>
        {summary ? <span data-testid="visibility-summary">{summary}</span> : null}
      </div>
      {notice ? (
        <Alert kind="success" testid="visibility-notice">
          {notice}
        </Alert>
      ) : null}
      <CodeError error={error} testid="visibility-error" />
      {editing ? (
        <VisibilityForm
          tree={tree}
          corpName={corpName}
          initial={rule ? known(rule.visible) : null}
          busy={busy === 'save'}
          onError={setError}
          onSave={(visible) => void put('save', visible)}
          onCancel={() => {
            setEditing(false);
            setError(null);
          }}
        />
      ) : (
        <div class="row-buttons wrap">
          <Button
            testid="visibility-edit"
            small
            onClick={() => {
              setEditing(true);
              setNotice(null);
              setConfirmRemove(false);
            }}
          >
            {state === 'own' ? t('dir.vis.change') : t('dir.vis.edit')}
          </Button>
          {state !== 'own' ? null : confirmRemove ? (
            <>
              <Button testid="visibility-remove-confirm" kind="danger" small busy={busy === 'remove'} onClick={() => void put('remove', null)}>
                {t('dir.vis.removeConfirm')}
              </Button>
              <Button testid="visibility-remove-cancel" small disabled={busy !== null} onClick={() => setConfirmRemove(false)}>
                {t('common.cancel')}
              </Button>
            </>
          ) : (
            <Button testid="visibility-remove" kind="danger" small onClick={() => setConfirmRemove(true)}>
              {t('dir.vis.remove')}
            </Button>
          )}
        </div>
      )}
      {state === 'own' && confirmRemove ? (
        <p class="muted small" data-testid="visibility-remove-hint">
          {t('dir.vis.removeHint')}
        </p>
      ) : null}
    </div>
  );
}

/** Picks the rule: only their own departments, or departments ticked on the tree. */
function VisibilityForm(props: {
  tree: Tree;
  corpName: string;
  /** The rule in force (own or inherited) as a starting point; null when there is none. */
  initial: number[] | null;
  busy: boolean;
  onError: (err: unknown) => void;
  onSave: (visible: number[]) => void;
  onCancel: () => void;
}) {
  const { tree, corpName } = props;
  const [mode, setMode] = useState<Mode>(props.initial && props.initial.length === 0 ? 'own' : 'chosen');
  const [chosen, setChosen] = useState<number[]>(props.initial ?? []);
  const [focus, setFocus] = useState<number | null>(null);
  const toggle = (id: number) => {
    setFocus(id);
    setChosen((l) => (l.includes(id) ? l.filter((x) => x !== id) : [...l, id]));
  };
  const nameOf = (id: number) => deptName(tree.byId.get(id), corpName);

  function submit() {
    // A department deleted meanwhile would make the server refuse the whole rule.
    const visible = mode === 'own' ? [] : chosen.filter((id) => tree.byId.has(id));
    if (mode === 'chosen' && visible.length === 0) return props.onError(new ApiError(0, 'client', t('dir.vis.needDept')));
    props.onError(null);
    props.onSave(visible);
  }

  return (
    <form
      class="form vis-form"
      data-testid="visibility-form"
      data-mode={mode}
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <fieldset class="vis-modes">
        {(['own', 'chosen'] as const).map((m) => (
          <label class="check" key={m}>
            <input
              type="radio"
              name="visibility-mode"
              value={m}
              checked={mode === m}
              data-testid={`visibility-mode-${m}`}
              onChange={() => setMode(m)}
            />
            <span>
              {t(m === 'own' ? 'dir.vis.mode.own' : 'dir.vis.mode.chosen')}
              <span class="muted small vis-mode-hint">{t(m === 'own' ? 'dir.vis.mode.own.hint' : 'dir.vis.mode.chosen.hint')}</span>
            </span>
          </label>
        ))}
      </fieldset>
      {mode === 'chosen' ? (
        <div class="field">
          <span class="field-hint" data-testid="visibility-count">
            {tCount('dir.vis.chosen', chosen.length)}
          </span>
          {chosen.length ? (
            <ul class="chip-list vis-chips" data-testid="visibility-chips">
              {chosen.map((id) => (
                <li key={id} class="chip chip-dept" data-testid="visibility-chip" data-dept-id={id}>
                  {nameOf(id)}
                  <button type="button" class="chip-remove" aria-label={t('picker.remove', { name: nameOf(id) })} onClick={() => toggle(id)}>
                    ✕
                  </button>
                </li>
              ))}
            </ul>
          ) : null}
          <div class="vis-tree">
            <DeptTree testid="visibility-tree" tree={tree} corpName={corpName} selected={focus} checked={new Set(chosen)} onSelect={toggle} />
          </div>
        </div>
      ) : null}
      <div class="form-actions">
        <Button testid="visibility-save" kind="primary" type="submit" busy={props.busy}>
          {t('dir.vis.save')}
        </Button>
        <Button testid="visibility-cancel" onClick={props.onCancel} disabled={props.busy}>
          {t('common.cancel')}
        </Button>
      </div>
    </form>
  );
}
