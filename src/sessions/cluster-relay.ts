import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ClusterSignals } from '../persistence/cluster-signals.js';
import { LiveSessions } from './live-sessions.service.js';
import { SessionEventBus, type CommittedEvent, type EphemeralPublication } from './session-event-bus.js';

/** A session's cluster channel: its bus publications, heard by the instances that hold its live state. */
const busChannel = (sessionId: string) => `bus:${sessionId}`;

/**
 * How long an event that arrived ahead of its predecessor waits for it. Instances publish right
 * after they commit, so on one network the missing one arrives within a millisecond or two; one
 * that never comes (its instance died between commit and publish) is read from the database.
 */
export const GAP_WAIT_MS = 500;

interface Held {
  events: Map<number, CommittedEvent>;
  timer: NodeJS.Timeout;
}

type BusMessage = { kind: 'durable'; event: CommittedEvent } | { kind: 'ephemeral'; publication: EphemeralPublication };

/**
 * One event stream for every instance of a deployment (REDIS_URL). Everything an instance's bus
 * publishes, durable or ephemeral, goes over Redis pub/sub on the session's own channel to the
 * other instances that follow the session, and each delivers it to its own listeners: its live
 * state applies it and its broadcaster sends it to its own connections, on both transports. An
 * instance follows a session from before it first reads the session's live state (every
 * connection, write and answer here goes through it), so it never misses an event of a session it
 * serves, and hears nothing of the others. There is no other cross-instance fan-out.
 *
 * Seqs of one session are allocated by the database in commit order, but two instances' events
 * can reach a third out of that order. Durable events of a session with live state here are put
 * back in seq order: one ahead of the live state waits (at most GAP_WAIT_MS) for those before it.
 * If they never come, the live state is dropped (the next use reads the rows, which hold them)
 * and what waited is delivered; connections see a gap and fill it by resuming with last_seq.
 * Without REDIS_URL the relay does nothing and the bus delivers directly.
 */
@Injectable()
export class ClusterRelay implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('ClusterRelay');
  private readonly held = new Map<string, Held>();
  private deliver: (event: CommittedEvent) => void = () => undefined;

  constructor(
    private readonly signals: ClusterSignals,
    private readonly bus: SessionEventBus,
    private readonly live: LiveSessions,
  ) {}

  async onModuleInit() {
    if (!this.signals.clustered) return;
    const send = (sessionId: string, message: BusMessage) =>
      void this.signals
        .toOthers(busChannel(sessionId), message)
        .catch((error: unknown) => this.logger.warn(`could not relay an event: ${String(error)}`));
    this.bus.connectCluster(
      {
        durable: (event) => send(event.sessionId, { kind: 'durable', event }),
        ephemeral: (publication) => send(publication.sessionId, { kind: 'ephemeral', publication }),
      },
      { push: (event, deliver) => this.push(event, deliver) },
    );
    // A session's events are heard here from before its live state is read until this process ends.
    this.live.setFollower((sessionId) =>
      this.signals
        .follow(busChannel(sessionId), (m) => this.receive(m as unknown as BusMessage))
        .catch((error: unknown) => {
          // Served anyway: its connections here see gaps and fill them by resuming.
          this.logger.warn(`could not follow session ${sessionId}'s events: ${String(error)}`);
        }),
    );
  }

  onModuleDestroy() {
    for (const held of this.held.values()) clearTimeout(held.timer);
    this.held.clear();
  }

  private receive(message: BusMessage) {
    if (message.kind === 'ephemeral') return this.bus.receiveEphemeral(message.publication);
    if (
      message.kind !== 'durable' ||
      typeof message.event?.sessionId !== 'string' ||
      typeof message.event.seq !== 'number'
    )
      return;
    const event = message.event;
    this.bus.receiveDurable({ ...event, at: event.at ? new Date(event.at) : undefined });
  }

  private push(event: CommittedEvent, deliver: (event: CommittedEvent) => void) {
    this.deliver = deliver;
    const sessionId = event.sessionId;
    const held = this.held.get(sessionId);
    if (held) {
      held.events.set(event.seq, event);
      return this.drain(sessionId, held);
    }
    const last = this.live.peek(sessionId)?.lastSeq;
    // In order, or no live state here to keep in order (a load in progress orders what it buffers itself).
    if (last === undefined || event.seq <= last + 1) return deliver(event);
    const timer = setTimeout(() => this.giveUp(sessionId), GAP_WAIT_MS);
    timer.unref();
    this.held.set(sessionId, { events: new Map([[event.seq, event]]), timer });
  }

  /** Delivers what waited, as far as the seqs run without a gap. */
  private drain(sessionId: string, held: Held) {
    for (;;) {
      const last = this.live.peek(sessionId)?.lastSeq;
      if (last === undefined) return this.release(sessionId, held);
      const next = held.events.get(last + 1);
      if (!next) break;
      held.events.delete(next.seq);
      this.deliver(next);
    }
    // Late ones (the live state reloaded past them meanwhile) go out at once.
    const last = this.live.peek(sessionId)?.lastSeq ?? Infinity;
    for (const [seq, event] of held.events) {
      if (seq > last) continue;
      held.events.delete(seq);
      this.deliver(event);
    }
    if (held.events.size === 0) {
      clearTimeout(held.timer);
      this.held.delete(sessionId);
    }
  }

  private giveUp(sessionId: string) {
    const held = this.held.get(sessionId);
    if (!held) return;
    const last = this.live.peek(sessionId)?.lastSeq;
    this.logger.warn({
      session_id: sessionId,
      msg: `events after seq ${last} never arrived from the other instances: the live state reloads from the database`,
    });
    this.live.forgetHere(sessionId);
    this.release(sessionId, held);
  }

  private release(sessionId: string, held: Held) {
    clearTimeout(held.timer);
    this.held.delete(sessionId);
    for (const event of [...held.events.values()].sort((a, b) => a.seq - b.seq)) this.deliver(event);
  }
}
