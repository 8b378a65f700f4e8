//! Who has read one of my messages and who has not (GET /messages/{id}/receipts; I am not in
//! either list). Refreshed when someone's read mark moves while it is open.

import { chat } from '../../api';
import type { NameOf } from '../../chat';
import { Dialog } from '../../components/dialog';
import { ErrorAlert, Loading, useLoad } from '../../components/ui';
import { useEvent } from '../../events';
import { tCount, t } from '../../i18n';
import type { MessageView, Receipts } from '../../types';
import { Avatar } from './message';

export function ReceiptsDialog(props: {
  message: MessageView;
  nameOf: NameOf;
  onClose: () => void;
  /** The answer also corrects the read marks behind the "n unread" labels. */
  onLoaded: (r: Receipts) => void;
}) {
  const receipts = useLoad(
    () =>
      chat.receipts(props.message.id).then((r) => {
        props.onLoaded(r);
        return r;
      }),
    [props.message.id],
  );
  useEvent('conversation.read', (e) => {
    if (e.data.conversation_id === props.message.conversation_id) receipts.reload();
  });
  const column = (key: 'read' | 'unread', ids: string[]) => (
    <section class="receipts-col" data-testid={`receipts-${key}`} data-count={ids.length}>
      <h3 class="receipts-title">{tCount(`chat.receipts.${key}`, ids.length)}</h3>
      {ids.length === 0 ? (
        <p class="muted small">{t('chat.receipts.none')}</p>
      ) : (
        <ul class="receipts-list">
          {ids.map((id) => (
            <li key={id} data-testid="receipts-person" data-userid={id}>
              <Avatar id={id} name={props.nameOf(id)} />
              <span>{props.nameOf(id)}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
  return (
    <Dialog testid="receipts-dialog" title={t('chat.receipts.title')} onClose={props.onClose}>
      <ErrorAlert error={receipts.error} testid="receipts-error" />
      {receipts.data ? (
        <div class="receipts">
          {column('unread', receipts.data.unread)}
          {column('read', receipts.data.read)}
        </div>
      ) : receipts.error ? null : (
        <Loading />
      )}
    </Dialog>
  );
}
