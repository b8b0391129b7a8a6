import { useEffect, useSyncExternalStore } from 'react';
import { auth, useFragmentSignIn } from '../features/auth/index.js';
import { HomePage } from '../features/sessions/index.js';
import { JoinPage } from '../features/auth/index.js';
import { PresentPage } from '../features/room/index.js';
import { RoomPage } from './room-page.js';
import { SignInPage } from '../features/auth/index.js';
import { navigate, useRoute, type Route } from '../lib/router.js';
import { Link } from '../lib/ui.js';
import { LanguagePicker } from './language-picker.js';
import { PRODUCT_NAME } from '../lib/i18n.js';
import { Trans, useTranslation } from 'react-i18next';

function useAccount() {
  return useSyncExternalStore(
    (l) => auth.subscribe(l),
    () => auth.accountVersion(),
  );
}

export function App() {
  const { t } = useTranslation();
  const fragmentSignIn = useFragmentSignIn();
  const route = useRoute();
  const accountKey = useAccount();
  const account = accountKey ? auth.account() : null;
  const guest = route.page === 'room' ? auth.guests()[route.sessionId] : undefined;

  useEffect(() => {
    const titles: Record<Route['page'], string> = {
      home: t('app.title.home'),
      'sign-in': t('app.title.signIn'),
      join: t('app.title.join'),
      room: t('app.title.room'),
      present: t('app.title.present'),
      'not-found': t('app.title.notFound'),
    };
    document.title = `${titles[route.page]} · ${PRODUCT_NAME}`;
  }, [route.page, t]);

  // The present view fills the screen: no navigation, nothing to click by accident on a projector.
  if (fragmentSignIn.pending)
    return (
      <main className="page narrow">
        <p role="status">{t('app.signingIn')}</p>
      </main>
    );
  if (fragmentSignIn.failed)
    return (
      <main className="page narrow">
        <p role="alert" className="error">
          {t('app.signInFailed', { reason: fragmentSignIn.failed })}
        </p>
      </main>
    );

  if (route.page === 'present') return <PresentPage key={route.sessionId} sessionId={route.sessionId} />;

  return (
    <div className="app">
      <header className="topbar">
        <Link href="/" className="brand">
          {PRODUCT_NAME}
        </Link>
        <nav aria-label={t('app.account')} className="account">
          <LanguagePicker />
          {account ? (
            <>
              <span>
                <Trans
                  i18nKey="app.signedInAs"
                  values={{ name: account.user.display_name }}
                  components={{ name: <strong /> }}
                />
              </span>
              <button
                type="button"
                className="link-button"
                onClick={() => {
                  auth.signOut();
                  navigate('/login');
                }}
              >
                {t('app.signOut')}
              </button>
            </>
          ) : (
            <>
              {guest && (
                <span>
                  <Trans
                    i18nKey="app.youAreGuest"
                    values={{ name: guest.user.display_name }}
                    components={{ name: <strong /> }}
                  />
                </span>
              )}
              {/* A guest in a room has nothing to sign in to there. */}
              {route.page !== 'sign-in' && !guest && <Link href="/login">{t('app.signIn')}</Link>}
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
          <h1>{t('app.notFound')}</h1>
          <p>
            <Link href="/">{t('app.goToSessions')}</Link>
          </p>
        </main>
      )}
    </div>
  );
}
