// Whether this person may send right now, and if not, why, in words a person
// understands. Mirrors the server's rules (src/turns/message-intake.service.ts);
// the server still decides, and a refusal's reason is shown as it comes.
import type { RoomState } from './room-state.js';
import { FOREVER_YEAR, isMuted } from './room-state.js';

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
  if (room.removed)
    return disabled(room.removed.banned ? 'you were banned from this session' : 'you were removed from this session');
  if (session.status === 'closed') return disabled('this session has ended: it is read-only');
  if (me.role === 'observer') return disabled('observers can read only');
  if (!options.connected) return disabled('offline: reconnecting…');
  if (me.role === 'moderator') {
    return {
      enabled: true,
      reason: session.agent.paused ? 'the tutor is paused: your messages answer in its place' : null,
    };
  }
  if (session.locked) return disabled('the moderator has locked the session');
  const member = room.members[me.user_id];
  if (isMuted(member, options.now)) {
    const until = Date.parse(member!.muted_until!);
    return disabled(
      new Date(until).getUTCFullYear() >= FOREVER_YEAR
        ? 'you are muted by the moderator'
        : `you are muted: try again in ${Math.ceil((until - options.now) / 1000)} s`,
      until - options.now,
    );
  }
  if (session.turn_policy === 'hand_raise' && session.floor_user_id !== me.user_id) {
    const place = room.hands.findIndex((h) => h.user_id === me.user_id);
    return disabled(
      place >= 0 ? `your hand is raised (${ordinal(place + 1)} in line): wait for the floor` : 'raise your hand to ask',
    );
  }
  if (session.rate_limit) {
    const wait = rateLimitWait(options.rate, session.rate_limit, options.now);
    if (wait > 0) return disabled(`rate limit: try again in ${Math.ceil(wait / 1000)} s`, wait);
  }
  if (session.agent.paused) return { enabled: true, reason: 'the tutor is paused: your message will wait' };
  if (session.turn_policy === 'moderated')
    return { enabled: true, reason: 'a moderator approves each question before the tutor answers' };
  if (session.turn_policy === 'hand_raise') return { enabled: true, reason: 'you have the floor' };
  return { enabled: true, reason: null };
}

export function ordinal(n: number): string {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}
