import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { RoundtableApi } from '../client/sdk/roundtable-api.js';
import {
  RoundtableClient,
  RoundtableError,
  type DurableEvent,
  type WireMessage,
} from '../client/sdk/roundtable-client.js';
import { startBalancer, type Balancer } from '../scripts/balancer.mjs';
import { FakeOpenAi } from './support/fake-openai.js';
import { kill9, startServer, terminate, type ServerProcess } from './support/server-process.js';
import { eventually, prepareDatabase } from './support/test-app.js';

const INSTANCES = 3;

/**
 * Issue 10: three real server processes (`npm start`'s script) on one PostgreSQL database and one
 * Redis, each with its own data directory (its own instance id), one signing key. Participants are
 * split across the instances, directly or through a small TCP balancer; instances are killed with
 * SIGKILL and stopped with SIGTERM under load.
 */
describe(`${INSTANCES} instances in child processes on PostgreSQL and Redis`, () => {
  let database: Awaited<ReturnType<typeof prepareDatabase>>;
  let fake: FakeOpenAi;
  let db: pg.Client;
  let balancer: Balancer;
  const dataDirs: string[] = [];
  const servers: ServerProcess[] = [];
  const ports: number[] = [];
  const clients: RoundtableClient[] = [];
  let api: RoundtableApi;
  let teacherToken: string;

  const envOf = (i: number): Record<string, string> => ({
    DATA_DIR: dataDirs[i],
    DATABASE_URL: database.databaseUrl!,
    REDIS_URL: 'redis://127.0.0.1:6379',
    JWT_SECRET: 'multi-instance-signing-key-0123456789',
    OPENAI_BASE_URL: fake.url,
    OPENAI_API_KEY: 'test-key',
    AGENT_MODEL: 'fake-model',
    DEFAULT_RATE_LIMIT: 'off',
    MAX_PENDING_PER_AUTHOR: '1000',
    GUEST_RATE_LIMIT_PER_MINUTE: '1000',
    PORT: String(ports[i] ?? 0),
  });
  const instanceId = (i: number) => readFileSync(join(dataDirs[i], 'instance-id'), 'utf8').trim();
  const leaseOwner = async (sessionId: string): Promise<string | null> =>
    (
      await db.query<{ agent_lease_owner: string | null }>('SELECT agent_lease_owner FROM sessions WHERE id = $1', [
        sessionId,
      ])
    ).rows[0]?.agent_lease_owner ?? null;

  async function restart(i: number) {
    servers[i] = await startServer(envOf(i));
  }

  function client(url: string, token: string, options: { reconnect?: boolean } = {}): Promise<RoundtableClient> {
    const c = new RoundtableClient({
      url,
      token,
      ackTimeoutMs: 2000,
      socketOptions: options.reconnect
        ? { reconnectionDelay: 100, reconnectionDelayMax: 500 }
        : { reconnection: false },
    });
    clients.push(c);
    return c.connect();
  }

  /** Everything durable a client is handed, in the order it was handed. */
  function record(c: RoundtableClient): DurableEvent[] {
    const seen: DurableEvent[] = [];
    c.onDurable((e) => seen.push(e));
    return seen;
  }

  const userMessages = (events: DurableEvent[]) =>
    events.flatMap((e) => (e.type === 'new_message' && e.message.role === 'user' ? [e.message] : []));
  const answersTo = (events: DurableEvent[], questionId: string, status?: WireMessage['status']) =>
    events.flatMap((e) =>
      e.type === 'new_message' &&
      e.message.role === 'assistant' &&
      e.message.reply_to?.includes(questionId) &&
      (!status || e.message.status === status)
        ? [e.message]
        : [],
    );
  /** Resolves with the first answer to a question a client has been handed. */
  const answerIn = (
    events: DurableEvent[],
    questionId: string,
    what: string,
    timeoutMs?: number,
    status?: WireMessage['status'],
  ) => eventually(() => answersTo(events, questionId, status)[0], what, timeoutMs);

  async function storedEvents(sessionId: string): Promise<DurableEvent[]> {
    const reader = api.withToken(teacherToken);
    const events: DurableEvent[] = [];
    for (let after = 0; ;) {
      const page = await reader.call<{ events: DurableEvent[]; has_more: boolean }>(
        'GET',
        `/sessions/${sessionId}/events?after_seq=${after}&limit=1000`,
      );
      events.push(...page.events);
      if (!page.has_more) return events;
      after = page.events[page.events.length - 1].seq;
    }
  }

  async function newSession(title: string, extra: Record<string, unknown> = {}) {
    const { session } = await api
      .withToken(teacherToken)
      .createSession({ title, agent: { responds_to: 'mentions' }, ...extra });
    return session;
  }

  beforeAll(async () => {
    database = await prepareDatabase({ postgres: true });
    fake = await new FakeOpenAi().start();
    db = new pg.Client({ connectionString: database.databaseUrl });
    await db.connect();
    for (let i = 0; i < INSTANCES; i++) dataDirs.push(mkdtempSync(join(tmpdir(), `roundtable-instance-${i}-`)));
    // The first applies the migrations; the others start on the migrated database together.
    servers.push(await startServer(envOf(0)));
    servers.push(...(await Promise.all(Array.from({ length: INSTANCES - 1 }, (_, i) => startServer(envOf(i + 1))))));
    for (const s of servers) ports.push(Number(new URL(s.url).port)); // a restart comes back on the same port
    balancer = await startBalancer({ backends: ports.map((port) => ({ port })) });
    api = new RoundtableApi(balancer.url); // REST through the balancer: whichever instance is up
    teacherToken = (await api.register('teacher@multi.example', 'correct horse battery', 'Teacher')).access_token;
  }, 180_000);

  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });

  afterAll(async () => {
    await balancer?.close();
    await Promise.all(servers.map((s) => kill9(s)));
    await db?.end();
    await fake?.close();
    await database?.drop();
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  it('participants split across the instances all see one gap-free order, exactly once', async () => {
    const session = await newSession('One order');
    const guests = await Promise.all(
      Array.from({ length: 6 }, (_, i) => api.guest(session.join_code!, `Student ${i}`)),
    );
    const sockets = await Promise.all(guests.map((g, i) => client(servers[i % INSTANCES].url, g.access_token)));
    const logs = sockets.map(record);
    await Promise.all(sockets.map((s) => s.join(session.id)));

    // Everyone writes at once, each on their own instance.
    const PER_SOCKET = 25;
    const acked = (
      await Promise.all(
        sockets.map(async (s, i) => {
          const mine: WireMessage[] = [];
          for (let n = 0; n < PER_SOCKET; n++) mine.push(await s.send(session.id, `from ${i}: ${n}`));
          return mine;
        }),
      )
    ).flat();

    const stored = await storedEvents(session.id);
    expect(stored.map((e) => e.seq)).toEqual(stored.map((_, i) => i + 1));
    const order = userMessages(stored).map((m) => m.id);
    expect(new Set(order)).toEqual(new Set(acked.map((m) => m.id)));
    for (const [i, log] of logs.entries()) {
      await eventually(
        () => userMessages(log).length >= acked.length,
        `participant ${i} (instance ${i % INSTANCES}) has every message`,
      );
      // The same messages, in the database's order, each once; seqs without a gap.
      expect(userMessages(log).map((m) => m.id)).toEqual(order);
      expect(log.map((e) => e.seq)).toEqual(log.map((_, k) => log[0].seq + k));
    }
  }, 60_000);

  it('one person with tabs on two instances is one participant, gone only when their last tab closes', async () => {
    const session = await newSession('Presence');
    const watcher = await client(servers[0].url, teacherToken);
    await watcher.join(session.id);
    const joined: string[] = [];
    const left: string[] = [];
    watcher.on('participant_joined', (e) => joined.push(e.user_id));
    watcher.on('participant_left', (e) => left.push(e.user_id));

    const ada = await api.guest(session.join_code!, 'Ada');
    const tabOnB = await client(servers[1].url, ada.access_token);
    await tabOnB.join(session.id);
    const tabOnC = await client(servers[2].url, ada.access_token);
    const state = await tabOnC.join(session.id);
    await eventually(() => joined.includes(ada.user.id), 'Ada announced on instance A');
    // A fresh join anywhere lists her once.
    expect(state.participants.filter((p) => p.user_id === ada.user.id)).toHaveLength(1);
    const third = await client(servers[0].url, teacherToken);
    const seenFromA = await third.join(session.id);
    expect(seenFromA.participants.filter((p) => p.user_id === ada.user.id)).toHaveLength(1);

    tabOnB.close();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(left).toEqual([]); // her tab on C is still open
    tabOnC.close();
    await eventually(() => left.includes(ada.user.id), 'Ada announced gone once her last tab closed');
    expect(joined.filter((id) => id === ada.user.id)).toHaveLength(1);
    expect(left.filter((id) => id === ada.user.id)).toHaveLength(1);
  }, 30_000);

  it("a person's message allowance is one across instances", async () => {
    const session = await newSession('Rate limit', { rate_limit: { messages: 3, per_seconds: 60 } });
    const bo = await api.guest(session.join_code!, 'Bo');
    const tabs = await Promise.all(servers.map((s) => client(s.url, bo.access_token)));
    await Promise.all(tabs.map((t) => t.join(session.id)));
    const outcomes: string[] = [];
    for (let n = 0; n < 6; n++) {
      // Round the instances: each sees only two of the six.
      outcomes.push(
        await tabs[n % INSTANCES].send(session.id, `message ${n}`, { retries: 0 }).then(
          () => 'ok',
          (error: unknown) => (error instanceof RoundtableError ? error.code : String(error)),
        ),
      );
    }
    expect(outcomes).toEqual(['ok', 'ok', 'ok', 'rate_limited', 'rate_limited', 'rate_limited']);
  }, 30_000);

  it('cancel_agent on one instance stops the answer streaming on another', async () => {
    const session = await newSession('Cancel across');
    const cy = await api.guest(session.join_code!, 'Cy');
    const student = await client(servers[1].url, cy.access_token);
    await student.join(session.id);
    const aborted = fake.aborted;
    const requests = fake.requests.length;
    fake.next({ chunks: Array.from({ length: 60 }, (_, i) => `part ${i} `), delayMs: 200 });
    const question = await student.send(session.id, '@tutor tell me a long story');
    const owner = await eventually(() => leaseOwner(session.id), 'an instance answering');
    await eventually(() => fake.requests.length > requests, 'the answer under way (the model asked)');
    const answering = dataDirs.findIndex((_, i) => instanceId(i) === owner);
    const other = (answering + 1) % INSTANCES;
    const moderator = await client(servers[other].url, teacherToken);
    const log = record(moderator);
    await moderator.join(session.id);
    await moderator.moderate({ session_id: session.id, action: 'cancel_agent' });
    await eventually(
      () => fake.aborted > aborted,
      `the stream on instance ${answering} cancelled from instance ${other}`,
      10_000,
    );
    const answer = await answerIn(log, question.id, 'the cancelled answer');
    expect(answer.status).toBe('cancelled');
  }, 30_000);

  it('kill -9 of the instance answering: another takes over within 20 s and answers once; its participants are gone within 30 s', async () => {
    const session = await newSession('Kill the answerer');
    const [dan, eve, dee] = await Promise.all(['Dan', 'Eve', 'Dee'].map((name) => api.guest(session.join_code!, name)));
    fake.next(
      { chunks: Array.from({ length: 100 }, (_, i) => `slow ${i} `), delayMs: 200 },
      { chunks: ['The ', 'whole ', 'answer.'] },
    );
    const asker = await client(servers[0].url, dan.access_token);
    await asker.join(session.id);
    const requests = fake.requests.length;
    const question = await asker.send(session.id, '@tutor explain tides');
    const owner = await eventually(() => leaseOwner(session.id), 'an instance answering');
    const answering = dataDirs.findIndex((_, i) => instanceId(i) === owner);
    await eventually(() => fake.requests.length > requests, 'the answer under way');
    // Eve is on the answering instance: her socket dies with it. Dee watches from a survivor.
    const victim = await client(servers[answering].url, eve.access_token);
    await victim.join(session.id);
    const survivor = (answering + 1) % INSTANCES;
    const watcher = await client(servers[survivor].url, dee.access_token);
    const log = record(watcher);
    const left: string[] = [];
    watcher.on('participant_left', (e) => left.push(e.user_id));
    const state = await watcher.join(session.id);
    expect(state.participants.map((p) => p.user_id)).toContain(eve.user.id);

    const killedAt = Date.now();
    await kill9(servers[answering]);
    const answer = await answerIn(
      log,
      question.id,
      'the question answered by another instance within 20 s of the kill',
      20_000,
    );
    const tookOverMs = Date.now() - killedAt;
    expect(answer).toMatchObject({ status: 'complete', content: 'The whole answer.' });
    expect(await leaseOwner(session.id)).not.toBe(owner);
    // Exactly those whose sockets were on the dead instance are announced gone (Dan too, if his was the one).
    const gone = [eve.user.id, ...(answering === 0 ? [dan.user.id] : [])].sort();
    await eventually(
      () => gone.every((id) => left.includes(id)),
      "the dead instance's participants announced gone",
      30_000,
    );
    const goneMs = Date.now() - killedAt;
    expect([...left].sort()).toEqual(gone);
    console.log(
      `kill -9: answered by another instance ${tookOverMs} ms after the kill; participants of the dead instance gone after ${goneMs} ms`,
    );

    await restart(answering);
    // Exactly once, in the log as stored.
    const stored = await storedEvents(session.id);
    const complete = stored.flatMap((e) =>
      e.type === 'new_message' && e.message.status === 'complete' && e.message.reply_to?.includes(question.id)
        ? [e]
        : [],
    );
    expect(complete).toHaveLength(1);
  }, 90_000);

  it('SIGTERM of an instance under a steady stream: its clients reconnect elsewhere and see every acknowledged message once', async () => {
    const session = await newSession('Rolling restart');
    const guests = await Promise.all(Array.from({ length: 6 }, (_, i) => api.guest(session.join_code!, `Reader ${i}`)));
    // Through the balancer: connections spread over the instances, and a reconnect goes to one that answers.
    const sockets = await Promise.all(guests.map((g) => client(balancer.url, g.access_token, { reconnect: true })));
    const logs = sockets.map(record);
    await Promise.all(sockets.map((s) => s.join(session.id)));

    // A question the tutor is answering slowly when the stop comes.
    const requests = fake.requests.length;
    fake.next(
      { chunks: Array.from({ length: 100 }, (_, i) => `long ${i} `), delayMs: 100 },
      { chunks: ['Answered ', 'after ', 'the ', 'hand-back.'] },
    );
    const question = await sockets[0].send(session.id, '@tutor what happens on a restart?');
    const owner = await eventually(() => leaseOwner(session.id), 'an instance answering');
    await eventually(() => fake.requests.length > requests, 'the answer under way');
    const stopping = dataDirs.findIndex((_, i) => instanceId(i) === owner);

    const acked: WireMessage[] = [];
    let sending = true;
    const senders = sockets.map(async (s, i) => {
      for (let n = 0; sending; n++) {
        const clientMsgId = `steady-${i}-${n}`;
        // Resent with the same client_msg_id until acknowledged: the server stores it once.
        for (;;) {
          try {
            acked.push(await s.send(session.id, `steady ${i}.${n}`, { clientMsgId, retries: 0 }));
            break;
          } catch {
            if (!sending) return;
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const stop = await terminate(servers[stopping]);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    sending = false;
    await Promise.all(senders);
    expect(stop.ms).toBeLessThan(10_000);
    expect(stop.code === 0 || stop.signal === 'SIGTERM').toBe(true);

    // The interrupted question is answered by another instance, once, well before its lease would have expired.
    const answer = await answerIn(logs[1], question.id, 'the handed-back question answered', 12_000, 'complete');
    expect(answer.content).toBe('Answered after the hand-back.');

    const stored = await storedEvents(session.id);
    expect(stored.map((e) => e.seq)).toEqual(stored.map((_, i) => i + 1));
    const ids = acked.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const [i, log] of logs.entries()) {
      await eventually(
        () => ids.every((id) => log.some((e) => e.type === 'new_message' && e.message.id === id)),
        `reader ${i} has every acknowledged message`,
        15_000,
      );
      const seen = userMessages(log).map((m) => m.id);
      expect(new Set(seen).size).toBe(seen.length); // each once
      expect(log.map((e) => e.seq)).toEqual(log.map((_, k) => log[0].seq + k)); // in order, no gap
    }
    const completeAnswers = stored.filter(
      (e) => e.type === 'new_message' && e.message.status === 'complete' && e.message.reply_to?.includes(question.id),
    );
    expect(completeAnswers).toHaveLength(1);
    console.log(
      `SIGTERM: instance ${stopping} stopped in ${stop.ms} ms under ${acked.length} acknowledged messages; every reader saw each once`,
    );
    await restart(stopping);
  }, 90_000);
});
