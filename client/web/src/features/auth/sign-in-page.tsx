import { useEffect, useId, useState, type FormEvent } from 'react';
import type { SignInOptions } from '../../../../sdk/roundtable-api.js';
import { auth } from './identity.js';
import { api } from '../../lib/api.js';
import { FormFooter } from '../../lib/forms.js';
import { localPath, navigate } from '../../lib/router.js';
import { describeError } from '../../lib/ui.js';

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

/** Refused by the school's identity provider (or by Roundtable on the way back): the reason, once. */
function useProviderRefusal(): string | null {
  const [refused] = useState(() => new URLSearchParams(window.location.search).get('sign_in_error'));
  return refused;
}

/** A button per school identity provider: the sign-in happens on the provider's own page. */
function ProviderButtons({ options, next }: { options: SignInOptions; next?: string }) {
  if (options.providers.length === 0) return null;
  const after = encodeURIComponent(localPath(next));
  return (
    <div className="providers" role="group" aria-label="Sign in with your school account">
      {options.providers.map((provider) => (
        <a key={provider.id} className="button provider" href={`/auth/oidc/${provider.id}/start?next=${after}`}>
          Sign in with {provider.name}
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
      setError(describeError(failure));
    } finally {
      setBusy(false);
    }
  };

  const tabs: Array<[Mode, string]> = [
    ...(passwords
      ? ([
          ['sign-in', 'Sign in'],
          ['register', 'Create an account'],
        ] as Array<[Mode, string]>)
      : []),
    ...(landing ? [] : ([['guest', 'Join with a code']] as Array<[Mode, string]>)),
  ];

  return (
    <main className="page narrow">
      {landing ? (
        <>
          <ClassCode />
          <h2 className="teachers-heading">Teachers and staff</h2>
          <p className="lead">Sign in to start a session and run it.</p>
        </>
      ) : (
        <>
          <h1>Welcome to Roundtable</h1>
          <p className="lead">A live room where a class or a support team shares one AI tutor.</p>
        </>
      )}
      {refused && (
        <p role="alert" className="error" data-testid="sign-in-refused">
          {refused}
        </p>
      )}
      {options && <ProviderButtons options={options} next={next} />}
      {tabs.length > 0 && (
        <div
          role="tablist"
          aria-label="How to sign in"
          className="tabs"
          onKeyDown={(event) => {
            // Arrow keys move between tabs, as screen-reader users expect of a tab list.
            const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
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
                Email
                <input
                  type="email"
                  autoComplete="email"
                  required
                  value={email}
                  onChange={(e) => setEmail(e.target.value)}
                />
              </label>
              <label>
                Password
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
              Join code
              <input required autoComplete="off" value={code} onChange={(e) => setCode(e.target.value)} />
            </label>
          )}
          {mode !== 'sign-in' && (
            <label>
              Your name
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
            label={mode === 'sign-in' ? 'Sign in' : mode === 'register' ? 'Create account' : 'Join session'}
          />
        </form>
      )}
    </main>
  );
}

/** The student's first screen: the class code and a name, nothing else to choose. */
function ClassCode() {
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
      setError(describeError(failure));
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="class-code-heading" className="card class-code">
      <h1 id="class-code-heading">Enter your class code</h1>
      <form className="form" onSubmit={submit}>
        <label>
          Class code
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
          Your first name
          <input
            required
            maxLength={60}
            autoComplete="given-name"
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </label>
        <FormFooter error={error} busy={busy} label="Join the class" />
      </form>
    </section>
  );
}
