// Small shared pieces: an in-app link, the server's error in words, copy-to-clipboard.
// Dates, times and numbers in the page's language are in i18n.ts.
import type { AnchorHTMLAttributes, ReactNode } from 'react';
import { RoundtableApiError } from '../../../sdk/roundtable-api.js';
import { RoundtableError } from '../../../sdk/roundtable-client.js';
import { ERROR_CODES, type ErrorCode } from '../../../sdk/roundtable-client.js';
import { currentLanguage, t } from './i18n.js';
import { navigate } from './router.js';

export function Link({
  href,
  children,
  ...rest
}: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string; children?: ReactNode }) {
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

/** Words for some error codes where the context knows better than the code alone ("wrong email or password"). */
export type ErrorWords = Partial<Record<ErrorCode, string>>;

/**
 * The server's refusal, as a sentence in the page's language. In English, the server's own sentence
 * (the most specific). In another language, the words for its code: those the caller gives for this
 * context first, else the catalogue's (`errors.<code>`), with the wait of a rate limit.
 */
export function describeError(error: unknown, words: ErrorWords = {}): string {
  if (error instanceof RoundtableApiError || error instanceof RoundtableError) {
    const code = codeOf(error);
    if (currentLanguage() !== 'en' && code) {
      const seconds = Math.ceil((retryAfterMs(error) ?? 0) / 1000);
      return words[code] ?? (seconds > 0 ? t('errors.rateLimitedFor', { count: seconds }) : t(`errors.${code}`));
    }
    const text = error.message || t('errors.refused');
    return text.charAt(0).toUpperCase() + text.slice(1);
  }
  if (error instanceof Error && /timeout|timed out/i.test(error.message)) return t('errors.timeout');
  if (error instanceof TypeError) return t('errors.offline');
  return error instanceof Error ? error.message : String(error);
}

function codeOf(error: RoundtableApiError | RoundtableError): ErrorCode | undefined {
  const code = error instanceof RoundtableError ? error.code : error.body.code;
  return (ERROR_CODES as readonly string[]).includes(code ?? '') ? (code as ErrorCode) : undefined;
}

function retryAfterMs(error: RoundtableApiError | RoundtableError): number | undefined {
  if (codeOf(error) !== 'rate_limited') return undefined;
  if (error instanceof RoundtableError) return error.retryAfterMs;
  const header = Number(error.headers.get('retry-after'));
  return Number.isFinite(header) && header > 0 ? header * 1000 : undefined;
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
