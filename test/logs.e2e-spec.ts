import { RoundtableApi } from '../client/sdk/roundtable-api.js';
import { RoundtableClient } from '../client/sdk/roundtable-client.js';
import { kill9, startServer, terminate, type ServerProcess } from './support/server-process.js';
import { prepareDatabase } from './support/test-app.js';

/**
 * The server's own log, as an operator reads it (issue: hardening): JSON lines, each line about a
 * request or a connection carrying its id, and no password, token or message body in any of them.
 */
describe('the log', () => {
  let database: Awaited<ReturnType<typeof prepareDatabase>>;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    database = await prepareDatabase();
  });
  afterAll(async () => {
    if (server) await kill9(server);
    await database.drop();
  });

  it('ties every line to its request or connection and keeps secrets and message bodies out', async () => {
    server = await startServer({
      DATA_DIR: database.dataDir,
      ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
      LOG_LEVEL: 'debug',
      LOG_FORMAT: 'json',
      MAX_SOCKETS_PER_USER: '1',
      OFFLINE_AGENT_DELAY_MS: '0',
    });
    const password = 'correct horse battery staple';
    const api = new RoundtableApi(server.url);
    const teacher = await api.register('logs@example.org', password, 'Teacher');
    const { session } = await api
      .withToken(teacher.access_token)
      .createSession({ title: 'Logged', agent: { responds_to: 'mentions' } });
    const client = new RoundtableClient({
      url: server.url,
      token: teacher.access_token,
      socketOptions: { reconnection: false },
    });
    await client.connect();
    await client.join(session.id);
    await client.send(session.id, 'my home is 12 Secret Lane');
    const second = new RoundtableClient({
      url: server.url,
      token: teacher.access_token,
      socketOptions: { reconnection: false },
    });
    await expect(second.connect()).rejects.toThrow('too many connections');
    const missing = await fetch(`${server.url}/sessions/00000000-0000-4000-8000-000000000000`, {
      headers: { authorization: `Bearer ${teacher.access_token}`, 'x-request-id': 'req-from-the-proxy' },
    });
    expect(missing.status).toBe(403); // not a member (a session one may not see does not say whether it exists)
    expect(missing.headers.get('x-request-id')).toBe('req-from-the-proxy');
    client.close();
    second.close();
    await new Promise((r) => setTimeout(r, 200));
    await terminate(server);

    const output = server.output();
    const lines = output
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.length).toBeGreaterThan(5);
    const connected = lines.find((l) => l.msg === 'connected');
    expect(connected).toMatchObject({ conn: expect.any(String), user_id: teacher.user.id });
    const refused = lines.find((l) => typeof l.msg === 'string' && l.msg.startsWith('connection refused'));
    expect(refused).toMatchObject({ conn: expect.any(String), user_id: teacher.user.id });
    expect(refused!.conn).not.toBe(connected!.conn);
    expect(lines.find((l) => l.msg === 'disconnected' && l.conn === connected!.conn)).toBeTruthy();
    const access = lines.find((l) => (l.req as { id?: string } | undefined)?.id === 'req-from-the-proxy');
    expect(access).toMatchObject({
      req: { method: 'GET', url: '/sessions/00000000-0000-4000-8000-000000000000' },
      res: { statusCode: 403 },
    });
    for (const secret of [password, teacher.access_token, '12 Secret Lane', session.join_code!])
      expect(output).not.toContain(secret);
  }, 60_000);
});
