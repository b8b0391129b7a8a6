import { useEffect, useSyncExternalStore } from 'react';
import { auth, useFragmentSignIn } from '../features/auth/index.js';
import { HomePage } from '../features/sessions/index.js';
import { JoinPage } from '../features/auth/index.js';
import { PresentPage } from '../features/room/index.js';
import { RoomPage } from './room-page.js';
import { SignInPage } from '../features/auth/index.js';
import { navigate, useRoute } from '../lib/router.js';
import { Link } from '../lib/ui.js';

function useAccount() {
  return useSyncExternalStore(
    (l) => auth.subscribe(l),
    () => auth.accountVersion(),
  );
}

export function App() {
  const fragmentSignIn = useFragmentSignIn();
  const route = useRoute();
  const accountKey = useAccount();
  const account = accountKey ? auth.account() : null;
  const guest = route.page === 'room' ? auth.guests()[route.sessionId] : undefined;

  useEffect(() => {
    const titles: Record<string, string> = {
      home: 'Your sessions',
      'sign-in': 'Sign in',
      join: 'Join a session',
      room: 'Session',
      present: 'Present',
      'not-found': 'Not found',
    };
    document.title = `${titles[route.page]} · Roundtable`;
  }, [route.page]);

  // The present view fills the screen: no navigation, nothing to click by accident on a projector.
  if (fragmentSignIn.pending)
    return (
      <main className="page narrow">
        <p role="status">Signing you in…</p>
      </main>
    );
  if (fragmentSignIn.failed)
    return (
      <main className="page narrow">
        <p role="alert" className="error">
          Signing in did not work: {fragmentSignIn.failed}
        </p>
      </main>
    );

  if (route.page === 'present') return <PresentPage key={route.sessionId} sessionId={route.sessionId} />;

  return (
    <div className="app">
      <header className="topbar">
        <Link href="/" className="brand">
          Roundtable
        </Link>
        <nav aria-label="Account" className="account">
          {account ? (
            <>
              <span>
                Signed in as <strong>{account.user.display_name}</strong>
              </span>
              <button
                type="button"
                className="link-button"
                onClick={() => {
                  auth.signOut();
                  navigate('/login');
                }}
              >
                Sign out
              </button>
            </>
          ) : (
            <>
              {guest && (
                <span>
                  You are <strong>{guest.user.display_name}</strong> (guest)
                </span>
              )}
              {/* A guest in a room has nothing to sign in to there. */}
              {route.page !== 'sign-in' && !guest && <Link href="/login">Sign in</Link>}
            </>
          )}
        </nav>
      </header>
      {route.page === 'home' && (account ? <HomePage account={account} /> : <SignInPage landing />)}
      {route.page === 'sign-in' && <SignInPage next={route.next} />}
      {route.page === 'join' && <JoinPage code={route.code} account={account} />}
      {route.page === 'room' && <RoomPage key={route.sessionId} sessionId={route.sessionId} />}
      {route.page === 'not-found' && (
        <main className="page narrow">
          <h1>Page not found</h1>
          <p>
            <Link href="/">Go to your sessions</Link>
          </p>
        </main>
      )}
    </div>
  );
}
