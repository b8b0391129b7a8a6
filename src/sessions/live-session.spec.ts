import type { SessionRecord as Session } from './records.js';
import { LiveSession } from './live-session.js';
import type { CommittedEvent } from './session-event-bus.js';

const SESSION = 'a0000000-0000-4000-8000-000000000001';
const row = (over: Partial<Session> = {}): Session => ({
  id: SESSION,
  title: 'Maths',
  status: 'active',
  turnPolicy: 'round_robin',
  autoGrant: false,
  agentName: 'tutor',
  agentInstructions: '',
  agentModel: null,
  agentRespondsTo: 'all',
  agentLanguage: null,
  agentPaused: false,
  agentPausedAtSeq: null,
  humanAnsweredWhilePaused: false,
  agentLeaseOwner: null,
  agentLeaseUntil: null,
  agentLeaseGeneration: 0,
  safety: {},
  minors: false,
  redactPersonalData: true,
  retentionDays: null,
  rateLimitMessages: null,
  rateLimitPerSeconds: null,
  guestRole: 'contributor',
  waitingRoom: false,
  anonymousQuestions: false,
  maxAnswerTokens: null,
  joinCode: 'ABCDEFGH',
  locked: false,
  floorUserId: null,
  lastSeq: 3,
  createdById: 'teacher',
  createdAt: new Date(0),
  closedAt: null,
  ...over,
});
const event = (
  seq: number,
  type: CommittedEvent['type'],
  payload: Record<string, unknown>,
  internal?: CommittedEvent['internal'],
): CommittedEvent => ({
  sessionId: SESSION,
  seq,
  type,
  visibility: 'all',
  payload,
  ...(internal ? { internal } : {}),
});

