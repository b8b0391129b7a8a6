import type { DurableEvent, NewMessageEvent } from '../client/sdk/roundtable-client.js';
import { FakeOpenAi } from './support/fake-openai.js';
import {
  connect,
  eventually,
  nextEvent,
  recordDurable,
  signUp,
  signUpAdmin,
  startTestApp,
  type TestApp,
  type TestUser,
} from './support/test-app.js';

const texts = (events: DurableEvent[]) =>
  events.filter((e): e is NewMessageEvent => e.type === 'new_message').map((e) => e.message);

describe('roles and moderation', () => {
  let fake: FakeOpenAi;
  let app: TestApp;
  let teacher: TestUser;
  let ada: TestUser;
  let supervisor: TestUser;

  beforeAll(async () => {
    fake = await new FakeOpenAi().start();
    app = await startTestApp({ OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'k' });
    [teacher, ada, supervisor] = await Promise.all([signUp(app, 'Teacher'), signUp(app, 'Ada'), signUp(app, 'Sup')]);
  });
  afterAll(async () => {
    await app.close();
    await fake.close();
  });

  async function room(settings: Record<string, unknown> = { agent: { responds_to: 'mentions' } }) {
    const { session } = await teacher.api.createSession({ title: 'Room', ...settings });
    await teacher.api.setMember(session.id, ada.user.id, 'contributor');
    await teacher.api.setMember(session.id, supervisor.user.id, 'observer');
    const [mod, student, observer] = await Promise.all(
      [teacher, ada, supervisor].map((u) => connect(app, u.access_token)),
    );
    const logs = [mod, student, observer].map(recordDurable);
    await Promise.all([mod, student, observer].map((c) => c.join(session.id)));
    return { session, mod, student, observer, logs };
  }

  it('keeps private notes from contributors everywhere, with hidden placeholders keeping seq gap-free', async () => {
    const { session, mod, student, observer, logs } = await room();
    await observer.send(session.id, 'The tutor is too vague here', { visibility: 'staff' });
    await student.send(session.id, 'public question');
    await eventually(() => logs.every((l) => l.length >= 2), 'both events');
    expect(texts(logs[0]).map((m) => m.content)).toEqual(['The tutor is too vague here', 'public question']);
    expect(logs[1].map((e) => e.type)).toEqual(['hidden', 'new_message']);
    expect(logs[1].map((e) => e.seq)).toEqual(logs[0].map((e) => e.seq));
    await expect(student.send(session.id, 'sneaky', { visibility: 'staff' })).rejects.toMatchObject({
      code: 'forbidden',
    });
    for (const path of ['messages', 'transcript', 'events']) {
      const body = JSON.stringify(await ada.api.call('GET', `/sessions/${session.id}/${path}`));
      expect([path, body.includes('too vague')]).toEqual([path, false]);
    }
    const snapshot = await (await connect(app, ada.access_token)).join(session.id);
    expect(JSON.stringify(snapshot)).not.toContain('too vague');
    expect(JSON.stringify(await teacher.api.call('GET', `/sessions/${session.id}/transcript`))).not.toContain(
      'too vague',
    );
    expect(
      JSON.stringify(await teacher.api.call('GET', `/sessions/${session.id}/transcript?include_notes=true`)),
    ).toContain('too vague');
    // A contributor asking for notes gets the conversation only.
    expect(
      JSON.stringify(await ada.api.call('GET', `/sessions/${session.id}/transcript?include_notes=true`)),
    ).not.toContain('too vague');
    void mod;
  });

  it('applies a role change to open sockets at once', async () => {
    const { session, mod, observer } = await room();
    await expect(observer.send(session.id, 'can I?')).rejects.toMatchObject({ code: 'forbidden' });
    await mod.moderate({
      session_id: session.id,
      action: 'set_role',
      user_id: supervisor.user.id,
      role: 'contributor',
    });
    await expect(observer.send(session.id, 'now I can')).resolves.toMatchObject({ content: 'now I can' });
    await mod.moderate({ session_id: session.id, action: 'set_role', user_id: supervisor.user.id, role: 'observer' });
    await expect(observer.send(session.id, 'and now not')).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('mutes for N seconds; the mute ends on time by itself with member_updated', async () => {
    const { session, mod, student, logs } = await room();
    await mod.moderate({ session_id: session.id, action: 'mute', user_id: ada.user.id, seconds: 2 });
    await expect(student.send(session.id, 'hello?')).rejects.toMatchObject({ code: 'muted' });
    await eventually(
      () => logs[1].some((e) => e.type === 'member_updated' && e.user_id === ada.user.id && e.muted_until === null),
      'the mute to expire',
      6000,
    );
    await expect(student.send(session.id, 'free again')).resolves.toBeTruthy();
    const audit = await teacher.api.call<{
      entries: Array<{ action: string; actor_id: string; target_user_id: string }>;
    }>('GET', `/sessions/${session.id}/audit`);
    expect(audit.entries.map((e) => e.action)).toContain('mute');
    await expect(ada.api.call('GET', `/sessions/${session.id}/audit`)).rejects.toMatchObject({ status: 403 });
  });

  it('kicks and bans: the page hears kicked, and a fresh guest token does not get them back in', async () => {
    const { session } = await teacher.api.createSession({ title: 'Guests', agent: { responds_to: 'mentions' } });
    const guest = await app.api.guest(session.join_code!, 'Troll');
    const mod = await connect(app, teacher.access_token);
    await mod.join(session.id);
    const trollSocket = await connect(app, guest.access_token);
    await trollSocket.join(session.id);
    const kicked = nextEvent(trollSocket, 'kicked');
    const rotated = nextEvent<{ action: string; reason?: string }>(mod, 'moderation');
    const ack = await mod.moderate({ session_id: session.id, action: 'kick', user_id: guest.user.id, ban: true });
    expect(await kicked).toMatchObject({ type: 'kicked', session_id: session.id, banned: true });
    await expect(trollSocket.send(session.id, 'still here?')).rejects.toMatchObject({ code: 'not_member' });
    // Banning a guest changes the join code: the moderator gets the new one, the old link is dead,
    // so a fresh anonymous guest seat cannot be had with it.
    const { join_code: newCode } = ack as { join_code?: string };
    expect(newCode).toMatch(/^[A-Z2-9]{8}$/);
    expect(newCode).not.toBe(session.join_code);
    expect(await rotated).toMatchObject({ action: 'rotate_join_code', reason: 'guest_banned' });
    expect((await teacher.api.getSession(session.id)).session.join_code).toBe(newCode);
    await expect(app.api.guest(session.join_code!, 'Troll again')).rejects.toMatchObject({ status: 404 });
    // Coming back with their token and the new code, asking for a new guest seat: refused.
    await expect(app.api.withToken(guest.access_token).guest(newCode!, 'Not A Troll')).rejects.toMatchObject({
      status: 403,
    });
    const members = await teacher.api.members(session.id);
    expect(members.map((m) => m.user_id)).not.toContain(guest.user.id);
  });

  it('a kicked (not banned) guest who comes back with the join code is the same person again', async () => {
    const { session } = await teacher.api.createSession({ title: 'Second chance', agent: { responds_to: 'mentions' } });
    const guest = await app.api.guest(session.join_code!, 'Ben');
    const mod = await connect(app, teacher.access_token);
    await mod.join(session.id);
    await mod.moderate({ session_id: session.id, action: 'kick', user_id: guest.user.id });
    const back = await app.api.withToken(guest.access_token).guest(session.join_code!, 'Ben');
    expect(back.user.id).toBe(guest.user.id);
    expect(back.role).toBe('contributor');
    expect(
      (await teacher.api.members(session.id)).filter((m) => m.display_name === 'Ben').map((m) => m.user_id),
    ).toEqual([guest.user.id]);
  });

  it('deletes a message: a tombstone for everyone, and the agent never sees its text again', async () => {
    const { session, mod, student, logs } = await room({});
    fake.next({ chunks: ['ok'] });
    const bad = await student.send(session.id, 'SECRET-PASSWORD-123 is the answer');
    await eventually(() => texts(logs[0]).some((m) => m.role === 'assistant'), 'first answer');
    await mod.moderate({ session_id: session.id, action: 'delete_message', message_id: bad.id });
    await eventually(() => logs[1].some((e) => e.type === 'message_deleted'), 'message_deleted');
    const requestsBefore = fake.requests.length;
    await student.send(session.id, 'next question');
    await eventually(() => fake.requests.length > requestsBefore, 'the next prompt');
    expect(JSON.stringify(fake.requests[fake.requests.length - 1].messages)).not.toContain('SECRET-PASSWORD-123');
    for (const path of ['messages', 'events', 'transcript']) {
      expect(JSON.stringify(await ada.api.call('GET', `/sessions/${session.id}/${path}`))).not.toContain(
        'SECRET-PASSWORD-123',
      );
    }
  });

  it('locks the room: only moderators may send until unlocked', async () => {
    const { session, mod, student } = await room();
    await mod.moderate({ session_id: session.id, action: 'lock' });
    await expect(student.send(session.id, 'hi')).rejects.toMatchObject({ code: 'session_locked' });
    await expect(mod.send(session.id, 'settle down')).resolves.toBeTruthy();
    await mod.moderate({ session_id: session.id, action: 'unlock' });
    await expect(student.send(session.id, 'hi')).resolves.toBeTruthy();
  });

  it('takes over from the agent: pause, answer in person, resume; the next prompt knows', async () => {
    const { session, mod, student, logs } = await room({});
    await mod.moderate({ session_id: session.id, action: 'pause_agent' });
    await student.send(session.id, 'what is osmosis?');
    await mod.send(session.id, 'Osmosis is water moving across a membrane.');
    await new Promise((r) => setTimeout(r, 300));
    expect(texts(logs[1]).filter((m) => m.role === 'assistant')).toHaveLength(0);
    fake.next({ chunks: ['building on that'] });
    await mod.moderate({ session_id: session.id, action: 'resume_agent', answer_pending: true });
    await eventually(() => texts(logs[1]).some((m) => m.role === 'assistant'), 'the agent answers after resume');
    expect(fake.requests[fake.requests.length - 1].messages[0].content).toContain('answered in person');
  });

  it('moderated: a message reaches the agent only when approved; dismissed ones never', async () => {
    const { session, mod, student, logs } = await room({ turn_policy: 'moderated' });
    const keep = await student.send(session.id, 'please answer me');
    const drop = await student.send(session.id, 'spam spam');
    await new Promise((r) => setTimeout(r, 300));
    expect(texts(logs[0]).filter((m) => m.role === 'assistant')).toHaveLength(0);
    await mod.moderate({ session_id: session.id, action: 'dismiss_message', message_id: drop.id });
    fake.next({ chunks: ['approved answer'] });
    await mod.moderate({ session_id: session.id, action: 'approve_message', message_id: keep.id });
    await eventually(() => texts(logs[0]).some((m) => m.role === 'assistant'), 'the approved answer');
    const answers = texts(logs[0]).filter((m) => m.role === 'assistant');
    expect(answers.map((m) => m.reply_to)).toEqual([[keep.id]]);
  });

  it('closes a session: everyone hears session_closed, nothing more is written, history stays readable', async () => {
    const { session, student, logs } = await room();
    await student.send(session.id, 'last words');
    await teacher.api.closeSession(session.id);
    await eventually(() => logs[1].some((e) => e.type === 'session_closed'), 'session_closed');
    await expect(student.send(session.id, 'after the bell')).rejects.toMatchObject({ code: 'session_closed' });
    const history = await ada.api.call<{ messages: Array<{ content: string }> }>(
      'GET',
      `/sessions/${session.id}/messages`,
    );
    expect(history.messages.map((m) => m.content)).toContain('last words');
    await expect(teacher.api.updateSession(session.id, { title: 'x' })).rejects.toMatchObject({ status: 409 });
  });

  it('guest seats: guest_role decides the seat, codes rotate or switch off, a guest token is good for one session', async () => {
    const { session } = await teacher.api.createSession({ title: 'Support', guest_role: 'observer' });
    const watcher = await app.api.guest(session.join_code!, 'Supervisor');
    expect(watcher.role).toBe('observer');
    const watcherSocket = await connect(app, watcher.access_token);
    await watcherSocket.join(session.id);
    await expect(watcherSocket.send(session.id, 'hi')).rejects.toMatchObject({ code: 'forbidden' });

    const mod = await connect(app, teacher.access_token);
    const rotated = (await mod.moderate({ session_id: session.id, action: 'rotate_join_code' })) as unknown as {
      join_code: string;
    };
    expect(rotated.join_code).not.toBe(session.join_code);
    await expect(app.api.guest(session.join_code!, 'Late')).rejects.toMatchObject({ status: 404 });
    await expect(app.api.guest(rotated.join_code, 'On time')).resolves.toMatchObject({ role: 'observer' });
    // Non-moderators never see the code.
    expect((await app.api.withToken(watcher.access_token).getSession(session.id)).session.join_code).toBeNull();

    await mod.moderate({ session_id: session.id, action: 'disable_join_code' });
    await expect(app.api.guest(rotated.join_code, 'Too late')).rejects.toMatchObject({ status: 404 });

    const { session: other } = await teacher.api.createSession({ title: 'Other class' });
    await expect(watcherSocket.join(other.id)).rejects.toMatchObject({ code: 'not_member' });
    await expect(app.api.withToken(watcher.access_token).createSession({ title: 'mine' })).rejects.toMatchObject({
      status: 403,
    });
  });

  it('lets a platform admin list and filter every session, and act as moderator anywhere', async () => {
    const adminApp = await startTestApp({ ADMIN_EMAILS: 'ops@example.org' });
    try {
      const admin = await signUpAdmin(adminApp, 'ops@example.org', 'Ops');
      const owner = await signUp(adminApp, 'Owner');
      const { session: open } = await owner.api.createSession({ title: 'Open one' });
      const { session: done } = await owner.api.createSession({ title: 'Done one' });
      await owner.api.closeSession(done.id);
      const ops = adminApp.api.withToken(admin.access_token);
      expect((await ops.listSessions()).sessions.map((s) => s.id)).toEqual([done.id, open.id]);
      expect((await ops.listSessions('?status=active')).sessions.map((s) => s.id)).toEqual([open.id]);
      const page = await ops.listSessions('?limit=1');
      expect(page.sessions).toHaveLength(1);
      expect((await ops.listSessions(`?limit=1&cursor=${page.next_cursor}`)).sessions.map((s) => s.id)).toEqual([
        open.id,
      ]);
      expect((await owner.api.listSessions()).sessions).toHaveLength(2);
      expect((await ops.getSession(open.id)).you.role).toBe('moderator');
      await ops.updateSession(open.id, { locked: true });
      expect((await owner.api.getSession(open.id)).session.locked).toBe(true);
    } finally {
      await adminApp.close();
    }
  });
});

describe('the waiting room', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it('holds new guests until a moderator admits them; only staff see who waits; removing them keeps them out', async () => {
    const teacher = await signUp(app, 'Teacher');
    const { session } = await teacher.api.createSession({
      title: 'Held',
      waiting_room: true,
      agent: { responds_to: 'mentions' },
    });
    expect(session.waiting_room).toBe(true);
    const mod = await connect(app, teacher.access_token);
    const modEvents = recordDurable(mod);
    await mod.join(session.id);
    const insider = await app.api.guest(session.join_code!, 'Insider');
    expect(insider).toMatchObject({ waiting: true });
    await mod.moderate({ session_id: session.id, action: 'admit', user_id: insider.user.id });
    const insiderSocket = await connect(app, insider.access_token);
    const insiderEvents = recordDurable(insiderSocket);
    await insiderSocket.join(session.id);

    const newcomer = await app.api.guest(session.join_code!, 'Newcomer');
    expect(newcomer).toMatchObject({ waiting: true, role: 'contributor' });
    const newcomerSocket = await connect(app, newcomer.access_token);
    await expect(newcomerSocket.join(session.id)).rejects.toMatchObject({
      code: 'forbidden',
      message: expect.stringContaining('waiting room'),
    });
    await expect(app.api.withToken(newcomer.access_token).getSession(session.id)).rejects.toMatchObject({
      status: 403,
    });
    // Staff see who waits; the class does not.
    await eventually(
      () =>
        modEvents.some(
          (e) =>
            e.type === 'member_updated' &&
            (e as { waiting?: boolean }).waiting === true &&
            (e as { user_id: string }).user_id === newcomer.user.id,
        ),
      'the moderator hears of the newcomer',
    );
    expect((await teacher.api.members(session.id)).find((m) => m.user_id === newcomer.user.id)).toMatchObject({
      waiting: true,
    });
    expect((await app.api.withToken(insider.access_token).members(session.id)).map((m) => m.user_id)).not.toContain(
      newcomer.user.id,
    );
    expect(insiderEvents.filter((e) => e.type === 'member_updated')).toEqual([]);
    const modState = await (await connect(app, teacher.access_token)).join(session.id);
    expect(modState.members?.find((m) => m.user_id === newcomer.user.id)).toMatchObject({ waiting: true });
    const insiderState = await (await connect(app, insider.access_token)).join(session.id);
    expect(insiderState.members?.map((m) => m.user_id)).not.toContain(newcomer.user.id);

    // Admitted: now a member like any other, and everyone hears of them.
    await mod.moderate({ session_id: session.id, action: 'admit', user_id: newcomer.user.id });
    await eventually(
      () =>
        insiderEvents.some(
          (e) => e.type === 'member_updated' && (e as { user_id: string }).user_id === newcomer.user.id,
        ),
      'the class hears of the newcomer',
    );
    await expect(newcomerSocket.join(session.id)).resolves.toMatchObject({ session_id: session.id });
    await expect(newcomerSocket.send(session.id, 'hello')).resolves.toBeTruthy();
    await expect(
      mod.moderate({ session_id: session.id, action: 'admit', user_id: newcomer.user.id }),
    ).rejects.toMatchObject({ code: 'bad_request' });

    // Someone removed from the waiting room cannot come back in with their token.
    const stranger = await app.api.guest(session.join_code!, 'Stranger');
    await mod.moderate({ session_id: session.id, action: 'kick', user_id: stranger.user.id, ban: true });
    await expect((await connect(app, stranger.access_token)).join(session.id)).rejects.toMatchObject({
      code: 'not_member',
    });

    // Turned off: newcomers come straight in.
    await mod.moderate({ session_id: session.id, action: 'set_policy', waiting_room: false });
    const code = (await teacher.api.getSession(session.id)).session.join_code!;
    const late = await app.api.guest(code, 'Late');
    expect(late).not.toHaveProperty('waiting');
    await expect((await connect(app, late.access_token)).join(session.id)).resolves.toMatchObject({
      session_id: session.id,
    });
  });
});
