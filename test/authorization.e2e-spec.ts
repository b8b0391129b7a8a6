import { RoundtableClient } from '../client/sdk/roundtable-client.js';
import { connect, rawAck, signUp, signUpAdmin, startTestApp, type TestApp } from './support/test-app.js';

type Caller = 'moderator' | 'contributor' | 'observer' | 'guest' | 'non_member' | 'banned' | 'admin' | 'anonymous';
const CALLERS: Caller[] = [
  'moderator',
  'contributor',
  'observer',
  'guest',
  'non_member',
  'banned',
  'admin',
  'anonymous',
];

const ADMIN_EMAIL = 'platform-admin@example.org';

/**
 * Every REST route and socket event, tried by every kind of caller: the exact
 * outcome of each, and a denied call changes nothing (PROTOCOL.md section 3).
 */
describe('authorization, route by route and event by event', () => {
  let app: TestApp;
  let sessionId: string;
  const tokens = {} as Record<Caller, string>;
  const ids = {} as Record<Caller, string>;
  let targetId: string;

  beforeAll(async () => {
    app = await startTestApp({ ADMIN_EMAILS: ADMIN_EMAIL });
    const [mod, contributor, observer, outsider, banned, target] = await Promise.all(
      ['Mod', 'Contrib', 'Obs', 'Outsider', 'Banned', 'Target'].map((n) => signUp(app, n)),
    );
    const admin = await signUpAdmin(app, ADMIN_EMAIL);
    expect((await admin.api.me()).user.is_admin).toBe(true);
    const { session } = await mod.api.createSession({ title: 'Authz', agent: { responds_to: 'mentions' } });
    sessionId = session.id;
    await mod.api.setMember(sessionId, contributor.user.id, 'contributor');
    await mod.api.setMember(sessionId, observer.user.id, 'observer');
    await mod.api.setMember(sessionId, banned.user.id, 'contributor');
    await mod.api.setMember(sessionId, target.user.id, 'contributor');
    await mod.api.removeMember(sessionId, banned.user.id, true);
    const guest = await app.api.guest(session.join_code!, 'Guest');
    Object.assign(tokens, {
      moderator: mod.access_token,
      contributor: contributor.access_token,
      observer: observer.access_token,
      guest: guest.access_token,
      non_member: outsider.access_token,
      banned: banned.access_token,
      admin: admin.access_token,
      anonymous: '',
    });
    Object.assign(ids, {
      moderator: mod.user.id,
      contributor: contributor.user.id,
      observer: observer.user.id,
      guest: guest.user.id,
    });
    targetId = target.user.id;
  });
  afterAll(() => app.close());

  const eventCount = async () =>
    (
      await app.api
        .withToken(tokens.moderator)
        .call<{ events: unknown[] }>('GET', `/sessions/${sessionId}/events?limit=1000`)
    ).events.length;

  async function http(caller: Caller, method: string, path: string, body?: unknown): Promise<number> {
    const response = await fetch(`${app.url}${path.replace(':id', sessionId)}`, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(tokens[caller] ? { authorization: `Bearer ${tokens[caller]}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return response.status;
  }

  const READERS: Caller[] = ['moderator', 'contributor', 'observer', 'guest', 'admin'];
  const STAFF_ONLY: Caller[] = ['moderator', 'admin'];
  const expectTable = (allowed: Caller[], ok: number) =>
    Object.fromEntries(CALLERS.map((c) => [c, allowed.includes(c) ? ok : c === 'anonymous' ? 401 : 403]));

  it.each([
    ['GET', '/sessions/:id', READERS, 200],
    ['GET', '/sessions/:id/members', READERS, 200],
    ['GET', '/sessions/:id/messages', READERS, 200],
    ['GET', '/sessions/:id/events', READERS, 200],
    ['GET', '/sessions/:id/transcript', READERS, 200],
    ['GET', '/sessions/:id/transcript?format=markdown', READERS, 200],
    ['GET', '/sessions/:id/queue', READERS, 200],
    ['GET', '/sessions/:id/usage', READERS, 200],
    ['GET', '/sessions/:id/audit', STAFF_ONLY, 200],
  ] as Array<[string, string, Caller[], number]>)('%s %s', async (method, path, allowed, ok) => {
    const outcome: Record<string, number> = {};
    for (const caller of CALLERS) outcome[caller] = await http(caller, method, path);
    expect(outcome).toEqual(expectTable(allowed, ok));
  });

  it('PATCH, PUT and DELETE members: moderators and admins only; denied calls change nothing', async () => {
    const before = await eventCount();
    const outcome: Record<string, number[]> = {};
    for (const caller of CALLERS) {
      outcome[caller] = [
        await http(caller, 'PATCH', '/sessions/:id', { title: `Renamed by ${caller}` }),
        await http(caller, 'PUT', `/sessions/:id/members/${targetId}`, { role: 'observer' }),
        await http(caller, 'PUT', `/sessions/:id/members/${targetId}`, { role: 'contributor' }),
      ];
    }
    const expected = Object.fromEntries(
      CALLERS.map((c) => [
        c,
        STAFF_ONLY.includes(c) ? [200, 200, 200] : c === 'anonymous' ? [401, 401, 401] : [403, 403, 403],
      ]),
    );
    expect(outcome).toEqual(expected);
    // Only the two allowed callers wrote: three events each.
    expect(await eventCount()).toBe(before + 6);
  });

  it('POST /sessions: signed-in users but not guests', async () => {
    const outcome: Record<string, number> = {};
    for (const caller of CALLERS) outcome[caller] = await http(caller, 'POST', '/sessions', { title: 'Mine' });
    expect(outcome).toEqual(
      Object.fromEntries(CALLERS.map((c) => [c, c === 'anonymous' ? 401 : c === 'guest' ? 403 : 201])),
    );
  });

  it('socket events: each caller gets exactly the permission table, and denials change nothing', async () => {
    const clients = {} as Record<Caller, RoundtableClient>;
    for (const caller of CALLERS.filter((c) => c !== 'anonymous')) clients[caller] = await connect(app, tokens[caller]);
    await expect(new RoundtableClient({ url: app.url, token: '' }).connect()).rejects.toThrow('unauthorized');

    const sid = sessionId;
    let n = 0;
    const events: Array<[string, () => unknown[]]> = [
      ['join', () => [{ session_id: sid }]],
      ['message', () => [{ session_id: sid, content: `hello ${++n}`, client_msg_id: `authz-${n}` }]],
      [
        'message(staff)',
        () => [{ session_id: sid, content: `note ${++n}`, client_msg_id: `authz-${n}`, visibility: 'staff' }],
      ],
      ['typing_start', () => [{ session_id: sid }]],
      ['raise_hand', () => [{ session_id: sid }]],
      ['lower_hand', () => [{ session_id: sid }]],
      ['load_history', () => [{ session_id: sid, before_seq: 1000 }]],
      ['moderate(lock)', () => [{ session_id: sid, action: 'lock' }]],
      ['moderate(unlock)', () => [{ session_id: sid, action: 'unlock' }]],
    ];
    const before = await eventCount();
    const outcome: Record<string, Record<string, string>> = {};
    for (const caller of CALLERS.filter((c) => c !== 'anonymous')) {
      outcome[caller] = {};
      for (const [label, args] of events) {
        const name = label.split('(')[0];
        const answer = (await rawAck(clients[caller], name, ...args())) as { ok: boolean; error?: { code: string } };
        outcome[caller][label] = answer.ok ? 'ok' : answer.error!.code;
      }
    }
    const row = (allowed: string[], denied: string) =>
      Object.fromEntries(events.map(([label]) => [label, allowed.includes(label) ? 'ok' : denied]));
    const everything = events.map(([label]) => label);
    const member = ['join', 'load_history', 'raise_hand', 'lower_hand'];
    expect(outcome).toEqual({
      moderator: row(everything, 'forbidden'),
      admin: row(everything, 'forbidden'),
      contributor: row([...member, 'message', 'typing_start'], 'forbidden'),
      guest: row([...member, 'message', 'typing_start'], 'forbidden'),
      observer: row([...member, 'message(staff)'], 'forbidden'),
      non_member: row([], 'not_member'),
      banned: row([], 'not_member'),
    });
    // Allowed writes: moderator and admin a message, a note, hand up/down, lock/unlock (6 each);
    // contributor and guest a message and hand up/down (3 each); observer a note and hand up/down (3).
    expect(await eventCount()).toBe(before + 6 + 6 + 3 + 3 + 3);
  });

  it('member removal, join codes and closing: moderators and admins only', async () => {
    const mod = app.api.withToken(tokens.moderator);
    const outcome: Record<string, number[]> = {};
    for (const caller of CALLERS) {
      const { session } = await mod.createSession({ title: `Closing for ${caller}` });
      const extra = await signUp(app, 'Extra');
      await mod.setMember(session.id, extra.user.id, 'contributor');
      // Members without the permission, not just outsiders, are refused.
      await mod.setMember(session.id, ids.contributor, 'contributor');
      await mod.setMember(session.id, ids.observer, 'observer');
      const call = async (method: string, path: string) => {
        const response = await fetch(`${app.url}${path}`, {
          method,
          headers: tokens[caller] ? { authorization: `Bearer ${tokens[caller]}` } : {},
        });
        return response.status;
      };
      outcome[caller] = [
        await call('DELETE', `/sessions/${session.id}/members/${extra.user.id}`),
        await call('POST', `/sessions/${session.id}/join-code`),
        await call('DELETE', `/sessions/${session.id}/join-code`),
        await call('POST', `/sessions/${session.id}/close`),
      ];
      const after = (await mod.getSession(session.id)).session;
      // A denied caller changed nothing: the session is still open.
      expect([caller, after.status]).toEqual([caller, STAFF_ONLY.includes(caller) ? 'closed' : 'active']);
    }
    const denied = (c: Caller) => (c === 'anonymous' ? 401 : 403);
    expect(outcome).toEqual(
      Object.fromEntries(
        CALLERS.map((c) => [
          c,
          STAFF_ONLY.includes(c) ? [200, 200, 200, 200] : [denied(c), denied(c), denied(c), denied(c)],
        ]),
      ),
    );
  });

  it('GET /auth/me: any valid token; anonymous and forged tokens get 401', async () => {
    for (const caller of CALLERS) {
      expect([caller, await http(caller, 'GET', '/auth/me')]).toEqual([caller, caller === 'anonymous' ? 401 : 200]);
    }
    const forged = await fetch(`${app.url}/auth/me`, {
      headers: { authorization: `Bearer ${tokens.moderator.slice(0, -3)}abc` },
    });
    expect(forged.status).toBe(401);
  });
});
