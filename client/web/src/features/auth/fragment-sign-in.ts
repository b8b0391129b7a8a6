import { useEffect, useState } from 'react';
import { api } from '../../lib/api.js';
import { localPath, navigate } from '../../lib/router.js';
import { describeError } from '../../lib/ui.js';
import { auth } from './identity.js';

/**
 * Back from a school identity provider (at /login) or launched from the LMS (at /s/:id): the
 * access token is in the URL's fragment, which never reaches a server or its logs. It is kept
 * like a password sign-in's (in this origin's storage, which an LMS iframe keeps too, unlike a
 * third-party cookie), the fragment is dropped from the address bar and history, and a sign-in
 * page goes on to where the person was headed.
 */
export function useFragmentSignIn(): { pending: boolean; failed: string | null } {
  const [token] = useState(() => new URLSearchParams(window.location.hash.slice(1)).get('access_token'));
  const [pending, setPending] = useState(token !== null);
  const [failed, setFailed] = useState<string | null>(null);
  useEffect(() => {
    if (!token) return;
    window.history.replaceState(null, '', window.location.pathname + window.location.search);
    api(token)
      .me()
      .then(({ user }) => {
        auth.signedIn({ access_token: token, user });
        if (window.location.pathname === '/login') {
          const next = new URLSearchParams(window.location.search).get('next');
          navigate(localPath(next), { replace: true });
        }
        setPending(false);
      })
      .catch((failure: unknown) => {
        setFailed(describeError(failure));
        setPending(false);
      });
  }, [token]);
  return { pending, failed };
}
