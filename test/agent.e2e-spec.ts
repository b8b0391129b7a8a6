import type { AgentStatusEvent, DurableEvent, NewMessageEvent, WireMessage } from '../client/sdk/roundtable-client.js';
import { FakeOpenAi } from './support/fake-openai.js';
import {
  connect,
  eventually,
  recordDurable,
  signUp,
  startTestApp,
  type TestApp,
  type TestUser,
} from './support/test-app.js';

const answers = (events: DurableEvent[]) =>
  events
    .filter((e): e is NewMessageEvent => e.type === 'new_message' && e.message.role !== 'user')
    .map((e) => e.message);

describe('the shared tutor, through the real openai SDK', () => {
  let fake: FakeOpenAi;
  let app: TestApp;
  let teacher: TestUser;
  let ada: TestUser;
  let bo: TestUser;

  beforeAll(async () => {
    fake = await new FakeOpenAi().start();
    app = await startTestApp({
      OPENAI_BASE_URL: fake.url,
      OPENAI_API_KEY: 'test-key',
      AGENT_MODEL: 'fake-model',
      AGENT_TIMEOUT_MS: '1500',
    });
    [teacher, ada, bo] = await Promise.all([signUp(app, 'Ms Rivera'), signUp(app, 'Ada'), signUp(app, 'Bo')]);
  });
  afterAll(async () => {
    await app.close();
    await fake.close();
  });

  async function classroom(settings: Record<string, unknown> = {}) {
    const { session } = await teacher.api.createSession({
      title: 'Biology',
      agent: { instructions: 'Be brief.' },
      ...settings,
    });
    await teacher.api.setMember(session.id, ada.user.id, 'contributor');
    await teacher.api.setMember(session.id, bo.user.id, 'contributor');
    const clients = await Promise.all([teacher, ada, bo].map((u) => connect(app, u.access_token)));
    const logs = clients.map(recordDurable);
    await Promise.all(clients.map((c) => c.join(session.id)));
    return { session, clients, logs };
  }

  it('streams one answer to everyone, in order, and stores it once with reply_to', async () => {
    const { session, clients, logs } = await classroom();
    const deltas = clients.map(() => [] as string[]);
    clients.forEach((c, i) => c.on('agent_delta', (e) => deltas[i].push(e.delta)));
    const statuses: AgentStatusEvent[] = [];
    clients[2].on('agent_status', (e) => statuses.push(e));
    fake.next({ chunks: ['Photo', 'synthesis ', 'makes ', 'sugar.'], delayMs: 30 });

    const question = await clients[1].send(session.id, 'What is photosynthesis?');
    await eventually(() => logs.every((l) => answers(l).length === 1), 'the answer everywhere');
    // Everyone gets the same deltas, which add up to the answer; a fast stream is coalesced
    // into fewer broadcasts than the model sent chunks (at most one per ~40 ms tick).
    for (const d of deltas) expect(d).toEqual(deltas[0]);
    expect(deltas[0].join('')).toBe('Photosynthesis makes sugar.');
    expect(deltas[0].length).toBeGreaterThanOrEqual(1);
    expect(deltas[0].length).toBeLessThanOrEqual(4);
    for (const l of logs)
      expect(answers(l)[0]).toMatchObject({
        role: 'assistant',
        content: 'Photosynthesis makes sugar.',
        status: 'complete',
        reply_to: [question.id],
      });
    await eventually(() => statuses.some((s) => s.status === 'idle'), 'idle');
    expect(statuses.map((s) => s.status)).toEqual(['thinking', 'streaming', 'idle']);
    expect(statuses[0]).toMatchObject({ triggered_by: ada.user.id, message_id: answers(logs[0])[0].id });

    // The prompt: the session's instructions, the roster with roles, attributed messages.
    const request = fake.requests[fake.requests.length - 1];
    expect(request.model).toBe('fake-model');
    expect(request.authorization).toBe('Bearer test-key');
    expect(request.messages[0].content).toContain('Be brief.');
    expect(request.messages[0].content).toMatch(/- \[#[0-9a-f]{6} \| moderator \| "Ms Rivera"\]/);
    expect(request.messages[request.messages.length - 1]).toEqual({
      role: 'user',
      content: expect.stringMatching(/^\[#[0-9a-f]{6} \| contributor \| "Ada"\]: What is photosynthesis\?$/),
    });

    const usage = await teacher.api.call<{
      usage: { total: { total_tokens: number }; per_user: Array<{ user_id: string }> };
    }>('GET', `/sessions/${session.id}/usage`);
    expect(usage.usage.total.total_tokens).toBe(14);
    expect(usage.usage.per_user.map((u) => u.user_id)).toEqual([ada.user.id]);
  });

  it("answers round-robin: one author's burst does not starve the others", async () => {
    const { session, clients, logs } = await classroom();
    fake.next({ chunks: ['first'], delayMs: 300 }); // keeps the tutor busy while the rest arrives
    const a1 = await clients[1].send(session.id, 'A1');
    const a2 = await clients[1].send(session.id, 'A2');
    const a3 = await clients[1].send(session.id, 'A3');
    const b1 = await clients[2].send(session.id, 'B1');
    await eventually(() => answers(logs[0]).length === 4, 'four answers', 15_000);
    expect(answers(logs[0]).map((m) => m.reply_to)).toEqual([[a1.id], [b1.id], [a2.id], [a3.id]]);
    expect(answers(logs[0])[1].schedule_reason).toContain('round_robin');
  });

  it('turns a provider error and a time-out into failed messages, and goes on with the queue', async () => {
    const { session, clients, logs } = await classroom();
    const leaky = 'upstream http://ops:hunter2@models.internal:8000/v1 rejected key sk-live-abc123def456 for org acme';
    fake.next(
      { status: 500, errorMessage: leaky },
      { status: 500, errorMessage: leaky },
      { chunks: ['slow'], delayMs: 3000 },
      { chunks: ['fine'] },
    );
    const q1 = await clients[1].send(session.id, 'first');
    const q2 = await clients[2].send(session.id, 'second');
    const q3 = await clients[1].send(session.id, 'third');
    await eventually(() => answers(logs[0]).length === 3, 'three outcomes', 15_000);
    const [failed, timedOut, ok] = answers(logs[0]);
    expect(failed).toMatchObject({ role: 'system', status: 'failed', reply_to: [q1.id] });
    // The provider's own words (a URL with credentials, a key) never reach the room.
    expect(failed.content).toBe('tutor could not answer Ada: the model service failed; a moderator can ask again');
    expect(timedOut).toMatchObject({ role: 'system', status: 'failed', reply_to: [q2.id] });
    expect(timedOut.content).toContain('no answer within');
    expect(ok).toMatchObject({ role: 'assistant', status: 'complete', content: 'fine', reply_to: [q3.id] });
  });

  it('cancel_agent stops the stream and stores what was streamed as cancelled', async () => {
    const { session, clients, logs } = await classroom();
    fake.next({ chunks: ['one ', 'two ', 'three ', 'four ', 'five '], delayMs: 200 });
    const abortedBefore = fake.aborted;
    const partial: string[] = [];
    clients[0].on('agent_delta', (e) => partial.push(e.delta));
    await clients[1].send(session.id, 'count slowly');
    await eventually(() => partial.length >= 2, 'two pieces');
    await clients[0].moderate({ session_id: session.id, action: 'cancel_agent' });
    await eventually(() => answers(logs[1]).length === 1, 'the cancelled answer');
    const [cancelled] = answers(logs[1]);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.content.startsWith('one two ')).toBe(true);
    expect(cancelled.content).not.toContain('five');
    await eventually(() => fake.aborted > abortedBefore, 'the provider request aborted');
    // A contributor may not cancel.
    await expect(clients[1].moderate({ session_id: session.id, action: 'cancel_agent' })).rejects.toMatchObject({
      code: 'forbidden',
    });
  });

  it('shows a late joiner the answer streamed so far, then the rest', async () => {
    const { session, clients } = await classroom();
    fake.next({ chunks: ['alpha ', 'beta ', 'gamma ', 'delta'], delayMs: 250 });
    const seen: string[] = [];
    clients[0].on('agent_delta', (e) => seen.push(e.delta));
    await clients[1].send(session.id, 'greek letters?');
    await eventually(() => seen.length >= 2, 'streaming started');
    const late = await connect(app, bo.access_token);
    const log = recordDurable(late);
    const state = await late.join(session.id);
    expect(state.agent.status).toBe('streaming');
    expect(state.agent.partial_content?.startsWith('alpha beta')).toBe(true);
    await eventually(() => answers(log).length === 1, 'the final answer');
    expect(answers(log)[0].content).toBe('alpha beta gamma delta');
  });

  it('enforces per-user rate limits with retry_after_ms, storing nothing; moderators are exempt', async () => {
    const { session, clients } = await classroom({
      rate_limit: { messages: 2, per_seconds: 60 },
      agent: { responds_to: 'mentions' },
    });
    await clients[1].send(session.id, 'one');
    await clients[1].send(session.id, 'two');
    const refused = await clients[1].send(session.id, 'three').catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'rate_limited' });
    expect((refused as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(25_000);
    await expect(clients[2].send(session.id, 'Bo has his own allowance')).resolves.toBeTruthy();
    for (let i = 0; i < 5; i++) await clients[0].send(session.id, `teacher ${i}`);
    const history = await teacher.api.call<{ messages: WireMessage[] }>('GET', `/sessions/${session.id}/messages`);
    expect(history.messages.map((m) => m.content)).not.toContain('three');
  });

  it("under hand_raise, asks only with the floor, which the agent's answer releases", async () => {
    const { session, clients, logs } = await classroom({ turn_policy: 'hand_raise' });
    await expect(clients[1].send(session.id, 'may I?')).rejects.toMatchObject({ code: 'not_your_turn' });
    await clients[1].raiseHand(session.id, 'about cells');
    await eventually(() => logs[0].some((e) => e.type === 'hand_raised'), 'hand_raised');
    await clients[0].moderate({ session_id: session.id, action: 'grant_turn', user_id: ada.user.id });
    await eventually(() => logs[1].some((e) => e.type === 'turn_granted'), 'turn_granted');
    const question = await clients[1].send(session.id, 'What is a cell?');
    await eventually(() => answers(logs[2]).length === 1, 'the answer');
    expect(answers(logs[2])[0].reply_to).toEqual([question.id]);
    await eventually(
      () =>
        logs[1].some(
          (e) => e.type === 'session_updated' && (e.changes as { floor_user_id?: unknown }).floor_user_id === null,
        ),
      'the floor released',
    );
    await expect(clients[1].send(session.id, 'another?')).rejects.toMatchObject({ code: 'not_your_turn' });
  });

  it('merge: what waited is answered in one reply that names each author', async () => {
    const { session, clients, logs } = await classroom({ turn_policy: 'merge' });
    fake.next({ chunks: ['busy'], delayMs: 300 }, { chunks: ['Ada: yes. Bo: no.'] });
    await clients[0].send(session.id, 'warm-up');
    const a = await clients[1].send(session.id, 'Is water wet?');
    const b = await clients[2].send(session.id, 'Is fire cold?');
    await eventually(() => answers(logs[0]).length === 2, 'two answers');
    expect(answers(logs[0])[1].reply_to).toEqual([a.id, b.id]);
    const prompt = fake.requests[fake.requests.length - 1].messages;
    expect(prompt[0].content).toContain('addressing each author by name');
    expect(prompt.slice(-2).map((m) => m.content)).toEqual([
      expect.stringMatching(/^\[#[0-9a-f]{6} \| contributor \| "Ada"\]: Is water wet\?$/),
      expect.stringMatching(/^\[#[0-9a-f]{6} \| contributor \| "Bo"\]: Is fire cold\?$/),
    ]);
  });

  it('responds_to mentions: everything is shared, only @tutor (or its name) reaches the agent', async () => {
    const { session, clients, logs } = await classroom({ agent: { responds_to: 'mentions', name: 'Sage' } });
    await clients[1].send(session.id, 'just chatting with Bo');
    const asked = await clients[2].send(session.id, '@sage what is DNA?');
    const alsoAsked = await clients[1].send(session.id, 'and @tutor, RNA?');
    await eventually(() => answers(logs[0]).length === 2, 'two answers');
    expect(answers(logs[0]).map((m) => m.reply_to)).toEqual([[asked.id], [alsoAsked.id]]);
    expect(answers(logs[0])[0].author_name).toBe('Sage');
  });

  it('tells everyone the queue in order with queue_updated, and explains it over REST', async () => {
    const { session, clients } = await classroom();
    const queues: string[][] = [];
    clients[2].on('queue_updated', (e) => queues.push(e.queue.map((q) => q.message_id)));
    fake.next({ chunks: ['slow'], delayMs: 500 });
    const a1 = await clients[1].send(session.id, 'first');
    const a2 = await clients[1].send(session.id, 'second from Ada');
    const b1 = await clients[2].send(session.id, 'first from Bo');
    // Once Ada's first is being answered (however soon the tutor takes it up), two wait.
    const waiting = (q: string[]) => q.length === 2 && !q.includes(a1.id);
    await eventually(() => queues.some(waiting), 'a queue of two behind the answer in progress');
    // Round-robin: Bo (never served) goes before Ada's second message.
    expect(queues.find(waiting)).toEqual([b1.id, a2.id]);
    const explained = await ada.api.call<{
      policy: string;
      queue: Array<{ message_id: string; position: number }>;
      explanation: string;
    }>('GET', `/sessions/${session.id}/queue`);
    expect(explained.policy).toBe('round_robin');
    expect(explained.explanation).toContain('fewest tutor tokens');
    await eventually(() => queues[queues.length - 1]?.length === 0, 'an empty queue', 10_000);
  });

  it('hand_raise with auto_grant gives the free floor to the first hand', async () => {
    const { session, clients, logs } = await classroom({ turn_policy: 'hand_raise', auto_grant: true });
    await clients[2].raiseHand(session.id);
    await clients[1].raiseHand(session.id);
    await eventually(
      () => logs[0].some((e) => e.type === 'turn_granted' && e.user_id === bo.user.id),
      'the floor to Bo',
    );
    await expect(clients[1].send(session.id, 'me too?')).rejects.toMatchObject({ code: 'not_your_turn' });
    await clients[2].send(session.id, 'my question');
    await eventually(
      () => logs[0].some((e) => e.type === 'turn_granted' && e.user_id === ada.user.id),
      'then the floor to Ada',
      10_000,
    );
    await expect(clients[1].send(session.id, 'now me')).resolves.toBeTruthy();
  });
});
