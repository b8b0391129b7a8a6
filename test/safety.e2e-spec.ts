import type { RoundtableClient } from '../client/sdk/roundtable-client.js';
import type { DurableEvent, SafetyFlagEvent, WireFlag, WireMessage } from '../src/contract/protocol.js';
import { MINORS_RULES } from '../src/agent/prompt-builder.js';
import { DEFAULT_HELP_TEXT, DEFAULT_HELP_TEXTS } from '../src/config/app-config.js';
import { FakeOpenAi } from './support/fake-openai.js';
import {
  connect,
  eventually,
  recordDurable,
  signUp,
  signUpAdmin,
  startTestApp,
  type TestApp,
  type TestUser,
} from './support/test-app.js';

/**
 * Safe for minors (issue 20): every contributor message and every tutor answer is checked;
 * what is found is held from the class and the tutor, or shown with staff alerted, by the
 * session's settings. Run once with the provider's moderation endpoint (the local
 * OpenAI-compatible server's /v1/moderations) and once with the offline classifier.
 */
interface Room {
  session: { id: string; join_code: string | null };
  teacher: TestUser;
  mods: RoundtableClient[];
  modEvents: DurableEvent[][];
  ada: RoundtableClient;
  adaId: string;
  adaEvents: DurableEvent[];
  bo: RoundtableClient;
  boEvents: DurableEvent[];
  observerEvents: DurableEvent[];
}

async function classroom(app: TestApp, title: string, language: string | null = null): Promise<Room> {
  const teacher = await signUp(app, 'Teacher');
  const assistant = await signUp(app, 'Assistant');
  const { session } = await teacher.api.createSession({ title, agent: { responds_to: 'all', language } });
  await teacher.api.call('PUT', `/sessions/${session.id}/members/${assistant.user.id}`, { role: 'moderator' });
  const mods = await Promise.all([teacher, assistant].map((m) => connect(app, m.access_token)));
  const modEvents = mods.map((m) => recordDurable(m));
  for (const m of mods) await m.join(session.id);
  const [adaGuest, boGuest, visitor] = await Promise.all(
    ['Ada', 'Bo', 'Visitor'].map((n) => app.api.guest(session.join_code!, n)),
  );
  await teacher.api.call('PUT', `/sessions/${session.id}/members/${visitor.user.id}`, { role: 'observer' });
  const [ada, bo, observer] = await Promise.all([adaGuest, boGuest, visitor].map((g) => connect(app, g.access_token)));
  const adaEvents = recordDurable(ada);
  const boEvents = recordDurable(bo);
  const observerEvents = recordDurable(observer);
  for (const c of [ada, bo, observer]) await c.join(session.id);
  return { session, teacher, mods, modEvents, ada, adaId: adaGuest.user.id, adaEvents, bo, boEvents, observerEvents };
}

const flagsOf = (events: DurableEvent[]) => events.filter((e): e is SafetyFlagEvent => e.type === 'safety_flag');
const messagesOf = (events: DurableEvent[]) => events.flatMap((e) => (e.type === 'new_message' ? [e.message] : []));
const answerTo = (events: DurableEvent[], id: string) =>
  messagesOf(events).find((m) => m.role === 'assistant' && m.reply_to?.includes(id));

