import { AgentQueue, answerTokens, rebuildTutorTokens, type CounterRow } from './agent-queue.js';

const q = (id: string, authorId: string, seq: number) => ({
  id,
  authorId,
  authorName: authorId,
  seq,
  state: 'queued' as const,
});

describe("the agent queue's tutor-time counters", () => {
  it('charges an answer to its author as it streams, then settles on what was stored', () => {
    const queue = new AgentQueue();
    queue.enqueue(q('a1', 'ada', 1));
    queue.claim(['a1']);
    queue.chargeStreaming(['a1'], 30, () => 1);
    queue.chargeStreaming(['a1'], 30, () => 1);
    expect(queue.tutorTokens.get('ada')).toBe(60);
    queue.settle(['a1'], 'answered', 2, Date.now(), 55);
    expect(queue.tutorTokens.get('ada')).toBe(55);
    expect(queue.estimateFor('ada')).toBe(55);
  });

  it('shares a merged answer equally, over each author’s weight', () => {
    const queue = new AgentQueue();
    queue.enqueue(q('a1', 'ada', 1));
    queue.enqueue(q('b1', 'ben', 2));
    queue.claim(['a1', 'b1']);
    queue.settle(['a1', 'b1'], 'answered', 3, Date.now(), 100, (a) => (a === 'ben' ? 2 : 1));
    expect(queue.tutorTokens.get('ada')).toBe(50);
    expect(queue.tutorTokens.get('ben')).toBe(25);
  });

  it('lifts an author who starts waiting after being idle to the fewest among those waiting: idle time banks nothing', () => {
    const queue = new AgentQueue();
    queue.enqueue(q('e1', 'eve', 1));
    queue.claim(['e1']);
    queue.settle(['e1'], 'answered', 2, Date.now(), 1000);
    queue.enqueue(q('e2', 'eve', 3));
    // Cy was away while Eve got 1,000 tokens: he starts level with her, not 1,000 ahead.
    queue.enqueue(q('c1', 'cy', 4));
    expect(queue.tutorTokens.get('cy')).toBe(1000);
    // Nobody waiting: a newcomer starts level with whoever was answered last.
    const quiet = new AgentQueue();
    quiet.enqueue(q('e1', 'eve', 1));
    quiet.claim(['e1']);
    quiet.settle(['e1'], 'answered', 2, Date.now(), 400);
    quiet.enqueue(q('d1', 'dan', 3));
    expect(quiet.tutorTokens.get('dan')).toBe(400);
    // An author already waiting is never lifted.
    queue.enqueue(q('c2', 'cy', 5));
    expect(queue.tutorTokens.get('cy')).toBe(1000);
  });

  it('a cancelled or failed answer pays for what it streamed; a requeued question stays', () => {
    const queue = new AgentQueue();
    queue.enqueue(q('a1', 'ada', 1));
    queue.claim(['a1']);
    queue.chargeStreaming(['a1'], 80, () => 1);
    queue.settle(['a1'], 'requeued', 2, Date.now(), 80);
    expect(queue.tutorTokens.get('ada')).toBe(80);
    expect(queue.queued().map((x) => x.id)).toEqual(['a1']);
  });

  it('rebuilds after a restart, from the stored session alone, the counters the live queue held', () => {
    const weight = (a: string) => (a === 'ben' ? 2 : 1);
    const live = new AgentQueue();
    const rows: CounterRow[] = [];
    const ask = (id: string, author: string, seq: number) => {
      live.enqueue(q(id, author, seq));
      rows.push({
        id,
        seq,
        role: 'user',
        authorId: author,
        agentState: 'answered',
        answeredSeq: null,
        replyTo: [],
        chars: 10,
      });
    };
    const answer = (seq: number, ids: string[], chars: number, how: 'answered' | 'requeued' = 'answered') => {
      live.claim(ids);
      live.settle(ids, how, seq, Date.now(), answerTokens(chars), weight);
      rows.push({
        id: `ans${seq}`,
        seq,
        role: 'assistant',
        authorId: null,
        agentState: 'none',
        answeredSeq: null,
        replyTo: ids,
        chars,
      });
      if (how === 'answered') for (const r of rows) if (ids.includes(r.id)) r.answeredSeq = seq;
    };
    ask('a1', 'ada', 1);
    ask('b1', 'ben', 2);
    answer(3, ['a1'], 1600);
    ask('c1', 'cy', 4);
    answer(5, ['b1'], 160, 'requeued');
    answer(6, ['b1'], 200);
    ask('a2', 'ada', 7);
    answer(8, ['c1', 'a2'], 400);
    const rebuilt = rebuildTutorTokens(rows, weight);
    expect(Object.fromEntries(rebuilt.tutorTokens)).toEqual(Object.fromEntries(live.tutorTokens));
  });

  it('a failed answer keeps what it streamed charged (its stored notice is not the answer)', () => {
    const queue = new AgentQueue();
    queue.enqueue(q('a1', 'ada', 1));
    queue.claim(['a1']);
    queue.chargeStreaming(['a1'], 120, () => 1);
    queue.settle(['a1'], 'failed', 2, Date.now(), 0);
    expect(queue.tutorTokens.get('ada')).toBe(120);
    expect(queue.queued()).toEqual([]);
  });
});
