//! Admin → Directory, a member's resignation (POST /directory/members/{userid}/resign): the
//! successor is picked among active members (not the leaving one), a warning says what happens
//! (disabled, signed out everywhere, owned groups handed over, every group left), and the
//! answer's `groups_transferred` is reported. The row turns disabled at once; `member.resigned`
//! brings the same to other open pages (directory.ts).

import { useMemo, useState } from 'preact/hooks';
import { ApiError, directory } from '../../api';
import { Dialog } from '../../components/dialog';
import { MemberPicker } from '../../components/member-picker';
import { Alert, Button, CodeError } from '../../components/ui';
import type { Directory } from '../../directory';
import { t } from '../../i18n';
import type { Member } from '../../types';

export function ResignDialog(props: { dir: Directory; member: Member; onClose: () => void; onDone: (notice: string) => void }) {
  const { dir, member } = props;
  const [successor, setSuccessor] = useState<Member | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const name = member.name || member.userid;
  // Only active members can take over: not the leaving one, nobody disabled or not yet activated.
  const exclude = useMemo(
    () => new Set([member.userid, ...(dir.members ?? []).filter((m) => m.status !== 1).map((m) => m.userid)]),
    [dir.members, member.userid],
  );

  async function confirm() {
    if (!successor) return setError(new ApiError(0, 'client', t('dir.resign.pick')));
    setBusy(true);
    setError(null);
    try {
      const answer = await directory.resign(member.userid, successor.userid);
      dir.applyMember({ ...member, status: 2 });
      void dir.reloadMembers();
      const to = dir.members?.find((m) => m.userid === answer.handover_to)?.name || successor.name || answer.handover_to;
      const n = answer.groups_transferred;
      props.onDone(t(n === 1 ? 'dir.resign.done.one' : 'dir.resign.done', { name, n, to }));
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  return (
    <Dialog testid="resign-dialog" title={t('dir.resign.title', { name })} onClose={props.onClose}>
      <form
        class="form resign-form"
        data-testid="resign-form"
        data-userid={member.userid}
        onSubmit={(e) => {
          e.preventDefault();
          void confirm();
        }}
      >
        <Alert kind="warning" testid="resign-warning">
          {t('dir.resign.warning', { name })}
        </Alert>
        <div class="field">
          <span class="field-label">{t('dir.resign.successor')}</span>
          <span class="field-hint">{t('dir.resign.successorHint')}</span>
          <MemberPicker
            testid="resign-picker"
            everyone={dir.members}
            exclude={exclude}
            selected={successor ? [successor] : []}
            onToggle={(m) => setSuccessor((cur) => (cur?.userid === m.userid ? null : m))}
          />
        </div>
        <CodeError error={error} testid="resign-error" />
        <div class="form-actions dialog-actions">
          <Button testid="resign-cancel" onClick={props.onClose} disabled={busy}>
            {t('common.cancel')}
          </Button>
          <Button testid="resign-confirm" kind="danger" type="submit" busy={busy} disabled={!successor}>
            {t('dir.resign.confirm')}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
