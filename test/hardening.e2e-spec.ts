import { lstatSync, readdirSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { redactUrl } from '../src/app.js';
import { FakeOpenAi } from './support/fake-openai.js';
import {
  connect,
  eventually,
  rawAck,
  recordDurable,
  signUp,
  signUpAdmin,
  startTestApp,
  type TestApp,
  type TestUser,
} from './support/test-app.js';

/** Limits per person, the operator's bill, bans, data at rest and hostile input (issue: hardening / security). */
describe('limits per person', () => {
  let app: TestApp;
  let teacher: TestUser;

  beforeAll(async () => {
    // The server-wide defaults as an operator gets them, except a small socket cap to reach quickly.
    app = await startTestApp({
      MAX_SOCKETS_PER_USER: '3',
      DEFAULT_RATE_LIMIT: '3/60',
      MAX_PENDING_PER_AUTHOR: '2',
      MAX_GUESTS_PER_SESSION: '4',
    });
    teacher = await signUp(app, 'Teacher');
  });
  afterAll(() => app.close());

  it('lets one person hold at most MAX_SOCKETS_PER_USER sockets', async () => {
    const held = await Promise.all([1, 2, 3].map(() => connect(app, teacher.access_token)));
    await expect(connect(app, teacher.access_token)).rejects.toThrow(
      'too many connections: at most 3 at once per person',
    );
    held[0].close();
    await new Promise((r) => setTimeout(r, 100));
    await expect(connect(app, teacher.access_token)).resolves.toBeTruthy();
    for (const c of held) c.close();
  });

  it('applies the server-wide message limit to sessions without their own, never to moderators', async () => {
    const { session } = await teacher.api.createSession({ title: 'Default limit', agent: { responds_to: 'mentions' } });
    const guest = await app.api.guest(session.join_code!, 'Fast typist');
    const student = await connect(app, guest.access_token);
    await student.join(session.id);
    for (const text of ['one', 'two', 'three']) await student.send(session.id, text);
    await expect(student.send(session.id, 'four')).rejects.toMatchObject({
      code: 'rate_limited',
      retryAfterMs: expect.any(Number),
    });
    const mod = await connect(app, teacher.access_token);
    await mod.join(session.id);
    for (let i = 0; i < 6; i++) await mod.send(session.id, `moderator ${i}`);
    // The session's own limit wins over the default.
    await mod.moderate({ session_id: session.id, action: 'set_policy', rate_limit: { messages: 10, per_seconds: 60 } });
    await expect(student.send(session.id, 'four, under the session limit')).resolves.toBeTruthy();
    student.close();
    mod.close();
  });

  it('caps the questions one person has waiting for the tutor', async () => {
    const { session } = await teacher.api.createSession({
      title: 'Pending cap',
      rate_limit: { messages: 100, per_seconds: 60 },
    });
    const mod = await connect(app, teacher.access_token);
    await mod.join(session.id);
    await mod.moderate({ session_id: session.id, action: 'pause_agent' });
    const guest = await app.api.guest(session.join_code!, 'Curious');
    const student = await connect(app, guest.access_token);
    await student.join(session.id);
    await student.send(session.id, 'q1');
    await student.send(session.id, 'q2');
    await expect(student.send(session.id, 'q3')).rejects.toMatchObject({
      code: 'rate_limited',
      message: expect.stringContaining('2 questions waiting'),
    });
    const queue = await teacher.api.call<{ queue: unknown[] }>('GET', `/sessions/${session.id}/queue`);
    expect(queue.queue).toHaveLength(2);
    student.close();
    mod.close();
  });

  it('limits hand toggles and typing indicators per person', async () => {
    const { session } = await teacher.api.createSession({ title: 'Toggles', turn_policy: 'hand_raise' });
    const guest = await app.api.guest(session.join_code!, 'Toggler');
    const student = await connect(app, guest.access_token);
    await student.join(session.id);
    const acks: Array<{ ok: boolean; error?: { code: string } }> = [];
    for (let i = 0; i < 8; i++) {
      acks.push((await rawAck(student, 'raise_hand', { session_id: session.id })) as never);
      acks.push((await rawAck(student, 'lower_hand', { session_id: session.id })) as never);
    }
    expect(acks.slice(0, 12).every((a) => a.ok)).toBe(true);
    expect(acks.slice(12).every((a) => !a.ok && a.error?.code === 'rate_limited')).toBe(true);
    const events = await teacher.api.call<{ events: Array<{ type: string }> }>(
      'GET',
      `/sessions/${session.id}/events?limit=1000`,
    );
    expect(events.events.filter((e) => e.type === 'hand_raised' || e.type === 'hand_lowered')).toHaveLength(12);
    const typing = await Promise.all(
      Array.from(
        { length: 6 },
        () => rawAck(student, 'typing_start', { session_id: session.id }) as Promise<{ ok: boolean }>,
      ),
    );
    expect(typing.filter((a) => a.ok)).toHaveLength(4);
    student.close();
  });

  it('admits at most MAX_GUESTS_PER_SESSION guests', async () => {
    const { session } = await teacher.api.createSession({ title: 'Small room' });
    for (let i = 0; i < 4; i++) await app.api.guest(session.join_code!, `Guest ${i}`);
    await expect(app.api.guest(session.join_code!, 'One too many')).rejects.toMatchObject({
      status: 403,
      body: { message: expect.stringContaining('at most 4 guests') },
    });
  });
});

describe("one person's flood does not stall another session", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ MAX_SOCKETS_PER_USER: '10' });
  });
  afterAll(() => app.close());

  it('keeps acks in a quiet session fast while one guest floods from ten sockets', async () => {
    const teacher = await signUp(app, 'Teacher');
    const [{ session: noisy }, { session: quiet }] = await Promise.all([
      teacher.api.createSession({ title: 'Noisy', agent: { responds_to: 'mentions' } }),
      teacher.api.createSession({ title: 'Quiet', agent: { responds_to: 'mentions' } }),
    ]);
    const flooder = await app.api.guest(noisy.join_code!, 'Flooder');
    const sockets = await Promise.all(Array.from({ length: 10 }, () => connect(app, flooder.access_token)));
    await Promise.all(sockets.map((s) => s.join(noisy.id)));
    await expect(connect(app, flooder.access_token)).rejects.toThrow('too many connections');
    const quietGuest = await app.api.guest(quiet.join_code!, 'Polite');
    const polite = await connect(app, quietGuest.access_token);
    await polite.join(quiet.id);

    let flooding = true;
    let refused = 0;
    const flood = Promise.all(
      sockets.map(async (s, k) => {
        for (let i = 0; flooding; i++) {
          await Promise.all(
            Array.from({ length: 20 }, () =>
              (rawAck(s, 'typing_start', { session_id: noisy.id }) as Promise<{ ok: boolean }>).then(
                (a) => void (a.ok || refused++),
              ),
            ).concat([
              (
                rawAck(s, 'message', {
                  session_id: noisy.id,
                  content: 'spam',
                  client_msg_id: `f${k}-${i}`,
                }) as Promise<{ ok: boolean }>
              ).then((a) => void (a.ok || refused++)),
            ]),
          );
        }
      }),
    );
    const latencies: number[] = [];
    for (let i = 0; i < 30; i++) {
      const t0 = performance.now();
      await polite.send(quiet.id, `question ${i}`);
      latencies.push(performance.now() - t0);
    }
    flooding = false;
    await flood;
    latencies.sort((a, b) => a - b);
    const p50 = latencies[15];
    const p95 = latencies[28];
    process.stdout.write(
      `flood isolation: quiet session ack p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms; flooder refused ${refused} times\n`,
    );
    expect(refused).toBeGreaterThan(0);
    // Every quiet ack came back (each within the SDK's 5 s ack timeout) while the flooder was refused.
    // How fast is a benchmark's question, not a test's: the figures are in bench/RESULTS.md.
    expect(latencies).toHaveLength(30);
    expect(p95).toBeLessThan(5000);
  }, 60_000);
});

