import type { DurableEvent, SessionStateEvent, WireMessage } from '../../../../../sdk/roundtable-client.js';
import { wireSession } from './test-fixtures.js';
import { agentActivity, roomFromSnapshot, roomReducer, type RoomAction, type RoomState } from './room-state.js';

const SESSION = 's1';
const ME = 'u-ada';

function message(seq: number, content: string, extra: Partial<WireMessage> = {}): WireMessage {
  return {
    id: `m${seq}`,
    seq,
    role: 'user',
    content,
    author_id: 'u-ben',
    author_name: 'Ben',
    timestamp: '2026-11-24T10:00:00.000Z',
    status: 'complete',
    visibility: 'all',
    ...extra,
  };
}

function snapshot(overrides: Partial<SessionStateEvent> = {}): SessionStateEvent {
  return {
    type: 'session_state',
    session_id: SESSION,
    session: wireSession({ id: SESSION, last_seq: 4 }),
    you: { user_id: ME, role: 'contributor' },
    seq: 4,
    messages: [message(4, 'second'), message(2, 'first')],
    total_messages: 2,
    has_more: true,
    participants: [{ user_id: ME, name: 'Ada', role: 'contributor' }],
    hands: [],
    queue: [],
    agent: { status: 'idle' },
    members: [
      { user_id: ME, display_name: 'Ada', role: 'contributor', muted_until: null, online: true },
      { user_id: 'u-ben', display_name: 'Ben', role: 'contributor', muted_until: null, online: false },
    ],
    ...overrides,
  };
}

type WithoutSession<T> = T extends unknown ? Omit<T, 'session_id'> : never;
const durable = (event: WithoutSession<DurableEvent>): RoomAction => ({
  kind: 'durable',
  event: { session_id: SESSION, ...event } as DurableEvent,
  now: 0,
});
const run = (room: RoomState, ...actions: RoomAction[]) => actions.reduce(roomReducer, room);
const contents = (room: RoomState) => room.messages.map((m) => m.content);

