// Whether this person may send right now, and if not, why, in words a person
// understands. Mirrors the server's rules (src/turns/message-intake.service.ts);
// the server still decides, and a refusal's reason is shown as it comes.
import type { RoomState } from './room-state.js';
import { FOREVER_YEAR, isMuted } from './room-state.js';
import { t } from '../../../lib/i18n.js';

export interface ComposerState {
  enabled: boolean;
  /** Why the composer is disabled, or a notice while it is enabled. */
  reason: string | null;
  /** Milliseconds until sending is allowed again, for a rate-limit countdown. */
  retryInMs?: number;
}

/**
 * The client's picture of the per-user token bucket: a burst of `messages`,
 * refilled continuously over `per_seconds`. `blockedUntil` comes from a
 * refusal's retry_after_ms and wins over the estimate.
 */
export interface RateWindow {
  tokens: number;
  updatedAt: number;
  blockedUntil: number;
}

export const freshRateWindow = (capacity: number, now: number): RateWindow => ({
  tokens: capacity,
  updatedAt: now,
  blockedUntil: 0,
});

function refill(window: RateWindow, limit: { messages: number; per_seconds: number }, now: number): number {
  const perMs = limit.messages / (limit.per_seconds * 1000);
  return Math.min(limit.messages, window.tokens + Math.max(0, now - window.updatedAt) * perMs);
}

/** After a message was accepted: one token spent. */
export function spendToken(
  window: RateWindow,
  limit: { messages: number; per_seconds: number } | null,
  now: number,
): RateWindow {
  if (!limit) return window;
  return { tokens: refill(window, limit, now) - 1, updatedAt: now, blockedUntil: window.blockedUntil };
}

/** After a `rate_limited` refusal: wait what the server said. */
export function refusedFor(retryAfterMs: number, now: number): RateWindow {
  return { tokens: 0, updatedAt: now, blockedUntil: now + retryAfterMs };
}

function rateLimitWait(window: RateWindow, limit: { messages: number; per_seconds: number }, now: number): number {
  if (window.blockedUntil > now) return window.blockedUntil - now;
  const tokens = refill(window, limit, now);
  if (tokens >= 1) return 0;
  return ((1 - tokens) * limit.per_seconds * 1000) / limit.messages;
}

export function composerState(
  room: RoomState,
  options: { connected: boolean; rate: RateWindow; now: number },
): ComposerState {
  const { session, me } = room;
  const disabled = (reason: string, retryInMs?: number): ComposerState => ({
    enabled: false,
    reason,
    ...(retryInMs ? { retryInMs } : {}),
  });
  if (room.removed) return disabled(room.removed.banned ? t('composer.why.banned') : t('composer.why.removed'));
  if (session.status === 'closed') return disabled(t('composer.why.closed'));
  if (me.role === 'observer') return disabled(t('composer.why.observer'));
  if (!options.connected) return disabled(t('composer.why.offline'));
  if (me.role === 'moderator') {
    return {
      enabled: true,
      reason: session.agent.paused ? t('composer.why.pausedModerator') : null,
    };
  }
  if (session.locked) return disabled(t('composer.why.locked'));
  const member = room.members[me.user_id];
  if (isMuted(member, options.now)) {
    const until = Date.parse(member!.muted_until!);
    return disabled(
      new Date(until).getUTCFullYear() >= FOREVER_YEAR
        ? t('composer.why.muted')
        : t('composer.why.mutedFor', { seconds: Math.ceil((until - options.now) / 1000) }),
      until - options.now,
    );
  }
  if (session.turn_policy === 'hand_raise' && session.floor_user_id !== me.user_id) {
    const place = room.hands.findIndex((h) => h.user_id === me.user_id);
    return disabled(
      place >= 0 ? t('composer.why.handRaised', { place: ordinal(place + 1) }) : t('composer.why.raiseHand'),
    );
  }
  if (session.rate_limit) {
    const wait = rateLimitWait(options.rate, session.rate_limit, options.now);
    if (wait > 0) return disabled(t('composer.why.rateLimit', { seconds: Math.ceil(wait / 1000) }), wait);
  }
  if (session.agent.paused) return { enabled: true, reason: t('composer.why.paused') };
  if (session.turn_policy === 'moderated') return { enabled: true, reason: t('composer.why.moderated') };
  if (session.turn_policy === 'hand_raise') return { enabled: true, reason: t('composer.why.floor') };
  return { enabled: true, reason: null };
}

/** A place in line in the page's language: "1st", "2nd" (English), "2.º" (Spanish), "٢" (Arabic). */
export function ordinal(n: number): string {
  return t('composer.ordinal', { count: n, ordinal: true });
}
