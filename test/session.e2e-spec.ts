import {
  RoundtableClient,
  RoundtableError,
  type DurableEvent,
  type NewMessageEvent,
} from '../client/sdk/roundtable-client.js';
import {
  connect,
  eventually,
  nextEvent,
  rawAck,
  rawAckWithin,
  recordDurable,
  signUp,
  startTestApp,
  type TestApp,
  type TestUser,
} from './support/test-app.js';

// The agent answers only @mentions here, so the conversation is people's alone.
const quietAgent = { agent: { responds_to: 'mentions' } };

const contents = (events: DurableEvent[], base = 0) =>
  events
    .filter((e): e is NewMessageEvent => e.type === 'new_message')
    .map((e) => `${e.seq - base}:${e.message.content}`);

describe('the shared session', () => {
  let app: TestApp;
  let ada: TestUser;
  let bo: TestUser;
  let cy: TestUser;

  beforeAll(async () => {
    app = await startTestApp();
    [ada, bo, cy] = await Promise.all([signUp(app, 'Ada'), signUp(app, 'Bo'), signUp(app, 'Cy')]);
  });
  afterAll(() => app.close());

  async function sessionWithMembers(settings: Record<string, unknown> = quietAgent) {
    const { session } = await ada.api.createSession({ title: 'Algebra', ...settings });
    await ada.api.setMember(session.id, bo.user.id, 'contributor');
    await ada.api.setMember(session.id, cy.user.id, 'contributor');
    return session;
  }

  it('refuses a handshake without a valid token with connect_error "unauthorized"', async () => {
    for (const token of ['', 'not-a-jwt', `${ada.access_token}x`]) {
      await expect(new RoundtableClient({ url: app.url, token }).connect()).rejects.toThrow('unauthorized');
    }
  });

  it('shows three participants the same messages in the same order', async () => {
    const session = await sessionWithMembers();
    const clients = await Promise.all([ada, bo, cy].map((u) => connect(app, u.access_token)));
    const logs = clients.map(recordDurable);
    const [state] = await Promise.all(clients.map((c) => c.join(session.id)));
    const base = state.seq; // the membership changes came first

    await clients[0].send(session.id, 'Good morning');
    await clients[1].send(session.id, 'Hi!');
    await clients[2].send(session.id, 'Hello');
    await eventually(() => logs.every((l) => contents(l).length === 3), 'three messages everywhere');
    expect(contents(logs[0], base)).toEqual(['1:Good morning', '2:Hi!', '3:Hello']);
    expect(contents(logs[1])).toEqual(contents(logs[0]));
    expect(contents(logs[2])).toEqual(contents(logs[0]));
    const message = (logs[1][0] as NewMessageEvent).message;
    expect(message).toMatchObject({
      role: 'user',
      author_id: ada.user.id,
      author_name: 'Ada',
      status: 'complete',
      seq: base + 1,
    });
    expect(Date.parse(message.timestamp)).not.toBeNaN();
  });

  it('gives 20 concurrent senders one gap-free seq order, identical for everyone', async () => {
    const { session } = await ada.api.createSession({ title: 'Rush', ...quietAgent });
    const guests = await Promise.all(
      Array.from({ length: 20 }, (_, i) => app.api.guest(session.join_code!, `Student ${i + 1}`)),
    );
    const senders = await Promise.all(guests.map((g) => connect(app, g.access_token)));
    const watchers = await Promise.all([ada, ada].map((u) => connect(app, u.access_token)));
    const logs = [...senders, ...watchers].map(recordDurable);
    await Promise.all([...senders, ...watchers].map((c) => c.join(session.id)));
    const base = watchers[0].lastSeq(session.id);

    const acks = await Promise.all(senders.map((c, i) => c.send(session.id, `answer ${i + 1}`)));
    const seqs = acks.map((m) => m.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 20 }, (_, i) => base + i + 1));

    await eventually(() => logs.every((l) => contents(l).length === 20), 'all 20 messages everywhere');
    const reference = contents(logs[0]);
    for (const log of logs) expect(contents(log)).toEqual(reference);
    expect(reference.map((line) => Number(line.split(':')[0]))).toEqual(seqs);
  });

  it('gives a late joiner 50 messages with has_more, and pages back to message 1', async () => {
    const session = await sessionWithMembers();
    // Ten writers, fifty lines each, at once: the order is whatever the server's seq says. (Ten people:
    // one person's sockets share one flood allowance.)
    const guests = await Promise.all(
      Array.from({ length: 10 }, (_, k) => app.api.guest(session.join_code!, `Writer ${k}`)),
    );
    const writers = await Promise.all(guests.map((g) => connect(app, g.access_token)));
    const acked = (
      await Promise.all(
        writers.map(async (w, k) => {
          const sent = [];
          for (let i = 1; i <= 50; i++) sent.push(await w.send(session.id, `line ${k}-${i}`));
          return sent;
        }),
      )
    ).flat();
    const inOrder = acked.sort((a, b) => a.seq - b.seq).map((m) => m.content);

    const late = await connect(app, cy.access_token);
    const state = await late.join(session.id);
    expect(state.messages).toHaveLength(50);
    expect(state.total_messages).toBe(500);
    expect(state.has_more).toBe(true);
    expect(state.messages.map((m) => m.content)).toEqual(inOrder.slice(450));

    const seen = [...state.messages];
    let before = state.messages[0].seq;
    for (let page = 0; page < 20; page++) {
      const older = await late.loadHistory(session.id, before, 100);
      seen.unshift(...[...older.messages].reverse());
      if (!older.has_more) break;
      before = older.messages[older.messages.length - 1].seq;
    }
    expect(seen).toHaveLength(500);
    expect(seen.map((m) => m.content)).toEqual(inOrder);

    const rest = await bo.api.call<{ messages: Array<{ content: string }>; has_more: boolean }>(
      'GET',
      `/sessions/${session.id}/messages?limit=2`,
    );
    expect(rest.messages.map((m) => m.content)).toEqual([inOrder[499], inOrder[498]]);
    expect(rest.has_more).toBe(true);
  }, 120_000);

  it('stores a message once when the same client_msg_id is sent again', async () => {
    const session = await sessionWithMembers();
    const [sender, watcher] = await Promise.all([connect(app, bo.access_token), connect(app, cy.access_token)]);
    const seen = recordDurable(watcher);
    const { seq: base } = await watcher.join(session.id);
    const first = await sender.send(session.id, 'only once', { clientMsgId: 'retry-1' });
    const again = await sender.send(session.id, 'only once', { clientMsgId: 'retry-1' });
    const third = await sender.send(session.id, 'different text, same id', { clientMsgId: 'retry-1' });
    expect(again).toEqual(first);
    expect(third).toEqual(first);
    const history = await bo.api.call<{ messages: unknown[] }>('GET', `/sessions/${session.id}/messages`);
    expect(history.messages).toHaveLength(1);
    await sender.send(session.id, 'marker');
    await eventually(() => contents(seen).length === 2, 'the marker');
    expect(contents(seen, base)).toEqual(['1:only once', '2:marker']);
  });

  it('announces two tabs of one user as one participant, and leaves when the last tab goes', async () => {
    const session = await sessionWithMembers();
    const observer = await connect(app, ada.access_token);
    await observer.join(session.id);
    const joined: unknown[] = [];
    const left: unknown[] = [];
    observer.on('participant_joined', (e) => joined.push(e));
    observer.on('participant_left', (e) => left.push(e));

    const tab1 = await connect(app, bo.access_token);
    const tab2 = await connect(app, bo.access_token);
    await tab1.join(session.id);
    const state = await tab2.join(session.id);
    expect(state.participants.filter((p) => p.user_id === bo.user.id)).toHaveLength(1);
    await eventually(() => joined.length === 1, 'participant_joined');
    expect(joined[0]).toMatchObject({
      type: 'participant_joined',
      user_id: bo.user.id,
      name: 'Bo',
      role: 'contributor',
      session_id: session.id,
    });

    tab1.close();
    await new Promise((r) => setTimeout(r, 300));
    expect(left).toHaveLength(0);
    const members = await ada.api.members(session.id);
    expect(members.find((m) => m.user_id === bo.user.id)?.online).toBe(true);
    tab2.close();
    await eventually(() => left.length === 1, 'participant_left');
    expect(left[0]).toMatchObject({ user_id: bo.user.id });
    expect(joined).toHaveLength(1);
  });

  it('tells everyone of a class arriving at once, each arrival once, and in one frame to a batched client', async () => {
    const session = await sessionWithMembers();
    const newcomers = await Promise.all(['Di', 'Ed', 'Flo', 'Gus', 'Hal'].map((name) => signUp(app, name)));
    for (const u of newcomers) await ada.api.setMember(session.id, u.user.id, 'contributor');
    // Ada hears of each arrival on its own (the protocol's default); Bo asked for them batched.
    const teacher = await connect(app, ada.access_token);
    await teacher.join(session.id);
    const batched = await connect(app, bo.access_token);
    const batchedState = await batched.join(session.id, { presence: 'batched' });
    const each: string[] = [];
    teacher.on('participant_joined', (e) => each.push(e.user_id));
    const changes: Array<{ joined: string[]; left: string[] }> = [];
    let single = 0;
    batched.on('participants_changed', (e) => changes.push({ joined: e.joined.map((p) => p.user_id), left: e.left }));
    batched.on('participant_joined', () => single++);

    const clients = await Promise.all(newcomers.map((u) => connect(app, u.access_token)));
    const heard = clients.map(() => [] as string[]);
    clients.forEach((c, i) => c.on('participant_joined', (e) => heard[i].push(e.user_id)));
    const states = await Promise.all(clients.map((c) => c.join(session.id)));
    const ids = newcomers.map((u) => u.user.id);
    const arrivals = () => each.filter((id) => ids.includes(id)); // Bo's own arrival may come late
    await eventually(() => arrivals().length === ids.length, 'an arrival each');
    await eventually(() => new Set(changes.flatMap((c) => c.joined)).size === ids.length, 'the batched arrivals');
    await new Promise((r) => setTimeout(r, 200)); // nothing more comes
    expect(arrivals().sort()).toEqual([...ids].sort());
    expect(single).toBe(0);
    expect(changes.flatMap((c) => c.left)).toEqual([]);
    // Every newcomer learns of every other exactly once: in its snapshot, or by an event after it.
    states.forEach((state, i) => {
      for (const other of ids.filter((id) => id !== ids[i])) {
        const inSnapshot = state.participants.some((p) => p.user_id === other);
        expect(heard[i].filter((id) => id === other)).toHaveLength(inSnapshot ? 0 : 1);
      }
    });

    clients[0].close();
    await eventually(() => changes.some((c) => c.left.includes(ids[0])), 'the departure, batched');
    // Bo's view, its snapshot with each batch applied, is who is here.
    const here = new Set(batchedState.participants.map((p) => p.user_id));
    for (const change of changes) {
      change.joined.forEach((id) => here.add(id));
      change.left.forEach((id) => here.delete(id));
    }
    const online = (await ada.api.members(session.id)).filter((m) => m.online).map((m) => m.user_id);
    expect([...here].sort()).toEqual(online.sort());
    expect(online).toHaveLength(2 + ids.length - 1);
    for (const c of [teacher, batched, ...clients.slice(1)]) c.close();
  });

  it('lists the whole roster to staff and, to a contributor, staff, the muted and themselves', async () => {
    const session = await sessionWithMembers();
    const [teacher, student] = await Promise.all([connect(app, ada.access_token), connect(app, bo.access_token)]);
    const staffView = await teacher.join(session.id);
    expect(staffView.members_complete).toBe(true);
    expect(staffView.members?.map((m) => m.user_id).sort()).toEqual([ada, bo, cy].map((u) => u.user.id).sort());
    const studentView = await student.join(session.id);
    expect(studentView.members_complete).toBe(false);
    expect(studentView.members?.map((m) => m.user_id).sort()).toEqual([ada, bo].map((u) => u.user.id).sort());

    await teacher.moderate({ session_id: session.id, action: 'mute', user_id: cy.user.id, seconds: 60 });
    const later = await connect(app, bo.access_token);
    const again = await later.join(session.id);
    expect(again.members?.find((m) => m.user_id === cy.user.id)?.muted_until).toEqual(expect.any(String));
    for (const c of [teacher, student, later]) c.close();
  });

  it('resumes a reconnecting client from last_seq with exactly the missed events', async () => {
    const session = await sessionWithMembers();
    const [writer, reader] = await Promise.all([connect(app, bo.access_token), connect(app, cy.access_token)]);
    const received = recordDurable(reader);
    const { seq: base } = await reader.join(session.id);
    await writer.send(session.id, 'before 1');
    await writer.send(session.id, 'before 2');
    await eventually(() => received.length === 2, 'the first two');

    reader.socket.disconnect();
    await writer.send(session.id, 'missed 1');
    await writer.send(session.id, 'missed 2');
    await writer.send(session.id, 'missed 3');

    // The raw protocol: join with last_seq answers the missed events in order.
    const raw = await connect(app, cy.access_token);
    const answer = (await rawAck(raw, 'join', { session_id: session.id, last_seq: base + 2 })) as {
      ok: boolean;
      resumed: boolean;
      events: DurableEvent[];
    };
    expect(answer.ok).toBe(true);
    expect(answer.resumed).toBe(true);
    expect(contents(answer.events, base)).toEqual(['3:missed 1', '4:missed 2', '5:missed 3']);

    // The SDK does the same by itself on reconnect, and then carries on live.
    reader.socket.connect();
    await eventually(() => received.length === 5, 'the missed events');
    await writer.send(session.id, 'after');
    await eventually(() => received.length === 6, 'the live event');
    expect(contents(received, base)).toEqual([
      '1:before 1',
      '2:before 2',
      '3:missed 1',
      '4:missed 2',
      '5:missed 3',
      '6:after',
    ]);
  });

  it('clears a typing indicator nobody refreshed after 5 s', async () => {
    const session = await sessionWithMembers();
    const [typist, watcher] = await Promise.all([connect(app, bo.access_token), connect(app, cy.access_token)]);
    await Promise.all([typist.join(session.id), watcher.join(session.id)]);
    const indicators: Array<{ user_id: string; is_typing: boolean; at: number }> = [];
    watcher.on('typing_indicator', (e) => indicators.push({ ...e, at: Date.now() }));
    const typistSees: unknown[] = [];
    typist.on('typing_indicator', (e) => typistSees.push(e));

    const started = Date.now();
    await typist.typingStart(session.id);
    await eventually(() => indicators.length === 1, 'typing on');
    expect(indicators[0]).toMatchObject({ user_id: bo.user.id, is_typing: true });
    await eventually(() => indicators.length === 2, 'typing cleared', 9000);
    expect(indicators[1]).toMatchObject({ user_id: bo.user.id, is_typing: false });
    expect(indicators[1].at - started).toBeGreaterThanOrEqual(4900);
    expect(typistSees).toHaveLength(0);
  });

  it('answers every malformed payload with an error ack and changes nothing', async () => {
    const session = await sessionWithMembers();
    const client = await connect(app, bo.access_token);
    await client.join(session.id);
    const before = await bo.api.call<{ events: unknown[] }>('GET', `/sessions/${session.id}/events`);
    const sid = session.id;
    const cases: Array<[string, unknown[], string]> = [
      ['join', [{}], 'bad_request'],
      ['join', ['a string'], 'bad_request'],
      ['join', [{ session_id: 'not-a-uuid' }], 'bad_request'],
      ['join', [{ session_id: sid, last_seq: 'x' }], 'bad_request'],
      ['join', [null], 'bad_request'],
      ['leave', [42], 'bad_request'],
      ['message', [{ session_id: sid }], 'bad_request'],
      ['message', [{ session_id: sid, content: 5, client_msg_id: 'a' }], 'bad_request'],
      ['message', [{ session_id: sid, content: 'x', client_msg_id: '' }], 'bad_request'],
      ['message', [{ session_id: sid, content: '   ', client_msg_id: 'blank' }], 'bad_request'],
      ['message', [{ session_id: sid, content: 'x'.repeat(8001), client_msg_id: 'big' }], 'too_large'],
      ['message', [{ session_id: sid, content: 'x', client_msg_id: 'v', visibility: 'everyone' }], 'bad_request'],
      ['message', [[1, 2, 3]], 'bad_request'],
      ['typing_start', [{ session_id: 12 }], 'bad_request'],
      ['typing_stop', [{}], 'bad_request'],
      ['raise_hand', [{ session_id: sid, note: { nested: true } }], 'bad_request'],
      ['lower_hand', [{ session_id: sid, note: 'x'.repeat(300) }], 'bad_request'],
      ['load_history', [{ session_id: sid }], 'bad_request'],
      ['load_history', [{ session_id: sid, before_seq: -1 }], 'bad_request'],
      ['load_history', [{ session_id: sid, before_seq: 10, limit: 10_000 }], 'bad_request'],
      ['moderate', [{ session_id: sid, action: 'explode' }], 'forbidden'],
      ['no_such_event', [{ session_id: sid }], 'bad_request'],
    ];
    for (const [event, args, code] of cases) {
      const answer = (await rawAck(client, event, ...args)) as {
        ok: boolean;
        error: { code: string; message: string };
      };
      expect([event, answer.ok, answer.error?.code]).toEqual([event, false, code]);
      expect(answer.error.message.length).toBeGreaterThan(0);
    }
    // A bad payload named the field it disliked.
    const named = (await rawAck(client, 'load_history', { session_id: sid, before_seq: 'soon' })) as {
      error: { message: string };
    };
    expect(named.error.message).toContain('before_seq');
    // The connection survived, and nothing was written.
    const after = await bo.api.call<{ events: unknown[] }>('GET', `/sessions/${session.id}/events`);
    expect(after.events).toEqual(before.events);
    await expect(client.send(session.id, 'still here')).resolves.toMatchObject({ content: 'still here' });
  });

  it('refuses to send to a session the user is not in, learning nothing about it', async () => {
    const { session } = await ada.api.createSession({ title: 'Private' });
    const outsider = await connect(app, cy.access_token);
    await expect(outsider.join(session.id)).rejects.toMatchObject({ code: 'not_member' });
    await expect(outsider.join('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ code: 'not_member' });
    await expect(outsider.send(session.id, 'hi')).rejects.toBeInstanceOf(RoundtableError);
  });

  it('keeps the event log and the transcript in order, in JSON and Markdown', async () => {
    const session = await sessionWithMembers();
    const client = await connect(app, bo.access_token);
    await client.send(session.id, 'What is *x*?');
    await client.send(session.id, 'Second');
    const events = await bo.api.call<{ events: DurableEvent[]; has_more: boolean }>(
      'GET',
      `/sessions/${session.id}/events?after_seq=0`,
    );
    expect(events.events.map((e) => e.seq)).toEqual(events.events.map((_, i) => i + 1));
    expect(contents(events.events).map((c) => c.split(':')[1])).toEqual(['What is *x*?', 'Second']);
    const json = await bo.api.call<{ messages: Array<{ content: string }> }>(
      'GET',
      `/sessions/${session.id}/transcript`,
    );
    expect(json.messages.map((m) => m.content)).toEqual(['What is *x*?', 'Second']);
    const markdown = await fetch(`${app.url}/sessions/${session.id}/transcript?format=markdown`, {
      headers: { authorization: `Bearer ${bo.access_token}` },
    });
    expect(markdown.headers.get('content-type')).toContain('text/markdown');
    const text = await markdown.text();
    expect(text).toContain('# Algebra');
    expect(text.indexOf('What is *x*?')).toBeLessThan(text.indexOf('Second'));
    expect(text).toContain('**Bo**');
  });

  it('waits for nobody: a message event arrives before the ack on other sockets too', async () => {
    const session = await sessionWithMembers();
    const [sender, other] = await Promise.all([connect(app, bo.access_token), connect(app, cy.access_token)]);
    await Promise.all([sender.join(session.id), other.join(session.id)]);
    const arrival = nextEvent<NewMessageEvent>(other, 'new_message');
    const sent = await sender.send(session.id, 'ping');
    expect((await arrival).message.id).toBe(sent.id);
  });

  it('refuses a flood from one connection without disturbing anyone else', async () => {
    const session = await sessionWithMembers();
    const [flooder, neighbour] = await Promise.all([connect(app, bo.access_token), connect(app, cy.access_token)]);
    await Promise.all([flooder.join(session.id), neighbour.join(session.id)]);
    const answers = (await Promise.all(
      Array.from({ length: 400 }, () =>
        rawAckWithin(45_000, flooder, 'load_history', { session_id: session.id, before_seq: 1 }),
      ),
    )) as Array<{ ok: boolean; error?: { code: string; retry_after_ms: number } }>;
    const refused = answers.filter((a) => !a.ok);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0].error).toMatchObject({ code: 'rate_limited', retry_after_ms: expect.any(Number) });
    await expect(neighbour.send(session.id, 'unbothered')).resolves.toMatchObject({ content: 'unbothered' });
    await new Promise((r) => setTimeout(r, 1100));
    await expect(flooder.send(session.id, 'calm again')).resolves.toMatchObject({ content: 'calm again' });
  });
});
