import { Injectable } from '@nestjs/common';
import { KeyedMutex } from '../common/keyed-mutex.js';
import type { DbTransaction } from '../persistence/transaction.js';
import { SessionEventBus, type CommittedEvent } from './session-event-bus.js';
import { SessionEventsRepository } from './session-events.repository.js';

type Payload = Record<string, unknown>;

export interface EventAppender {
  /**
   * Appends a durable event in the current transaction; returns its seq. The
   * payload may be built from the seq (a message row stores the seq it got).
   */
  append(
    type: CommittedEvent['type'],
    payload: Payload | ((seq: number) => Promise<Payload>),
    visibility?: 'all' | 'staff',
    internal?: CommittedEvent['internal'],
  ): Promise<number>;
}

/** One event of a batch: its payload may be built from the seq it gets. */
export interface BatchEvent {
  type: CommittedEvent['type'];
  visibility: 'all' | 'staff';
  payload: (seq: number) => Payload;
  internal?: CommittedEvent['internal'];
}

export interface BatchAppender {
  /** Appends all of these in order, with one seq allocation and one insert for the lot; returns their seqs. */
  appendMany(events: BatchEvent[]): Promise<number[]>;
}

/**
 * The commit of one batch: given every item queued for a session since its
 * previous write began, writes what it accepts in `tx` through `log` and
 * returns one outcome per item, in order: a result, or an Error for an item
 * refused (which writes nothing). Throwing fails the whole batch.
 */
export type BatchCommit<I, R> = (sessionId: string, items: I[], tx: DbTransaction, log: BatchAppender) => Promise<Array<R | Error>>;

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
  private readonly mutex = new KeyedMutex();

  constructor(
    private readonly events: SessionEventsRepository,
    private readonly bus: SessionEventBus,
  ) {}

  write<T>(sessionId: string, work: (tx: DbTransaction, log: EventAppender) => Promise<T>): Promise<T> {
    return this.mutex.run(sessionId, async () => {
      const committed: CommittedEvent[] = [];
      const result = await this.events.transaction(async (tx) => {
        committed.length = 0; // a retried transaction starts over
        return work(tx, {
          append: async (type, payloadOrBuild, visibility = 'all', internal) => {
            const seq = await this.events.nextSeq(tx, sessionId);
            const payload = typeof payloadOrBuild === 'function' ? await payloadOrBuild(seq) : payloadOrBuild;
            const event: CommittedEvent = { sessionId, seq, type, visibility, payload, at: new Date(), ...(internal ? { internal } : {}) };
            await this.events.insert(tx, event);
            committed.push(event);
            return seq;
          },
        });
      });
      for (const event of committed) this.bus.publishDurable(event);
      return result;
    });
  }

  /**
   * Group commit: items submitted for a session while its previous write is in
   * flight are committed together, in one transaction with a fixed number of
   * statements whatever the batch's size. The database still allocates the
   * seqs (one `last_seq + n`), events are published after commit in seq order,
   * and each submitter gets its own outcome. A batch that fails rolls back
   * every item in it and gives back every seq.
   */
  groupCommit<I, R>(commit: BatchCommit<I, R>): GroupCommit<I, R> {
    const queues = new Map<string, Array<Waiting<I, R>>>();
    const run = async (sessionId: string) => {
      const batch = queues.get(sessionId) ?? [];
      queues.delete(sessionId);
      if (batch.length === 0) return;
      const committed: CommittedEvent[] = [];
      let outcomes: Array<R | Error>;
      try {
        outcomes = await this.events.transaction(async (tx) => {
          committed.length = 0; // a retried transaction starts over
          return commit(
            sessionId,
            batch.map((w) => w.item),
            tx,
            {
              appendMany: async (events) => {
                if (events.length === 0) return [];
                const last = await this.events.nextSeqs(tx, sessionId, events.length);
                const at = new Date();
                const built = events.map((e, i): CommittedEvent => {
                  const seq = last - events.length + 1 + i;
                  return { sessionId, seq, type: e.type, visibility: e.visibility, payload: e.payload(seq), at, ...(e.internal ? { internal: e.internal } : {}) };
                });
                await this.events.insertMany(tx, built);
                committed.push(...built);
                return built.map((e) => e.seq);
              },
            },
          );
        });
      } catch (error) {
        for (const w of batch) w.reject(error);
        return;
      }
      for (const event of committed) this.bus.publishDurable(event);
      batch.forEach((w, i) => {
        const outcome = outcomes[i];
        if (outcome instanceof Error) w.reject(outcome);
        else w.resolve(outcome);
      });
    };
    return {
      submit: (sessionId, item) =>
        new Promise<R>((resolve, reject) => {
          let queue = queues.get(sessionId);
          if (!queue) {
            queues.set(sessionId, (queue = []));
            // The batch is taken when the session's turn comes: whatever queued meanwhile goes with it.
            void this.mutex.run(sessionId, () => run(sessionId));
          }
          queue.push({ item, resolve, reject });
        }),
    };
  }

  /**
   * Runs `work` between two writes of this session, so that what it reads and
   * does (a snapshot, joining a room) sits at one point of the seq order.
   */
  exclusive<T>(sessionId: string, work: () => Promise<T>): Promise<T> {
    return this.mutex.run(sessionId, work);
  }

  /** Replaces the text of a deleted message in the event that carried it (a tombstone). */
  redact(tx: DbTransaction, sessionId: string, seq: number, payload: Record<string, unknown>): Promise<void> {
    return this.events.redactMessage(tx, sessionId, seq, payload);
  }

  list(sessionId: string, afterSeq: number, limit: number): Promise<CommittedEvent[]> {
    return this.events.list(sessionId, afterSeq, limit);
  }
}
