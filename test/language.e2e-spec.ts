import type { DurableEvent, WireMessage, WireSession } from '../client/sdk/roundtable-client.js';
import { FakeOpenAi } from './support/fake-openai.js';
import { connect, eventually, recordDurable, signUp, startTestApp, type TestApp } from './support/test-app.js';

// The class's language: a session's tutor answers in it (the instructions say so), set when the
// session is made (the web client sends the teacher's own language) and changed from the console.

describe("the class's language", () => {
  let fake: FakeOpenAi;
  let app: TestApp;

  beforeAll(async () => {
    fake = await new FakeOpenAi().start();
    app = await startTestApp({ OPENAI_BASE_URL: fake.url, AGENT_MODEL: 'fake-model' });
  });

  afterAll(async () => {
    await app?.close();
    await fake?.close();
  });

  const systemPrompt = () => fake.requests[fake.requests.length - 1].messages[0].content as string;
  const answered = (events: DurableEvent[], id: string) =>
    events.some(
      (e) =>
        e.type === 'new_message' && (e.message as WireMessage).role === 'assistant' && e.message.reply_to?.includes(id),
    );

  it('tells the tutor to answer in the language the session was made with, and in the one a moderator picks later', async () => {
    const teacher = await signUp(app, 'Profesora');
    const { session } = await teacher.api.createSession({ title: 'Historia', agent: { language: 'ES' } });
    expect(session.agent.language).toBe('es'); // canonical
    const client = await connect(app, teacher.access_token);
    const events = recordDurable(client);
    await client.join(session.id);

    const first = await client.send(session.id, '¿Quién fue Simón Bolívar?');
    await eventually(() => answered(events, first.id), 'an answer');
    expect(systemPrompt()).toContain("Answer in Spanish (es), the class's language");

    await client.moderate({ session_id: session.id, action: 'set_agent', language: 'ar' });
    const changed = await eventually(
      () =>
        events.find(
          (e) => e.type === 'session_updated' && (e.changes as Partial<WireSession>).agent?.language === 'ar',
        ),
      'the change reaching the room',
    );
    expect(changed).toBeTruthy();
    const second = await client.send(session.id, 'And in 1819?');
    await eventually(() => answered(events, second.id), 'a second answer');
    expect(systemPrompt()).toContain('Answer in Arabic (ar)');

    // Back to the language of each question: the instruction goes.
    await client.moderate({ session_id: session.id, action: 'set_agent', language: null });
    const third = await client.send(session.id, 'Thanks!');
    await eventually(() => answered(events, third.id), 'a third answer');
    expect(systemPrompt()).not.toContain('Answer in');
    expect((await teacher.api.getSession(session.id)).session.agent.language).toBeNull();
  });

  it('refuses what is not a language tag, and changes nothing', async () => {
    const teacher = await signUp(app, 'Teacher');
    await expect(
      teacher.api.createSession({ title: 'X', agent: { language: 'not a language!' } }),
    ).rejects.toMatchObject({
      status: 400,
      body: { message: expect.stringContaining('agent.language must be a language tag such as en, es or ar') },
    });
    const { session } = await teacher.api.createSession({ title: 'Y' });
    expect(session.agent.language).toBeNull();
    const client = await connect(app, teacher.access_token);
    await client.join(session.id);
    await expect(
      client.moderate({ session_id: session.id, action: 'set_agent', language: 'zz-qq-!!' }),
    ).rejects.toMatchObject({
      code: 'bad_request',
    });
    expect((await teacher.api.getSession(session.id)).session.agent.language).toBeNull();
  });
});
