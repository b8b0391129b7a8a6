// Small shared pieces: an in-app link, the server's error in words, copy-to-clipboard.
import type { AnchorHTMLAttributes, ReactNode } from 'react';
import { RoundtableApiError } from '../../../sdk/roundtable-api.js';
import { RoundtableError } from '../../../sdk/roundtable-client.js';
import { navigate } from './router.js';

export function Link({
  href,
  children,
  ...rest
}: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string; children: ReactNode }) {
  return (
    <a
      href={href}
      {...rest}
      onClick={(event) => {
        if (
          event.defaultPrevented ||
          event.button !== 0 ||
          event.metaKey ||
          event.ctrlKey ||
          event.shiftKey ||
          event.altKey
        )
          return;
        event.preventDefault();
        navigate(href);
      }}
    >
      {children}
    </a>
  );
}

/** The server's reason, as a sentence. */
export function describeError(error: unknown): string {
  if (error instanceof RoundtableApiError || error instanceof RoundtableError) {
    const text = error.message || 'the server refused';
    return text.charAt(0).toUpperCase() + text.slice(1);
  }
  if (error instanceof Error && /timeout|timed out/i.test(error.message))
    return 'The server did not answer in time. Check your connection and try again.';
  if (error instanceof TypeError) return 'Cannot reach the server. Check your connection and try again.';
  return error instanceof Error ? error.message : String(error);
}

export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

/** The start of a text, for a one-line preview. */
export const excerpt = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 3)}…` : text);

export const joinLink = (code: string) => `${window.location.origin}/join/${encodeURIComponent(code)}`;

export function formatTime(iso: string): string {
  return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}
