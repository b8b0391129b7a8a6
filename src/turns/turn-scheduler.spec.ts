import { nextBatch, predictOrder, type PendingMessage } from './turn-scheduler.js';
import type { TurnPolicy } from '../contract/protocol.js';

let seq = 0;
const msg = (authorId: string, at?: number): PendingMessage => ({
  id: `m${at ?? ++seq}`,
  authorId,
  authorName: authorId.toUpperCase(),
  seq: at ?? seq,
});

/** Serves everything pending, one batch at a time, the way the agent does. */
function drain(policy: TurnPolicy, pending: PendingMessage[], lastServed = new Map<string, number>()) {
  const served: PendingMessage[] = [];
  let clock = Math.max(0, ...pending.map((m) => m.seq));
  let queue = [...pending];
  for (let guard = 0; queue.length > 0 && guard < 10_000; guard++) {
    const batch = nextBatch({ policy, pending: queue, lastServed })!;
    clock++;
    for (const m of batch.messages) lastServed.set(m.authorId, clock);
    served.push(...batch.messages);
    queue = queue.filter((m) => !batch.messages.includes(m));
  }
  return served;
}

describe('turn scheduler', () => {
  beforeEach(() => {
    seq = 0;
  });

  it('answers nothing when nothing is pending', () => {
    expect(nextBatch({ policy: 'round_robin', pending: [], lastServed: new Map() })).toBeNull();
  });

  it('fifo answers strictly in arrival order', () => {
    const pending = [msg('a'), msg('a'), msg('b'), msg('a'), msg('c')];
    expect(drain('fifo', [...pending].reverse()).map((m) => m.id)).toEqual(pending.map((m) => m.id));
  });

  it("round_robin answers B and C before A's second message when A sent ten first", () => {
    const burst = Array.from({ length: 10 }, () => msg('a'));
    const b = msg('b');
    const c = msg('c');
    const order = drain('round_robin', [...burst, b, c]).map((m) => m.id);
    expect(order.slice(0, 3)).toEqual([burst[0].id, b.id, c.id]);
    expect(order.slice(3)).toEqual(burst.slice(1).map((m) => m.id));
  });

  it('round_robin serves the least recently served author first', () => {
    const a = msg('a');
    const b = msg('b');
    // b was answered recently, a long ago: a goes first even though both wait.
    const batch = nextBatch({
      policy: 'round_robin',
      pending: [b, a],
      lastServed: new Map([
        ['a', 1],
        ['b', 50],
      ]),
    });
    expect(batch!.messages).toEqual([a]);
    expect(batch!.reason).toContain('round_robin');
  });

  it("round_robin breaks ties by arrival of each author's oldest message", () => {
    const b = msg('b');
    const a = msg('a');
    expect(nextBatch({ policy: 'round_robin', pending: [a, b], lastServed: new Map() })!.messages).toEqual([b]);
    expect(
      nextBatch({
        policy: 'round_robin',
        pending: [a, b],
        lastServed: new Map([
          ['a', 3],
          ['b', 3],
        ]),
      })!.messages,
    ).toEqual([b]);
  });

  it('round_robin skips an author who left (their messages are no longer pending)', () => {
    const a1 = msg('a');
    const b1 = msg('b');
    const a2 = msg('a');
    const order = drain('round_robin', [a1, a2]); // b left: b1 removed from the queue
    expect(order).toEqual([a1, a2]);
    expect(order).not.toContain(b1);
  });

  it('merge answers everything pending in one batch, naming each author', () => {
    const pending = [msg('a'), msg('b'), msg('a')];
    const batch = nextBatch({ policy: 'merge', pending, lastServed: new Map() })!;
    expect(batch.messages).toEqual(pending);
    expect(batch.reason).toContain('A, B');
  });

  it.each(['hand_raise', 'moderated'] as TurnPolicy[])(
    '%s answers what reached the queue in arrival order',
    (policy) => {
      const pending = [msg('a'), msg('b'), msg('a')];
      expect(drain(policy, pending)).toEqual(pending);
    },
  );

  it('predictOrder: an author being answered right now goes after the others, then takes turns again', () => {
    const a2 = msg('a', 10);
    const b = [msg('b', 11), msg('b', 12), msg('b', 13)];
    // a's first question is in flight: counted as served just past the latest seq (14).
    const order = predictOrder({ policy: 'round_robin', pending: [a2, ...b], lastServed: new Map([['a', 14]]) });
    expect(order).toEqual([b[0], a2, b[1], b[2]]);
  });

  it('predictOrder matches the order the agent actually serves', () => {
    const pending = [msg('a'), msg('a'), msg('a'), msg('b'), msg('c'), msg('b')];
    expect(predictOrder({ policy: 'round_robin', pending, lastServed: new Map() })).toEqual(
      drain('round_robin', pending),
    );
    expect(predictOrder({ policy: 'fifo', pending, lastServed: new Map() })).toEqual(pending);
  });

  describe('properties, over random arrivals from many users', () => {
    // A small deterministic PRNG so a failure can be replayed from its seed.
    const random = (seed: number) => () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;

    /** Random arrivals interleaved with answers, as in a live class. */
    function simulate(policy: TurnPolicy, seed: number) {
      const rand = random(seed);
      const users = Array.from({ length: 2 + Math.floor(rand() * 8) }, (_, i) => `u${i}`);
      const lastServed = new Map<string, number>();
      let clock = 0;
      let pending: PendingMessage[] = [];
      const all: PendingMessage[] = [];
      const answered: Array<{ message: PendingMessage; at: number }> = [];
      for (let step = 0; step < 200; step++) {
        if (rand() < 0.6 || pending.length === 0) {
          const author = users[Math.floor(rand() * rand() * users.length)]; // some users far chattier
          const m = { id: `m${++clock}`, authorId: author, authorName: author, seq: clock };
          pending.push(m);
          all.push(m);
        } else {
          const batch = nextBatch({ policy, pending, lastServed })!;
          clock++;
          for (const m of batch.messages) {
            lastServed.set(m.authorId, clock);
            answered.push({ message: m, at: clock });
          }
          pending = pending.filter((m) => !batch.messages.includes(m));
        }
      }
      while (pending.length) {
        const batch = nextBatch({ policy, pending, lastServed })!;
        clock++;
        for (const m of batch.messages) {
          lastServed.set(m.authorId, clock);
          answered.push({ message: m, at: clock });
        }
        pending = pending.filter((m) => !batch.messages.includes(m));
      }
      return { all, answered };
    }

    it.each(['fifo', 'round_robin', 'hand_raise', 'merge', 'moderated'] as TurnPolicy[])(
      '%s answers every message exactly once',
      (policy) => {
        for (let seed = 1; seed <= 50; seed++) {
          const { all, answered } = simulate(policy, seed);
          const ids = answered.map((a) => a.message.id);
          expect(new Set(ids).size).toBe(ids.length);
          expect(new Set(ids)).toEqual(new Set(all.map((m) => m.id)));
        }
      },
    );

    // Fairness is per waiting user: from the moment a message is its author's
    // oldest pending one (the author's earlier questions are answered), no other
    // user's later message overtakes it more than once. A user's own burst
    // waits its turns, which is the point.
    it('round_robin: nobody waits behind more than one message of any other user that arrived later', () => {
      for (let seed = 1; seed <= 100; seed++) {
        const { answered } = simulate('round_robin', seed);
        const byAuthor = new Map<string, Array<{ message: PendingMessage; at: number }>>();
        for (const a of answered) byAuthor.set(a.message.authorId, [...(byAuthor.get(a.message.authorId) ?? []), a]);
        for (const { message: waiting, at } of answered) {
          const ownEarlier = byAuthor
            .get(waiting.authorId)!
            .filter((a) => a.message.seq < waiting.seq)
            .map((a) => a.at);
          const headSince = Math.max(waiting.seq, ...ownEarlier);
          const overtakers = new Map<string, number>();
          for (const { message: other, at: otherAt } of answered) {
            if (other.authorId !== waiting.authorId && other.seq > waiting.seq && otherAt > headSince && otherAt < at) {
              overtakers.set(other.authorId, (overtakers.get(other.authorId) ?? 0) + 1);
            }
          }
          for (const [user, count] of overtakers) {
            if (count > 1)
              throw new Error(`seed ${seed}: ${waiting.id} waited behind ${count} later messages of ${user}`);
          }
        }
      }
    });

    it('fifo, by contrast, lets one chatty user hold everyone up (the property is not trivially true)', () => {
      const burst = Array.from({ length: 5 }, () => msg('a'));
      const b = msg('b');
      const order = drain('fifo', [...burst, b]);
      expect(order.indexOf(b)).toBe(5);
    });
  });

  describe('votes', () => {
    const voted = (authorId: string, votes: number) => ({ ...msg(authorId), votes });

    it('answers the most upvoted first, ties by arrival', () => {
      const pending = [voted('a', 1), voted('b', 3), voted('c', 3), voted('d', 0)];
      expect(drain('votes', pending).map((m) => m.authorId)).toEqual(['b', 'c', 'a', 'd']);
    });

    it('never answers one author twice in a row while someone else waits', () => {
      const pending = [voted('a', 5), voted('a', 4), voted('b', 1), voted('a', 3)];
      expect(drain('votes', pending).map((m) => `${m.authorId}${m.votes}`)).toEqual(['a5', 'b1', 'a4', 'a3']);
      // Alone in the queue, the cap does not hold anyone back.
      expect(drain('votes', [voted('a', 1), voted('a', 2)]).map((m) => m.votes)).toEqual([2, 1]);
    });

    it('counts an author answered last (or being answered) against the cap, and says so', () => {
      const pending = [voted('a', 9), voted('b', 0)];
      const batch = nextBatch({
        policy: 'votes',
        pending,
        lastServed: new Map([
          ['a', 100],
          ['b', 50],
        ]),
      })!;
      expect(batch.messages[0].authorId).toBe('b');
      expect(batch.reason).toContain('not answered twice in a row');
      expect(
        predictOrder({ policy: 'votes', pending, lastServed: new Map([['a', 100]]) }).map((m) => m.authorId),
      ).toEqual(['b', 'a']);
    });
  });

  describe("round_robin by the tutor's time", () => {
    /** Serves everything with counters: each answer charges `cost(author)` over the author's weight. */
    function drainByTokens(
      pending: PendingMessage[],
      cost: (author: string) => number,
      weight: (author: string) => number = () => 1,
    ) {
      const tokens = new Map<string, number>();
      const lastServed = new Map<string, number>();
      const served: PendingMessage[] = [];
      const drift: number[] = [];
      let clock = Math.max(0, ...pending.map((m) => m.seq));
      let queue = [...pending];
      while (queue.length > 0) {
        const batch = nextBatch({
          policy: 'round_robin',
          pending: queue,
          lastServed,
          tutorTokens: tokens,
          estimate: (a) => cost(a) / weight(a),
        })!;
        const [m] = batch.messages;
        tokens.set(m.authorId, (tokens.get(m.authorId) ?? 0) + cost(m.authorId) / weight(m.authorId));
        lastServed.set(m.authorId, ++clock);
        served.push(m);
        queue = queue.filter((q) => q !== m);
        const backlogged = new Set(queue.map((q) => q.authorId));
        const counts = [...backlogged].map((a) => tokens.get(a) ?? 0);
        if (counts.length > 1) drift.push(Math.max(...counts) - Math.min(...counts));
      }
      return { served, tokens, drift };
    }

    it("with answers of equal length, is exactly today's rotation", () => {
      const pending = [
        msg('a'),
        msg('a'),
        msg('a'),
        msg('a'),
        msg('b'),
        msg('c'),
        msg('b'),
        msg('a'),
        msg('c'),
        msg('d'),
      ];
      const byTurns = drain('round_robin', pending).map((m) => m.id);
      const byTokens = drainByTokens(pending, () => 40).served.map((m) => m.id);
      expect(byTokens).toEqual(byTurns);
    });

    it("gives the tutor's time, not turns: an essay asker waits while short askers catch up", () => {
      const pending = [
        ...Array.from({ length: 6 }, () => msg('essay')),
        ...Array.from({ length: 6 }, () => msg('short')),
      ];
      const { served, drift } = drainByTokens(pending, (a) => (a === 'essay' ? 400 : 40));
      // Turns would alternate; by time, ten short answers fit in one essay.
      expect(served.slice(0, 8).map((m) => m.authorId)).toEqual([
        'essay',
        'short',
        'short',
        'short',
        'short',
        'short',
        'short',
        'essay',
      ]);
      // The bound: two backlogged authors never drift apart by more than one maximum answer.
      expect(Math.max(...drift)).toBeLessThanOrEqual(400);
    });

    it('weights: weight 2 gets twice the time', () => {
      const pending = [...Array.from({ length: 30 }, () => msg('w2')), ...Array.from({ length: 30 }, () => msg('w1'))];
      const { served } = drainByTokens(
        pending,
        () => 40,
        (a) => (a === 'w2' ? 2 : 1),
      );
      const first30 = served.slice(0, 30).filter((m) => m.authorId === 'w2').length;
      expect(first30).toBeGreaterThanOrEqual(19);
      expect(first30).toBeLessThanOrEqual(21);
    });

    it('says why in terms of time', () => {
      const batch = nextBatch({
        policy: 'round_robin',
        pending: [msg('ada'), msg('ben')],
        lastServed: new Map(),
        tutorTokens: new Map([
          ['ada', 1200],
          ['ben', 40],
        ]),
      })!;
      expect(batch.reason).toBe(
        "round_robin: BEN has had 40 of the tutor's tokens, the fewest of 2 waiting (ADA: 1,200); their oldest question goes first",
      );
    });

    it("predicts the order it then follows, from each author's expected answer", () => {
      const pending = [msg('essay'), msg('essay'), msg('short'), msg('short'), msg('short')];
      const cost = (a: string) => (a === 'essay' ? 400 : 40);
      const predicted = predictOrder({
        policy: 'round_robin',
        pending,
        lastServed: new Map(),
        tutorTokens: new Map(),
        estimate: cost,
      }).map((m) => m.id);
      expect(predicted).toEqual(drainByTokens(pending, cost).served.map((m) => m.id));
    });
  });
});
