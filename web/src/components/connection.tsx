//! Banners about the live connection: one while it is lost (after a short grace, so that a quick
//! reconnect does not flicker), saying that messages sent meanwhile will still arrive; and,
//! once, after the page reloaded because the client had been away longer than the server keeps
//! changes (events.ts), saying why it reloaded.

import { useEffect, useState } from 'preact/hooks';
import { connectionState, onConnectionState, type ConnectionState } from '../events';
import { t } from '../i18n';
import { streamResetNotice } from '../storage';
import { Icon } from './icons';

/** How long a reconnect may take before the banner shows. */
const GRACE_MS = 3_000;

export function ConnectionBanners() {
  const [state, setState] = useState<ConnectionState>(connectionState());
  const [lost, setLost] = useState(false);
  const [resynced, setResynced] = useState(() => streamResetNotice.take());
  useEffect(() => onConnectionState(setState), []);
  const reconnecting = state === 'reconnecting';
  useEffect(() => {
    if (!reconnecting) {
      setLost(false);
      return;
    }
    const timer = setTimeout(() => setLost(true), GRACE_MS);
    return () => clearTimeout(timer);
  }, [reconnecting]);
  return (
    <>
      {lost ? (
        <div class="banner banner-warning" role="status" data-testid="banner-reconnecting">
          <Icon name="warning" size={18} />
          <span>{t('banner.reconnecting')}</span>
        </div>
      ) : null}
      {resynced ? (
        <div class="banner banner-info" role="status" data-testid="banner-resynced">
          <span class="banner-text">{t('banner.resynced')}</span>
          <button type="button" class="banner-close" onClick={() => setResynced(false)} data-testid="banner-resynced-close">
            {t('common.close')}
          </button>
        </div>
      ) : null}
    </>
  );
}
