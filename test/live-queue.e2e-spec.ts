import { PrismaClient } from '../src/generated/prisma/client.js';
import { LiveSessions } from '../src/sessions/live-sessions.service.js';
import { connect, eventually, signUp, startTestApp, type TestApp, type TestUser } from './support/test-app.js';

/**
 * The agent's queue lives in memory (LiveSession.queue) and in the database's
 * agent_state column. Every transition must move both alike: after each step of
 * a lesson, the two are compared.
 */
describe('the live agent queue agrees with the database at every step', () => {
  let app: TestApp;
  let teacher: TestUser;

  beforeAll(async () => {
    app = await startTestApp({ OFFLINE_AGENT_DELAY_MS: '0' });
    teacher = await signUp(app, 'Teacher');
  });
  afterAll(() => app.close());

  async function agree(sessionId: string, step: string) {
    const prisma = app.app.get(PrismaClient);
    const rows = await prisma.message.findMany({
      where: { sessionId, agentState: { in: ['pending', 'awaiting_approval'] }, deletedAt: null },
      orderBy: { seq: 'asc' },
    });
    const live = (await app.app.get(LiveSessions).get(sessionId))!;
    const inDb = {
      queued: rows.filter((r) => r.agentState === 'pending').map((r) => r.content),
      waiting: rows.filter((r) => r.agentState === 'awaiting_approval').map((r) => r.content),
    };
    const byId = new Map(rows.map((r) => [r.id, r.content]));
    const inMemory = {
      queued: live.queue.queued().map((q) => byId.get(q.id) ?? `(not in the database: ${q.id})`),
      waiting: live.queue.waitingApproval().map((q) => byId.get(q.id) ?? `(not in the database: ${q.id})`),
    };
    expect({ step, ...inMemory }).toEqual({ step, ...inDb });
    return inDb;
  }

  it('through approvals, dismissals, deletion, a policy switch, a removal, a pause and answers', async () => {
    const { session } = await teacher.api.createSession({ title: 'Queue', turn_policy: 'moderated' });
    const sid = session.id;
    const mod = await connect(app, teacher.access_token);
    await mod.join(sid);
    const students = await Promise.all(['Ada', 'Bo', 'Cy'].map((n) => app.api.guest(session.join_code!, n)));
    const [ada, bo, cy] = await Promise.all(students.map((s) => connect(app, s.access_token)));
    await Promise.all([ada, bo, cy].map((c) => c.join(sid)));
    await mod.moderate({ session_id: sid, action: 'pause_agent' });

    const a1 = await ada.send(sid, 'a1');
    const a2 = await ada.send(sid, 'a2');
    const b1 = await bo.send(sid, 'b1');
    const c1 = await cy.send(sid, 'c1');
    await cy.send(sid, 'c2');
    expect(await agree(sid, 'all waiting for approval')).toEqual({
      queued: [],
      waiting: ['a1', 'a2', 'b1', 'c1', 'c2'],
    });

    await mod.moderate({ session_id: sid, action: 'approve_message', message_id: a1.id });
    await mod.moderate({ session_id: sid, action: 'approve_message', message_id: b1.id });
    await mod.moderate({ session_id: sid, action: 'dismiss_message', message_id: a2.id });
    expect(await agree(sid, 'approved and dismissed')).toEqual({ queued: ['a1', 'b1'], waiting: ['c1', 'c2'] });

    await mod.moderate({ session_id: sid, action: 'delete_message', message_id: c1.id });
    expect(await agree(sid, 'a waiting message deleted')).toEqual({ queued: ['a1', 'b1'], waiting: ['c2'] });

    // Leaving `moderated` sends nothing unapproved to the tutor; approve_all does.
    await mod.moderate({ session_id: sid, action: 'set_policy', turn_policy: 'round_robin' });
    expect(await agree(sid, 'left moderated')).toEqual({ queued: ['a1', 'b1'], waiting: ['c2'] });
    expect(await mod.moderate({ session_id: sid, action: 'approve_all' })).toMatchObject({ ok: true, count: 1 });
    expect(await agree(sid, 'all approved')).toEqual({ queued: ['a1', 'b1', 'c2'], waiting: [] });

    // Switching to `moderated` puts what is queued under approval too.
    await mod.moderate({ session_id: sid, action: 'set_policy', turn_policy: 'moderated' });
    expect(await agree(sid, 'back to moderated')).toEqual({ queued: [], waiting: ['a1', 'b1', 'c2'] });
    await mod.moderate({ session_id: sid, action: 'approve_all' });
    await mod.moderate({ session_id: sid, action: 'set_policy', turn_policy: 'round_robin' });
    expect(await agree(sid, 'approved again')).toEqual({ queued: ['a1', 'b1', 'c2'], waiting: [] });

    await mod.moderate({ session_id: sid, action: 'kick', user_id: students[1].user.id });
    expect(await agree(sid, 'Bo removed')).toEqual({ queued: ['a1', 'c2'], waiting: [] });

    // Muting a flooder takes back what he left waiting; the undo (unmute with restore_questions) brings it back.
    const c3 = await cy.send(sid, 'c3');
    expect(c3.content).toBe('c3');
    expect(
      await mod.moderate({ session_id: sid, action: 'mute', user_id: students[2].user.id, seconds: 60 }),
    ).toMatchObject({ ok: true, withdrawn: 2 });
    expect(await agree(sid, 'Cy muted')).toEqual({ queued: ['a1'], waiting: [] });
    expect(
      await mod.moderate({ session_id: sid, action: 'unmute', user_id: students[2].user.id, restore_questions: true }),
    ).toMatchObject({ ok: true, restored: 2 });
    expect(await agree(sid, 'Cy unmuted, questions restored')).toEqual({ queued: ['a1', 'c2', 'c3'], waiting: [] });
    // Muted with keep_questions: they stay queued (and wait, unanswered, until the mute ends).
    await mod.moderate({
      session_id: sid,
      action: 'mute',
      user_id: students[2].user.id,
      seconds: 60,
      keep_questions: true,
    });
    expect(await agree(sid, 'Cy muted, questions kept')).toEqual({ queued: ['a1', 'c2', 'c3'], waiting: [] });
    expect(
      (await teacher.api.call<{ queue: Array<{ message_id: string }> }>('GET', `/sessions/${sid}/queue`)).queue.map(
        (q) => q.message_id,
      ),
    ).toEqual([a1.id]);
    await mod.moderate({ session_id: sid, action: 'unmute', user_id: students[2].user.id });
    expect(await agree(sid, 'Cy unmuted')).toEqual({ queued: ['a1', 'c2', 'c3'], waiting: [] });

    await ada.send(sid, 'a3');
    await mod.moderate({ session_id: sid, action: 'resume_agent', answer_pending: true });
    // The offline tutor answers everything, one at a time; the queue empties in both places.
    const live = (await app.app.get(LiveSessions).get(sid))!;
    await eventually(
      async () => (await agree(sid, 'answering')).queued.length === 0 && live.queue.answering().length === 0,
      'the queue to empty',
    );
    const lastServed = await app.app.get(PrismaClient).message.groupBy({
      by: ['authorId'],
      where: { sessionId: sid, agentState: 'answered' },
      _max: { answeredSeq: true },
    });
    expect(Object.fromEntries(live.queue.lastServed)).toEqual(
      Object.fromEntries(lastServed.map((r) => [r.authorId, r._max.answeredSeq])),
    );

    await mod.moderate({ session_id: sid, action: 'pause_agent' });
    await ada.send(sid, 'during the pause');
    expect(await agree(sid, 'queued during a pause')).toEqual({ queued: ['during the pause'], waiting: [] });
    await mod.moderate({ session_id: sid, action: 'resume_agent', answer_pending: false });
    expect(await agree(sid, 'resumed without answering what came in')).toEqual({ queued: [], waiting: [] });

    // Closing ends what waits, in both places: "not answered: session closed".
    await mod.moderate({ session_id: sid, action: 'pause_agent' });
    const last = await ada.send(sid, 'asked as the bell rang');
    await mod.moderate({ session_id: sid, action: 'set_policy', turn_policy: 'moderated' });
    await cy.send(sid, 'held as the bell rang').catch(() => undefined);
    await teacher.api.closeSession(sid);
    expect(await agree(sid, 'closed')).toEqual({ queued: [], waiting: [] });
    const ended = await app.app.get(PrismaClient).message.findUnique({ where: { id: last.id } });
    expect(ended?.agentState).toBe('closed');
  });
});
