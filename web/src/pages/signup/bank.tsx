//! Sign-up step 2: the company bank account, and the code of the small payment sent to it, which
//! may be entered now or on a later step.

import { useState } from 'preact/hooks';
import { signup } from '../../api';
import { Alert, Badge, Button, ErrorAlert, Field, onValue } from '../../components/ui';
import { t } from '../../i18n';
import type { SavedSignup } from '../../storage';
import type { BankStatus } from '../../types';

/** Entering the code of the small payment; offered on the bank step and again on later steps. */
function BankCodeBox(props: { saved: SavedSignup; onVerified: () => void; testid: string }) {
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  async function confirm() {
    setBusy(true);
    setError(null);
    try {
      await signup.confirmBank(props.saved.signup_id, props.saved.signup_token, code.trim());
      props.onVerified();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <div class="bank-code" data-testid={props.testid}>
      <ErrorAlert error={error} testid={`${props.testid}-error`} />
      <div class="inline-form">
        <input
          class="input input-mono"
          data-testid={`${props.testid}-input`}
          value={code}
          onInput={onValue(setCode)}
          placeholder={t('signup.bank.code')}
          aria-label={t('signup.bank.code')}
          autocomplete="off"
        />
        <Button testid={`${props.testid}-confirm`} kind="primary" busy={busy} disabled={!code.trim()} onClick={() => void confirm()}>
          {t('signup.bank.confirm')}
        </Button>
      </div>
    </div>
  );
}

export function BankStep(props: {
  saved: SavedSignup;
  status: BankStatus;
  onStatus: (s: BankStatus) => void;
  onNext: () => void;
}) {
  const [bankName, setBankName] = useState('');
  const [accountName, setAccountName] = useState('');
  const [accountNumber, setAccountNumber] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function submit() {
    setBusy(true);
    setError(null);
    try {
      const answer = await signup.bank(props.saved.signup_id, props.saved.signup_token, {
        bank_name: bankName.trim(),
        account_name: accountName.trim(),
        account_number: accountNumber.replace(/\s/g, ''),
      });
      props.onStatus(answer.bank_status);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  if (props.status === 'verified') {
    return (
      <div class="form" data-testid="signup-bank-verified">
        <Alert kind="success" testid="signup-bank-verified-message">
          {t('signup.bank.verified')}
        </Alert>
        <div class="form-actions">
          <Button testid="signup-bank-next" kind="primary" onClick={props.onNext}>
            {t('common.next')}
          </Button>
        </div>
      </div>
    );
  }

  if (props.status === 'awaiting_payment') {
    return (
      <div class="form" data-testid="signup-bank-awaiting">
        <div class="status-line">
          <Badge kind="orange" testid="signup-bank-status">
            {t('bank.status.awaiting_payment')}
          </Badge>
        </div>
        <p class="muted">{t('signup.bank.awaiting')}</p>
        <BankCodeBox saved={props.saved} testid="signup-bank-code" onVerified={() => props.onStatus('verified')} />
        <div class="form-actions">
          <Button testid="signup-bank-later" onClick={props.onNext}>
            {t('signup.bank.later')}
          </Button>
        </div>
      </div>
    );
  }

  return (
    <form
      class="form"
      data-testid="signup-bank-form"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <p class="muted">{t('signup.bank.intro')}</p>
      <ErrorAlert error={error} testid="signup-error" />
      <Field label={t('signup.bank.bankName')}>
        <input class="input" data-testid="signup-bank-name" value={bankName} onInput={onValue(setBankName)} required />
      </Field>
      <Field label={t('signup.bank.accountName')} hint={t('signup.bank.accountName.hint')}>
        <input class="input" data-testid="signup-bank-account-name" value={accountName} onInput={onValue(setAccountName)} required />
      </Field>
      <Field label={t('signup.bank.accountNumber')}>
        <input
          class="input input-mono"
          data-testid="signup-bank-account-number"
          value={accountNumber}
          onInput={onValue(setAccountNumber)}
          inputMode="numeric"
          required
        />
      </Field>
      <div class="form-actions">
        <Button testid="signup-bank-submit" kind="primary" type="submit" busy={busy}>
          {t('signup.bank.submit')}
        </Button>
      </div>
    </form>
  );
}

/** Reminder on later steps while the bank code is still outstanding. */
export function BankPending(props: { saved: SavedSignup; status: BankStatus; onStatus: (s: BankStatus) => void }) {
  const [open, setOpen] = useState(false);
  if (props.status !== 'awaiting_payment') return null;
  return (
    <div class="callout" data-testid="signup-bank-pending">
      <div class="callout-row">
        <Badge kind="orange">{t('bank.status.awaiting_payment')}</Badge>
        <span class="muted">{t('signup.bank.pendingNote')}</span>
        <Button testid="signup-bank-pending-toggle" kind="link" small onClick={() => setOpen(!open)}>
          {t('signup.bank.enterCode')}
        </Button>
      </div>
      {open ? <BankCodeBox saved={props.saved} testid="signup-bank-later-code" onVerified={() => props.onStatus('verified')} /> : null}
    </div>
  );
}
