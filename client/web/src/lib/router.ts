// Four routes do not need a routing library: the History API and one hook.
import { useSyncExternalStore } from 'react';

export type Route =
  | { page: 'home' }
  | { page: 'sign-in'; next?: string }
  | { page: 'join'; code: string }
  | { page: 'room'; sessionId: string }
  | { page: 'present'; sessionId: string }
  | { page: 'not-found' };

export function parseRoute(pathname: string, search = ''): Route {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return { page: 'home' };
  if (parts[0] === 'login' && parts.length === 1)
    return { page: 'sign-in', next: new URLSearchParams(search).get('next') ?? undefined };
  if (parts[0] === 'join' && parts.length <= 2) return { page: 'join', code: parts[1] ?? '' };
  if (parts[0] === 's' && parts.length === 2) return { page: 'room', sessionId: parts[1] };
  if (parts[0] === 's' && parts.length === 3 && parts[2] === 'present') return { page: 'present', sessionId: parts[1] };
  return { page: 'not-found' };
}

const subscribe = (listener: () => void) => {
  window.addEventListener('popstate', listener);
  return () => window.removeEventListener('popstate', listener);
};

export function navigate(path: string, options: { replace?: boolean } = {}) {
  if (options.replace) window.history.replaceState(null, '', path);
  else window.history.pushState(null, '', path);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

export function useRoute(): Route {
  const href = useSyncExternalStore(subscribe, () => window.location.pathname + window.location.search);
  const url = new URL(href, window.location.origin);
  return parseRoute(url.pathname, url.search);
}

/** `next` when it is a path on this site (never //elsewhere), else the start page: where to go after signing in. */
export function localPath(next: string | null | undefined): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}
