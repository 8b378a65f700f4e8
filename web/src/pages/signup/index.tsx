//! Company sign-up wizard (#/signup): company and licence, bank account (the small-payment code
//! may come later), administrator, details. The signup id and token live in sessionStorage so a
//! reload resumes at the server's step. Step 2 (bank) lives in bank.tsx.

import { useEffect, useState } from 'preact/hooks';
import { ApiError, signup } from '../../api';
import { AuthLayout } from '../../components/brand';
import { UploadField } from '../../components/upload-field';
import { Alert, Button, ErrorAlert, Field, Loading, StepIndicator, onValue } from '../../components/ui';
import { t } from '../../i18n';
import { navigate } from '../../router';
import { currentSession, savedSignup, type SavedSignup } from '../../storage';
import type { Key } from '../../strings';
import type { BankStatus, SignupStep } from '../../types';
import { usccProblem } from '../../uscc';
import { BankPending, BankStep } from './bank';

const LICENCE_UPLOAD_PATH = '/api/v1/uploads/licence';
// The contract has one upload endpoint, named for the licence; the logo goes there too.
const LOGO_UPLOAD_PATH = '/api/v1/uploads/licence';

const STEP_INDEX: Record<SignupStep, number> = { bank: 1, admin: 2, details: 3, done: 4 };

export const INDUSTRIES = [
  'internet',
  'manufacturing',
  'finance',
  'education',
  'healthcare',
  'retail',
  'services',
  'construction',
  'government',
  'other',
] as const;
export const SIZES = ['1-50', '51-200', '201-500', '501-1000', '1001+'] as const;

export function SignupPage() {
  const [saved, setSaved] = useState<SavedSignup | null>(() => savedSignup.get());
  const [step, setStep] = useState(0);
  const [bankStatus, setBankStatus] = useState<BankStatus>('none');
  const [resuming, setResuming] = useState(saved !== null);
  const [notice, setNotice] = useState<string | null>(null);

  // Resume an unfinished sign-up at the step the server says.
  useEffect(() => {
    if (!saved) return;
    signup.get(saved.signup_id, saved.signup_token).then(
      (state) => {
        if (state.step === 'done') return done();
        setBankStatus(state.bank_status);
        setStep(STEP_INDEX[state.step] ?? 1);
        setResuming(false);
      },
      (err: unknown) => {
        // Expired or unknown: start over, but say why.
        if (err instanceof ApiError && err.status !== 0) {
          savedSignup.set(null);
          setSaved(null);
          setStep(0);
          setNotice(t('signup.resumeFailed'));
        } else {
          setNotice(t('error.network'));
        }
        setResuming(false);
      },
    );
  }, []);

  function done() {
    savedSignup.set(null);
    // The shell greets the new administrator with the company ID they will sign in with.
    navigate('/app/messages?welcome=1');
  }

  const steps = [t('signup.step.company'), t('signup.step.bank'), t('signup.step.admin'), t('signup.step.details')];

  return (
    <AuthLayout testid="page-signup" wide>
      <div class="auth-card wizard">
        <h1 class="auth-title">{t('signup.title')}</h1>
        <StepIndicator steps={steps} current={step} testid="signup-steps" />
        {notice ? (
          <Alert kind="warning" testid="signup-notice">
            {notice}
          </Alert>
        ) : null}
        {resuming ? <Loading /> : null}
        {!resuming && step === 0 ? (
          <CompanyStep
            onDone={(s) => {
              savedSignup.set(s);
              setSaved(s);
              setBankStatus('none');
              setNotice(null);
              setStep(1);
            }}
          />
        ) : null}
        {!resuming && saved && step === 1 ? (
          <BankStep saved={saved} status={bankStatus} onStatus={setBankStatus} onNext={() => setStep(2)} />
        ) : null}
        {!resuming && saved && step === 2 ? (
          <AdminStep saved={saved} bankStatus={bankStatus} onBankStatus={setBankStatus} onNext={() => setStep(3)} />
        ) : null}
        {!resuming && saved && step === 3 ? (
          <DetailsStep saved={saved} bankStatus={bankStatus} onBankStatus={setBankStatus} onDone={done} />
        ) : null}
        <div class="auth-links">
          <a href="#/login" data-testid="signup-link-login">
            {t('signup.link.login')}
          </a>
        </div>
      </div>
    </AuthLayout>
  );
}

