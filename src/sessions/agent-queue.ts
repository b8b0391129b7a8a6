import type { MessageRole } from '../contract/protocol.js';
import type { AgentState, MessageRecord as Message } from './records.js';

/** Where a person's message stands with the agent (the `agent_state` column holds the same words). */
export type QuestionState = 'waiting_approval' | 'queued' | 'answering';

/** How an answer ended, for the questions it replied to. */
export type Settlement = 'answered' | 'failed' | 'requeued';

export interface Question {
  id: string;
  authorId: string;
  authorName: string;
  /** Arrival order: the seq of its new_message event (for a held question, of its approval). */
  seq: number;
  state: QuestionState;
  /** Asked anonymously to classmates. */
  anonymous?: boolean;
  /** Upvotes (the `votes` policy). */
  votes?: number;
  /** When the runner took it (this process's clock): how long answers take. */
  claimedAt?: number;
}

/** How many recent answer times the wait estimate is built from. */
const ANSWER_TIMES_KEPT = 5;

/** The tutor tokens of an answer's text, as round_robin counts them (about four characters a token). */
export const answerTokens = (chars: number): number => Math.ceil(chars / 4);

/** Until an author or the session has an answer, an answer is expected to be this long (tokens). */
export const DEFAULT_ANSWER_TOKENS = 100;

/**
 * The agent's queue for one session, in memory: every question the agent still
 * owes an answer, with its state, and when each author was last answered. One
 * owner, named transitions:
 *
 *   enqueue → waiting_approval | queued
 *   approve: waiting_approval → queued
 *   hold:    queued → waiting_approval    (the session switched to `moderated`)
 *   dismiss: waiting_approval | queued → (gone)
 *   claim:   queued → answering            (the runner took it)
 *   settle:  answering → (gone), or requeued: answering → queued
 *   clear:   waiting_approval | queued → (gone)   (the session closed)
 *
 * The database's `agent_state` column is written by the same operations, so a
 * restart loads the same queue. The scheduler reads `queued()` and `lastServed`.
 */
export class AgentQueue {
  private readonly questions = new Map<string, Question>();
  /** Per author, the seq of the last answer they received. */
  readonly lastServed: Map<string, number>;
  /** How long the latest answers took, newest last (ms, this process only). */
  readonly answerTimes: number[] = [];
  /**
   * round_robin's counters: per author, the tutor tokens they have received,
   * divided by their weight, lifted when they start waiting after being idle
   * (so idle time banks no credit). Includes what the answer in progress has
   * streamed so far (`streaming`).
   */
  readonly tutorTokens: Map<string, number>;
  /** What the answer in progress has been charged so far, per author: replaced by the final charge when it is stored. */
  private readonly streaming = new Map<string, number>();
  /** Per author, their answers' tokens and count: the estimate of their next answer's length. */
  private readonly answered = new Map<string, { tokens: number; count: number }>();

  constructor(
    questions: Question[] = [],
    lastServed = new Map<string, number>(),
    tutorTokens = new Map<string, number>(),
    answered = new Map<string, { tokens: number; count: number }>(),
  ) {
    for (const q of questions) this.questions.set(q.id, { ...q });
    this.lastServed = lastServed;
    this.tutorTokens = tutorTokens;
    for (const [author, a] of answered) this.answered.set(author, { ...a });
  }

  /**
   * An author who starts waiting after being idle (nothing queued or being
   * answered) is lifted to the fewest tokens among those waiting, or, with
   * nobody waiting, to those of whoever was answered last: being away earns
   * no claim on the tutor.
   */
  private liftIfIdle(authorId: string, except: string): void {
    const active = (a: string) =>
      [...this.questions.values()].some(
        (q) => q.authorId === a && q.id !== except && (q.state === 'queued' || q.state === 'answering'),
      );
    if (active(authorId)) return;
    const waiting = new Set(
      [...this.questions.values()]
        .filter((q) => q.id !== except && q.authorId !== authorId && (q.state === 'queued' || q.state === 'answering'))
        .map((q) => q.authorId),
    );
    let floor: number | undefined;
    if (waiting.size > 0) floor = Math.min(...[...waiting].map((a) => this.tutorTokens.get(a) ?? 0));
    else {
      let latest = -Infinity;
      for (const [author, seq] of this.lastServed)
        if (seq > latest && author !== authorId) {
          latest = seq;
          floor = this.tutorTokens.get(author) ?? 0;
        }
    }
    if (floor !== undefined && floor > (this.tutorTokens.get(authorId) ?? 0)) this.tutorTokens.set(authorId, floor);
  }

