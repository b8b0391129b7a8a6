import type { SessionStateEvent } from '../../../../../sdk/roundtable-client.js';
import { composerState, freshRateWindow, ordinal, refusedFor, spendToken } from './composer-state.js';
import { roomFromSnapshot, type RoomState } from './room-state.js';
import { wireSession } from './test-fixtures.js';

const NOW = Date.parse('2026-11-24T10:00:00.000Z');
const ME = 'u-ada';

function room(
  change: {
    session?: Partial<SessionStateEvent['session']>;
    role?: 'moderator' | 'contributor' | 'observer';
    mutedUntil?: string;
    hands?: string[];
  } = {},
): RoomState {
  const role = change.role ?? 'contributor';
  return roomFromSnapshot({
    type: 'session_state',
    session_id: 's1',
    session: wireSession(change.session),
    you: { user_id: ME, role },
    seq: 0,
    messages: [],
    total_messages: 0,
    has_more: false,
    participants: [],
    hands: (change.hands ?? []).map((user_id) => ({
      user_id,
      name: user_id,
      note: null,
      raised_at: '2026-11-24T09:59:00.000Z',
    })),
    queue: [],
    agent: { status: 'idle' },
    members: [{ user_id: ME, display_name: 'Ada', role, muted_until: change.mutedUntil ?? null, online: true }],
  });
}

const state = (r: RoomState, rate = freshRateWindow(0, NOW), connected = true) =>
  composerState(r, { connected, rate, now: NOW });

describe('the composer', () => {
  it('is open to a contributor in an open room', () => {
    expect(state(room())).toEqual({ enabled: true, reason: null });
  });

  it('says why it is closed, most important reason first', () => {
    expect(state(room({ role: 'observer' }))).toMatchObject({ enabled: false, reason: 'observers can read only' });
    expect(state(room({ session: { status: 'closed' } }))).toMatchObject({
      enabled: false,
      reason: 'this session has ended: it is read-only',
    });
    expect(state(room({ session: { locked: true } }))).toMatchObject({
      enabled: false,
      reason: 'the moderator has locked the session',
    });
    expect(state(room(), undefined, false)).toMatchObject({ enabled: false, reason: 'offline: reconnecting…' });
    expect(state({ ...room(), removed: { banned: false } })).toMatchObject({
      enabled: false,
      reason: 'you were removed from this session',
    });
  });

  it('under hand_raise: raise your hand, then wait in line, then you have the floor', () => {
    expect(state(room({ session: { turn_policy: 'hand_raise' } })).reason).toBe('raise your hand to ask');
    expect(state(room({ session: { turn_policy: 'hand_raise' }, hands: ['u-ben', ME] })).reason).toBe(
      'your hand is raised (2nd in line): wait for the floor',
    );
    expect(state(room({ session: { turn_policy: 'hand_raise', floor_user_id: ME } }))).toEqual({
      enabled: true,
      reason: 'you have the floor',
    });
  });

  it('a moderator may always write, even when locked or under hand_raise', () => {
    expect(state(room({ role: 'moderator', session: { locked: true, turn_policy: 'hand_raise' } })).enabled).toBe(true);
  });

  it('a timed mute counts down; an open-ended one says so', () => {
    const inTwelve = new Date(NOW + 12_000).toISOString();
    expect(state(room({ mutedUntil: inTwelve }))).toMatchObject({
      enabled: false,
      reason: 'you are muted: try again in 12 s',
    });
    expect(state(room({ mutedUntil: '9999-12-31T23:59:59.000Z' })).reason).toBe('you are muted by the moderator');
    expect(state(room({ mutedUntil: new Date(NOW - 1000).toISOString() })).enabled).toBe(true);
  });

  it('the rate limit: a burst, then a countdown until a token refills', () => {
    const limited = room({ session: { rate_limit: { messages: 2, per_seconds: 60 } } });
    let rate = freshRateWindow(2, NOW);
    rate = spendToken(rate, limited.session.rate_limit, NOW);
    expect(state(limited, rate).enabled).toBe(true);
    rate = spendToken(rate, limited.session.rate_limit, NOW);
    expect(state(limited, rate)).toMatchObject({ enabled: false, reason: 'rate limit: try again in 30 s' });
    expect(composerState(limited, { connected: true, rate, now: NOW + 30_000 }).enabled).toBe(true);
  });

  it('a refusal from the server sets the countdown it gave', () => {
    const limited = room({ session: { rate_limit: { messages: 5, per_seconds: 60 } } });
    expect(state(limited, refusedFor(12_000, NOW))).toMatchObject({
      enabled: false,
      reason: 'rate limit: try again in 12 s',
    });
  });

  it('ordinals read naturally', () => {
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 101].map(ordinal)).toEqual([
      '1st',
      '2nd',
      '3rd',
      '4th',
      '11th',
      '12th',
      '13th',
      '21st',
      '22nd',
      '101st',
    ]);
  });
});