describe('the room reducer', () => {
  it('orders a snapshot by seq and appends new messages once', () => {
    const room = run(
      roomFromSnapshot(snapshot()),
      durable({ type: 'new_message', seq: 5, message: message(5, 'third') }),
      durable({ type: 'new_message', seq: 5, message: message(5, 'third') }),
    );
    expect(contents(room)).toEqual(['first', 'second', 'third']);
    expect(room.seq).toBe(5);
  });

  it('applies a batch of arrivals and departures as each person is now', () => {
    const batch = (joined: Array<{ user_id: string; name: string }>, left: string[]): RoomAction => ({
      kind: 'ephemeral',
      event: {
        type: 'participants_changed',
        session_id: SESSION,
        joined: joined.map((p) => ({ ...p, role: 'contributor' as const })),
        left,
      },
    });
    const room = run(
      roomFromSnapshot(snapshot()),
      batch(
        [
          { user_id: 'u-ben', name: 'Ben' },
          { user_id: 'u-cy', name: 'Cy' },
        ],
        [],
      ),
      batch([{ user_id: 'u-ben', name: 'Ben' }], ['u-cy', 'u-nobody']),
    );
    expect(room.participants.map((p) => p.user_id)).toEqual([ME, 'u-ben']);
    expect(room.members['u-ben'].online).toBe(true);
  });

  it('ignores durable events it has already applied', () => {
    const room = run(
      roomFromSnapshot(snapshot()),
      durable({ type: 'new_message', seq: 3, message: message(3, 'late copy') }),
    );
    expect(contents(room)).toEqual(['first', 'second']);
  });

  it('streams an answer, then replaces it with the stored message', () => {
    const ephemeral = (event: object): RoomAction => ({
      kind: 'ephemeral',
      event: { session_id: SESSION, ...event } as never,
      now: 0,
    });
    let room = run(
      roomFromSnapshot(snapshot()),
      ephemeral({ type: 'agent_status', status: 'thinking', triggered_by: 'u-ben', message_id: 'a1' }),
    );
    expect(agentActivity(room)).toBe('thinking for Ben');
    room = run(
      room,
      ephemeral({ type: 'agent_delta', message_id: 'a1', delta: 'Two ' }),
      ephemeral({ type: 'agent_status', status: 'streaming', triggered_by: 'u-ben', message_id: 'a1' }),
      ephemeral({ type: 'agent_delta', message_id: 'a1', delta: 'divisors.' }),
    );
    expect(room.streaming?.content).toBe('Two divisors.');
    expect(agentActivity(room)).toBe('answering Ben');
    room = run(
      room,
      durable({
        type: 'new_message',
        seq: 5,
        message: message(5, 'Two divisors.', { id: 'a1', role: 'assistant', author_id: null, author_name: 'Tutor' }),
      }),
    );
    expect(room.streaming).toBeNull();
    // A delta that arrives after the stored message does not bring the stream back.
    room = run(room, ephemeral({ type: 'agent_delta', message_id: 'a1', delta: 'late' }));
    expect(room.streaming).toBeNull();
    expect(contents(room)).toEqual(['first', 'second', 'Two divisors.']);
  });

  it('after a resume, the server partial answer replaces what was streamed before the drop', () => {
    let room = run(roomFromSnapshot(snapshot()), {
      kind: 'ephemeral',
      event: { type: 'agent_delta', session_id: SESSION, message_id: 'a1', delta: 'Tw' },
      now: 0,
    });
    room = run(room, {
      kind: 'resumed',
      state: {
        events: [],
        participants: [],
        queue: [],
        agent: { status: 'streaming', message_id: 'a1', triggered_by: 'u-ben', partial_content: 'Two divisors' },
      },
    });
    expect(room.streaming?.content).toBe('Two divisors');
    expect(room.participants).toEqual([]);
  });

  it('keeps a deleted message in place as a tombstone', () => {
    const room = run(
      roomFromSnapshot(snapshot()),
      durable({ type: 'message_deleted', seq: 5, message_id: 'm2', by: 'u-teacher' }),
    );
    expect(room.messages[0]).toMatchObject({ id: 'm2', deleted: true, content: '' });
    expect(room.messages).toHaveLength(2);
  });

  it('hands: raised in order, removed by a grant, which moves the floor', () => {
    let room = run(
      roomFromSnapshot(snapshot()),
      durable({ type: 'hand_raised', seq: 5, user_id: 'u-ben' }),
      durable({ type: 'hand_raised', seq: 6, user_id: ME, note: 'primes' }),
    );
    expect(room.hands.map((h) => [h.name, h.note])).toEqual([
      ['Ben', null],
      ['Ada', 'primes'],
    ]);
    room = run(room, durable({ type: 'turn_granted', seq: 7, user_id: ME, by: 'u-teacher' }));
    expect(room.session.floor_user_id).toBe(ME);
    expect(room.hands.map((h) => h.name)).toEqual(['Ben']);
    room = run(room, durable({ type: 'session_updated', seq: 8, changes: { floor_user_id: null } }));
    expect(room.session.floor_user_id).toBeNull();
  });

  it('merges setting changes, including the agent part, and shows a pause', () => {
    const room = run(
      roomFromSnapshot(snapshot()),
      durable({ type: 'session_updated', seq: 5, changes: { locked: true, agent: { paused: true } } }),
    );
    expect(room.session.locked).toBe(true);
    expect(room.session.agent).toMatchObject({ paused: true, name: 'Tutor' });
    expect(agentActivity(room)).toBe('paused by the moderator');
  });

  it('follows my role and learns when I am removed', () => {
    let room = run(
      roomFromSnapshot(snapshot()),
      durable({ type: 'member_updated', seq: 5, user_id: ME, role: 'observer', muted_until: null }),
    );
    expect(room.me.role).toBe('observer');
    room = run(room, durable({ type: 'member_removed', seq: 6, user_id: ME, banned: true }));
    expect(room.removed).toEqual({ banned: true });
    // A later snapshot (a resync) does not forget it.
    room = run(room, { kind: 'snapshot', state: snapshot() });
    expect(room.removed).toEqual({ banned: true });
  });

  it('notes a join-code change, so a moderator page can fetch the new code', () => {
    const room = run(
      roomFromSnapshot(snapshot()),
      durable({ type: 'moderation', seq: 5, action: 'rotate_join_code', by: 'u-teacher' }),
      durable({ type: 'moderation', seq: 6, action: 'approve_message', by: 'u-teacher', message_id: 'm4' }),
    );
    expect(room.joinCodeChangedAt).toBe(5);
  });

  it('prepends older history without duplicates', () => {
    const room = run(roomFromSnapshot(snapshot()), {
      kind: 'history',
      messages: [message(1, 'zeroth'), message(2, 'first')],
      hasMore: false,
    });
    expect(contents(room)).toEqual(['zeroth', 'first', 'second']);
    expect(room.hasMore).toBe(false);
  });

  it('typing indicators come and go, and go stale by themselves', () => {
    const typing = (userId: string, isTyping: boolean, now: number): RoomAction => ({
      kind: 'ephemeral',
      event: { type: 'typing_indicator', session_id: SESSION, user_id: userId, is_typing: isTyping, name: 'Ben' },
      now,
    });
    let room = run(roomFromSnapshot(snapshot()), typing('u-ben', true, 1000), typing(ME, true, 1000));
    expect(Object.keys(room.typing)).toEqual(['u-ben']); // never oneself
    room = run(room, { kind: 'typing_expired', now: 3000 });
    expect(Object.keys(room.typing)).toEqual(['u-ben']);
    room = run(room, { kind: 'typing_expired', now: 8000 });
    expect(room.typing).toEqual({});
    room = run(
      room,
      typing('u-ben', true, 9000),
      durable({ type: 'new_message', seq: 5, message: message(5, 'sent') }),
    );
    expect(room.typing).toEqual({}); // their message arrived: they stopped typing
  });
});
