import { CLIENT_EVENTS, MODERATE_ACTIONS } from '../src/contract/protocol.js';
import { connect, rawAck, signUp, startTestApp, type TestApp } from './support/test-app.js';

/** A small deterministic generator (mulberry32), so a failing case can be replayed from its seed. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Hostile input, generated: every socket event and the REST bodies get payloads of the wrong
 * types, out-of-range numbers, control characters, prototype keys, deep nesting and ids from
 * nowhere. Whatever comes back must be an answer a client can act on (never `internal`, never a
 * 500), and the server must go on serving everyone (issue: hardening).
 */
describe('generated hostile input', () => {
  let app: TestApp;
  let sessionId: string;
  let joinCode: string;
  let token: string;

  beforeAll(async () => {
    app = await startTestApp();
    const teacher = await signUp(app, 'Teacher');
    token = teacher.access_token;
    const { session } = await teacher.api.createSession({ title: 'Fuzzed', agent: { responds_to: 'mentions' } });
    sessionId = session.id;
    joinCode = session.join_code!;
  });
  afterAll(() => app.close());

  function values(next: () => number, depth = 0): unknown[] {
    const pick = <T>(xs: T[]) => xs[Math.floor(next() * xs.length)];
    const nested = depth < 3 ? [{ [pick(['a', '__proto__', 'constructor', 'prototype', 'session_id'])]: pick(values(next, depth + 1)) }, [pick(values(next, depth + 1))]] : [];
    return [
      null,
      true,
      0,
      -1,
      1.5,
      2 ** 31,
      2 ** 53,
      Number.MAX_VALUE,
      '',
      'x'.repeat(9000),
      'nul\u0000byte',
      'bell\u0007 esc\u001b[31m',
      '\u202eevil',
      '../../etc/passwd',
      '<script>alert(1)</script>',
      'a1b2c3d4-0000-4000-8000-000000000000',
      sessionId,
      ...nested,
    ];
  }

  function payload(next: () => number): unknown {
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)];
    const fields = ['session_id', 'content', 'client_msg_id', 'visibility', 'last_seq', 'before_seq', 'limit', 'note', 'action', 'user_id', 'message_id', 'seconds', 'role', 'ban', 'turn_policy', 'rate_limit', 'instructions', 'waiting_room', '__proto__', 'constructor'];
    const body: Record<string, unknown> = next() < 0.8 ? { session_id: sessionId } : {};
    const n = Math.floor(next() * 5);
    for (let i = 0; i < n; i++) {
      const field = pick(fields);
      body[field] = field === 'action' && next() < 0.7 ? pick(MODERATE_ACTIONS) : pick(values(next));
    }
    return next() < 0.1 ? pick(values(next)) : body;
  }

  it('answers every generated socket payload with ok or a clear error, and keeps serving', async () => {
    const next = random(20261201);
    const client = await connect(app, token);
    await client.join(sessionId);
    const codes = new Map<string, number>();
    for (let i = 0; i < 400; i++) {
      // A hundred a second: under the flood guard, so the payloads reach validation and the handlers.
      if (i > 0 && i % 100 === 0) await new Promise((resolve) => setTimeout(resolve, 1000));
      const event = CLIENT_EVENTS[i % CLIENT_EVENTS.length];
      const sent = payload(next);
      const answer = (await rawAck(client, event, sent)) as { ok: boolean; error?: { code: string; message: string } };
      const code = answer.ok ? 'ok' : (answer.error?.code ?? 'no error given');
      codes.set(code, (codes.get(code) ?? 0) + 1);
      if (code === 'internal' || code === 'no error given') throw new Error(`case ${i}: ${event} ${JSON.stringify(sent).slice(0, 300)} → ${JSON.stringify(answer)}`);
      if (!answer.ok) expect(answer.error!.message.length).toBeGreaterThan(0);
    }
    expect(codes.get('bad_request')).toBeGreaterThan(100);
    expect(codes.get('rate_limited') ?? 0).toBeLessThan(40); // the typing and hand limits, not the flood guard
    // Still serving (after the flood guard's second has passed), and nothing grew a prototype.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await client.join(sessionId);
    await expect(client.send(sessionId, 'still here')).resolves.toMatchObject({ content: 'still here' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  }, 60_000);

  it('answers every generated REST body with a 2xx or a 4xx, never a 500', async () => {
    const next = random(7);
    const routes: Array<[string, string, string | null]> = [
      ['POST', '/auth/register', null],
      ['POST', '/auth/login', null],
      ['POST', '/auth/guest', null],
      ['POST', '/sessions', token],
      ['PATCH', `/sessions/${sessionId}`, token],
      ['PUT', `/sessions/${sessionId}/members/a1b2c3d4-0000-4000-8000-000000000000`, token],
      ['POST', '/auth/password', token],
    ];
    for (let i = 0; i < 210; i++) {
      const [method, path, bearer] = routes[i % routes.length];
      const fields = ['email', 'password', 'display_name', 'join_code', 'title', 'turn_policy', 'agent', 'rate_limit', 'guest_role', 'locked', 'role', 'waiting_room', 'new_password', 'current_password', '__proto__'];
      const body: Record<string, unknown> = {};
      for (let f = 0; f < 4; f++) body[fields[Math.floor(next() * fields.length)]] = values(next)[Math.floor(next() * values(next).length)];
      if (path === '/auth/guest' && next() < 0.5) body.join_code = joinCode;
      const response = await fetch(`${app.url}${path}`, {
        method,
        headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
        body: JSON.stringify(body),
      });
      if (response.status >= 500) throw new Error(`case ${i}: ${method} ${path} ${JSON.stringify(body).slice(0, 300)} → ${response.status} ${await response.text()}`);
      expect(response.status).toBeLessThan(500);
    }
    const health = await fetch(`${app.url}/health`);
    expect(health.status).toBe(200);
  }, 60_000);
});
