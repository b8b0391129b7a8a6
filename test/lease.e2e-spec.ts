import { PrismaClient } from '../src/generated/prisma/client.js';
import type { DurableEvent, WireMessage } from '../src/contract/protocol.js';
import { FakeOpenAi } from './support/fake-openai.js';
import { connect, eventually, recordDurable, signUp, startTestApp, type TestApp } from './support/test-app.js';

/**
 * The tutor's lease and its fencing token (issue 10): an instance whose lease was taken while it
 * streamed stops, stores nothing, and once the other holder is gone takes the lease back and
 * answers the interrupted question exactly once. The other holder is played by the database row,
 * as another instance would write it.
 */
describe("the agent's lease", () => {
  let app: TestApp;
  let fake: FakeOpenAi;
  let prisma: PrismaClient;

  beforeAll(async () => {
    fake = await new FakeOpenAi().start();
    app = await startTestApp({
      OPENAI_BASE_URL: fake.url,
      OPENAI_API_KEY: 'test-key',
      AGENT_MODEL: 'fake-model',
      AGENT_TIMEOUT_MS: '60000',
    });
    prisma = app.app.get(PrismaClient);
  });
  afterAll(async () => {
    await app.close();
    await fake.close();
  });

  it('stops an answer whose lease another instance took, stores none of it, and answers the question once after taking the lease back', async () => {
    const teacher = await signUp(app, 'Teacher');
    const { session } = await teacher.api.createSession({ title: 'Fenced' });
    const client = await connect(app, teacher.access_token);
    const events: DurableEvent[] = recordDurable(client);
    await client.join(session.id);
    // A slow answer: 30 pieces, 400 ms apart (12 s), so the renewal (every 5 s) sees the takeover.
    fake.next({ chunks: Array.from({ length: 30 }, (_, i) => `piece ${i} `), delayMs: 400 });
    const question = await client.send(session.id, 'Explain fractions slowly');
    const before = (await eventually(
      () => prisma.session.findUnique({ where: { id: session.id } }).then((s) => (s?.agentLeaseOwner ? s : null)),
      'the lease taken',
    ))!;
    await eventually(() => fake.requests.length === 1, 'the answer streaming');

    // Another instance takes the lease (its generation rises), then holds it for a while.
    await prisma.session.update({
      where: { id: session.id },
      data: {
        agentLeaseOwner: 'another-instance',
        agentLeaseGeneration: before.agentLeaseGeneration + 1,
        agentLeaseUntil: new Date(Date.now() + 2000),
      },
    });
    await eventually(() => fake.aborted === 1, 'the fenced answer stopped', 10_000);
    await new Promise((r) => setTimeout(r, 300));
    const stored = await prisma.message.findMany({ where: { sessionId: session.id, role: 'assistant' } });
    expect(stored).toHaveLength(0);

    // Its lease runs out (that instance died): this one takes it back and answers the question, once.
    fake.next({ chunks: ['Fractions are ', 'parts of a whole.'] });
    const answer = (await eventually(
      () =>
        events.find(
          (e): e is DurableEvent & { message: WireMessage } =>
            e.type === 'new_message' && e.message.role === 'assistant',
        ),
      'the answer after the takeover',
      20_000,
    ))!;
    expect(answer.message).toMatchObject({
      content: 'Fractions are parts of a whole.',
      reply_to: [question.id],
      status: 'complete',
    });
    await new Promise((r) => setTimeout(r, 500));
    const answers = await prisma.message.findMany({ where: { sessionId: session.id, role: 'assistant' } });
    expect(answers).toHaveLength(1);
    const after = await prisma.session.findUnique({ where: { id: session.id } });
    expect(after?.agentLeaseGeneration).toBe(before.agentLeaseGeneration + 2);
    expect((await prisma.message.findUnique({ where: { id: question.id } }))?.agentState).toBe('answered');
  }, 40_000);
});

describe('a restart among several instances', () => {
  let app: TestApp;
  let prisma: PrismaClient;
  beforeAll(async () => {
    app = await startTestApp({ OFFLINE_AGENT_DELAY_MS: '0' });
    prisma = app.app.get(PrismaClient);
  });
  afterAll(() => app.close());

  it("requeues only what this instance was answering, not another live instance's answer in progress", async () => {
    const teacher = await signUp(app, 'Teacher');
    const sessions = await Promise.all(
      ['Mine', 'Theirs'].map((title) => teacher.api.createSession({ title, agent: { responds_to: 'mentions' } })),
    );
    const client = await connect(app, teacher.access_token);
    const questions: string[] = [];
    for (const { session } of sessions) {
      await client.join(session.id);
      questions.push((await client.send(session.id, 'no mention: nothing for the tutor')).id);
    }
    // As a crash leaves them: both mid-answer; one session's lease this instance's, the other's a live instance's.
    await prisma.message.updateMany({ where: { id: { in: questions } }, data: { agentState: 'answering' } });
    await prisma.session.update({
      where: { id: sessions[0].session.id },
      data: { agentLeaseOwner: app.config.instanceId, agentLeaseUntil: new Date(Date.now() + 60_000) },
    });
    await prisma.session.update({
      where: { id: sessions[1].session.id },
      data: { agentLeaseOwner: 'another-live-instance', agentLeaseUntil: new Date(Date.now() + 60_000) },
    });
    client.close();
    await app.restart();
    prisma = app.app.get(PrismaClient);
    // Ours was requeued and answered after the restart; theirs is still theirs to answer.
    await eventually(
      async () => (await prisma.message.findUnique({ where: { id: questions[0] } }))?.agentState === 'answered',
      'our interrupted question answered',
    );
    expect((await prisma.message.findUnique({ where: { id: questions[1] } }))?.agentState).toBe('answering');
  }, 30_000);
});
