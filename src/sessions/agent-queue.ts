import type { Message } from '../generated/prisma/client.js';

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

  constructor(questions: Question[] = [], lastServed = new Map<string, number>()) {
    for (const q of questions) this.questions.set(q.id, { ...q });
    this.lastServed = lastServed;
  }

  get(id: string): Question | undefined {
    return this.questions.get(id);
  }

  /** A new question, or one seen again (approved into view, restored after a mute): replaces what was held. */
  enqueue(question: Question): void {
    this.questions.set(question.id, { ...question });
  }

  approve(id: string): void {
    const q = this.questions.get(id);
    if (q?.state === 'waiting_approval') q.state = 'queued';
  }

  /** Switching to `moderated`: what was queued waits for approval too. Returns those ids. */
  holdAll(): string[] {
    const held: string[] = [];
    for (const q of this.questions.values()) if (q.state === 'queued') (q.state = 'waiting_approval'), held.push(q.id);
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
      if (q?.state === 'queued') (q.state = 'answering'), (q.claimedAt = at);
    }
  }

  /** An answer (or a failure, or an interruption) to these questions was stored at `seq`. */
  settle(ids: readonly string[], how: Settlement, seq: number, at = Date.now()): void {
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
export const QUESTION_STATE_OF_COLUMN: Record<string, QuestionState | undefined> = {
  pending: 'queued',
  awaiting_approval: 'waiting_approval',
  answering: 'answering',
};

/** A stored question as the queue holds it (its row's agent_state must be a queue state). */
export function questionOfRow(m: Pick<Message, 'id' | 'authorId' | 'authorName' | 'seq' | 'agentState' | 'anonymous' | 'votes'>): Question {
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