  /** What an answer to this author is expected to cost (their mean, else the session's, else a default). */
  estimateFor(authorId: string): number {
    const own = this.answered.get(authorId);
    if (own && own.count > 0) return own.tokens / own.count;
    let tokens = 0;
    let count = 0;
    for (const a of this.answered.values()) {
      tokens += a.tokens;
      count += a.count;
    }
    return count > 0 ? tokens / count : DEFAULT_ANSWER_TOKENS;
  }

  /**
   * The answer in progress streamed `tokens` more for these questions: each
   * author is charged an equal part, divided by their weight, at once (a long
   * answer is paid for as it runs, not only at its end).
   */
  chargeStreaming(ids: readonly string[], tokens: number, weightOf: (authorId: string) => number): void {
    const authors = this.authorsOf(ids);
    if (authors.length === 0 || tokens <= 0) return;
    for (const author of authors) {
      const share = tokens / authors.length / Math.max(1, weightOf(author));
      this.tutorTokens.set(author, (this.tutorTokens.get(author) ?? 0) + share);
      this.streaming.set(author, (this.streaming.get(author) ?? 0) + share);
    }
  }

  private authorsOf(ids: readonly string[]): string[] {
    return [...new Set(ids.flatMap((id) => (this.questions.has(id) ? [this.questions.get(id)!.authorId] : [])))];
  }

  get(id: string): Question | undefined {
    return this.questions.get(id);
  }

  /** A new question, or one seen again (approved into view, restored after a mute): replaces what was held. */
  enqueue(question: Question): void {
    if (question.state === 'queued') this.liftIfIdle(question.authorId, question.id);
    this.questions.set(question.id, { ...question });
  }

  approve(id: string): void {
    const q = this.questions.get(id);
    if (q?.state !== 'waiting_approval') return;
    this.liftIfIdle(q.authorId, q.id);
    q.state = 'queued';
  }

  /** Switching to `moderated`: what was queued waits for approval too. Returns those ids. */
  holdAll(): string[] {
    const held: string[] = [];
    for (const q of this.questions.values())
      if (q.state === 'queued') {
        q.state = 'waiting_approval';
        held.push(q.id);
      }
    return held;
  }

  /** A dismissal, a deletion, or skipping what arrived during a pause. In flight stays in flight. */
  dismiss(id: string): void {
    const q = this.questions.get(id);
    if (q && q.state !== 'answering') this.questions.delete(id);
  }

  /** What someone left waiting when they were removed or muted. */
  dismissAuthor(authorId: string): void {
    for (const q of [...this.questions.values()]) if (q.authorId === authorId) this.dismiss(q.id);
  }

  /** The session closed: nothing waiting will be answered. Returns those ids. */
  clear(): string[] {
    const cleared = [...this.questions.values()].filter((q) => q.state !== 'answering').map((q) => q.id);
    for (const id of cleared) this.questions.delete(id);
    return cleared;
  }

  setVotes(id: string, votes: number): void {
    const q = this.questions.get(id);
    if (q) q.votes = votes;
  }

  claim(ids: readonly string[], at = Date.now()): void {
    for (const id of ids) {
      const q = this.questions.get(id);
      if (q?.state === 'queued') {
        q.state = 'answering';
        q.claimedAt = at;
      }
    }
  }

  /**
   * An answer (or a failure, or an interruption) to these questions was
   * stored at `seq`, `tokens` long: the streamed charge is replaced by the
   * charge for what was stored (a cancelled answer pays for what it streamed),
   * shared equally by its authors. A failure keeps what it streamed charged.
   */
  settle(
    ids: readonly string[],
    how: Settlement,
    seq: number,
    at = Date.now(),
    tokens = 0,
    weightOf: (authorId: string) => number = () => 1,
  ): void {
    const authors = this.authorsOf(ids);
    for (const author of authors) {
      const share = tokens / authors.length;
      // A failure stores a notice, not what streamed: the streamed charge stands.
      const charged =
        how === 'failed'
          ? (this.tutorTokens.get(author) ?? 0)
          : (this.tutorTokens.get(author) ?? 0) -
            (this.streaming.get(author) ?? 0) +
            share / Math.max(1, weightOf(author));
      this.tutorTokens.set(author, charged);
      if (tokens > 0) {
        const a = this.answered.get(author) ?? { tokens: 0, count: 0 };
        this.answered.set(author, { tokens: a.tokens + share, count: a.count + 1 });
      }
    }
    this.streaming.clear();
    let timed = false;
    for (const id of ids) {
      const q = this.questions.get(id);
      if (!q) continue;
      if (how === 'answered' && q.claimedAt !== undefined && !timed) {
        timed = true;
        this.answerTimes.push(at - q.claimedAt);
        if (this.answerTimes.length > ANSWER_TIMES_KEPT) this.answerTimes.shift();
      }
      if (how === 'requeued') {
        q.state = 'queued';
        q.claimedAt = undefined;
        continue;
      }
      this.questions.delete(id);
      if (how === 'answered') this.lastServed.set(q.authorId, Math.max(this.lastServed.get(q.authorId) ?? 0, seq));
    }
  }

