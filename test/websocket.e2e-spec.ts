import WebSocket from 'ws';
import type { DurableEvent } from '../src/contract/protocol.js';
import { WS_CLOSE } from '../src/realtime/ws-transport.js';
import { connect, eventually, recordDurable, signUp, startTestApp, type TestApp } from './support/test-app.js';

/** A plain-WebSocket client as a bot would write one: JSON frames in, JSON frames out. */
interface Bot {
  ws: WebSocket;
  frames: Array<Record<string, unknown>>;
  closed: Promise<{ code: number; reason: string }>;
  send(frame: unknown): void;
  /** Sends a frame with a request_id and resolves with its ack. */
  request(frame: Record<string, unknown>): Promise<Record<string, unknown>>;
  next(type: string, from?: number): Promise<Record<string, unknown>>;
  durable(): DurableEvent[];
}

let requests = 0;

function bot(
  app: TestApp,
  sessionId: string,
  query: Record<string, string> = {},
  headers: Record<string, string> = {},
  options: { autoPong?: boolean } = {},
): Bot {
  const url = new URL(`${app.url.replace('http', 'ws')}/ws/collaborative/${sessionId}`);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const ws = new WebSocket(url, { headers, ...options });
  const frames: Array<Record<string, unknown>> = [];
  ws.on('message', (data) => frames.push(JSON.parse(String(data)) as Record<string, unknown>));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  ws.on('error', () => undefined);
  const self: Bot = {
    ws,
    frames,
    closed,
    send: (frame) => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
    async request(frame) {
      const request_id = `r${++requests}`;
      const opened = ws.readyState === ws.OPEN ? Promise.resolve() : new Promise((r) => ws.once('open', r));
      await opened;
      ws.send(JSON.stringify({ ...frame, request_id }));
      return (await eventually(
        () => frames.find((f) => f.type === 'ack' && f.request_id === request_id),
        `the ack of ${String(frame.type)}`,
      ))!;
    },
    next: async (type, from = 0) =>
      (await eventually(() => frames.slice(from).find((f) => f.type === type), `a ${type} frame`))!,
    durable: () =>
      frames.filter((f) => typeof f.seq === 'number' && f.type !== 'session_state') as unknown as DurableEvent[],
  };
  return self;
}