function sharedChecks(label: string, setup: () => { app: TestApp; fake: FakeOpenAi }) {
  it(`${label}: holds a self-harm message from the class and the tutor, alerts every moderator, answers its author with help; release shows it and the tutor answers`, async () => {
    const { app, fake } = setup();
    const room = await classroom(app, 'Self-harm');
    const text = 'honestly i want to kill myself, nothing is working';
    const sent = await room.ada.send(room.session.id, text);
    expect(sent.held).toBe(true);

    for (const events of room.modEvents) {
      const flag = await eventually(
        () => flagsOf(events).find((f) => f.message_id === sent.id),
        'the safety_flag for every moderator',
      );
      expect(flag).toMatchObject({
        author_id: room.adaId,
        action: 'held',
        severity: 'high',
        source: 'message',
        categories: expect.arrayContaining([expect.objectContaining({ category: 'self_harm' })]),
      });
    }
    const help = await eventually(
      () => messagesOf(room.adaEvents).find((m) => m.role === 'system' && m.reply_to?.includes(sent.id)),
      'the help text for its author',
    );
    expect(help!.content).toBe(DEFAULT_HELP_TEXT);
    // Bo asks something else and gets an answer: the tutor has worked since, and never read Ada's message.
    const other = await room.bo.send(room.session.id, 'What is a prime number?');
    await eventually(() => answerTo(room.boEvents, other.id), 'an answer to Bo');
    for (const events of [room.boEvents, room.observerEvents]) {
      expect(JSON.stringify(events)).not.toContain('kill myself');
      expect(JSON.stringify(events)).not.toContain(DEFAULT_HELP_TEXT.slice(0, 40));
      expect(flagsOf(events)).toHaveLength(0);
    }
    expect(JSON.stringify(fake.requests)).not.toContain('kill myself');

    const { flags } = await room.teacher.api.call<{ flags: WireFlag[] }>(
      'GET',
      `/sessions/${room.session.id}/flags?status=open`,
    );
    const flag = flags.find((f) => f.message_id === sent.id)!;
    expect(flag).toMatchObject({ content: text, author_name: 'Ada', status: 'open', action: 'held' });
    await expect(
      app.api
        .withToken((await app.api.guest(room.session.join_code!, 'Curious')).access_token)
        .call('GET', `/sessions/${room.session.id}/flags`),
    ).rejects.toMatchObject({ status: 403 });

    // The model's reply (the local server would otherwise echo the question, and the check would hold that too).
    fake.next({
      chunks: ["I'm really sorry things feel this hard. ", 'Please talk with your teacher today; you are not alone.'],
    });
    const released = await room.teacher.api.call<{ flag: WireFlag }>(
      'POST',
      `/sessions/${room.session.id}/flags/${flag.flag_id}/resolve`,
      { action: 'release', note: 'Spoke with Ada; the counsellor knows.' },
    );
    expect(released.flag).toMatchObject({
      status: 'released',
      note: 'Spoke with Ada; the counsellor knows.',
      resolved_by: room.teacher.user.id,
    });
    const shown = await eventually(
      () => messagesOf(room.boEvents).find((m) => m.id === sent.id),
      'the released message for the class',
    );
    expect(shown!.content).toBe(text);
    await eventually(() => answerTo(room.boEvents, sent.id), 'the tutor answering the released message', 10_000);
    expect(JSON.stringify(fake.requests)).toContain('kill myself');
    for (const events of room.modEvents)
      await eventually(
        () => events.some((e) => e.type === 'safety_flag_resolved' && e.flag_id === flag.flag_id),
        'safety_flag_resolved',
      );
    const audit = await room.teacher.api.call<{ entries: Array<{ action: string; details: { flag_id?: string } }> }>(
      'GET',
      `/sessions/${room.session.id}/audit`,
    );
    expect(audit.entries.some((e) => e.action === 'resolve_flag' && e.details.flag_id === flag.flag_id)).toBe(true);
    await expect(
      room.teacher.api.call('POST', `/sessions/${room.session.id}/flags/${flag.flag_id}/resolve`, {
        action: 'release',
      }),
    ).rejects.toMatchObject({ status: 400 });
  }, 30_000);

  it(`${label}: shows a profane message, alerts staff only; masks a phone number before the model`, async () => {
    const { app, fake } = setup();
    const room = await classroom(app, 'Flags');
    const rude = await room.bo.send(room.session.id, 'this homework is shit');
    expect(rude.held).toBeUndefined();
    await eventually(
      () => messagesOf(room.adaEvents).some((m) => m.id === rude.id),
      'the class seeing the flagged message',
    );
    const flag = await eventually(
      () => flagsOf(room.modEvents[0]).find((f) => f.message_id === rude.id),
      'staff alerted',
    );
    expect(flag).toMatchObject({ action: 'flagged', categories: [expect.objectContaining({ category: 'profanity' })] });
    expect(flagsOf(room.adaEvents)).toHaveLength(0);
    expect(flagsOf(room.observerEvents)).toHaveLength(0);
    // Hide: resolved as hidden, and the message becomes a tombstone for the class.
    const hidden = await room.teacher.api.call<{ flag: WireFlag }>(
      'POST',
      `/sessions/${room.session.id}/flags/${flag!.flag_id}/resolve`,
      { action: 'hide' },
    );
    expect(hidden.flag).toMatchObject({ status: 'hidden', content: '' });
    await eventually(
      () => room.adaEvents.some((e) => e.type === 'message_deleted' && e.message_id === rude.id),
      'the class seeing the tombstone',
    );
    await expect(
      room.teacher.api.call('POST', `/sessions/${room.session.id}/flags/${flag!.flag_id}/resolve`, { action: 'hide' }),
    ).rejects.toMatchObject({ status: 400 });

    const phone = await room.ada.send(room.session.id, 'can you call me on 555-123-4567 about question 3?');
    await eventually(() => answerTo(room.adaEvents, phone.id), 'an answer to the phone message', 10_000);
    const prompts = JSON.stringify(fake.requests);
    expect(prompts).toContain('call me on [phone number] about question 3');
    expect(prompts).not.toContain('555-123-4567');
    // A session made with a join code is a class of minors: the tutor's instructions say so.
    expect(fake.requests[fake.requests.length - 1].messages[0].content).toContain(MINORS_RULES);
    await eventually(
      () =>
        flagsOf(room.modEvents[1]).some(
          (f) => f.message_id === phone.id && f.categories.some((c) => c.category === 'personal_data'),
        ),
      'a personal-data flag',
    );
  }, 30_000);

  it(`${label}: holds a tutor answer the check flags, for moderators to review`, async () => {
    const { app, fake } = setup();
    const room = await classroom(app, 'Answers');
    fake.next({ chunks: ['Honestly, you ', 'are an idiot ', 'and a loser, shit.'] });
    const question = await room.ada.send(room.session.id, 'Can you check my answer to 2 + 2?');
    const flag = await eventually(
      () => flagsOf(room.modEvents[0]).find((f) => f.source === 'answer'),
      'a flag on the answer',
      10_000,
    );
    expect(flag).toMatchObject({ action: 'held', author_id: null });
    const modView = messagesOf(room.modEvents[0]).find((m) => m.id === flag!.message_id)!;
    expect(modView).toMatchObject({
      role: 'assistant',
      held: true,
      reply_to: [question.id],
      safety: { status: 'held' },
    });
    expect(answerTo(room.adaEvents, question.id)).toBeUndefined();
    expect(room.adaEvents.some((e) => e.type === 'hidden' && e.seq === modView.seq)).toBe(true);
  }, 30_000);
}

