import { RoundtableApi } from '../client/sdk/roundtable-api.js';
import { RoundtableClient, type NewMessageEvent, type WireMessage } from '../client/sdk/roundtable-client.js';
import { FakeOpenAi } from './support/fake-openai.js';
import { kill9, startServer, type ServerProcess as Server } from './support/server-process.js';
import { eventually, nextEvent, prepareDatabase } from './support/test-app.js';

describe('a server killed with SIGKILL', () => {
  let database: Awaited<ReturnType<typeof prepareDatabase>>;
  let env: Record<string, string>;
  const running: Server[] = [];
  const clients: RoundtableClient[] = [];

  let model: FakeOpenAi;

  beforeAll(async () => {
    database = await prepareDatabase();
    model = await new FakeOpenAi().start();
    env = {
      DATA_DIR: database.dataDir,
      ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
      OPENAI_BASE_URL: model.url,
      OPENAI_API_KEY: 'test-key',
    };
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    for (const server of running.splice(0))
      if (server.process.exitCode === null && server.process.signalCode === null) await kill9(server);
  });
  afterAll(async () => {
    await model.close();
    await database.drop();
  });

  async function start() {
    const server = await startServer(env);
    running.push(server);
    return server;
  }
  async function client(server: Server, token: string) {
    const c = new RoundtableClient({ url: server.url, token });
    clients.push(c);
    return c.connect();
  }

  it('loses no acknowledged message, and answers a question it was streaming exactly once', async () => {
    // The model streams slowly the first time, so the kill lands mid-answer.
    model.next({ chunks: ['Every ', 'acknowledged ', 'message ', 'survives.'], delayMs: 400 });
    let server = await start();
    const api = new RoundtableApi(server.url);
    const ada = await api.register('ada-restart@example.org', 'correct horse battery', 'Ada');
    const { session } = await api
      .withToken(ada.access_token)
      .createSession({ title: 'Crash course', agent: { responds_to: 'mentions' } });
    let socket = await client(server, ada.access_token);
    await socket.join(session.id);

    const acked: WireMessage[] = [];
    for (let i = 1; i <= 30; i++) acked.push(await socket.send(session.id, `note ${i}`));
    const streaming = nextEvent<{ status: string }>(socket, 'agent_status');
    const question = await socket.send(session.id, '@tutor what survives a crash?');
    acked.push(question);
    expect((await streaming).status).toBe('thinking');
    await nextEvent(socket, 'agent_delta');

    await kill9(server);
    server = await start();
    socket = await client(server, ada.access_token);
    const replies: NewMessageEvent[] = [];
    socket.onDurable((e) => {
      if (e.type === 'new_message' && e.message.role === 'assistant') replies.push(e);
    });
    const state = await socket.join(session.id);
    const history = [...state.messages];
    // Every acknowledged message is there, in order, once.
    const stored = history.filter((m) => m.role === 'user').map((m) => m.id);
    expect(stored).toEqual(acked.map((m) => m.id));

    // The interrupted question is answered after the restart, once.
    const restartedApi = new RoundtableApi(server.url, ada.access_token);
    const answered = async () => {
      const page = await restartedApi.call<{ messages: WireMessage[] }>(
        'GET',
        `/sessions/${session.id}/messages?limit=200`,
      );
      return page.messages.filter((m) => m.role === 'assistant' && m.reply_to?.includes(question.id));
    };
    await eventually(async () => (await answered()).length > 0, 'the answer after restart', 30_000);
    await new Promise((r) => setTimeout(r, 1000));
    const answers = await answered();
    expect(answers).toHaveLength(1);
    expect(answers[0].status).toBe('complete');
    expect(answers[0].content).toMatch(
      /^Answer to: \[#[0-9a-f]{6} \| moderator \| "Ada"\]: @tutor what survives a crash\?$/,
    );
    // The interrupted request and the one after the restart: the question was asked twice, answered once.
    expect(model.requests.filter((r) => JSON.stringify(r.messages).includes('what survives a crash?'))).toHaveLength(2);
  }, 180_000);
});