describe("the operator's bill and bans", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ AGENT_MODELS: 'small-model, big-model', ADMIN_EMAILS: 'ops@example.test' });
  });
  afterAll(() => app.close());

  it('lets sessions use only the models the operator offers; platform admins may choose others', async () => {
    const teacher = await signUp(app, 'Teacher');
    await expect(
      teacher.api.createSession({ title: 'Costly', agent: { model: 'any-model-name' } }),
    ).rejects.toMatchObject({
      status: 403,
      body: { message: expect.stringContaining('choose one of: offline-tutor, small-model, big-model') },
    });
    const { session } = await teacher.api.createSession({ title: 'Fine', agent: { model: 'big-model' } });
    await expect(teacher.api.updateSession(session.id, { agent: { model: 'gpt-9-ultra' } })).rejects.toMatchObject({
      status: 403,
    });
    expect((await teacher.api.getSession(session.id)).session.agent.model).toBe('big-model');
    const admin = await signUpAdmin(app, 'ops@example.test');
    await expect(admin.api.updateSession(session.id, { agent: { model: 'research-model' } })).resolves.toBeTruthy();
  });
});

describe('data at rest and hostile input', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  const modes = (dir: string): Array<[string, number]> =>
    readdirSync(dir, { recursive: true, withFileTypes: false })
      .map((entry) => join(dir, String(entry)))
      .map((path) => [path, lstatSync(path).mode & 0o777] as [string, number]);

  it('keeps DATA_DIR owner-only, and tightens a loosened one at start', async () => {
    const dir = app.config.dataDir;
    expect(lstatSync(dir).mode & 0o777).toBe(0o700);
    // Every directory is owner-only, so no file below is reachable by another local user; the files
    // themselves are 0600 too, but for the few PGlite rewrites with its own mode while running.
    expect(modes(dir).filter(([path, mode]) => lstatSync(path).isDirectory() && mode !== 0o700)).toEqual([]);
    expect(
      modes(dir).filter(([path, mode]) => !lstatSync(path).isDirectory() && (mode & 0o077) !== 0).length,
    ).toBeLessThan(5);
    expect(lstatSync(join(dir, 'jwt-secret')).mode & 0o777).toBe(0o600);
    writeFileSync(join(dir, 'stray-notes.txt'), 'secret', { mode: 0o644 });
    chmodSync(dir, 0o755);
    await app.restart();
    expect(lstatSync(dir).mode & 0o777).toBe(0o700);
    expect(lstatSync(join(dir, 'stray-notes.txt')).mode & 0o777).toBe(0o600);
  });

  it('keeps join codes and query strings out of the access log', () => {
    expect(redactUrl('/join/K7PX2MQA')).toBe('/join/[code]');
    expect(redactUrl('/join/K7PX2MQA?x=1')).toBe('/join/[code]');
    expect(redactUrl('/sessions/abc/events?token=secret')).toBe('/sessions/abc/events');
  });

  it('refuses NUL and control characters, out-of-range integers and deep nesting with clear errors', async () => {
    const teacher = await signUp(app, 'Teacher');
    await expect(teacher.api.createSession({ title: 'Nul\u0000title' })).rejects.toMatchObject({
      status: 400,
      body: { message: expect.stringContaining('title must not contain control characters') },
    });
    await expect(app.api.register('nul@example.test', 'correct horse battery', 'Nul\u0000')).rejects.toMatchObject({
      status: 400,
    });
    const { session } = await teacher.api.createSession({ title: 'Input', agent: { responds_to: 'mentions' } });
    await expect(
      teacher.api.call('GET', `/sessions/${session.id}/messages?before_seq=2147483648`),
    ).rejects.toMatchObject({ status: 400, body: { message: expect.stringContaining('at most 2147483647') } });
    await expect(teacher.api.call('GET', `/sessions/${session.id}/events?after_seq=99999999999`)).rejects.toMatchObject(
      { status: 400 },
    );
    const deep = await fetch(`${app.url}/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":'.repeat(5000) + '1' + '}'.repeat(5000),
    });
    expect(deep.status).toBe(400);
    expect(((await deep.json()) as { message: string }).message).toContain('nested too deeply');

    const client = await connect(app, teacher.access_token);
    await client.join(session.id);
    const cases: Array<[string, Record<string, unknown>, string]> = [
      [
        'message',
        { session_id: session.id, content: 'a\u0000b', client_msg_id: 'n1' },
        'content must not contain control characters',
      ],
      [
        'message',
        { session_id: session.id, content: 'fine', client_msg_id: 'bell\u0007' },
        'client_msg_id must not contain control characters',
      ],
      ['raise_hand', { session_id: session.id, note: 'nul\u0000' }, 'note must not contain control characters'],
      ['load_history', { session_id: session.id, before_seq: 2 ** 31 }, 'before_seq must be at most'],
      ['join', { session_id: session.id, last_seq: 2 ** 40 }, 'last_seq must be at most'],
      [
        'moderate',
        { session_id: session.id, action: 'set_agent', instructions: 'x\u001b[31m' },
        'instructions must not contain control characters',
      ],
      [
        'message',
        JSON.parse('{"session_id":"' + session.id + '","x":' + '['.repeat(200) + ']'.repeat(200) + '}'),
        'nested too deeply',
      ],
    ];
    for (const [event, payload, message] of cases) {
      expect(await rawAck(client, event, payload)).toEqual({
        ok: false,
        error: { code: 'bad_request', message: expect.stringContaining(message) },
      });
    }
    // A multi-line message with tabs is fine, and `last_seq: null` means a plain snapshot.
    await expect(client.send(session.id, 'line one\n\tline two')).resolves.toMatchObject({
      content: 'line one\n\tline two',
    });
    expect(await rawAck(client, 'join', { session_id: session.id, last_seq: null })).toMatchObject({
      ok: true,
      state: { session_id: session.id },
    });
    const events = await teacher.api.call<{ events: Array<{ type: string }> }>(
      'GET',
      `/sessions/${session.id}/events?limit=100`,
    );
    expect(events.events.filter((e) => e.type === 'new_message')).toHaveLength(1);
  });

  it('throttles sign-in per account, whatever the address', async () => {
    const user = await signUp(app, 'Target');
    const email = (await user.api.me()).user.email!;
    for (let i = 0; i < 10; i++)
      await expect(app.api.login(email, `wrong guess ${i}`)).rejects.toMatchObject({ status: 401 });
    await expect(app.api.login(email, 'correct horse battery')).rejects.toMatchObject({
      status: 429,
      body: { code: 'rate_limited' },
    });
    // Another account is not affected.
    const other = await signUp(app, 'Bystander');
    await expect(app.api.login((await other.api.me()).user.email!, 'correct horse battery')).resolves.toBeTruthy();
  });
});

describe('daily token budgets', () => {
  let app: TestApp;
  let fake: FakeOpenAi;
  beforeAll(async () => {
    fake = await new FakeOpenAi().start();
    app = await startTestApp({
      OPENAI_BASE_URL: fake.url,
      OPENAI_API_KEY: 'test-key',
      TOKEN_BUDGET_PER_SESSION_DAY: '150',
      TOKEN_BUDGET_PER_USER_DAY: '1000',
    });
  });
  afterAll(async () => {
    await app.close();
    await fake.close();
  });

  it('answers until the session has spent its budget for the day, then says so without calling the model', async () => {
    const teacher = await signUp(app, 'Teacher');
    const { session } = await teacher.api.createSession({ title: 'Budget' });
    const client = await connect(app, teacher.access_token);
    const log = recordDurable(client);
    await client.join(session.id);
    const usage = { prompt_tokens: 60, completion_tokens: 40, total_tokens: 100 };
    fake.next({ chunks: ['one'], usage }, { chunks: ['two'], usage });
    const answers = () =>
      log
        .filter((e) => e.type === 'new_message' && (e as { message: { role: string } }).message.role !== 'user')
        .map((e) => (e as { message: { content: string; status: string } }).message);
    for (const [i, q] of ['first', 'second', 'third'].entries()) {
      await client.send(session.id, q);
      await eventually(() => answers().length === i + 1, `answer ${i + 1}`);
    }
    expect(answers().map((a) => [a.status, a.content])).toEqual([
      ['complete', 'one'],
      ['complete', 'two'],
      [
        'failed',
        "tutor could not answer Teacher: the tutor's daily budget for this session is spent; it renews at midnight UTC",
      ],
    ]);
    expect(fake.requests).toHaveLength(2);
  });
});

describe('deployments: origins, proxies and the sign-in limits', () => {
  const handshake = (url: string, origin?: string, forwardedFor?: string) =>
    fetch(`${url}/socket.io/?EIO=4&transport=polling`, {
      headers: { ...(origin ? { origin } : {}), ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
    });
  const tryLogin = (url: string, forwardedFor?: string) =>
    fetch(`${url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
      body: JSON.stringify({ email: 'nobody@example.test', password: 'wrong password' }),
    }).then((r) => r.status);

  it('lets browser pages open sockets from the server’s own origin or a listed one only; tools without an Origin decide by token', async () => {
    const app = await startTestApp({ CORS_ORIGINS: 'https://lms.school.example' });
    try {
      const own = new URL(app.url).origin;
      expect((await handshake(app.url, 'https://evil.example')).status).toBe(403);
      expect((await handshake(app.url, own)).status).toBe(200);
      const listed = await handshake(app.url, 'https://lms.school.example');
      expect(listed.status).toBe(200);
      expect(listed.headers.get('access-control-allow-origin')).toBe('https://lms.school.example');
      expect((await handshake(app.url)).status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('does not believe X-Forwarded-For unless TRUST_PROXY says so, and then limits per real client', async () => {
    const direct = await startTestApp({ AUTH_RATE_LIMIT_PER_MINUTE: '3' });
    try {
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push(await tryLogin(direct.url, `203.0.113.${i}`));
      expect(statuses).toEqual([401, 401, 401, 429, 429]); // a made-up header dodges nothing
    } finally {
      await direct.close();
    }
    const proxied = await startTestApp({ AUTH_RATE_LIMIT_PER_MINUTE: '3', TRUST_PROXY: 'loopback' });
    try {
      for (let i = 0; i < 3; i++) expect(await tryLogin(proxied.url, '198.51.100.7')).toBe(401);
      expect(await tryLogin(proxied.url, '198.51.100.7')).toBe(429);
      // Another pupil behind the same proxy is not held back by the first one's attempts.
      expect(await tryLogin(proxied.url, '198.51.100.8')).toBe(401);
    } finally {
      await proxied.close();
    }
  });
});

describe('a client that stops reading', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ MAX_SOCKET_BUFFER_KB: '1024' });
  });
  afterAll(() => app.close());

  it('is cut once the server holds more than MAX_SOCKET_BUFFER_KB for it, and resumes with nothing lost', async () => {
    const teacher = await signUp(app, 'Teacher');
    const { session } = await teacher.api.createSession({ title: 'Long answers', agent: { responds_to: 'mentions' } });
    const mod = await connect(app, teacher.access_token);
    await mod.join(session.id);
    const page = 'x'.repeat(7900);
    for (let i = 0; i < 100; i++) await mod.send(session.id, `${i} ${page}`);
    const guest = await app.api.guest(session.join_code!, 'Frozen tab');
    const reader = await connect(app, guest.access_token);
    const joined = await reader.join(session.id);
    const received = recordDurable(reader);
    const left: Array<{ user_id: string }> = [];
    mod.on('participant_left', (e) => left.push(e as never));

    // The reader stops taking bytes off its TCP socket, then asks for history again and again: about
    // 790 KB an answer, 50 MB in all, far more than the kernel's buffers hold.
    const ws = (reader.socket.io.engine.transport as unknown as { ws: { _socket: { pause(): void; resume(): void } } })
      .ws;
    ws._socket.pause();
    for (let i = 0; i < 64; i++)
      reader.socket.emit(
        'load_history',
        { session_id: session.id, before_seq: joined.seq + 1, limit: 100 },
        () => undefined,
      );
    await eventually(() => left.some((e) => e.user_id === guest.user.id), 'the frozen reader to be cut', 10_000);
    await mod.send(session.id, 'said while the reader was cut off');

    // Reading again, it learns the connection is gone, reconnects and resumes from its last seq.
    ws._socket.resume();
    await eventually(
      () => received.some((e) => e.type === 'new_message' && e.message.content === 'said while the reader was cut off'),
      'the missed message after the reconnect',
      10_000,
    );
    const seqs = received.map((e) => e.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    reader.close();
    mod.close();
  }, 30_000);
});
