import { DomainError } from '../src/common/domain-error.js';
import { SessionEventBus, type CommittedEvent } from '../src/sessions/session-event-bus.js';
import {
  NeedsTransaction,
  SessionLog,
  type BatchAppender,
  type SessionBatch,
} from '../src/sessions/session-log.service.js';
import {
  connect,
  eventually,
  recordDurable,
  signUp,
  startTestApp,
  type TestApp,
  type TestUser,
} from './support/test-app.js';

/** Group commit on the real database: what waits for a session's turn commits together, or not at all. */
describe('group commit', () => {
  let app: TestApp;
  let teacher: TestUser;
  let log: SessionLog;
  let published: CommittedEvent[];

  beforeAll(async () => {
    app = await startTestApp();
    teacher = await signUp(app, 'Teacher');
    log = app.app.get(SessionLog);
    published = [];
    app.app.get(SessionEventBus).onDurable((e) => published.push(e));
  });
  afterAll(() => app.close());

  const lastSeq = async (sessionId: string) => (await teacher.api.getSession(sessionId)).session.last_seq;
  const eventSeqs = async (sessionId: string) =>
    (
      await teacher.api.call<{ events: Array<{ seq: number }> }>('GET', `/sessions/${sessionId}/events?limit=1000`)
    ).events.map((e) => e.seq);

  /** Appends one event per item, every session of the batch at once; answers each item with its seq. */
  async function appendAll(
    batches: Array<SessionBatch<string>>,
    appender: BatchAppender,
    accept: (text: string) => boolean = () => true,
    lastSeqs?: ReadonlyMap<string, number>,
  ) {
    const accepted = batches.flatMap(({ sessionId, items }) =>
      items.filter(accept).map((text) => ({ sessionId, text })),
    );
    const seqs = await appender.appendMany(
      accepted.map(({ sessionId, text }) => ({
        sessionId,
        type: 'moderation',
        visibility: 'all',
        payload: () => ({ action: 'cancel_agent', by: text }),
      })),
      { lastSeqs },
    );
    let next = 0;
    return batches.map(({ items }) =>
      items.map((text) => (accept(text) ? seqs[next++] : new DomainError('bad_request', 'not this one'))),
    );
  }

  /** A write that holds the session's turn until released, so what is submitted meanwhile queues up. */
  function holdSession(sessionId: string) {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const held = log.write(sessionId, async () => released);
    return { release, held };
  }

  it('commits what queued behind a write as one batch, gap-free and published in seq order', async () => {
    const { session } = await teacher.api.createSession({ title: 'Batching' });
    const batches: number[][] = [];
    const batcher = log.groupCommit<string, number>(async (sessionBatches, scope) => {
      if (scope.optimistic) throw new NeedsTransaction('these cases test the transaction');
      const appender = scope.log;
      batches.push(sessionBatches.map((b) => b.items.length));
      return appendAll(sessionBatches, appender);
    });
    const before = await lastSeq(session.id);
    const hold = holdSession(session.id);
    const submitted = Array.from({ length: 20 }, (_, i) => batcher.submit(session.id, `item ${i}`));
    hold.release();
    const seqs = await Promise.all(submitted);
    await hold.held;
    expect(batches).toEqual([[20]]);
    expect(seqs).toEqual(Array.from({ length: 20 }, (_, i) => before + 1 + i));
    expect(published.filter((e) => e.sessionId === session.id).map((e) => e.seq)).toEqual(seqs);
    expect(await eventSeqs(session.id)).toEqual(Array.from({ length: before + 20 }, (_, i) => i + 1));
  });

  it('puts several sessions in one batch, each gap-free in its own order', async () => {
    const [{ session: a }, { session: b }] = await Promise.all([
      teacher.api.createSession({ title: 'A' }),
      teacher.api.createSession({ title: 'B' }),
    ]);
    const batches: Array<Array<[string, number]>> = [];
    const batcher = log.groupCommit<string, number>(async (sessionBatches, scope) => {
      if (scope.optimistic) throw new NeedsTransaction('these cases test the transaction');
      const appender = scope.log;
      batches.push(sessionBatches.map((x) => [x.sessionId, x.items.length]));
      return appendAll(sessionBatches, appender);
    });
    const [beforeA, beforeB] = [await lastSeq(a.id), await lastSeq(b.id)];
    const hold = holdSession(a.id);
    const toA = [1, 2, 3].map((i) => batcher.submit(a.id, `a${i}`));
    const toB = [1, 2].map((i) => batcher.submit(b.id, `b${i}`));
    hold.release();
    expect(await Promise.all(toA)).toEqual([beforeA + 1, beforeA + 2, beforeA + 3]);
    expect(await Promise.all(toB)).toEqual([beforeB + 1, beforeB + 2]);
    expect(batches).toEqual([
      [
        [a.id, 3],
        [b.id, 2],
      ],
    ]);
    expect(await eventSeqs(b.id)).toEqual(Array.from({ length: beforeB + 2 }, (_, i) => i + 1));
  });

  it('rolls back every item of a batch that fails and gives back its seqs', async () => {
    const { session } = await teacher.api.createSession({ title: 'Failing' });
    let fail = true;
    const batcher = log.groupCommit<string, number>(async (sessionBatches, scope) => {
      if (scope.optimistic) throw new NeedsTransaction('these cases test the transaction');
      const appender = scope.log;
      const seqs = await appendAll(sessionBatches, appender);
      if (fail) throw new Error('the disk is full');
      return seqs;
    });
    const before = await lastSeq(session.id);
    const publishedBefore = published.length;
    const hold = holdSession(session.id);
    const doomed = [1, 2, 3].map((i) => batcher.submit(session.id, `doomed ${i}`));
    hold.release();
    for (const attempt of doomed) await expect(attempt).rejects.toThrow('the disk is full');
    expect(await lastSeq(session.id)).toBe(before);
    expect(await eventSeqs(session.id)).toHaveLength(before);
    expect(published.length).toBe(publishedBefore);

    fail = false;
    expect(await batcher.submit(session.id, 'fine')).toBe(before + 1);
  });

  it('refuses one item without disturbing the others in its batch', async () => {
    const { session } = await teacher.api.createSession({ title: 'Mixed' });
    const batcher = log.groupCommit<string, number>(async (sessionBatches, scope) =>
      appendAll(sessionBatches, scope.log, (t) => t !== 'bad'),
    );
    const before = await lastSeq(session.id);
    const hold = holdSession(session.id);
    const results = ['a', 'bad', 'b'].map((t) => batcher.submit(session.id, t));
    hold.release();
    await expect(results[1]).rejects.toMatchObject({ code: 'bad_request' });
    expect(await results[0]).toBe(before + 1);
    expect(await results[2]).toBe(before + 2);
  });

  it('stores a message sent twice at once with one client_msg_id once, and answers both with it', async () => {
    const { session } = await teacher.api.createSession({ title: 'Twice', agent: { responds_to: 'mentions' } });
    const [sender, watcher] = await Promise.all([
      connect(app, teacher.access_token),
      connect(app, teacher.access_token),
    ]);
    await sender.join(session.id);
    const seen = recordDurable(watcher);
    await watcher.join(session.id);
    const hold = holdSession(session.id);
    const sends = [
      sender.send(session.id, 'once', { clientMsgId: 'dup-1' }),
      sender.send(session.id, 'once', { clientMsgId: 'dup-1' }),
      sender.send(session.id, 'other', { clientMsgId: 'dup-2' }),
    ];
    hold.release();
    const [a, b, c] = await Promise.all(sends);
    expect(b.id).toBe(a.id);
    expect(c.id).not.toBe(a.id);
    await eventually(() => seen.filter((e) => e.type === 'new_message').length === 2, 'two messages');
    expect(
      seen.filter((e) => e.type === 'new_message').map((e) => (e as { message: { content: string } }).message.content),
    ).toEqual(['once', 'other']);
  });

  describe('optimistically: one statement, counting on from the live state', () => {
    /** A batcher that tells the optimistic commit these last seqs, and records each attempt's kind. */
    function optimisticBatcher(lastSeqs: Map<string, number>) {
      const attempts: Array<{ optimistic: boolean; sessions: string[] }> = [];
      const batcher = log.groupCommit<string, number>(async (sessionBatches, scope) => {
        attempts.push({ optimistic: scope.optimistic, sessions: sessionBatches.map((b) => b.sessionId) });
        return appendAll(sessionBatches, scope.log, () => true, lastSeqs);
      });
      return { batcher, attempts };
    }

    it('writes the batch in one statement when the last seq is still the live one', async () => {
      const { session } = await teacher.api.createSession({ title: 'Optimistic' });
      const before = await lastSeq(session.id);
      const { batcher, attempts } = optimisticBatcher(new Map([[session.id, before]]));
      const hold = holdSession(session.id);
      const submitted = [1, 2, 3].map((i) => batcher.submit(session.id, `o${i}`));
      hold.release();
      expect(await Promise.all(submitted)).toEqual([before + 1, before + 2, before + 3]);
      expect(attempts).toEqual([{ optimistic: true, sessions: [session.id] }]);
      expect(await lastSeq(session.id)).toBe(before + 3);
      expect(await eventSeqs(session.id)).toEqual(Array.from({ length: before + 3 }, (_, i) => i + 1));
      expect(published.filter((e) => e.sessionId === session.id).map((e) => e.seq)).toEqual([
        before + 1,
        before + 2,
        before + 3,
      ]);
    });

    it('commits a session whose last seq moved again, in a transaction, gap-free; the others stay written', async () => {
      const [{ session: fresh }, { session: moved }] = await Promise.all([
        teacher.api.createSession({ title: 'Fresh' }),
        teacher.api.createSession({ title: 'Moved' }),
      ]);
      const [beforeFresh, beforeMoved] = [await lastSeq(fresh.id), await lastSeq(moved.id)];
      // Another writer took a seq of `moved` since its live state applied one: the statement leaves it alone.
      const { batcher, attempts } = optimisticBatcher(
        new Map([
          [fresh.id, beforeFresh],
          [moved.id, beforeMoved - 1],
        ]),
      );
      const hold = holdSession(fresh.id);
      const toFresh = [1, 2].map((i) => batcher.submit(fresh.id, `f${i}`));
      const toMoved = [1, 2].map((i) => batcher.submit(moved.id, `m${i}`));
      hold.release();
      expect(await Promise.all(toFresh)).toEqual([beforeFresh + 1, beforeFresh + 2]);
      expect(await Promise.all(toMoved)).toEqual([beforeMoved + 1, beforeMoved + 2]);
      expect(attempts).toEqual([
        { optimistic: true, sessions: [fresh.id, moved.id] },
        { optimistic: false, sessions: [moved.id] },
      ]);
      for (const [id, n] of [
        [fresh.id, beforeFresh + 2],
        [moved.id, beforeMoved + 2],
      ] as const)
        expect(await eventSeqs(id)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    });

    it('answers a client_msg_id stored before (the unique index stops the statement) with the first message', async () => {
      const { session } = await teacher.api.createSession({ title: 'Again', agent: { responds_to: 'mentions' } });
      const sender = await connect(app, teacher.access_token);
      await sender.join(session.id);
      const first = await sender.send(session.id, 'hello', { clientMsgId: 'again-1' });
      const before = await lastSeq(session.id);
      const again = await sender.send(session.id, 'hello', { clientMsgId: 'again-1' });
      expect(again.id).toBe(first.id);
      expect(again.seq).toBe(first.seq);
      const next = await sender.send(session.id, 'next', { clientMsgId: 'again-2' });
      expect(next.seq).toBe(before + 1);
      expect(await eventSeqs(session.id)).toEqual(Array.from({ length: before + 1 }, (_, i) => i + 1));
      sender.close();
    });
  });

  describe('writeOnce: one write, one statement, no transaction (the tutor stores its answer so)', () => {
    const event = (by: string) => ({
      type: 'moderation' as const,
      visibility: 'all' as const,
      payload: () => ({ action: 'cancel_agent', by }),
    });

    it('writes its events at the seqs after the live last seq and publishes them', async () => {
      const { session } = await teacher.api.createSession({ title: 'Once' });
      const before = await lastSeq(session.id);
      const written = await log.writeOnce(session.id, () => ({
        lastSeq: before,
        events: [event('one'), event('two')],
        result: (seqs) => seqs,
      }));
      expect(written).toEqual({ result: [before + 1, before + 2] });
      expect(await eventSeqs(session.id)).toEqual(Array.from({ length: before + 2 }, (_, i) => i + 1));
      expect(published.filter((e) => e.sessionId === session.id).map((e) => e.payload.by)).toEqual(['one', 'two']);
    });

    it('writes nothing and answers null when the last seq moved, or the lease fence does not hold', async () => {
      const { session } = await teacher.api.createSession({ title: 'Refused' });
      const before = await lastSeq(session.id);
      const moved = await log.writeOnce(session.id, () => ({
        lastSeq: before - 1,
        events: [event('stale')],
        result: () => 'written',
      }));
      // Nobody holds this session's lease: an answer fenced by one is not stored.
      const fenced = await log.writeOnce(session.id, () => ({
        lastSeq: before,
        events: [event('fenced')],
        fence: { owner: 'another-instance', generation: 1 },
        result: () => 'written',
      }));
      const planned = await log.writeOnce(session.id, () => null);
      expect([moved, fenced, planned]).toEqual([null, null, null]);
      expect(await lastSeq(session.id)).toBe(before);
      expect(await eventSeqs(session.id)).toEqual(Array.from({ length: before }, (_, i) => i + 1));
      expect(published.filter((e) => e.sessionId === session.id)).toEqual([]);
    });
  });
});