describe('safety with the provider’s moderation endpoint', () => {
  let app: TestApp;
  let fake: FakeOpenAi;
  beforeAll(async () => {
    fake = await new FakeOpenAi().start();
    app = await startTestApp({
      OPENAI_BASE_URL: fake.url,
      OPENAI_API_KEY: 'test-key',
      AGENT_MODEL: 'fake-model',
      SAFETY_PROVIDER: 'openai',
      SAFETY_MODEL: 'omni-moderation-latest',
    });
  });
  afterAll(async () => {
    await app.close();
    await fake.close();
  });

  sharedChecks('provider', () => ({ app, fake }));

  it('provider: a classifier that fails records "not checked" for moderators and lets the class go on', async () => {
    const room = await classroom(app, 'Outage');
    fake.moderationStatus = 503;
    try {
      const sent = await room.ada.send(room.session.id, 'What is the boiling point of water?');
      await eventually(
        () => messagesOf(room.boEvents).some((m) => m.id === sent.id),
        'the class seeing the unchecked message',
      );
      await eventually(() => answerTo(room.adaEvents, sent.id), 'the tutor answering it', 10_000);
      const { flags } = await room.teacher.api.call<{ flags: WireFlag[] }>(
        'GET',
        `/sessions/${room.session.id}/flags?action=not_checked`,
      );
      expect(flags.find((f) => f.message_id === sent.id)).toMatchObject({
        action: 'not_checked',
        classifier: 'openai:omni-moderation-latest',
      });
      const history = await room.mods[0].loadHistory(room.session.id, 1_000_000);
      expect(history.messages.find((m: WireMessage) => m.id === sent.id)?.safety).toEqual({ status: 'not_checked' });
      const students = await room.bo.loadHistory(room.session.id, 1_000_000);
      expect(students.messages.find((m: WireMessage) => m.id === sent.id)?.safety).toBeUndefined();
    } finally {
      fake.moderationStatus = undefined;
    }
    expect(fake.moderated.length).toBeGreaterThan(0);
  }, 30_000);
});

