import { Injectable, Logger } from '@nestjs/common';
import { KeyedMutex } from '../common/keyed-mutex.js';
import type { DbTransaction, StatementPart } from '../persistence/transaction.js';
import { SessionEventBus, type CommittedEvent } from './session-event-bus.js';
import { SessionEventsRepository } from './session-events.repository.js';
import type { AgentState, MessageRecord } from './records.js';

type Payload = Record<string, unknown>;

/**
 * Who may read an event: everyone, staff (private notes), or moderators and
 * one more person (a question held for approval, read by its author).
 */
export type Visibility = 'all' | 'staff' | 'moderators' | { moderatorsAnd: string };

const audienceOf = (visibility: Visibility): Pick<CommittedEvent, 'visibility' | 'visibleTo'> =>
  typeof visibility === 'string' ? { visibility } : { visibility: 'moderators', visibleTo: visibility.moderatorsAnd };

/** Who may read events about this message: whoever may read the message. */
export const visibilityOfMessage = (message: { visibility: string; authorId: string | null }): Visibility =>
  message.visibility === 'held'
    ? message.authorId
      ? { moderatorsAnd: message.authorId }
      : 'moderators'
    : message.visibility === 'all'
      ? 'all'
      : 'staff';

export interface EventAppender {
  /**
   * Appends a durable event in the current transaction; returns its seq. The
   * payload may be built from the seq (a message row stores the seq it got).
   */
  append(
    type: CommittedEvent['type'],
    payload: Payload | ((seq: number) => Promise<Payload>),
    visibility?: Visibility,
    internal?: CommittedEvent['internal'],
  ): Promise<number>;
}

/** One event of a batch: its payload may be built from the seq it gets. */
export interface BatchEvent {
  sessionId: string;
  type: CommittedEvent['type'];
  visibility: Visibility;
  payload: (seq: number) => Payload;
  internal?: CommittedEvent['internal'];
}

export interface BatchAppender {
  /**
   * Appends all of these in order (any sessions), with one seq allocation and
   * one multi-row insert for the lot; returns their seqs, in the same order.
   * `messages`: the rows of the messages these events carry, written in the same
   * statement (their seq is set by the events' payload builders, which run first).
   */
  appendMany(
    events: BatchEvent[],
    options?: { messages?: MessageRecord[]; lastSeqs?: ReadonlyMap<string, number> },
  ): Promise<number[]>;
}

/**
 * Where a batch's commit runs. `optimistic`: no transaction is open; the commit reads nothing
 * from the database and gives `appendMany` each session's last seq as its live state knows it
 * (`lastSeqs`): the whole batch is then written by one statement that writes a session only if
 * its last seq is still that (a compare-and-set the database decides). Whatever cannot be done so
 * (a read, another table, a session whose live state is not loaded) throws NeedsTransaction, and
 * the batch, or what of it the database did not take, is committed again `careful`ly: in a
 * transaction, with the database allocating the seqs. A commit must therefore be safe to run twice
 * for the same items (it may take nothing twice: see MessageIntakeService's refunds).
 */
export type BatchScope =
  { optimistic: true; log: BatchAppender } | { optimistic: false; tx: DbTransaction; log: BatchAppender };

/** Thrown by an optimistic commit for what needs a transaction. */
export class NeedsTransaction extends Error {
  constructor(why: string) {
    super(`needs a transaction: ${why}`);
  }
}

/**
 * One session's write done by one statement, no transaction and no read (SessionLog.writeOnce):
 * its events get the seqs after `lastSeq` (the live state's), and everything is written only if
 * the session's last seq is still that and the `fence` holds.
 */
export interface OnceWrite<T> {
  lastSeq: number;
  events: Array<Omit<BatchEvent, 'sessionId'>>;
  /** The rows of the messages the events carry (their payload builders set each row's seq). */
  messages?: MessageRecord[];
  /** The agent's lease: written only while this owner holds this generation. */
  fence?: { owner: string; generation: number };
  /** Questions moved to `agentState`; `answered`: their answered_seq is the first event's seq. */
  settle?: { ids: string[]; agentState: AgentState; answered: boolean };
  /** Other modules' rows, written with it (StatementPart). */
  also?: StatementPart[];
  result(seqs: number[]): T;
}

/** What queued for one session since its previous write began. */
export interface SessionBatch<I> {
  sessionId: string;
  items: I[];
}

