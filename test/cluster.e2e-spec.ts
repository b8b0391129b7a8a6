import { PrismaClient } from '../src/generated/prisma/client.js';
import { FakeOpenAi } from './support/fake-openai.js';
import { connect, eventually, prepareDatabase, signUp, startTestApp, type TestApp } from './support/test-app.js';

/**
 * Two instances of the server against one PostgreSQL database and one Redis (issue 10), in one
 * test process: what a moderator does on one instance reaches the tutor's run on the other.
 */
describe('two instances on one PostgreSQL and one Redis', () => {
  let database: Awaited<ReturnType<typeof prepareDatabase>>;
  let fake: FakeOpenAi;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    database = await prepareDatabase({ postgres: true });
    fake = await new FakeOpenAi().start();
    // One deployment: one signing key (a token from either instance works on both).
    const env = {
      JWT_SECRET: 'cluster-test-signing-key-0123456789',
      DATABASE_URL: database.databaseUrl!,
      REDIS_URL: 'redis://127.0.0.1:6379',
      OPENAI_BASE_URL: fake.url,
      OPENAI_API_KEY: 'test-key',
      AGENT_MODEL: 'fake-model',
    };
    a = await startTestApp(env);
    b = await startTestApp(env);
  }, 60_000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await fake?.close();
    await database?.drop();
  });

  it('cancel_agent on one instance stops the answer streaming on the other, which stores it as cancelled', async () => {
    const teacher = await signUp(a, 'Teacher');
    const { session } = await teacher.api.createSession({ title: 'Two instances' });
    const guest = await a.api.guest(session.join_code!, 'Ada');
    const student = await connect(a, guest.access_token); // on instance A
    await student.join(session.id);
    const moderator = await connect(b, teacher.access_token); // on instance B
    await moderator.join(session.id);
    const deltas: string[] = [];
    moderator.on('agent_delta', (e) => deltas.push(e.delta));

    fake.next({ chunks: Array.from({ length: 40 }, (_, i) => `piece ${i} `), delayMs: 250 });
    const question = await student.send(session.id, 'Tell me a long story');
    const prisma = a.app.get(PrismaClient);
    await eventually(
      async () =>
        (await prisma.session.findUnique({ where: { id: session.id } }))?.agentLeaseOwner === a.config.instanceId,
      "instance A answering (holding the session's lease)",
    );
    await eventually(() => deltas.length > 0, 'the answer streaming to the moderator on B (through Redis)');

    await moderator.moderate({ session_id: session.id, action: 'cancel_agent' });
    await eventually(() => fake.aborted === 1, 'the stream on A cancelled', 10_000);
    const answer = await eventually(
      () => prisma.message.findFirst({ where: { sessionId: session.id, role: 'assistant' } }),
      'the stored answer',
    );
    expect(answer).toMatchObject({ status: 'cancelled', replyTo: [question.id] });
    expect(answer!.content.length).toBeLessThan(40 * 9);
  }, 40_000);
});