describe('safety with the offline classifier', () => {
  let app: TestApp;
  let fake: FakeOpenAi;
  beforeAll(async () => {
    fake = await new FakeOpenAi().start();
    // A local model server without a key: the offline classifier checks (SAFETY_PROVIDER's default).
    app = await startTestApp({
      OPENAI_BASE_URL: fake.url,
      AGENT_MODEL: 'fake-model',
      ADMIN_EMAILS: 'safeguarding@school.example',
    });
  });
  afterAll(async () => {
    await app.close();
    await fake.close();
  });

  sharedChecks('offline', () => ({ app, fake }));

  it('offline: a student in a Spanish or Arabic class reads the help text in that language', async () => {
    for (const language of ['es', 'ar']) {
      const room = await classroom(app, `Self-harm, ${language}`, language);
      const sent = await room.ada.send(room.session.id, 'honestly i want to kill myself, nothing is working');
      const help = await eventually(
        () => messagesOf(room.adaEvents).find((m) => m.role === 'system' && m.reply_to?.includes(sent.id)),
        `the help text in ${language}`,
      );
      expect(help!.content).toBe(DEFAULT_HELP_TEXTS[language]);
      expect(help!.content).toContain('https://findahelpline.com');
    }
  });

  it('offline: makes no call to a moderation endpoint, and categories set to off change nothing', async () => {
    expect(fake.moderated).toHaveLength(0);
    const teacher = await signUp(app, 'Teacher');
    const { session } = await teacher.api.createSession({ title: 'Off', safety: { profanity: 'off' } } as never);
    expect((session as unknown as { safety: Record<string, string> }).safety).toMatchObject({
      profanity: 'off',
      self_harm: 'hold',
    });
    const guest = await app.api.guest(session.join_code!, 'Sam');
    const sam = await connect(app, guest.access_token);
    await sam.join(session.id);
    await sam.send(session.id, 'well shit, I forgot my calculator');
    const { flags } = await teacher.api.call<{ flags: WireFlag[] }>('GET', `/sessions/${session.id}/flags`);
    expect(flags).toHaveLength(0);
    await expect(
      teacher.api.call('PATCH', `/sessions/${session.id}`, { safety: { profanity: 'shout' } }),
    ).rejects.toMatchObject({
      status: 400,
      body: { message: expect.stringContaining('safety.profanity must be off, flag or hold') },
    });
    await expect(
      teacher.api.call('PATCH', `/sessions/${session.id}`, { safety: { gossip: 'hold' } }),
    ).rejects.toMatchObject({ status: 400 });

    // Off for minors: the tutor's instructions drop the rules.
    await teacher.api.call('PATCH', `/sessions/${session.id}`, { minors: false, agent: { responds_to: 'all' } });
    const asked = await sam.send(session.id, 'What is 7 times 8?');
    await eventually(
      () => fake.requests.some((r) => JSON.stringify(r.messages).includes('What is 7 times 8?')),
      'the question reaching the model',
    );
    const prompt = fake.requests.find((r) => JSON.stringify(r.messages).includes('What is 7 times 8?'))!;
    expect(prompt.messages[0].content).not.toContain(MINORS_RULES);
    expect(asked.id).toBeTruthy();
  });

  it('offline: platform admins list flags across sessions; others may not', async () => {
    const admin = await signUpAdmin(app, 'safeguarding@school.example', 'Safeguarding lead');
    const rooms = [await classroom(app, 'Period 1'), await classroom(app, 'Period 2')];
    const sent = await Promise.all(
      rooms.map((r, i) => r.ada.send(r.session.id, i === 0 ? 'I want to kill myself' : 'what the fuck is this')),
    );
    const all = await eventually(async () => {
      const { flags } = await admin.api.call<{ flags: WireFlag[] }>('GET', '/admin/flags?status=open');
      return sent.every((m) => flags.some((f) => f.message_id === m.id)) ? flags : null;
    }, 'both flags in the admin list');
    expect(all!.find((f) => f.message_id === sent[0].id)).toMatchObject({
      session_id: rooms[0].session.id,
      action: 'held',
    });
    const selfHarm = await admin.api.call<{ flags: WireFlag[] }>('GET', '/admin/flags?category=self_harm');
    expect(selfHarm.flags.some((f) => f.message_id === sent[0].id)).toBe(true);
    expect(selfHarm.flags.some((f) => f.message_id === sent[1].id)).toBe(false);
    const one = await admin.api.call<{ flags: WireFlag[] }>('GET', `/admin/flags?session_id=${rooms[1].session.id}`);
    // Period 2's flags: the message, and (the local model echoes it) the tutor's answer, held.
    expect(one.flags.filter((f) => f.source === 'message').map((f) => f.message_id)).toEqual([sent[1].id]);
    expect(one.flags.every((f) => f.session_id === rooms[1].session.id)).toBe(true);
    await expect(rooms[0].teacher.api.call('GET', '/admin/flags')).rejects.toMatchObject({ status: 403 });
    await expect(admin.api.call('GET', '/admin/flags?category=gossip')).rejects.toMatchObject({ status: 400 });
  });
});