describe('LiveSession.apply', () => {
  const fresh = () =>
    new LiveSession(
      row(),
      new Map([
        ['teacher', { role: 'moderator', mutedUntil: null, banned: false, displayName: 'Ms Smith', waiting: false }],
      ]),
    );

  it('follows members: joined, muted, role changed, removed, banned', () => {
    const live = fresh();
    expect(
      live.apply(
        event(4, 'member_updated', { user_id: 'ada', role: 'contributor', muted_until: null, display_name: 'Ada' }),
      ),
    ).toBe('applied');
    live.apply(
      event(5, 'member_updated', {
        user_id: 'ada',
        role: 'contributor',
        muted_until: '2030-01-01T00:00:00.000Z',
        display_name: 'Ada',
      }),
    );
    expect(live.members.get('ada')).toEqual({
      role: 'contributor',
      mutedUntil: new Date('2030-01-01T00:00:00.000Z'),
      banned: false,
      displayName: 'Ada',
      waiting: false,
    });
    live.apply(event(6, 'member_updated', { user_id: 'ada', role: 'observer', muted_until: null }));
    expect(live.members.get('ada')).toMatchObject({ role: 'observer', mutedUntil: null, displayName: 'Ada' });
    live.apply(
      event(7, 'member_updated', { user_id: 'bo', role: 'contributor', muted_until: null, display_name: 'Bo' }),
    );
    live.apply(event(8, 'member_removed', { user_id: 'ada', banned: false }));
    live.apply(event(9, 'member_removed', { user_id: 'bo', banned: true }));
    expect(live.members.has('ada')).toBe(false);
    expect(live.members.get('bo')).toMatchObject({ banned: true });
    expect(live.lastSeq).toBe(9);
  });

  it('follows settings, the floor, pause and resume, the join code and closing', () => {
    const live = fresh();
    live.apply(
      event(4, 'session_updated', {
        changes: {
          turn_policy: 'hand_raise',
          locked: true,
          rate_limit: { messages: 3, per_seconds: 10 },
          agent: { instructions: 'Be brief.', responds_to: 'mentions' },
        },
      }),
    );
    expect(live.session).toMatchObject({
      turnPolicy: 'hand_raise',
      locked: true,
      rateLimitMessages: 3,
      rateLimitPerSeconds: 10,
      agentInstructions: 'Be brief.',
      agentRespondsTo: 'mentions',
    });
    live.apply(event(5, 'turn_granted', { user_id: 'ada', by: 'teacher' }));
    expect(live.session.floorUserId).toBe('ada');
    live.apply(event(6, 'session_updated', { changes: { agent: { paused: true } } }));
    expect(live.session).toMatchObject({ agentPaused: true, agentPausedAtSeq: 6 });
    live.apply(event(7, 'new_message', { message: {} }, { humanAnsweredWhilePaused: true }));
    expect(live.session.humanAnsweredWhilePaused).toBe(true);
    live.apply(event(8, 'session_updated', { changes: { agent: { paused: false }, rate_limit: null } }));
    expect(live.session).toMatchObject({ agentPaused: false, agentPausedAtSeq: null, rateLimitMessages: null });
    live.apply(event(9, 'moderation', { action: 'rotate_join_code', by: 'teacher' }, { joinCode: 'NEWCODE2' }));
    expect(live.session.joinCode).toBe('NEWCODE2');
    live.apply(event(10, 'session_closed', { by: 'teacher' }));
    expect(live.session).toMatchObject({ status: 'closed', floorUserId: null });
  });

  it('ignores what it has already applied and reports a gap instead of guessing', () => {
    const live = fresh();
    expect(live.apply(event(3, 'session_updated', { changes: { locked: true } }))).toBe('already_applied');
    expect(live.session.locked).toBe(false);
    expect(live.apply(event(5, 'session_updated', { changes: { locked: true } }))).toBe('gap');
    expect(live.session.locked).toBe(false);
    expect(live.lastSeq).toBe(3);
  });

  it('keeps the newest messages and events for snapshots and resumes, redacting deleted text from both', () => {
    const live = fresh();
    const message = (seq: number, visibility: 'all' | 'staff' = 'all') => ({
      id: `m${seq}`,
      seq,
      role: 'user',
      content: `text ${seq}`,
      visibility,
    });
    live.apply(event(4, 'new_message', { message: message(4) }));
    live.apply(event(5, 'new_message', { message: message(5, 'staff') }));
    live.apply(event(6, 'new_message', { message: message(6) }));
    expect(live.recentMessages(50, { userId: 'someone', role: 'contributor' })).toMatchObject({
      messages: [{ id: 'm4' }, { id: 'm6' }],
      total: 2,
      hasMore: false,
    });
    expect(live.recentMessages(2, { userId: 'someone', role: 'moderator' })).toMatchObject({
      messages: [{ id: 'm5' }, { id: 'm6' }],
      total: 3,
      hasMore: true,
    });
    live.apply(event(7, 'message_deleted', { message_id: 'm4', by: 'teacher' }));
    expect(live.recentMessages(50, { userId: 'someone', role: 'contributor' })!.messages[0]).toMatchObject({
      id: 'm4',
      content: '',
      deleted: true,
    });
    expect(live.eventsAfter(3)!.map((e) => e.seq)).toEqual([4, 5, 6, 7]);
    expect(live.eventsAfter(3)![0].payload.message).toMatchObject({ content: '', deleted: true });
    expect(live.eventsAfter(7)).toEqual([]);
    expect(live.eventsAfter(2)).toBeNull(); // before the window: the database answers
    expect(live.eventsAfter(8)).toBeNull(); // from the future
  });

  it('follows raised hands in order', () => {
    const live = fresh();
    live.apply(event(4, 'hand_raised', { user_id: 'ada', note: 'q1' }));
    live.apply(event(5, 'hand_raised', { user_id: 'bo' }));
    live.apply(event(6, 'hand_lowered', { user_id: 'ada', by: 'teacher' }));
    expect([...live.window.hands.values()]).toMatchObject([{ userId: 'bo', note: null, raisedSeq: 5 }]);
  });
});
