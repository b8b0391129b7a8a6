/**
 * Why an answer stopped early: a moderator (cancel, pause), the session closing, the lease gone to
 * another instance, or this instance stopping (its questions are handed back to the others).
 */
export type StopReason = 'cancel' | 'pause' | 'close' | 'lease_lost' | 'shutdown';
/** Interrupted, not answered: the partial is stored as cancelled and the questions are pending again. */
export const INTERRUPTS: ReadonlySet<StopReason | undefined> = new Set(['pause', 'close', 'shutdown']);

export interface Run {
  messageId: string;
  triggeredBy?: string;
  status: 'thinking' | 'streaming';
  /** What has been broadcast so far (a late joiner's snapshot carries exactly this). */
  partial: string;
  /** Streamed by the model but not broadcast yet: deltas go out coalesced, once per tick. */
  unsent: string;
  flushTimer?: NodeJS.Timeout;
  controller: AbortController;
  stopReason?: StopReason;
  /** The questions it answers: round_robin charges their authors as it streams. */
  questionIds: string[];
  /** The answer stopped at the session's length cap. */
  truncated?: boolean;
  /** The lease's generation it was started under: only its holder may store the answer (the fence). */
  generation: number;
}

/** The lease went to another instance before the answer was stored (the fence refused it). */
export class LeaseLost extends Error {}
