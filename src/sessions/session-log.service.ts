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
