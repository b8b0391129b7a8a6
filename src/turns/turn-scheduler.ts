import type { TurnPolicy } from '../contract/protocol.js';

/**
 * What the agent answers next: a pure function of the pending messages and the
 * history of who was served when, so it is tested without sockets or a database.
 */
export interface PendingMessage {
  id: string;
  authorId: string;
  authorName: string;
  /** Arrival order: the seq of the message's new_message event. */
  seq: number;
  /** Upvotes (the `votes` policy). */
  votes?: number;
  /** Asked anonymously to classmates: who asked is not said to the room. */
  anonymous?: boolean;
}

export interface SchedulerInput {
  policy: TurnPolicy;
  /** Messages the agent owes an answer, any order. */
  pending: PendingMessage[];
  /** Per author, the seq at which they were last answered (absent: never). */
  lastServed: ReadonlyMap<string, number>;
  /**
   * round_robin by the tutor's time: per author, the tutor tokens received
   * over their weight (absent: counted by turns, least recently served first).
   */
  tutorTokens?: ReadonlyMap<string, number>;
  /** What the next answer to this author is expected to add to their counter (for the predicted order). */
  estimate?: (authorId: string) => number;
}

export interface Batch {
  messages: PendingMessage[];
  /** Why these, now: shown to people (schedule_reason) and kept with the answer. */
  reason: string;
}

const byArrival = (a: PendingMessage, b: PendingMessage) => a.seq - b.seq;

/** The next batch the agent should answer, or null when nothing is pending. */
export function nextBatch(input: SchedulerInput): Batch | null {
  const pending = [...input.pending].sort(byArrival);
  if (pending.length === 0) return null;
  switch (input.policy) {
    case 'merge':
      return {
        messages: pending,
        reason: `merge: ${pending.length} pending message(s) from ${authorsOf(pending)} answered together`,
      };
    case 'round_robin': {
      const { message, lastServed } = pickRoundRobin(pending, input.lastServed, input.tutorTokens);
      if (input.tutorTokens) return { messages: [message], reason: tokensReason(message, pending, input.tutorTokens) };
      const when = lastServed === undefined ? 'had not been answered yet' : `was last answered at seq ${lastServed}`;
      return {
        messages: [message],
        reason: `round_robin: ${message.authorName} ${when}, the least recently served of ${countAuthors(pending)} waiting author(s); their oldest pending message goes first`,
      };
    }
    case 'votes': {
      const { message, capped } = pickByVotes(pending, input.lastServed);
      const votes = message.votes ?? 0;
      return {
        messages: [message],
        reason: capped
          ? `votes: ${capped} was answered last and is not answered twice in a row while others wait; ${message.authorName}'s question has the most upvotes of the rest (${votes})`
          : `votes: the most upvoted pending question (${votes} upvote${votes === 1 ? '' : 's'}); ties go to the oldest`,
      };
    }
    case 'fifo':
    case 'hand_raise':
    case 'moderated': {
      const [first] = pending;
      const why =
        input.policy === 'fifo'
          ? 'the oldest pending message'
          : input.policy === 'hand_raise'
            ? 'asked while holding the floor; oldest first'
            : 'approved by a moderator; oldest first';
      return { messages: [first], reason: `${input.policy}: ${why}` };
    }
    default: {
      const unknown: never = input.policy;
      throw new Error(`unknown turn policy ${String(unknown)}`);
    }
  }
}

/**
 * The order in which the agent will answer everything pending now, assuming
 * no new arrivals (what `queue_updated` shows).
 */
export function predictOrder(input: SchedulerInput): PendingMessage[] {
  if (input.policy === 'votes') {
    const remaining = [...input.pending];
    const served = new Map(input.lastServed);
    let clock = Math.max(0, ...served.values(), ...remaining.map((m) => m.seq));
    const order: PendingMessage[] = [];
    while (remaining.length > 0) {
      const { message } = pickByVotes(remaining, served);
      order.push(message);
      remaining.splice(remaining.indexOf(message), 1);
      served.set(message.authorId, ++clock);
    }
    return order;
  }
  if (input.policy !== 'round_robin') return [...input.pending].sort(byArrival);
  const remaining = [...input.pending].sort(byArrival);
  const served = new Map(input.lastServed);
  // Each predicted answer adds its estimated cost: the order shown is the order the tutor follows if nothing new arrives.
  const tokens = input.tutorTokens ? new Map(input.tutorTokens) : undefined;
  let clock = Math.max(0, ...served.values(), ...remaining.map((m) => m.seq));
  const order: PendingMessage[] = [];
  while (remaining.length > 0) {
    const { message } = pickRoundRobin(remaining, served, tokens);
    order.push(message);
    remaining.splice(remaining.indexOf(message), 1);
    served.set(message.authorId, ++clock);
    if (tokens)
      tokens.set(message.authorId, (tokens.get(message.authorId) ?? 0) + (input.estimate?.(message.authorId) ?? 0));
  }
  return order;
}

