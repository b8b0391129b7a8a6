import { useEffect, useId, useState, type FormEvent } from 'react';
import type { SignInOptions } from '../../../../sdk/roundtable-api.js';
import { SIGN_IN_REFUSALS } from '../../../../sdk/roundtable-client.js';
import { auth } from './identity.js';
import { api } from '../../lib/api.js';
import { FormFooter } from '../../lib/forms.js';
import { localPath, navigate } from '../../lib/router.js';
import { describeError } from '../../lib/ui.js';
import { useTranslation } from 'react-i18next';
import { currentLanguage, t as translate } from '../../lib/i18n.js';

type Mode = 'sign-in' | 'register' | 'guest';

/** What this server offers: password sign-in, and a button per school identity provider. */
function useSignInOptions(): SignInOptions | null {
  const [options, setOptions] = useState<SignInOptions | null>(null);
  useEffect(() => {
    let stale = false;
    api(null)
      .signInOptions()
      .then((answer) => !stale && setOptions(answer))
      .catch(() => !stale && setOptions({ password_login: true, providers: [] }));
    return () => {
      stale = true;
    };
  }, []);
  return options;
}

/**
 * Refused by the school's identity provider (or by Roundtable on the way back): the reason, once.
 * In English the server's own sentence; in another language the words for its code.
 */
function useProviderRefusal(): string | null {
  const [refused] = useState(() => {
    const query = new URLSearchParams(window.location.search);
    const sentence = query.get('sign_in_error');
    const code = SIGN_IN_REFUSALS.find((c) => c === query.get('sign_in_error_code'));
    if (!sentence || !code || currentLanguage() === 'en') return sentence;
    return translate(`signIn.refusal.${code}`, {
      provider: query.get('sign_in_provider') ?? '',
      domains: query.get('sign_in_domains') ?? '',
    });
  });
  return refused;
}

/** A button per school identity provider: the sign-in happens on the provider's own page. */
function ProviderButtons({ options, next }: { options: SignInOptions; next?: string }) {
  const { t } = useTranslation();
  if (options.providers.length === 0) return null;
  const after = encodeURIComponent(localPath(next));
  return (
    <div className="providers" role="group" aria-label={t('signIn.withSchool')}>
      {options.providers.map((provider) => (
        <a key={provider.id} className="button provider" href={`/auth/oidc/${provider.id}/start?next=${after}`}>
          {t('signIn.with', { provider: provider.name })}
        </a>
      ))}
    </div>
  );
}

/**
 * Sign in, register, or join a session with a code as a guest. As the landing
 * page (`landing`), it leads with the class code for students, and teachers
 * sign in below.
 */
