/** Where a person's message stands with the agent (the `agent_state` column holds the same words). */
export type QuestionState = 'waiting_approval' | 'queued' | 'answering';

/** How an answer ended, for the questions it replied to. */
export type Settlement = 'answered' | 'failed' | 'requeued';

export interface Question {
  id: string;
  authorId: string;
  authorName: string;
  /** Arrival order: the seq of its new_message event. */
  seq: number;
  state: QuestionState;
}

/**
 * The agent's queue for one session, in memory: every question the agent still
 * owes an answer, with its state, and when each author was last answered. One
 * owner, named transitions:
 *
 *   enqueue → waiting_approval | queued
 *   approve: waiting_approval → queued
 *   dismiss: waiting_approval | queued → (gone)
 *   claim:   queued → answering            (the runner took it)
 *   settle:  answering → (gone), or requeued: answering → queued
 *
 * The database's `agent_state` column is written by the same operations, so a
 * restart loads the same queue. The scheduler reads `queued()` and `lastServed`.
 */
export class AgentQueue {
  private readonly questions = new Map<string, Question>();
  /** Per author, the seq of the last answer they received. */
  readonly lastServed: Map<string, number>;

  constructor(questions: Question[] = [], lastServed = new Map<string, number>()) {
    for (const q of questions) this.questions.set(q.id, { ...q });
    this.lastServed = lastServed;
  }

  enqueue(question: Question): void {
    this.questions.set(question.id, { ...question });
  }

  approve(id: string): void {
    const q = this.questions.get(id);
    if (q?.state === 'waiting_approval') q.state = 'queued';
  }

  /** Leaving `moderated`: everything that waited for approval joins the queue. */
  approveAll(): void {
    for (const q of this.questions.values()) if (q.state === 'waiting_approval') q.state = 'queued';
  }

  /** A dismissal, a deletion, or skipping what arrived during a pause. In flight stays in flight. */
  dismiss(id: string): void {
    const q = this.questions.get(id);
    if (q && q.state !== 'answering') this.questions.delete(id);
  }

  /** What someone left waiting when they were removed. */
  dismissAuthor(authorId: string): void {
    for (const q of [...this.questions.values()]) if (q.authorId === authorId) this.dismiss(q.id);
  }

  claim(ids: readonly string[]): void {
    for (const id of ids) {
      const q = this.questions.get(id);
      if (q?.state === 'queued') q.state = 'answering';
    }
  }

  /** An answer (or a failure, or an interruption) to these questions was stored at `seq`. */
  settle(ids: readonly string[], how: Settlement, seq: number): void {
    for (const id of ids) {
      const q = this.questions.get(id);
      if (!q) continue;
      if (how === 'requeued') {
        q.state = 'queued';
        continue;
      }
      this.questions.delete(id);
      if (how === 'answered') this.lastServed.set(q.authorId, Math.max(this.lastServed.get(q.authorId) ?? 0, seq));
    }
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
