import { RoundtableApi } from '../client/sdk/roundtable-api.js';
import { RoundtableClient, type DurableEvent, type WireMessage } from '../client/sdk/roundtable-client.js';
import { kill9, startServer, terminate, type ServerProcess } from './support/server-process.js';
import { eventually, prepareDatabase } from './support/test-app.js';

/** How many times the kill loop kills the server (the issue asks for at least 20 per run). */
const KILLS = 20;

/**
 * The real server process under a steady load of acknowledged messages from
 * several sockets, killed with SIGKILL at random moments and restarted on the
 * same data (PGlite, or PostgreSQL with DATABASE_URL). Afterwards every
 * acknowledged message is there exactly once, every seq is gap-free, and
 * every question was answered once or is answered after the last restart.
 * Then a clean stop: SIGTERM closes everything within 10 s and loses nothing.
 */
describe('crashes and stops', () => {
  let database: Awaited<ReturnType<typeof prepareDatabase>>;
  let env: Record<string, string>;
  let server: ServerProcess | undefined;
  const clients: RoundtableClient[] = [];

  beforeAll(async () => {
    database = await prepareDatabase();
    env = {
      DATA_DIR: database.dataDir,
      ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
      OFFLINE_AGENT_DELAY_MS: '0',
      DEFAULT_RATE_LIMIT: 'off',
      MAX_PENDING_PER_AUTHOR: '10000',
    };
  });
  afterAll(async () => {
    for (const c of clients.splice(0)) c.close();
    if (server) await kill9(server);
    await database.drop();
  });

  async function connect(token: string): Promise<RoundtableClient> {
    const client = new RoundtableClient({
      url: server!.url,
      token,
      ackTimeoutMs: 1000,
      socketOptions: { reconnection: false },
    });
    clients.push(client);
    return client.connect();
  }

  it(`loses nothing acknowledged and answers every question once, across ${KILLS} kills under load`, async () => {
    server = await startServer(env);
    const api = new RoundtableApi(server.url);
    const teacher = await api.register('kill-loop@example.org', 'correct horse battery', 'Teacher');
    const { session } = await api
      .withToken(teacher.access_token)
      .createSession({ title: 'Kill loop', turn_policy: 'fifo', agent: { responds_to: 'mentions' } });
    const students = await Promise.all(['Ada', 'Bo', 'Cy'].map((name) => api.guest(session.join_code!, name)));

    const acked = new Map<string, WireMessage>(); // by client_msg_id
    let attempted = 0;
    let counter = 0;
    const started = Date.now();
    for (let round = 0; round < KILLS; round++) {
      const sockets = await Promise.all(students.map((s) => connect(s.access_token)));
      await Promise.all(sockets.map((s) => s.join(session.id)));
      let stopped = false;
      // Each socket sends back to back, one in flight at a time; every ack is recorded.
      const senders = sockets.map(async (socket, i) => {
        while (!stopped) {
          const clientMsgId = `r${round}-s${i}-${counter++}`;
          attempted++;
          try {
            // Every fourth message asks the tutor (the rest are talk): the tutor keeps working through the kills.
            const text = counter % 4 === 0 ? `@tutor question ${clientMsgId}` : `talk ${clientMsgId}`;
            const message = await socket.send(session.id, text, { clientMsgId, retries: 0 });
            acked.set(clientMsgId, message);
          } catch {
            return; // the server is gone: what was not acknowledged may or may not be stored
          }
        }
      });
      await new Promise((resolve) => setTimeout(resolve, 150 + Math.floor(Math.random() * 700)));
      await kill9(server);
      stopped = true;
      await Promise.all(senders);
      for (const c of clients.splice(0)) c.close();
      server = await startServer(env);
    }
    const loopMs = Date.now() - started;

    // Every acknowledged message, exactly once; nothing stored twice.
    const reader = new RoundtableApi(server.url, teacher.access_token);
    const events: DurableEvent[] = [];
    for (let after = 0; ;) {
      const page = await reader.call<{ events: DurableEvent[]; has_more: boolean }>(
        'GET',
        `/sessions/${session.id}/events?after_seq=${after}&limit=1000`,
      );
      events.push(...page.events);
      if (!page.has_more) break;
      after = page.events[page.events.length - 1].seq;
    }
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1)); // gap-free, from 1
    const questions = events.flatMap((e) => (e.type === 'new_message' && e.message.role === 'user' ? [e.message] : []));
    const byClientId = new Map<string, number>();
    for (const q of questions) byClientId.set(q.client_msg_id!, (byClientId.get(q.client_msg_id!) ?? 0) + 1);
    const missing = [...acked.keys()].filter((id) => !byClientId.has(id));
    const doubled = [...byClientId].filter(([, n]) => n > 1);
    console.log(
      `kill loop: ${KILLS} kills in ${(loopMs / 1000).toFixed(1)} s; ${attempted} sends, ${acked.size} acknowledged, ${questions.length} stored; missing ${missing.length}, stored twice ${doubled.length}`,
    );
    expect(missing).toEqual([]);
    expect(doubled).toEqual([]);
    expect(acked.size).toBeGreaterThan(KILLS * 3);

    // Every question is answered after the last restart, and none twice.
    const answersTo = async () => {
      const all: WireMessage[] = [];
      let before: number | undefined;
      for (;;) {
        const page = await reader.call<{ messages: WireMessage[]; has_more: boolean }>(
          'GET',
          `/sessions/${session.id}/messages?limit=200${before ? `&before_seq=${before}` : ''}`,
        );
        all.push(...page.messages);
        if (!page.has_more) break;
        before = page.messages[page.messages.length - 1].seq;
      }
      const counts = new Map<string, number>();
      for (const m of all)
        if (m.role === 'assistant' && m.status === 'complete')
          for (const id of m.reply_to ?? []) counts.set(id, (counts.get(id) ?? 0) + 1);
      return { counts, questions: all.filter((m) => m.role === 'user' && m.content.startsWith('@tutor')) };
    };
    const settled = await eventually(
      async () => {
        const { counts, questions: stored } = await answersTo();
        return stored.every((q) => counts.has(q.id)) ? { counts, stored } : null;
      },
      'every question answered',
      120_000,
    );
    expect([...settled!.counts.values()].filter((n) => n > 1)).toEqual([]);
    expect(settled!.stored.length).toBeGreaterThan(KILLS);
    console.log(`kill loop: all ${settled!.stored.length} questions answered once`);
  }, 600_000);

  it('stops cleanly on SIGTERM within 10 s: sockets are told, nothing acknowledged is lost, the data opens again', async () => {
    server ??= await startServer(env);
    const api = new RoundtableApi(server.url);
    const teacher = await api.login('kill-loop@example.org', 'correct horse battery');
    const { session } = await api.withToken(teacher.access_token).createSession({ title: 'Clean stop' });
    const socket = await connect(teacher.access_token);
    await socket.join(session.id);
    const sent: WireMessage[] = [];
    for (let i = 0; i < 20; i++) sent.push(await socket.send(session.id, `before the stop ${i}`));
    const disconnected = new Promise<string>((resolve) =>
      (socket.socket as unknown as { once(e: string, f: (r: string) => void): void }).once('disconnect', resolve),
    );
    const stop = await terminate(server);
    expect(stop.ms).toBeLessThan(10_000);
    expect(stop.code === 0 || stop.signal === 'SIGTERM').toBe(true); // Nest re-raises the signal once it has closed everything
    expect(await disconnected).toMatch(/transport close|io server disconnect/);
    // A clean close: the next start opens the same data at once, with everything in it.
    server = await startServer(env);
    const again = await connect(teacher.access_token);
    const state = await again.join(session.id);
    expect(state.messages.filter((m) => m.role === 'user').map((m) => m.id)).toEqual(sent.map((m) => m.id));
  }, 180_000);
});