export function SignInPage({ next, landing = false }: { next?: string; landing?: boolean }) {
  const { t } = useTranslation();
  const options = useSignInOptions();
  const refused = useProviderRefusal();
  const passwords = options?.password_login ?? true;
  const [chosen, setMode] = useState<Mode>('sign-in');
  // With password sign-in off, the only form left is the join code (the providers are buttons).
  const mode: Mode = passwords ? chosen : 'guest';
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [name, setName] = useState('');
  const [code, setCode] = useState('');
  const id = useId();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (mode === 'guest') {
        const { sessionId } = await auth.joinWithCode(code, name);
        navigate(`/s/${sessionId}`);
        return;
      }
      const anonymous = api(null);
      const answer =
        mode === 'register'
          ? await anonymous.register(email.trim(), password, name.trim())
          : await anonymous.login(email.trim(), password);
      auth.signedIn(answer);
      navigate(next && next.startsWith('/') ? next : '/');
    } catch (failure) {
      setError(describeError(failure, mode === 'guest' ? joinErrorWords() : accountErrorWords(mode)));
    } finally {
      setBusy(false);
    }
  };

  const tabs: Array<[Mode, string]> = [
    ...(passwords
      ? ([
          ['sign-in', t('signIn.tab.signIn')],
          ['register', t('signIn.tab.register')],
        ] as Array<[Mode, string]>)
      : []),
    ...(landing ? [] : ([['guest', t('signIn.tab.guest')]] as Array<[Mode, string]>)),
  ];

  return (
    <main className="page narrow">
      {landing ? (
        <>
          <ClassCode />
          <h2 className="teachers-heading">{t('signIn.staffHeading')}</h2>
          <p className="lead">{t('signIn.staffLead')}</p>
        </>
      ) : (
        <>
          <h1>{t('signIn.welcome')}</h1>
          <p className="lead">{t('signIn.lead')}</p>
        </>
      )}
      {refused && (
        <p role="alert" className="error" data-testid="sign-in-refused">
          {t('signIn.refused', { reason: refused })}
        </p>
      )}
      {options && <ProviderButtons options={options} next={next} />}
      {tabs.length > 0 && (
        <div
          role="tablist"
          aria-label={t('signIn.how')}
          className="tabs"
          onKeyDown={(event) => {
            // Arrow keys move between tabs, as screen-reader users expect of a tab list (mirrored right to left).
            const forward = document.documentElement.dir === 'rtl' ? 'ArrowLeft' : 'ArrowRight';
            const back = forward === 'ArrowRight' ? 'ArrowLeft' : 'ArrowRight';
            const step = event.key === forward ? 1 : event.key === back ? -1 : 0;
            if (!step) return;
            const next = tabs[(tabs.findIndex(([value]) => value === mode) + step + tabs.length) % tabs.length][0];
            setMode(next);
            setError(null);
            document.getElementById(`${id}-${next}`)?.focus();
          }}
        >
          {tabs.map(([value, label]) => (
            <button
              key={value}
              type="button"
              role="tab"
              id={`${id}-${value}`}
              aria-selected={mode === value}
              aria-controls={`${id}-panel`}
              tabIndex={mode === value ? 0 : -1}
              onClick={() => {
                setMode(value);
                setError(null);
              }}
            >
              {label}
            </button>
          ))}
        </div>
      )}
      {tabs.length > 0 && (
        <form
          id={`${id}-panel`}
          role="tabpanel"
          aria-labelledby={`${id}-${mode}`}
          className="card form"
          onSubmit={submit}
        >
          {mode !== 'guest' && (
            <>
              <label>
                {t('signIn.email')}
                <input
                  type="email"
                  autoComplete="email"
                  required
                  value={email}
                  onChange={(e) => setEmail(e.target.value)}
                />
              </label>
              <label>
                {t('signIn.password')}
                <input
                  type="password"
                  autoComplete={mode === 'register' ? 'new-password' : 'current-password'}
                  required
                  minLength={mode === 'register' ? 8 : undefined}
                  value={password}
                  onChange={(e) => setPassword(e.target.value)}
                />
              </label>
            </>
          )}
          {mode === 'guest' && (
            <label>
              {t('join.code')}
              <input required autoComplete="off" value={code} onChange={(e) => setCode(e.target.value)} />
            </label>
          )}
          {mode !== 'sign-in' && (
            <label>
              {t('join.name')}
              <input
                required
                maxLength={60}
                autoComplete="name"
                value={name}
                onChange={(e) => setName(e.target.value)}
              />
            </label>
          )}
          <FormFooter
            error={error}
            busy={busy}
            label={
              mode === 'sign-in'
                ? t('signIn.submit')
                : mode === 'register'
                  ? t('signIn.create')
                  : t('join.submitSession')
            }
          />
        </form>
      )}
    </main>
  );
}

/** The student's first screen: the class code and a name, nothing else to choose. */
function ClassCode() {
  const { t } = useTranslation();
  const [code, setCode] = useState('');
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { sessionId } = await auth.joinWithCode(code, name);
      navigate(`/s/${sessionId}`);
    } catch (failure) {
      setError(describeError(failure, joinErrorWords()));
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="class-code-heading" className="card class-code">
      <h1 id="class-code-heading">{t('join.classCodeHeading')}</h1>
      <form className="form" onSubmit={submit}>
        <label>
          {t('join.classCode')}
          <input
            required
            autoComplete="off"
            autoCapitalize="characters"
            inputMode="text"
            className="code-input"
            value={code}
            onChange={(e) => setCode(e.target.value)}
          />
        </label>
        <label>
          {t('join.firstName')}
          <input
            required
            maxLength={60}
            autoComplete="given-name"
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </label>
        <FormFooter error={error} busy={busy} label={t('join.submitClass')} />
      </form>
    </section>
  );
}

/** A join by code refused, in words for joining (not_found: no session has that code). */
export function joinErrorWords() {
  return {
    not_found: translate('join.error.not_found'),
    forbidden: translate('join.error.forbidden'),
    session_closed: translate('join.error.session_closed'),
  };
}

/** A password sign-in or registration refused, in words for it. */
function accountErrorWords(mode: Mode) {
  return mode === 'register'
    ? { conflict: translate('signIn.error.emailTaken'), forbidden: translate('signIn.error.forbidden') }
    : { unauthorized: translate('signIn.error.wrongPassword'), forbidden: translate('signIn.error.forbidden') };
}