/**
 * Authors take turns: the author served least recently (never served counts
 * as longest ago) goes next with their oldest message; ties go to whoever's
 * oldest pending message arrived first.
 */
function pickRoundRobin(
  pending: PendingMessage[],
  lastServed: ReadonlyMap<string, number>,
  tutorTokens?: ReadonlyMap<string, number>,
) {
  const oldestByAuthor = new Map<string, PendingMessage>();
  for (const message of pending) {
    const current = oldestByAuthor.get(message.authorId);
    if (!current || message.seq < current.seq) oldestByAuthor.set(message.authorId, message);
  }
  let best: PendingMessage | undefined;
  for (const candidate of oldestByAuthor.values()) {
    if (!best) {
      best = candidate;
      continue;
    }
    // By the tutor's time when counted (fewest tokens first), then least recently served, then oldest.
    const x = tutorTokens ? (tutorTokens.get(candidate.authorId) ?? 0) : 0;
    const y = tutorTokens ? (tutorTokens.get(best.authorId) ?? 0) : 0;
    if (Math.abs(x - y) > 1e-9) {
      if (x < y) best = candidate;
      continue;
    }
    const a = lastServed.get(candidate.authorId) ?? -1;
    const b = lastServed.get(best.authorId) ?? -1;
    if (a < b || (a === b && candidate.seq < best.seq)) best = candidate;
  }
  const message = best as PendingMessage;
  return { message, lastServed: lastServed.get(message.authorId) };
}

/**
 * The `votes` policy: the most upvoted question first, ties by arrival. The
 * cap: the author answered last is not answered twice in a row while anyone
 * else has a question waiting (so one popular student cannot hold the tutor).
 * `capped` names the author passed over, when the cap applied.
 */
function pickByVotes(
  pending: PendingMessage[],
  lastServed: ReadonlyMap<string, number>,
): { message: PendingMessage; capped?: string } {
  const ranked = [...pending].sort((a, b) => (b.votes ?? 0) - (a.votes ?? 0) || a.seq - b.seq);
  let lastAuthor: string | undefined;
  let latest = -Infinity;
  for (const [author, seq] of lastServed)
    if (seq > latest) {
      latest = seq;
      lastAuthor = author;
    }
  const [top] = ranked;
  if (top.authorId !== lastAuthor) return { message: top };
  const other = ranked.find((m) => m.authorId !== lastAuthor);
  return other ? { message: other, capped: top.authorName } : { message: top };
}

/** "Ben has had 40 of the tutor's tokens, the fewest of 4 waiting (Ada: 1,200)". */
function tokensReason(
  message: PendingMessage,
  pending: PendingMessage[],
  tutorTokens: ReadonlyMap<string, number>,
): string {
  const names = new Map(pending.map((m) => [m.authorId, m.authorName]));
  const count = (author: string) => Math.round(tutorTokens.get(author) ?? 0).toLocaleString('en-US');
  const others = [...names.keys()]
    .filter((a) => a !== message.authorId)
    .sort((a, b) => (tutorTokens.get(b) ?? 0) - (tutorTokens.get(a) ?? 0));
  const most = others[0];
  const context =
    most !== undefined
      ? `, the fewest of ${names.size} waiting (${names.get(most)}: ${count(most)})`
      : ', the only one waiting';
  return `round_robin: ${message.authorName} has had ${count(message.authorId)} of the tutor's tokens${context}; their oldest question goes first`;
}

function countAuthors(messages: PendingMessage[]): number {
  return new Set(messages.map((m) => m.authorId)).size;
}

function authorsOf(messages: PendingMessage[]): string {
  return [...new Set(messages.map((m) => m.authorName))].join(', ');
}