function CompanyStep(props: { onDone: (saved: SavedSignup) => void }) {
  const [name, setName] = useState('');
  const [uscc, setUscc] = useState('');
  const [usccTouched, setUsccTouched] = useState(false);
  const [fileId, setFileId] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const problem = usccProblem(uscc);
  const showProblem = problem && (usccTouched || uscc.length >= 18);
  const usccError = showProblem ? t(`uscc.${problem}` as Key) : null;

  async function submit() {
    setUsccTouched(true);
    if (problem || !fileId) return;
    setBusy(true);
    setError(null);
    try {
      const answer = await signup.start({ company_name: name.trim(), uscc, licence_file_id: fileId });
      props.onDone({ signup_id: answer.signup_id, signup_token: answer.signup_token });
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  return (
    <form
      class="form"
      data-testid="signup-company-form"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <ErrorAlert error={error} testid="signup-error" />
      <Field label={t('signup.company.name')}>
        <input class="input" data-testid="signup-company-name" value={name} onInput={onValue(setName)} required maxLength={100} />
      </Field>
      <Field label={t('signup.company.uscc')} hint={t('signup.company.uscc.hint')} error={usccError}>
        <input
          class="input input-mono"
          data-testid="signup-uscc"
          value={uscc}
          onInput={onValue((v) => setUscc(v.toUpperCase().replace(/\s/g, '').slice(0, 18)))}
          onBlur={() => setUsccTouched(true)}
          maxLength={18}
          autocomplete="off"
          spellcheck={false}
          required
        />
      </Field>
      <UploadField
        testid="signup-licence"
        label={t('signup.company.licence')}
        hint={t('signup.company.licence.hint')}
        accept="image/png,image/jpeg,image/webp,application/pdf"
        path={LICENCE_UPLOAD_PATH}
        onUploaded={setFileId}
      />
      <div class="form-actions">
        <Button testid="signup-company-next" kind="primary" type="submit" busy={busy} disabled={!fileId || !!problem || !name.trim()}>
          {t('common.next')}
        </Button>
      </div>
    </form>
  );
}

function AdminStep(props: {
  saved: SavedSignup;
  bankStatus: BankStatus;
  onBankStatus: (s: BankStatus) => void;
  onNext: () => void;
}) {
  const [name, setName] = useState('');
  const [userid, setUserid] = useState('');
  const [mobile, setMobile] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const mismatch = confirm.length > 0 && confirm !== password;

  async function submit() {
    if (password !== confirm) return;
    setBusy(true);
    setError(null);
    try {
      await signup.admin(props.saved.signup_id, props.saved.signup_token, {
        name: name.trim(),
        userid: userid.trim(),
        mobile: mobile.trim(),
        email: email.trim(),
        password,
      });
      // The server signed the new administrator in; the shell finds the session id itself.
      currentSession.set(null);
      props.onNext();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      class="form"
      data-testid="signup-admin-form"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <BankPending saved={props.saved} status={props.bankStatus} onStatus={props.onBankStatus} />
      <p class="muted">{t('signup.admin.intro')}</p>
      <ErrorAlert error={error} testid="signup-error" />
      <div class="grid-2">
        <Field label={t('signup.admin.name')}>
          <input class="input" data-testid="signup-admin-name" value={name} onInput={onValue(setName)} autocomplete="name" required />
        </Field>
        <Field label={t('signup.admin.userid')} hint={t('signup.admin.userid.hint')}>
          <input
            class="input"
            data-testid="signup-admin-userid"
            value={userid}
            onInput={onValue(setUserid)}
            autocomplete="username"
            required
          />
        </Field>
        <Field label={t('signup.admin.mobile')}>
          <input
            class="input"
            type="tel"
            data-testid="signup-admin-mobile"
            value={mobile}
            onInput={onValue(setMobile)}
            autocomplete="tel"
            required
          />
        </Field>
        <Field label={t('signup.admin.email')}>
          <input
            class="input"
            type="email"
            data-testid="signup-admin-email"
            value={email}
            onInput={onValue(setEmail)}
            autocomplete="email"
            required
          />
        </Field>
        <Field label={t('password.new')}>
          <input
            class="input"
            type="password"
            data-testid="signup-admin-password"
            value={password}
            onInput={onValue(setPassword)}
            autocomplete="new-password"
            required
          />
        </Field>
        <Field label={t('password.confirm')} error={mismatch ? t('password.mismatch') : null}>
          <input
            class="input"
            type="password"
            data-testid="signup-admin-password-confirm"
            value={confirm}
            onInput={onValue(setConfirm)}
            autocomplete="new-password"
            required
          />
        </Field>
      </div>
      <div class="form-actions">
        <Button testid="signup-admin-submit" kind="primary" type="submit" busy={busy} disabled={mismatch}>
          {t('signup.admin.submit')}
        </Button>
      </div>
    </form>
  );
}

function DetailsStep(props: {
  saved: SavedSignup;
  bankStatus: BankStatus;
  onBankStatus: (s: BankStatus) => void;
  onDone: () => void;
}) {
  const [industry, setIndustry] = useState('');
  const [size, setSize] = useState('');
  const [address, setAddress] = useState('');
  const [logoId, setLogoId] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function submit() {
    setBusy(true);
    setError(null);
    try {
      await signup.details(props.saved.signup_id, props.saved.signup_token, {
        industry,
        size,
        address: address.trim(),
        ...(logoId ? { logo_file_id: logoId } : {}),
      });
      props.onDone();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  return (
    <form
      class="form"
      data-testid="signup-details-form"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <BankPending saved={props.saved} status={props.bankStatus} onStatus={props.onBankStatus} />
      <ErrorAlert error={error} testid="signup-error" />
      <div class="grid-2">
        <Field label={t('signup.details.industry')}>
          <select class="input" data-testid="signup-industry" value={industry} onChange={onValue(setIndustry)} required>
            <option value="" disabled>
              {t('common.choose')}
            </option>
            {INDUSTRIES.map((i) => (
              <option key={i} value={i}>
                {t(`industry.${i}` as Key)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('signup.details.size')}>
          <select class="input" data-testid="signup-size" value={size} onChange={onValue(setSize)} required>
            <option value="" disabled>
              {t('common.choose')}
            </option>
            {SIZES.map((s) => (
              <option key={s} value={s}>
                {t('signup.details.sizeOption', { range: s })}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <Field label={t('signup.details.address')}>
        <input class="input" data-testid="signup-address" value={address} onInput={onValue(setAddress)} autocomplete="street-address" required />
      </Field>
      <UploadField
        testid="signup-logo"
        label={t('signup.details.logo')}
        hint={t('signup.details.logo.hint')}
        accept="image/png,image/jpeg,image/webp,image/svg+xml"
        path={LOGO_UPLOAD_PATH}
        headers={{ 'X-Signup-Token': props.saved.signup_token }}
        onUploaded={setLogoId}
      />
      <div class="form-actions">
        <Button testid="signup-details-submit" kind="primary" type="submit" busy={busy} disabled={!industry || !size}>
          {t('signup.details.submit')}
        </Button>
      </div>
    </form>
  );
}
