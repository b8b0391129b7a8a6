import { PrismaClient } from '../src/generated/prisma/client.js';
import type { DurableEvent, WireMessage } from '../src/contract/protocol.js';
import {
  connect,
  eventually,
  recordDurable,
  signUp,
  signUpAdmin,
  startTestApp,
  type TestApp,
  type TestUser,
} from './support/test-app.js';

const DAY_MS = 24 * 3600 * 1000;

/** Every row of every table of the schema, as text: where a trace of a person would be. */
async function everyRow(prisma: PrismaClient): Promise<Map<string, string[]>> {
  const tables = await prisma.$queryRaw<Array<{ table_name: string }>>`
    SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`;
  const out = new Map<string, string[]>();
  for (const { table_name } of tables) {
    const rows = await prisma.$queryRawUnsafe<Array<{ row: string }>>(
      `SELECT row_to_json(t)::text AS row FROM "${table_name.replace(/"/g, '')}" t`,
    );
    out.set(
      table_name,
      rows.map((r) => r.row),
    );
  }
  return out;
}

async function allEvents(user: TestUser, sessionId: string): Promise<DurableEvent[]> {
  return (
    await user.api.call<{ events: DurableEvent[] }>('GET', `/sessions/${sessionId}/events?after_seq=0&limit=1000`)
  ).events;
}