  /** Per author, the tokens and count of their answers (the estimates' source). */
  answeredTotals(): Map<string, { tokens: number; count: number }> {
    return new Map([...this.answered].map(([a, t]) => [a, { ...t }]));
  }

  /** The typical time one answer takes (the median of the latest), or undefined before the first. */
  typicalAnswerMs(): number | undefined {
    if (this.answerTimes.length === 0) return undefined;
    const sorted = [...this.answerTimes].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
  }

  /** Queued questions, in arrival order. */
  queued(): Question[] {
    return this.inState('queued');
  }

  waitingApproval(): Question[] {
    return this.inState('waiting_approval');
  }

  answering(): Question[] {
    return this.inState('answering');
  }

  private inState(state: QuestionState): Question[] {
    return [...this.questions.values()].filter((q) => q.state === state).sort((a, b) => a.seq - b.seq);
  }
}

/** The `agent_state` column's words for the queue's states. */
export const QUESTION_STATE_OF_COLUMN: Partial<Record<AgentState, QuestionState>> = {
  pending: 'queued',
  awaiting_approval: 'waiting_approval',
  answering: 'answering',
};

/** One stored message as the counters' rebuild reads it. */
export interface CounterRow {
  seq: number;
  role: MessageRole;
  authorId: string | null;
  agentState: AgentState;
  answeredSeq: number | null;
  replyTo: string[];
  id: string;
  chars: number;
}

/**
 * round_robin's counters after a restart, from the stored session alone: the
 * questions (at their seq) and the answers (their text's tokens, shared by the
 * authors they reply to, over each author's weight) replayed in seq order with
 * the same lift as the live queue. Questions that were dismissed, withdrawn or
 * skipped are left out (their leaving is not stored), so a lift that depended on
 * one may differ; otherwise the counters are those the live queue held.
 */
export function rebuildTutorTokens(
  rows: CounterRow[],
  weightOf: (authorId: string) => number,
): { tutorTokens: Map<string, number>; answered: Map<string, { tokens: number; count: number }> } {
  const ASKED = new Set<AgentState>(['pending', 'answering', 'answered', 'failed', 'closed']);
  const replay = new AgentQueue();
  const open = new Map<string, string>(); // question id -> author, asked and not yet settled
  const ordered = [...rows].sort((a, b) => a.seq - b.seq);
  const byId = new Map(ordered.map((r) => [r.id, r]));
  for (const row of ordered) {
    if (row.role === 'user' && row.authorId && ASKED.has(row.agentState)) {
      replay.enqueue({ id: row.id, authorId: row.authorId, authorName: '', seq: row.seq, state: 'queued' });
      open.set(row.id, row.authorId);
    } else if ((row.role === 'assistant' || row.role === 'system') && row.replyTo.length) {
      // A failure notice (system) settles its questions and costs nothing.
      const ids = row.replyTo.filter((id) => open.has(id));
      replay.claim(ids);
      // Settled by this answer: the questions whose answered_seq is this answer's seq (an interrupted answer settles none).
      const settled = ids.filter((id) => byId.get(id)?.answeredSeq === row.seq);
      replay.settle(
        ids,
        settled.length ? 'answered' : 'requeued',
        row.seq,
        0,
        row.role === 'assistant' ? answerTokens(row.chars) : 0,
        weightOf,
      );
      for (const id of settled) open.delete(id);
    }
  }
  return { tutorTokens: replay.tutorTokens, answered: replay.answeredTotals() };
}

/** A stored question as the queue holds it (its row's agent_state must be a queue state). */
export function questionOfRow(
  m: Pick<Message, 'id' | 'authorId' | 'authorName' | 'seq' | 'agentState' | 'anonymous' | 'votes'>,
): Question {
  return {
    id: m.id,
    authorId: m.authorId!,
    authorName: m.authorName,
    seq: m.seq,
    state: QUESTION_STATE_OF_COLUMN[m.agentState]!,
    ...(m.anonymous ? { anonymous: true } : {}),
    ...(m.votes ? { votes: m.votes } : {}),
  };
}
