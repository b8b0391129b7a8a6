import type { DurableEvent, NewMessageEvent, RoundtableClient, WireMessage } from '../client/sdk/roundtable-client.js';
import { FakeOpenAi } from './support/fake-openai.js';
import {
  connect,
  eventually,
  nextEvent,
  recordDurable,
  signUp,
  startTestApp,
  type TestApp,
  type TestUser,
} from './support/test-app.js';

/** Every text the client received in a message (new_message, snapshots, resumes and history alike). */
const textsIn = (events: DurableEvent[]) =>
  events.flatMap((e) => (e.type === 'new_message' ? [e.message.content] : []));
const messageEvents = (events: DurableEvent[], id: string) =>
  events.filter((e): e is NewMessageEvent => e.type === 'new_message' && e.message.id === id);

/**
 * A lesson with the features a teacher runs one with: questions held back
 * under `moderated`, upvotes and the `votes` policy, anonymous asking, a
 * display screen for the projector, places in line, and closing the room.
 * A local OpenAI-compatible model records what the tutor is sent.
 */
describe('a real lesson', () => {
  let fake: FakeOpenAi;
  let app: TestApp;
  let teacher: TestUser;
  let observer: TestUser;

  beforeAll(async () => {
    fake = await new FakeOpenAi().start();
    app = await startTestApp({ OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'test-key', AGENT_MODEL: 'fake-model' });
    teacher = await signUp(app, 'Ms Smith');
    observer = await signUp(app, 'Visiting teacher');
  });
  afterAll(async () => {
    await app.close();
    await fake.close();
  });

  async function lesson(settings: Record<string, unknown>, students: string[]) {
    const { session } = await teacher.api.createSession({ title: 'Algebra', ...settings });
    await teacher.api.setMember(session.id, observer.user.id, 'observer');
    const mod = await connect(app, teacher.access_token);
    const modLog = recordDurable(mod);
    await mod.join(session.id);
    const obs = await connect(app, observer.access_token);
    const obsLog = recordDurable(obs);
    const obsState = await obs.join(session.id);
    const guests = await Promise.all(students.map((name) => app.api.guest(session.join_code!, name)));
    const clients: RoundtableClient[] = [];
    const logs: DurableEvent[][] = [];
    for (const guest of guests) {
      const client = await connect(app, guest.access_token);
      logs.push(recordDurable(client));
      await client.join(session.id);
      clients.push(client);
    }
    return { session, mod, modLog, obs, obsLog, obsState, guests, clients, logs };
  }

  it('under moderated, a question reaches only its author and the moderators until approved, then everyone, at the approval', async () => {
    const { session, mod, modLog, obs, obsLog, guests, clients, logs } = await lesson({ turn_policy: 'moderated' }, [
      'Amira',
      'Ben',
    ]);
    const [amira] = clients;
    await mod.moderate({ session_id: session.id, action: 'pause_agent' });
    const question = await amira.send(session.id, 'can u do my homework 4 me');
    expect(question).toMatchObject({ held: true, approval: 'waiting', visibility: 'staff' });
    const fine = await amira.send(session.id, 'why is x squared never negative?');

    // The moderator sees both; Ben and the observer see placeholders, in the same seq order.
    await eventually(() => textsIn(modLog).includes('why is x squared never negative?'), 'the moderator to see it');
    await eventually(() => logs[1].some((e) => e.seq === fine.seq), 'Ben to get the seq');
    for (const log of [logs[1], obsLog]) {
      expect(textsIn(log)).toEqual([]);
      expect(log.filter((e) => e.seq === question.seq || e.seq === fine.seq).map((e) => e.type)).toEqual([
        'hidden',
        'hidden',
      ]);
    }
    // Nor does a fresh snapshot, history, the event log or the transcript show them to Ben or the observer.
    const benApi = app.api.withToken(guests[1].access_token);
    const obsApi = app.api.withToken(observer.access_token);
    for (const api of [benApi, obsApi]) {
      const everything = JSON.stringify([
        await api.call('GET', `/sessions/${session.id}/messages`),
        await api.call('GET', `/sessions/${session.id}/events`),
        await api.call('GET', `/sessions/${session.id}/transcript`),
      ]);
      expect(everything).not.toContain('homework');
      expect(everything).not.toContain('never negative');
    }
    const benAgain = await connect(app, guests[1].access_token);
    expect(JSON.stringify(await benAgain.join(session.id))).not.toContain('homework');
    expect(JSON.stringify(await (await connect(app, observer.access_token)).join(session.id))).not.toContain(
      'homework',
    );
    // Its author's own snapshot shows it, waiting.
    const amiraAgain = await connect(app, guests[0].access_token);
    expect((await amiraAgain.join(session.id)).messages.find((m) => m.id === question.id)).toMatchObject({
      approval: 'waiting',
    });

    // Approval: everyone receives it now, at the approval's seq, and it moves there.
    await mod.moderate({ session_id: session.id, action: 'approve_message', message_id: fine.id });
    await eventually(() => messageEvents(logs[1], fine.id).length === 1, 'Ben to see the approved question');
    const revealed = messageEvents(logs[1], fine.id)[0];
    expect(revealed.seq).toBeGreaterThan(fine.seq);
    expect(revealed.message).toMatchObject({
      content: 'why is x squared never negative?',
      seq: revealed.seq,
      visibility: 'all',
      approved_by: teacher.user.id,
    });
    expect(revealed.message.held).toBeUndefined();
    await eventually(() => messageEvents(obsLog, fine.id).length === 1, 'the observer to see it');
    // Its author saw it twice: held at arrival, public at approval.
    await eventually(() => messageEvents(logs[0], fine.id).length === 2, 'Amira to see it moved');
    const history = (await benApi.call<{ messages: WireMessage[] }>('GET', `/sessions/${session.id}/messages`))
      .messages;
    expect(history.find((m) => m.id === fine.id)?.seq).toBe(revealed.seq);

    // Dismissal, with a reason: only its author (and the moderators) hear of it.
    await mod.moderate({
      session_id: session.id,
      action: 'dismiss_message',
      message_id: question.id,
      reason: 'ask about the topic, please',
    });
    const dismissal = await eventually(
      (): DurableEvent | undefined =>
        logs[0].find((e) => e.type === 'moderation' && (e as { action?: string }).action === 'dismiss_message'),
      'Amira to hear of the dismissal',
    );
    expect(dismissal as unknown).toMatchObject({ message_id: question.id, reason: 'ask about the topic, please' });
    await eventually(() => logs[1].some((e) => e.seq === dismissal!.seq), 'Ben to get the seq');
    expect(logs[1].find((e) => e.seq === dismissal!.seq)?.type).toBe('hidden');
    expect(obsLog.find((e) => e.seq === dismissal!.seq)?.type).toBe('hidden');
    const mine = (
      await app.api
        .withToken(guests[0].access_token)
        .call<{ messages: WireMessage[] }>('GET', `/sessions/${session.id}/messages`)
    ).messages;
    expect(mine.find((m) => m.id === question.id)).toMatchObject({
      approval: 'dismissed',
      dismiss_reason: 'ask about the topic, please',
    });

    // The tutor answers the approved question and never sees the dismissed one.
    const before = fake.requests.length;
    await mod.moderate({ session_id: session.id, action: 'resume_agent', answer_pending: true });
    await eventually(() => fake.requests.length > before, 'the tutor to be asked');
    const prompt = JSON.stringify(fake.requests[fake.requests.length - 1].messages);
    expect(prompt).toContain('never negative');
    expect(prompt).not.toContain('homework');
    expect(modLog.length).toBeGreaterThan(0);
    void obs;
  });

  it('switching to moderated holds what is queued; switching away sends nothing unapproved until approve_all', async () => {
    const { session, mod, clients } = await lesson({ turn_policy: 'round_robin' }, ['Chloé', 'Dev']);
    await mod.moderate({ session_id: session.id, action: 'pause_agent' });
    const queued = await clients[0].send(session.id, 'what is a prime?');
    await mod.moderate({ session_id: session.id, action: 'set_policy', turn_policy: 'moderated' });
    const queue = () =>
      mod.request('join', { session_id: session.id }).then((a) => ('state' in a ? a.state.queue : []));
    expect(await queue()).toEqual([]);
    const held = await clients[1].send(session.id, 'is 1 prime?');
    await mod.moderate({ session_id: session.id, action: 'set_policy', turn_policy: 'fifo' });
    const explained = await teacher.api.call<{ queue: unknown[]; awaiting_approval: Array<{ message_id: string }> }>(
      'GET',
      `/sessions/${session.id}/queue`,
    );
    expect(explained.queue).toEqual([]);
    expect(explained.awaiting_approval.map((q) => q.message_id)).toEqual([queued.id, held.id]);
    expect(await mod.moderate({ session_id: session.id, action: 'approve_all' })).toMatchObject({ count: 2 });
    expect((await queue()).map((q) => q.message_id).sort()).toEqual([queued.id, held.id].sort());

    // Hands stay across a switch unless the moderator clears them.
    await clients[0].raiseHand(session.id);
    await mod.moderate({ session_id: session.id, action: 'set_policy', turn_policy: 'hand_raise' });
    expect(
      await mod.request('join', { session_id: session.id }).then((a) => ('state' in a ? a.state.hands.length : -1)),
    ).toBe(1);
    await mod.moderate({ session_id: session.id, action: 'set_policy', turn_policy: 'fifo', clear_hands: true });
    expect(
      await mod.request('join', { session_id: session.id }).then((a) => ('state' in a ? a.state.hands.length : -1)),
    ).toBe(0);
  });

  it('votes: upvotes once per person reach everyone; the most upvoted goes first, but nobody twice in a row while others wait', async () => {
    const { session, mod, obs, clients, logs } = await lesson({ turn_policy: 'votes' }, ['Eli', 'Fay', 'Gus']);
    const [eli, fay, gus] = clients;
    await mod.moderate({ session_id: session.id, action: 'pause_agent' });
    const e1 = await eli.send(session.id, 'e1: why do we factor?');
    const e2 = await eli.send(session.id, 'e2: and completing the square?');
    const f1 = await fay.send(session.id, 'f1: what is a parabola?');
    const g1 = await gus.send(session.id, 'g1: homework due when?');

    expect(await fay.upvote(session.id, e2.id)).toBe(1);
    expect(await gus.upvote(session.id, e2.id)).toBe(2);
    expect(await gus.upvote(session.id, e2.id)).toBe(2); // once per person: the same count, nothing changes
    expect(await obs.upvote(session.id, e1.id)).toBe(1);
    expect(await gus.upvote(session.id, e1.id)).toBe(2);
    expect(await fay.upvote(session.id, f1.id)).toBe(1);
    await expect(mod.upvote(session.id, f1.id)).rejects.toMatchObject({ code: 'forbidden' });
    await eventually(
      () => logs[2].filter((e) => e.type === 'votes_changed').length === 5,
      'Gus to see five count changes',
    );
    expect(logs[2].filter((e) => e.type === 'votes_changed').at(-1)).toMatchObject({ message_id: f1.id, votes: 1 });

    // e1 and e2 lead with 2 each (e1 is older); then Eli may not go twice in a row while Fay and Gus wait.
    const order = await teacher.api.call<{ queue: Array<{ message_id: string; votes: number }> }>(
      'GET',
      `/sessions/${session.id}/queue`,
    );
    expect(order.queue.map((q) => q.message_id)).toEqual([e1.id, f1.id, e2.id, g1.id]);
    expect(order.queue.map((q) => q.votes)).toEqual([2, 1, 2, 0]);

    // An upvote reorders: g1 to 3 goes first.
    for (const voter of [eli, fay]) await voter.upvote(session.id, g1.id);
    await obs.upvote(session.id, g1.id);
    const reordered = await teacher.api.call<{ queue: Array<{ message_id: string }> }>(
      'GET',
      `/sessions/${session.id}/queue`,
    );
    expect(reordered.queue[0].message_id).toBe(g1.id);

    // The tutor answers in that order.
    const answered: string[] = [];
    mod.onDurable(
      (e) => e.type === 'new_message' && e.message.role === 'assistant' && answered.push(...(e.message.reply_to ?? [])),
    );
    await mod.moderate({ session_id: session.id, action: 'resume_agent', answer_pending: true });
    await eventually(() => answered.length === 4, 'four answers');
    expect(answered).toEqual([g1.id, e1.id, f1.id, e2.id]);
    // Answered questions take no more votes.
    await expect(fay.upvote(session.id, g1.id)).rejects.toMatchObject({ code: 'bad_request' });
  });

  it('anonymous to classmates: peers and the tutor read "A student"; moderators and observers see who', async () => {
    const { session, mod, modLog, obsLog, clients, logs, guests } = await lesson({ anonymous_questions: true }, [
      'Hana',
      'Ivo',
    ]);
    const [hana] = clients;
    await expect(mod.send(session.id, 'a teacher speaks as herself', { anonymous: true })).rejects.toMatchObject({
      code: 'bad_request',
    });
    const before = fake.requests.length;
    const asked = await hana.send(session.id, 'I still do not get fractions', { anonymous: true });
    expect(asked).toMatchObject({ anonymous: true, author_id: guests[0].user.id });
    await eventually(() => messageEvents(logs[1], asked.id).length === 1, 'Ivo to see it');
    expect(messageEvents(logs[1], asked.id)[0].message).toMatchObject({
      author_id: null,
      author_name: 'A student',
      anonymous: true,
    });
    expect(JSON.stringify(logs[1])).not.toContain('Hana');
    await eventually(
      () => messageEvents(modLog, asked.id).length === 1 && messageEvents(obsLog, asked.id).length === 1,
      'staff to see it',
    );
    expect(messageEvents(modLog, asked.id)[0].message).toMatchObject({
      author_id: guests[0].user.id,
      author_name: 'Hana',
    });
    expect(messageEvents(obsLog, asked.id)[0].message).toMatchObject({ author_name: 'Hana' });
    // Ivo's history, snapshot and queue do not name her either.
    const ivo = app.api.withToken(guests[1].access_token);
    expect(JSON.stringify(await ivo.call('GET', `/sessions/${session.id}/messages`))).not.toContain('Hana');
    const ivoAgain = await connect(app, guests[1].access_token);
    const snapshot = await ivoAgain.join(session.id);
    expect(JSON.stringify(snapshot.messages)).not.toContain(guests[0].user.id);
    // The tutor's context names nobody for it.
    await eventually(() => fake.requests.length > before, 'the tutor to be asked');
    // (The roster of who is present may list her; the question's turn is attributed to nobody.)
    const turns = fake.requests[fake.requests.length - 1].messages.filter((m) => m.role === 'user');
    expect(turns.map((t) => t.content)).toEqual([
      '[#anonymous | contributor | "a student (anonymous)"]: I still do not get fractions',
    ]);
    // The audit keeps who asked: the moderator's transcript names her.
    expect(JSON.stringify(await teacher.api.call('GET', `/sessions/${session.id}/transcript`))).toContain('Hana');
  });

  it('a session without anonymous asking refuses it with a reason', async () => {
    const { session, clients } = await lesson({}, ['Jo']);
    await expect(clients[0].send(session.id, 'hello', { anonymous: true })).rejects.toMatchObject({
      code: 'bad_request',
      message: expect.stringContaining('anonymous'),
    });
  });

  it('a display screen reads what everyone may and is neither a participant nor able to send', async () => {
    const { session, mod, clients } = await lesson({ turn_policy: 'moderated' }, ['Kai']);
    await mod.send(session.id, 'Fred needs a chat after class', { visibility: 'staff' });
    await clients[0].send(session.id, 'a question waiting for approval');
    const screen = await connect(app, teacher.access_token);
    const screenLog = recordDurable(screen);
    const state = await screen.join(session.id, { display: true });
    expect(state.you).toMatchObject({ display: true });
    expect(state.session.join_code).toBeNull();
    expect(JSON.stringify(state)).not.toContain('Fred');
    expect(JSON.stringify(state)).not.toContain('waiting for approval');
    await mod.send(session.id, 'Another note on Fred', { visibility: 'staff' });
    await mod.send(session.id, 'Welcome, everyone');
    await eventually(() => textsIn(screenLog).includes('Welcome, everyone'), 'the screen to show the public message');
    // (The tutor may answer the welcome meanwhile: that is public too.) Never the note, never the held question.
    expect(textsIn(screenLog).filter((t) => !t.startsWith('Answer to:'))).toEqual(['Welcome, everyone']);
    expect(textsIn(screenLog).join('\n')).not.toMatch(/Fred|waiting for approval/);
    // Not a participant: the teacher appears once, from her own socket.
    expect(state.participants.filter((p) => p.user_id === teacher.user.id)).toHaveLength(1);
    await expect(screen.send(session.id, 'typed on the projector')).rejects.toMatchObject({ code: 'forbidden' });
    await expect(screen.moderate({ session_id: session.id, action: 'lock' })).rejects.toMatchObject({
      code: 'forbidden',
    });
    // Only a moderator opens one.
    await expect(clients[0].join(session.id, { display: true })).rejects.toMatchObject({ code: 'forbidden' });
  });

  it("each student's place in line counts down, with an estimated wait from recent answer times", async () => {
    const { session, mod, clients } = await lesson({ turn_policy: 'fifo' }, ['Lu', 'Mo', 'Nia']);
    const [lu, mo, nia] = clients;
    // Every answer takes about 300 ms: three chunks, 100 ms apart.
    fake.next(...Array.from({ length: 4 }, () => ({ chunks: ['one ', 'two ', 'three'], delayMs: 100 })));
    const answers = recordDurable(mod);
    const answered = () => answers.filter((e) => e.type === 'new_message' && e.message.role === 'assistant').length;
    await lu.send(session.id, 'warm-up');
    await eventually(() => answered() === 1, 'the warm-up answer');

    const updates: Array<{ queue: Array<{ message_id: string; wait_ms?: number }>; answer_ms?: number }> = [];
    (nia.socket as unknown as { on(type: string, fn: (e: never) => void): void }).on('queue_updated', (e: never) =>
      updates.push(e),
    );
    await mod.moderate({ session_id: session.id, action: 'pause_agent' });
    const asked = [
      await lu.send(session.id, 'first'),
      await mo.send(session.id, 'second'),
      await nia.send(session.id, 'third'),
    ];
    await eventually(() => updates.at(-1)?.queue.length === 3, 'three in line');
    // Paused, nobody can say how long: no estimate.
    expect(updates.at(-1)!.queue.every((q) => q.wait_ms === undefined)).toBe(true);

    await mod.moderate({ session_id: session.id, action: 'resume_agent', answer_pending: true });
    await eventually(() => answered() === 4, 'three more answers');
    const places = updates
      .map((u) => u.queue.findIndex((q) => q.message_id === asked[2].id) + 1)
      .filter((p, i, all) => p > 0 && p !== all[i - 1]);
    expect(places).toEqual([3, 2, 1]);
    // While Lu's answer runs, Mo waits for the rest of it and Nia one typical answer more.
    const running = updates.find(
      (u) => u.queue.length === 2 && u.queue[0].message_id === asked[1].id && u.queue[0].wait_ms !== undefined,
    )!;
    expect(running.answer_ms).toBeGreaterThanOrEqual(250);
    expect(running.queue[1].wait_ms! - running.queue[0].wait_ms!).toBe(running.answer_ms);
    expect(running.queue[0].wait_ms!).toBeLessThanOrEqual(running.answer_ms!);
  });

  it('closing ends what waited ("session closed"), lowers hands and leaves every page read-only', async () => {
    const { session, mod, clients, logs } = await lesson({ turn_policy: 'round_robin' }, ['Oli', 'Pia']);
    await mod.moderate({ session_id: session.id, action: 'pause_agent' });
    const waiting = await clients[0].send(session.id, 'left unanswered');
    await clients[1].raiseHand(session.id);
    await teacher.api.closeSession(session.id);
    await eventually(() => logs[1].some((e) => e.type === 'session_closed'), 'Pia to hear the session closed');
    const types = logs[1].map((e) => e.type);
    expect(types.slice(types.indexOf('hand_lowered'))).toEqual(['hand_lowered', 'session_closed']);
    const history = (
      await app.api
        .withToken(teacher.access_token)
        .call<{ messages: WireMessage[] }>('GET', `/sessions/${session.id}/messages`)
    ).messages;
    expect(history.find((m) => m.id === waiting.id)).toMatchObject({ not_answered: 'session_closed' });
    await expect(clients[0].send(session.id, 'after the bell')).rejects.toMatchObject({ code: 'session_closed' });
    await expect(clients[0].upvote(session.id, waiting.id)).rejects.toMatchObject({ code: 'session_closed' });
  });

  it('refuses a repeat of the author’s previous waiting question, and names guests apart', async () => {
    const { session, mod, clients, guests } = await lesson({}, ['Amira', 'Amira', 'amira']);
    // They joined at once: which one keeps the bare name depends on who came first; each gets its own.
    const names = guests.map((g) => g.user.display_name);
    expect(names.map((n) => n.toLowerCase()).sort()).toEqual(['amira', 'amira 2', 'amira 3']);
    expect(names.every((n, i) => n.startsWith(['Amira', 'Amira', 'amira'][i]))).toBe(true);
    await mod.moderate({ session_id: session.id, action: 'pause_agent' });
    await clients[0].send(session.id, 'lol');
    await expect(clients[0].send(session.id, ' LOL ')).rejects.toMatchObject({
      code: 'bad_request',
      message: expect.stringContaining('already asked'),
    });
    await clients[0].send(session.id, 'lol 2');
    // Staff see which seats are guests.
    const state = await mod.request('join', { session_id: session.id });
    const members = 'state' in state ? (state.state.members ?? []) : [];
    expect(members.find((m) => m.user_id === guests[0].user.id)).toMatchObject({ guest: true });
    expect(members.find((m) => m.user_id === teacher.user.id)?.guest).toBeUndefined();
  });

  it('pause lets the answer in progress finish and holds the next; "stop now" stops it too', async () => {
    const { session, mod, clients } = await lesson({ turn_policy: 'fifo' }, ['Quin']);
    const answers: WireMessage[] = [];
    mod.onDurable((e) => e.type === 'new_message' && e.message.role === 'assistant' && answers.push(e.message));
    fake.next(
      { chunks: ['a ', 'long ', 'careful ', 'answer'], delayMs: 150 },
      { chunks: ['another ', 'long ', 'one'], delayMs: 300 },
    );
    const streaming = nextEvent<{ status: string }>(mod, 'agent_delta');
    await clients[0].send(session.id, 'explain slopes');
    await streaming;
    await mod.moderate({ session_id: session.id, action: 'pause_agent' });
    const waiting = await clients[0].send(session.id, 'and intercepts?');
    await eventually(() => answers.length === 1, 'the answer in progress to finish');
    expect(answers[0]).toMatchObject({ status: 'complete', content: 'a long careful answer' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(answers).toHaveLength(1); // the next one waits for resume

    await mod.moderate({ session_id: session.id, action: 'resume_agent', answer_pending: true });
    await nextEvent(mod, 'agent_delta');
    await mod.moderate({ session_id: session.id, action: 'pause_agent', stop_now: true });
    await eventually(() => answers.length === 2, 'the stopped answer');
    expect(answers[1]).toMatchObject({ status: 'cancelled', reply_to: [waiting.id] });
  });
});