/**
 * The commit of one batch: given what queued for every session with pending
 * items, writes what it accepts through `scope.log` (in `scope.tx` when careful)
 * and returns, per session, one outcome per item in order: a result, or an Error
 * for an item refused (which writes nothing). Throwing fails the whole batch
 * (NeedsTransaction, in an optimistic scope: it is committed carefully instead).
 */
export type BatchCommit<I, R> = (
  batches: Array<SessionBatch<I>>,
  scope: BatchScope,
) => Promise<Array<Array<R | Error>>>;

/** Submits items for group commit; see SessionLog.groupCommit. */
export interface GroupCommit<I, R> {
  submit(sessionId: string, item: I): Promise<R>;
}

interface Waiting<I, R> {
  item: I;
  resolve(result: R): void;
  reject(error: unknown): void;
}

/**
 * The session's durable event log. Every durable change goes through `write`:
 * its effect and its events commit in one transaction, seq allocated by the
 * database, and only then are the events published, in seq order.
 */
@Injectable()
export class SessionLog {
  private readonly logger = new Logger('SessionLog');
  private readonly mutex = new KeyedMutex();
  /** Writes submitted and not yet committed (or failed): a stopping instance waits for them. */
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly events: SessionEventsRepository,
    private readonly bus: SessionEventBus,
  ) {}

  /** Resolves once every write submitted so far (and any submitted meanwhile) has settled. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private track<T>(write: Promise<T>): Promise<T> {
    this.inFlight.add(write);
    const done = () => this.inFlight.delete(write);
    write.then(done, done);
    return write;
  }

  write<T>(sessionId: string, work: (tx: DbTransaction, log: EventAppender) => Promise<T>): Promise<T> {
    return this.track(
      this.mutex.run(sessionId, async () => {
        const committed: CommittedEvent[] = [];
        const result = await this.events.transaction(async (tx) => {
          committed.length = 0; // a retried transaction starts over
          return work(tx, {
            append: async (type, payloadOrBuild, visibility = 'all', internal) => {
              const seq = await this.events.nextSeq(tx, sessionId);
              const payload = typeof payloadOrBuild === 'function' ? await payloadOrBuild(seq) : payloadOrBuild;
              const event: CommittedEvent = {
                sessionId,
                seq,
                type,
                ...audienceOf(visibility),
                payload,
                at: new Date(),
                ...(internal ? { internal } : {}),
              };
              await this.events.insert(tx, event);
              committed.push(event);
              return seq;
            },
          });
        });
        for (const event of committed) this.bus.publishDurable(event);
        return result;
      }),
    );
  }

  /**
   * A write that needs no read, by one statement and no transaction (OnceWrite): `plan` runs in
   * the session's write turn, so the last seq it gives is the live state's after every write of
   * this instance. Resolves to the result once written and published, or to null when nothing was
   * written: `plan` returned null (it needs a transaction), the session's last seq moved (another
   * instance wrote), the fence no longer holds, or the statement failed. The caller then writes it
   * with `write`, which reads and decides again.
   */
  writeOnce<T>(sessionId: string, plan: () => OnceWrite<T> | null): Promise<{ result: T } | null> {
    return this.track(
      this.mutex.run(sessionId, async () => {
        const planned = plan();
        if (!planned || planned.events.length === 0) return null;
        const built = buildEvents(
          planned.events.map((e) => ({ ...e, sessionId })),
          new Map([[sessionId, planned.lastSeq + 1]]),
        );
        const seqs = built.map((e) => e.seq);
        const { settle, fence, also } = planned;
        let taken: Set<string>;
        try {
          taken = await this.events.appendIfLastSeqs(
            new Map([[sessionId, { lastSeq: planned.lastSeq, n: built.length }]]),
            built,
            planned.messages ?? [],
            {
              fence,
              also,
              settle: settle && {
                ids: settle.ids,
                agentState: settle.agentState,
                answeredSeq: settle.answered ? seqs[0] : null,
              },
            },
          );
        } catch (error) {
          this.logger.debug(`one-statement write refused, writing in a transaction: ${String(error)}`);
          return null;
        }
        if (!taken.has(sessionId)) return null;
        for (const event of built) this.bus.publishDurable(event);
        return { result: planned.result(seqs) };
      }),
    );
  }

  /**
   * Group commit: whatever is submitted while the previous batch is being
   * committed goes into the next one, across sessions: one transaction with a
   * fixed number of statements (a dedupe read, locking and bumping every
   * session's `last_seq`, one insert per table) whatever the batch holds. The
   * database still allocates the seqs, events are published after commit in
   * seq order per session, and each submitter gets its own outcome. A batch
   * holds each of its sessions' write turn (`write` and the fallback joins
   * wait), and a batch that fails rolls back every item in it and gives back
   * every seq.
   */
  groupCommit<I, R>(commit: BatchCommit<I, R>): GroupCommit<I, R> {
    let queues = new Map<string, Array<Waiting<I, R>>>();
    let flushing = false;
    const flush = async () => {
      try {
        while (queues.size > 0) {
          const batch = queues;
          queues = new Map();
          await this.commitBatch(batch, commit).catch((error: unknown) => {
            // Not the database (commitBatch answers its submitters then): a listener threw after commit.
            this.logger.error(`group commit: ${error instanceof Error ? error.stack : String(error)}`);
          });
        }
      } finally {
        flushing = false;
      }
    };
    return {
      submit: (sessionId, item) =>
        this.track(
          new Promise<R>((resolve, reject) => {
            let queue = queues.get(sessionId);
            if (!queue) queues.set(sessionId, (queue = []));
            queue.push({ item, resolve, reject });
            // Start after this turn of the event loop: messages read off sockets in the same turn go together.
            if (!flushing) {
              flushing = true;
              setImmediate(() => void flush());
            }
          }),
        ),
    };
  }

  private async commitBatch<I, R>(batch: Map<string, Array<Waiting<I, R>>>, commit: BatchCommit<I, R>): Promise<void> {
    const sessionIds = [...batch.keys()];
    // Each session's write turn, held until this batch is published (write() and exclusive() wait).
    const releases = await Promise.all(sessionIds.map((id) => this.mutex.acquire(id)));
    try {
      const optimistic = await this.commitOptimistically(batch, commit);
      for (const event of optimistic.committed) this.bus.publishDurable(event);
      for (const [sessionId, outcomes] of optimistic.done) settle(batch.get(sessionId)!, outcomes);
      const rest = sessionIds.filter((id) => !optimistic.done.has(id));
      if (rest.length > 0) await this.commitCarefully(new Map(rest.map((id) => [id, batch.get(id)!])), commit);
    } finally {
      for (const release of releases) release();
    }
  }

  /**
   * The batch in one statement, no transaction: each session's events and message rows are
   * written only if its last seq is still the one its live state applied (the seqs follow it).
   * Returns, per session it settled, the outcomes, and the events written. A session the database
   * did not take, and the whole batch when the commit needs a transaction or the statement fails
   * (a retried client_msg_id meets the unique index, say), is left to commitCarefully.
   */
  private async commitOptimistically<I, R>(
    batch: Map<string, Array<Waiting<I, R>>>,
    commit: BatchCommit<I, R>,
  ): Promise<{ done: Map<string, Array<R | Error>>; committed: CommittedEvent[] }> {
    const sessionIds = [...batch.keys()];
    const none = { done: new Map<string, Array<R | Error>>(), committed: [] };
    const plan: { write?: PlannedWrite } = {};
    let outcomes: Array<Array<R | Error>>;
    try {
      outcomes = await commit(
        sessionIds.map((sessionId) => ({ sessionId, items: batch.get(sessionId)!.map((w) => w.item) })),
        {
          optimistic: true,
          log: {
            appendMany: async (events, options = {}) => {
              if (plan.write) throw new NeedsTransaction('a second append in one batch');
              const counts = countBySession(events);
              const lastSeqs = options.lastSeqs ?? new Map<string, number>();
              for (const id of counts.keys())
                if (!lastSeqs.has(id)) throw new NeedsTransaction('a session without its live last seq');
              if (events.length === 0 && options.messages?.length)
                throw new NeedsTransaction('messages without events');
              const next = new Map([...counts.keys()].map((id) => [id, lastSeqs.get(id)! + 1]));
              const built = buildEvents(events, next);
              plan.write = { events: built, messages: options.messages ?? [], counts, lastSeqs };
              return built.map((e) => e.seq);
            },
          },
        },
      );
    } catch (error) {
      if (!(error instanceof NeedsTransaction)) this.logger.debug(`optimistic commit: ${String(error)}`);
      return none;
    }
    const planned = plan.write;
    // Nothing to write (every item refused, or repeats within the batch): settled as it is.
    if (!planned || planned.events.length === 0)
      return { done: new Map(sessionIds.map((id, s) => [id, outcomes[s]])), committed: [] };
    let taken: Set<string>;
    try {
      taken = await this.events.appendIfLastSeqs(
        new Map([...planned.counts].map(([id, n]) => [id, { lastSeq: planned.lastSeqs.get(id)!, n }])),
        planned.events,
        planned.messages,
      );
    } catch (error) {
      this.logger.debug(`optimistic commit refused, committing in a transaction: ${String(error)}`);
      return none;
    }
    const done = new Map<string, Array<R | Error>>();
    sessionIds.forEach((id, s) => {
      // Written by the statement, or nothing to write (every item refused, or a repeat in the batch).
      if (taken.has(id) || !planned.counts.has(id)) done.set(id, outcomes[s]);
    });
    return { done, committed: planned.events.filter((e) => taken.has(e.sessionId)) };
  }

  /** The batch in one transaction, the database allocating the seqs (see groupCommit). */
  private async commitCarefully<I, R>(
    batch: Map<string, Array<Waiting<I, R>>>,
    commit: BatchCommit<I, R>,
  ): Promise<void> {
    const sessionIds = [...batch.keys()];
    const committed: CommittedEvent[] = [];
    let outcomes: Array<Array<R | Error>>;
    try {
      outcomes = await this.events.transaction(async (tx) => {
        committed.length = 0; // a retried transaction starts over
        return commit(
          sessionIds.map((sessionId) => ({ sessionId, items: batch.get(sessionId)!.map((w) => w.item) })),
          {
            optimistic: false,
            tx,
            log: {
              appendMany: async (events, options = {}) => {
                if (events.length === 0) {
                  if (options.messages?.length) await this.events.insertMany(tx, [], options.messages);
                  return [];
                }
                const counts = countBySession(events);
                const last = await this.events.nextSeqsMany(tx, counts);
                const next = new Map([...last].map(([id, seq]) => [id, seq - counts.get(id)! + 1]));
                const built = buildEvents(events, next);
                await this.events.insertMany(tx, built, options.messages);
                committed.push(...built);
                return built.map((e) => e.seq);
              },
            },
          },
        );
      });
    } catch (error) {
      for (const w of [...batch.values()].flat()) w.reject(error);
      return;
    }
    for (const event of committed) this.bus.publishDurable(event);
    sessionIds.forEach((id, s) => settle(batch.get(id)!, outcomes[s]));
  }

  /**
   * Runs `work` between two writes of this session, so that what it reads and
   * does (a snapshot, joining a room) sits at one point of the seq order.
   */
  exclusive<T>(sessionId: string, work: () => Promise<T>): Promise<T> {
    return this.mutex.run(sessionId, work);
  }

  /** Replaces a deleted message in every event that carried it with its tombstone. */
  redact(tx: DbTransaction, sessionId: string, messageId: string, payload: { message: object }): Promise<void> {
    return this.events.redactMessage(tx, sessionId, messageId, payload);
  }

  list(sessionId: string, afterSeq: number, limit: number): Promise<CommittedEvent[]> {
    return this.events.list(sessionId, afterSeq, limit);
  }
}

/** What an optimistic commit will write, in one statement. */
interface PlannedWrite {
  events: CommittedEvent[];
  messages: MessageRecord[];
  counts: Map<string, number>;
  lastSeqs: ReadonlyMap<string, number>;
}

function countBySession(events: BatchEvent[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of events) counts.set(e.sessionId, (counts.get(e.sessionId) ?? 0) + 1);
  return counts;
}

/** The events with their seqs, each session's counting on from `next` (which this advances). */
function buildEvents(events: BatchEvent[], next: Map<string, number>): CommittedEvent[] {
  const at = new Date();
  return events.map((e): CommittedEvent => {
    const seq = next.get(e.sessionId)!;
    next.set(e.sessionId, seq + 1);
    return {
      sessionId: e.sessionId,
      seq,
      type: e.type,
      ...audienceOf(e.visibility),
      payload: e.payload(seq),
      at,
      ...(e.internal ? { internal: e.internal } : {}),
    };
  });
}

function settle<I, R>(waiting: Array<Waiting<I, R>>, outcomes: Array<R | Error>): void {
  waiting.forEach((w, i) => {
    const outcome = outcomes[i];
    if (outcome instanceof Error) w.reject(outcome);
    else w.resolve(outcome);
  });
}