/** Bots and tools in any language (issue 13): the same events, order and rules over a plain WebSocket. */
describe('the plain-WebSocket endpoint', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  async function room(title = 'Bots welcome') {
    const teacher = await signUp(app, 'Teacher');
    const { session } = await teacher.api.createSession({ title, agent: { responds_to: 'mentions' } });
    const guest = await app.api.guest(session.join_code!, 'Botty');
    return { teacher, session, guest };
  }

  it('closes with a documented 4xxx code for a missing or bad token, a non-member, a removed member and an unknown session', async () => {
    const { session, teacher, guest } = await room();
    expect(await bot(app, session.id).closed).toMatchObject({
      code: WS_CLOSE.unauthorized,
      reason: expect.stringContaining('a token is required'),
    });
    expect(await bot(app, session.id, { token: 'not-a-jwt' }).closed).toMatchObject({
      code: WS_CLOSE.unauthorized,
      reason: 'the token is not valid',
    });
    const stranger = await signUp(app, 'Stranger');
    expect((await bot(app, session.id, { token: stranger.access_token }).closed).code).toBe(WS_CLOSE.forbidden);
    expect((await bot(app, 'not-a-session', { token: stranger.access_token }).closed).code).toBe(WS_CLOSE.notFound);
    // A bearer header works as well as ?token=; a ban closes the open connection and keeps it out.
    const member = bot(app, session.id, {}, { authorization: `Bearer ${guest.access_token}` });
    await member.next('session_state');
    const mod = await connect(app, teacher.access_token);
    await mod.join(session.id);
    await mod.moderate({ session_id: session.id, action: 'kick', user_id: guest.user.id, ban: true });
    expect(await member.closed).toMatchObject({ code: WS_CLOSE.removed, reason: 'you were banned from this session' });
    expect((await bot(app, session.id, { token: guest.access_token }).closed).code).toBe(WS_CLOSE.forbidden);
  });

  it('opens with the session_state a Socket.IO join returns, takes the same frames and answers with the same acks', async () => {
    const { session, teacher, guest } = await room();
    const mod = await connect(app, teacher.access_token);
    const modEvents = recordDurable(mod);
    const sio = await mod.join(session.id);
    const b = bot(app, session.id, { token: guest.access_token });
    const state = await b.next('session_state');
    expect(Object.keys(state).sort()).toEqual(Object.keys({ ...sio, type: 'session_state' }).sort());
    expect(state).toMatchObject({ session: { id: session.id }, you: { user_id: guest.user.id, role: 'contributor' } });

    // No client_msg_id: the server gives one. The ack is the Socket.IO ack's payload plus the request_id.
    const ack = await b.request({ type: 'message', content: 'hello from a bot' });
    expect(ack).toMatchObject({
      type: 'ack',
      ok: true,
      message: { content: 'hello from a bot', author_id: guest.user.id, client_msg_id: expect.any(String) },
    });
    await eventually(
      () => modEvents.some((e) => e.type === 'new_message' && e.message.content === 'hello from a bot'),
      'the Socket.IO moderator seeing it',
    );
    await b.next('new_message');

    const typing = new Promise((resolve) => mod.on('typing_indicator', resolve));
    expect(await b.request({ type: 'typing_start' })).toMatchObject({ ok: true });
    expect(await typing).toMatchObject({ user_id: guest.user.id, is_typing: true });
    expect(await b.request({ type: 'raise_hand', note: 'a bot has a question' })).toMatchObject({ ok: true });
    await eventually(
      () => modEvents.some((e) => e.type === 'hand_raised' && e.user_id === guest.user.id),
      'hand_raised',
    );
    expect(await b.request({ type: 'load_history', before_seq: 1_000_000, limit: 5 })).toMatchObject({
      ok: true,
      messages: expect.any(Array),
      has_more: expect.any(Boolean),
    });
    // The same rules and error codes as Socket.IO.
    expect(await b.request({ type: 'moderate', action: 'lock' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(await b.request({ type: 'message', content: 'x'.repeat(9000) })).toMatchObject({
      ok: false,
      error: { code: 'too_large' },
    });
    expect(await b.request({ type: 'no_such_event' })).toMatchObject({
      ok: false,
      error: { code: 'bad_request', message: expect.stringContaining('unknown event') },
    });
    expect(await b.request({ type: 'join' })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    // Malformed JSON: an error frame, and the connection stays open.
    const before = b.frames.length;
    b.send('{"type": "message", oops');
    expect(await b.next('error', before)).toMatchObject({
      error: { code: 'bad_request', message: 'the frame is not valid JSON' },
    });
    expect(await b.request({ type: 'typing_stop' })).toMatchObject({ ok: true });
    b.ws.close();
  });

  it('gives Socket.IO and WebSocket participants one order, and counts a person on both as one participant', async () => {
    const { session, teacher, guest } = await room();
    const mod = await connect(app, teacher.access_token);
    const sioEvents = recordDurable(mod);
    await mod.join(session.id);
    const left: string[] = [];
    mod.on('participant_left', (e) => left.push(e.user_id));
    const b = bot(app, session.id, { token: guest.access_token });
    await b.next('session_state');
    // The same guest on Socket.IO too.
    const same = await connect(app, guest.access_token);
    await same.join(session.id);
    await Promise.all([
      (async () => {
        for (let i = 0; i < 15; i++) await b.request({ type: 'message', content: `ws ${i}` });
      })(),
      (async () => {
        for (let i = 0; i < 15; i++) await mod.send(session.id, `sio ${i}`);
      })(),
    ]);
    await eventually(
      () => b.durable().filter((e) => e.type === 'new_message').length >= 30,
      'every message on the WebSocket',
    );
    await eventually(
      () => sioEvents.filter((e) => e.type === 'new_message').length >= 30,
      'every message on Socket.IO',
    );
    const order = (events: DurableEvent[]) =>
      events
        .filter((e) => e.type === 'new_message')
        .map((e) => `${e.seq}:${(e as { message: { content: string } }).message.content}`);
    expect(order(b.durable())).toEqual(order(sioEvents));
    const participants = await teacher.api.call<Array<{ user_id: string; online: boolean }>>(
      'GET',
      `/sessions/${session.id}/members`,
    );
    expect(participants.filter((p) => p.user_id === guest.user.id && p.online)).toHaveLength(1);
    b.ws.close();
    await new Promise((r) => setTimeout(r, 200));
    expect(left).not.toContain(guest.user.id); // still here on Socket.IO
    same.close();
    await eventually(() => left.includes(guest.user.id), 'participant_left once the last connection is gone');
  });

  it('resumes with ?last_seq=N: exactly the missed durable events, then the ephemeral state', async () => {
    const { session, teacher, guest } = await room();
    const mod = await connect(app, teacher.access_token);
    await mod.join(session.id);
    const first = bot(app, session.id, { token: guest.access_token });
    const state = await first.next('session_state');
    first.ws.close();
    await first.closed;
    for (let i = 0; i < 5; i++) await mod.send(session.id, `while away ${i}`);
    const back = bot(app, session.id, { token: guest.access_token, last_seq: String(state.seq) });
    const resumed = await back.next('resumed');
    expect(resumed).toMatchObject({
      participants: expect.any(Array),
      queue: expect.any(Array),
      agent: expect.any(Object),
    });
    const missed = back.durable();
    expect(missed.map((e) => e.seq)).toEqual(missed.map((_, i) => (state.seq as number) + 1 + i));
    expect(
      missed
        .filter((e) => e.type === 'new_message')
        .map((e) => (e as { message: { content: string } }).message.content),
    ).toEqual([0, 1, 2, 3, 4].map((i) => `while away ${i}`));
    expect(back.frames.some((f) => f.type === 'session_state')).toBe(false);
    expect((await bot(app, session.id, { token: guest.access_token, last_seq: '-3' }).closed).code).toBe(
      WS_CLOSE.badRequest,
    );
    back.ws.close();
  });

  it('closes a frame over 256 KB with 1009', async () => {
    const { session, guest } = await room();
    const b = bot(app, session.id, { token: guest.access_token });
    await b.next('session_state');
    b.send(JSON.stringify({ type: 'message', content: 'x'.repeat(300 * 1024) }));
    expect((await b.closed).code).toBe(1009);
  });

  it('gives a WebSocket contributor and a Socket.IO contributor identical durable events: messages, a tutor answer, moderation, and a reconnect with last_seq', async () => {
    const teacher = await signUp(app, 'Teacher');
    const { session } = await teacher.api.createSession({ title: 'Same events', agent: { responds_to: 'all' } });
    const [wsGuest, sioGuest, third] = await Promise.all(
      ['Wes', 'Sia', 'Tom'].map((n) => app.api.guest(session.join_code!, n)),
    );
    const mod = await connect(app, teacher.access_token);
    await mod.join(session.id);
    const sio = await connect(app, sioGuest.access_token);
    const sioEvents = recordDurable(sio);
    await sio.join(session.id);
    let ws = bot(app, session.id, { token: wsGuest.access_token });
    const wsEvents: DurableEvent[] = [];
    const collect = (b: Bot) =>
      b.ws.on('message', (data) => {
        const f = JSON.parse(String(data)) as Record<string, unknown>;
        if (typeof f.seq === 'number' && f.type !== 'session_state') wsEvents.push(f as unknown as DurableEvent);
      });
    collect(ws);
    await ws.next('session_state');
    const asked = await ws.request({ type: 'message', content: 'What is a noun?' });
    await eventually(
      () =>
        sioEvents.some(
          (e) =>
            e.type === 'new_message' &&
            e.message.role === 'assistant' &&
            e.message.reply_to?.includes((asked.message as { id: string }).id),
        ),
      'the tutor answering',
    );
    await sio.send(session.id, 'And a verb?');
    await mod.moderate({ session_id: session.id, action: 'mute', user_id: third.user.id, seconds: 60 });
    await mod.moderate({ session_id: session.id, action: 'lock' });
    // The WebSocket drops and comes back with its last seq; meanwhile the room goes on.
    ws.ws.close();
    await ws.closed;
    const lastSeq = Math.max(...wsEvents.map((e) => e.seq)); // what it had when the connection ended
    await mod.moderate({ session_id: session.id, action: 'unlock' });
    await mod.send(session.id, 'Welcome back, everyone');
    ws = bot(app, session.id, { token: wsGuest.access_token, last_seq: String(lastSeq) });
    collect(ws);
    await ws.next('resumed');
    await eventually(
      () => sioEvents.some((e) => e.type === 'new_message' && e.message.content === 'Welcome back, everyone'),
      'the last message on Socket.IO',
    );
    await eventually(
      () => wsEvents.some((e) => e.type === 'new_message' && e.message.content === 'Welcome back, everyone'),
      'the last message on the WebSocket',
    );
    await new Promise((r) => setTimeout(r, 300));
    const upTo = Math.max(...wsEvents.map((e) => e.seq));
    expect(wsEvents.map((e) => e.seq)).toEqual(sioEvents.filter((e) => e.seq <= upTo).map((e) => e.seq));
    expect(wsEvents).toEqual(sioEvents.filter((e) => e.seq <= upTo));
    expect(new Set(wsEvents.map((e) => e.type))).toEqual(new Set(['new_message', 'member_updated', 'session_updated']));
    ws.ws.close();
  }, 30_000);

  it('serves a classic client unchanged: no request ids, no client_msg_id, and the events it handles', async () => {
    const teacher = await signUp(app, 'Teacher');
    const { session } = await teacher.api.createSession({ title: 'Classic', agent: { responds_to: 'all' } });
    const guest = await app.api.guest(session.join_code!, 'Classic');
    const classic = bot(app, session.id, { token: guest.access_token });
    await classic.next('session_state');
    const mod = await connect(app, teacher.access_token);
    await mod.join(session.id);
    expect(await classic.next('participant_joined')).toMatchObject({ user_id: teacher.user.id, name: 'Teacher' });
    classic.send({ type: 'typing_start' });
    classic.send({ type: 'message', content: 'Hello, can you help with fractions?' });
    classic.send({ type: 'typing_stop' });
    const mine = await eventually(
      () =>
        classic.frames.find(
          (f) =>
            f.type === 'new_message' &&
            (f.message as { content: string }).content === 'Hello, can you help with fractions?',
        ),
      'its own message',
    );
    expect(await classic.next('agent_status')).toMatchObject({
      status: expect.stringMatching(/thinking|streaming/),
      triggered_by: guest.user.id,
    });
    await eventually(
      () =>
        classic.frames.find(
          (f) => f.type === 'new_message' && (f.message as { role: string; reply_to?: string[] }).role === 'assistant',
        ),
      'the answer',
    );
    expect(mine).toBeTruthy();
    await mod.typingStart(session.id);
    expect(await classic.next('typing_indicator')).toMatchObject({ user_id: teacher.user.id, is_typing: true });
    // Acks come back without a request_id; a classic client can ignore them.
    expect(classic.frames.filter((f) => f.type === 'ack').every((f) => f.ok === true && !('request_id' in f))).toBe(
      true,
    );
    mod.close();
    expect(await classic.next('participant_left')).toMatchObject({ user_id: teacher.user.id });
    classic.ws.close();
  });

  it('takes a moderation action as its own frame type: {"type": "cancel_agent"}', async () => {
    const { session, teacher } = await room();
    const mod = bot(app, session.id, { token: teacher.access_token });
    await mod.next('session_state');
    expect(await mod.request({ type: 'cancel_agent' })).toMatchObject({
      ok: false,
      error: { code: 'bad_request', message: 'the agent is not answering anything' },
    });
    expect(await mod.request({ type: 'lock' })).toMatchObject({ ok: true });
    mod.ws.close();
  });
});

describe('plain-WebSocket heartbeats', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ WS_PING_INTERVAL_MS: '1000' });
  });
  afterAll(() => app.close());

  it('drops a connection that stops answering pings, and keeps one that answers', async () => {
    const teacher = await signUp(app, 'Teacher');
    const { session } = await teacher.api.createSession({ title: 'Heartbeats' });
    const [deadGuest, liveGuest] = await Promise.all(
      ['Dead', 'Alive'].map((n) => app.api.guest(session.join_code!, n)),
    );
    const dead = bot(app, session.id, { token: deadGuest.access_token }, {}, { autoPong: false });
    const alive = bot(app, session.id, { token: liveGuest.access_token });
    await Promise.all([dead.next('session_state'), alive.next('session_state')]);
    const started = Date.now();
    const closed = await dead.closed;
    expect(closed.code).toBe(1006); // terminated: no closing handshake for a dead peer
    expect(Date.now() - started).toBeLessThan(5000);
    expect(alive.ws.readyState).toBe(WebSocket.OPEN);
    expect(await alive.request({ type: 'typing_start' })).toMatchObject({ ok: true });
    alive.ws.close();
  });
});