/** Retention, erasure and export (issue 20: a school's data kept only as long as it should be). */
describe('privacy', () => {
  let app: TestApp;
  let prisma: PrismaClient;
  let admin: TestUser;

  beforeAll(async () => {
    app = await startTestApp({ RETENTION_DAYS: '30', ADMIN_EMAILS: 'dpo@school.example' });
    prisma = app.app.get(PrismaClient);
    admin = await signUpAdmin(app, 'dpo@school.example', 'Data Officer');
  });
  afterAll(() => app.close());

  it('purges exactly the closed sessions past their retention, and their guests; a second run changes nothing', async () => {
    const teacher = await signUp(app, 'Teacher');
    const make = async (title: string, extra: Record<string, unknown> = {}) => {
      const { session } = await teacher.api.createSession({ title, ...extra } as never);
      const guest = await app.api.guest(session.join_code!, `Guest of ${title}`);
      const client = await connect(app, guest.access_token);
      const seen = recordDurable(client);
      await client.join(session.id);
      await client.send(session.id, `a question in ${title}`);
      await eventually(
        () => seen.some((e) => e.type === 'new_message' && e.message.role === 'assistant'),
        'the answer',
      );
      client.close();
      return { session, guest };
    };
    const old = await make('Closed 31 days ago');
    const short = await make('Closed 2 days ago, kept 1', { retention_days: 1 });
    const recent = await make('Closed 10 days ago');
    const open = await make('Still running');
    for (const s of [old, short, recent]) await teacher.api.call('POST', `/sessions/${s.session.id}/close`);
    const closedAt = (days: number) => new Date(Date.now() - days * DAY_MS);
    await prisma.session.update({ where: { id: old.session.id }, data: { closedAt: closedAt(31) } });
    await prisma.session.update({ where: { id: short.session.id }, data: { closedAt: closedAt(2) } });
    await prisma.session.update({ where: { id: recent.session.id }, data: { closedAt: closedAt(10) } });

    const keptCounts = await Promise.all(
      [recent, open].map((k) => prisma.message.count({ where: { sessionId: k.session.id } })),
    );
    await expect(teacher.api.call('POST', '/admin/retention/run')).rejects.toMatchObject({ status: 403 });
    const first = await admin.api.call<{ sessions: string[]; guests: number }>('POST', '/admin/retention/run');
    expect(first.sessions.sort()).toEqual([old.session.id, short.session.id].sort());
    expect(first.guests).toBe(2);
    for (const gone of [old, short]) {
      await expect(teacher.api.call('GET', `/sessions/${gone.session.id}`)).rejects.toMatchObject({ status: 403 }); // as for any session one is not in
      expect(await prisma.message.count({ where: { sessionId: gone.session.id } })).toBe(0);
      expect(await prisma.sessionEvent.count({ where: { sessionId: gone.session.id } })).toBe(0);
      expect(await prisma.user.count({ where: { id: gone.guest.user.id } })).toBe(0);
      const left = await prisma.purgedSession.findUnique({ where: { sessionId: gone.session.id } });
      expect(left).toMatchObject({
        createdById: teacher.user.id,
        removed: expect.objectContaining({ messages: 2, members: 2 }),
      }); // the question and its answer
    }
    for (const [i, kept] of [recent, open].entries()) {
      expect(await prisma.message.count({ where: { sessionId: kept.session.id } })).toBe(keptCounts[i]);
      expect(await prisma.user.count({ where: { id: kept.guest.user.id } })).toBe(1);
    }
    const before = await everyRow(prisma);
    const second = await admin.api.call<{ sessions: string[]; guests: number }>('POST', '/admin/retention/run');
    expect(second).toEqual({ sessions: [], guests: 0 });
    expect(await everyRow(prisma)).toEqual(before);
  });

  it('erases a person: no trace of their content or email in any table, seq gap-free, tombstones in the transcript, tokens refused', async () => {
    const teacher = await signUp(app, 'Teacher');
    const { session } = await teacher.api.createSession({ title: 'Erasure', turn_policy: 'fifo' });
    const bo = await app.api.register('bozena.quill@family.example', 'correct horse battery', 'Bozena Quill');
    await teacher.api.call('PUT', `/sessions/${session.id}/members/${bo.user.id}`, { role: 'contributor' });
    const adaGuest = await app.api.guest(session.join_code!, 'Ada');
    const [boClient, ada, mod] = await Promise.all([bo, adaGuest, teacher].map((u) => connect(app, u.access_token)));
    const seen = recordDurable(ada);
    for (const c of [boClient, ada, mod]) await c.join(session.id);
    const secret = 'my grandmother in Zanzibar grows vanilla orchids';
    const mine = await boClient.send(session.id, `Homework question: ${secret}?`);
    await eventually(
      () =>
        seen.some(
          (e) => e.type === 'new_message' && e.message.role === 'assistant' && e.message.reply_to?.includes(mine.id),
        ),
      'the tutor answering Bo',
    );
    await boClient.raiseHand(session.id, 'Bozena needs the vanilla orchids worksheet');
    await mod.moderate({ session_id: session.id, action: 'pause_agent' }); // Ada's question waits, so Bo can upvote it
    const adas = await ada.send(session.id, 'And what is photosynthesis?');
    await boClient.upvote(session.id, adas.id);
    await mod.send(session.id, 'Thanks both');

    await expect(teacher.api.call('DELETE', `/admin/users/${bo.user.id}`)).rejects.toMatchObject({ status: 403 });
    const erased = await admin.api.call<{ sessions: number; messages: number }>('DELETE', `/admin/users/${bo.user.id}`);
    expect(erased.sessions).toBe(1);
    expect(erased.messages).toBeGreaterThanOrEqual(2); // the question, and the answer given to Bo alone
    await eventually(
      () => seen.some((e) => e.type === 'message_deleted' && e.message_id === mine.id),
      'the class seeing the tombstone',
    );

    const tables = await everyRow(prisma);
    for (const [table, rows] of tables) {
      for (const trace of ['bozena.quill@family.example', 'vanilla orchids', 'Zanzibar', 'Bozena Quill']) {
        expect({ table, found: rows.filter((r) => r.includes(trace)).length }).toEqual({ table, found: 0 });
      }
    }
    const events = await allEvents(teacher, session.id);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const transcript = await teacher.api.call<{ messages: WireMessage[] }>('GET', `/sessions/${session.id}/transcript`);
    const tomb = transcript.messages.find((m) => m.id === mine.id)!;
    expect(tomb).toMatchObject({ deleted: true, content: '', author_name: 'Erased user' });
    expect(transcript.messages.find((m) => m.id === adas.id)).toMatchObject({
      content: 'And what is photosynthesis?',
      votes: 1,
    });
    await expect(app.api.withToken(bo.access_token).call('GET', '/auth/me')).rejects.toMatchObject({ status: 401 });
    const members = await teacher.api.call<Array<{ user_id: string }>>('GET', `/sessions/${session.id}/members`);
    expect(members.map((m) => m.user_id)).not.toContain(bo.user.id);
  });

  it("exports a person's messages and memberships, and nothing of anyone else's", async () => {
    const teacher = await signUp(app, 'Teacher');
    const { session } = await teacher.api.createSession({ title: 'Export me', turn_policy: 'fifo' });
    const ada = await app.api.guest(session.join_code!, 'Ada');
    const sam = await app.api.guest(session.join_code!, 'Sam');
    const [adaClient, samClient, mod] = await Promise.all([ada, sam, teacher].map((u) => connect(app, u.access_token)));
    for (const c of [adaClient, samClient, mod]) await c.join(session.id);
    await adaClient.send(session.id, 'Ada asks about volcanoes');
    await samClient.send(session.id, 'Sam asks about glaciers');
    await mod.send(session.id, 'Teacher says hello');
    await adaClient.raiseHand(session.id, 'Ada wants to present');

    const mine = await app.api.withToken(ada.access_token).call<Record<string, unknown>>('GET', '/auth/me/export');
    expect(mine).toMatchObject({
      user: { id: ada.user.id, display_name: 'Ada', guest: true, guest_session_id: session.id },
      memberships: [
        expect.objectContaining({ session_id: session.id, session_title: 'Export me', role: 'contributor' }),
      ],
      messages: [expect.objectContaining({ content: 'Ada asks about volcanoes', session_id: session.id })],
      hands: [expect.objectContaining({ note: 'Ada wants to present' })],
    });
    const text = JSON.stringify(mine);
    for (const other of ['glaciers', 'Teacher says hello', sam.user.id, teacher.user.id, teacher.user.email])
      expect(text).not.toContain(other);
    const byAdmin = await admin.api.call<Record<string, unknown>>('GET', `/admin/users/${ada.user.id}/export`);
    expect({ ...byAdmin, exported_at: null }).toEqual({ ...mine, exported_at: null });
    await expect(
      app.api.withToken(sam.access_token).call('GET', `/admin/users/${ada.user.id}/export`),
    ).rejects.toMatchObject({ status: 403 });
  });
});
