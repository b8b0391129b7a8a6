import { createHmac } from 'node:crypto';
import { io } from 'socket.io-client';
import { PrismaClient } from '../src/generated/prisma/client.js';
import { CONNECT_TIMEOUT_MS } from '../src/realtime/lean-io.adapter.js';
import { signUp, startTestApp, type TestApp, type TestUser } from './support/test-app.js';

const b64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** A token signed with `secret` (HS256) over exactly these claims. */
function forge(
  claims: Record<string, unknown>,
  secret: string,
  header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' },
): string {
  const body = `${b64(header)}.${b64(claims)}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

/**
 * Tokens that must be refused, on REST and on the socket handshake, and join
 * codes that resist guessing.
 */
describe('authentication under attack', () => {
  let app: TestApp;
  let ada: TestUser;
  let secret: string;

  beforeAll(async () => {
    app = await startTestApp({
      JWT_SECRET: 'a-test-secret-that-is-long-enough-0123456789',
      WRONG_JOIN_CODES_PER_10_MIN: '5',
    });
    ada = await signUp(app, 'Ada');
    secret = 'a-test-secret-that-is-long-enough-0123456789';
  });
  afterAll(() => app.close());

  const me = (token: string) => fetch(`${app.url}/auth/me`, { headers: { authorization: `Bearer ${token}` } });
  const handshake = (token: string) =>
    new Promise<string>((resolve) => {
      const socket = io(app.url, { auth: { token }, transports: ['websocket'], reconnection: false });
      socket.on('connect', () => (socket.close(), resolve('connected')));
      socket.on('connect_error', (error) => (socket.close(), resolve(error.message)));
    });
  const claimsOf = (token: string) =>
    JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<string, unknown>;

  it('accepts the real token, to show the forgeries below fail for their own reason', async () => {
    expect((await me(ada.access_token)).status).toBe(200);
    expect(await handshake(ada.access_token)).toBe('connected');
    // A token made with the server's secret over Ada's own claims is accepted: the forge helper is right.
    expect((await me(forge(claimsOf(ada.access_token), secret))).status).toBe(200);
  });

  it.each([
    ['alg: none', () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claimsOf(ada.access_token))}.`],
    ['alg: none with a signature', () => forge(claimsOf(ada.access_token), secret, { alg: 'none', typ: 'JWT' })],
    [
      'HS512 instead of HS256',
      () => {
        const body = `${b64({ alg: 'HS512', typ: 'JWT' })}.${b64(claimsOf(ada.access_token))}`;
        return `${body}.${createHmac('sha512', secret).update(body).digest('base64url')}`;
      },
    ],
    ['expired', () => forge({ ...claimsOf(ada.access_token), iat: 1_000_000, exp: 1_000_100 }, secret)],
    ['signed with another secret', () => forge(claimsOf(ada.access_token), 'not-the-secret')],
    [
      'tampered claims (another subject, same signature)',
      () => {
        const [header, , signature] = ada.access_token.split('.');
        return `${header}.${b64({ ...claimsOf(ada.access_token), sub: '00000000-0000-4000-8000-000000000000' })}.${signature}`;
      },
    ],
    [
      'a subject that never existed',
      () => forge({ ...claimsOf(ada.access_token), sub: '00000000-0000-4000-8000-000000000000' }, secret),
    ],
    [
      'an old token version (signed out everywhere since)',
      () => forge({ ...claimsOf(ada.access_token), ver: -1 }, secret),
    ],
    ['garbage', () => 'not.a.token'],
    ['empty', () => ''],
  ])('refuses a token that is %s, on REST and on the socket', async (_what, make) => {
    const token = make();
    const answer = await me(token);
    expect(answer.status).toBe(401);
    expect(await answer.json()).toMatchObject({ code: 'unauthorized' });
    expect(await handshake(token)).toBe('unauthorized');
  });

  it("refuses a deleted user's token", async () => {
    const bo = await signUp(app, 'Bo');
    expect((await me(bo.access_token)).status).toBe(200);
    await app.app.get(PrismaClient).user.delete({ where: { id: bo.user.id } });
    expect((await me(bo.access_token)).status).toBe(401);
    expect(await handshake(bo.access_token)).toBe('unauthorized');
  });

  it('answers handshakes that arrive together (read in one query) each for itself', async () => {
    const [cy, di, ed] = await Promise.all([signUp(app, 'Cy'), signUp(app, 'Di'), signUp(app, 'Ed')]);
    await app.app.get(PrismaClient).user.delete({ where: { id: ed.user.id } });
    const stale = forge({ ...claimsOf(di.access_token), ver: 7 }, secret); // a token version Di never had
    const notAUuid = forge({ sub: 'not-a-uuid', ver: 0, exp: Math.floor(Date.now() / 1000) + 60 }, secret);
    const answers = await Promise.all(
      [cy.access_token, stale, ed.access_token, notAUuid, di.access_token, ada.access_token].map(handshake),
    );
    expect(answers).toEqual(['connected', 'unauthorized', 'unauthorized', 'unauthorized', 'connected', 'connected']);
  });

  it('keeps a guest token to its one session', async () => {
    const teacher = await signUp(app, 'Teacher');
    const [{ session: one }, { session: two }] = [
      await teacher.api.createSession({ title: 'One' }),
      await teacher.api.createSession({ title: 'Two' }),
    ];
    const guest = await app.api.guest(one.join_code!, 'Cy');
    const read = (id: string) =>
      fetch(`${app.url}/sessions/${id}`, { headers: { authorization: `Bearer ${guest.access_token}` } });
    expect((await read(one.id)).status).toBe(200);
    expect((await read(two.id)).status).toBe(403);
    expect(
      (
        await fetch(`${app.url}/sessions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${guest.access_token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ title: 'mine' }),
        })
      ).status,
    ).toBe(403);
  });

  it('bounds passwords: at least 8 characters, at most 200 before any hashing', async () => {
    const register = (password: string) =>
      fetch(`${app.url}/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: `p${password.length}@example.org`, password, display_name: 'P' }),
      });
    expect((await register('short')).status).toBe(400);
    const started = Date.now();
    expect((await register('x'.repeat(60_000))).status).toBe(400);
    expect(Date.now() - started).toBeLessThan(2000); // refused before hashing, not after a minute of it
    expect((await register('long enough password')).status).toBe(201);
  });

  it('join codes resist guessing: 8 characters of 32, and wrong codes are limited per address', async () => {
    const teacher = await signUp(app, 'Guess target');
    const { session } = await teacher.api.createSession({ title: 'Secret class' });
    expect(session.join_code).toMatch(/^[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{8}$/);
    const join = (code: string) =>
      fetch(`${app.url}/auth/guest`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ join_code: code, display_name: 'Guesser' }),
      });
    for (let i = 0; i < 5; i++) expect((await join(`WRONG${i}AA`)).status).toBe(404);
    const refused = await join(`WRONG9AA`);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // Past the limit, this address waits even with the right code.
    expect((await join(session.join_code!)).status).toBe(429);
  });
});

describe('connections that never authenticate', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it('closes a transport that never connects to the namespace, within the connect deadline', async () => {
    const { Socket } = await import('engine.io-client');
    const started = Date.now();
    const closed = await new Promise<number>((resolve) => {
      // A bare Engine.IO connection: the transport opens, the Socket.IO CONNECT (with a token) never comes.
      const raw = new Socket(app.url, { transports: ['websocket'], path: '/socket.io/' });
      raw.on('close', () => resolve(Date.now() - started));
    });
    expect(closed).toBeGreaterThanOrEqual(CONNECT_TIMEOUT_MS - 500);
    expect(closed).toBeLessThan(CONNECT_TIMEOUT_MS + 5000);
  }, 30_000);
});
