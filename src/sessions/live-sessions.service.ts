import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ClusterSignals } from '../persistence/cluster-signals.js';
import { AgentQueue, questionOfRow, rebuildTutorTokens } from './agent-queue.js';
import { LiveSession, WINDOW_EVENTS, WINDOW_MESSAGES, type LiveHand, type LiveMember } from './live-session.js';
import { MessagesRepository } from './messages.repository.js';
import { toWireMessage } from './session.mappers.js';
import { SessionEventsRepository } from './session-events.repository.js';
import { SessionEventBus, type CommittedEvent } from './session-event-bus.js';
import { SessionsRepository } from './sessions.repository.js';

/** A live session nobody used for this long is dropped from memory (it loads again on next use). */
const IDLE_EVICT_MS = 10 * 60_000;

/** The cluster channel for changes to live state that are not events (forget, claim). */
const LIVE_CHANNEL = 'live';

interface Entry {
  live: LiveSession;
  usedAt: number;
}

/**
 * The one owner of each session's live state in this process. A session is
 * loaded from the database on first use (a handful of queries), then kept current by
 * applying every committed event before anyone else hears of it, so access
 * checks and the rules of the hot path need no query.
 *
 * With REDIS_URL, other instances commit to the same sessions: the cluster relay
 * brings their events here, in seq order, and they are applied the same way. What
 * changes rows without an event (a takeover's requeue, a purge) is forgotten on
 * every instance, and the runner's claim of a question reaches every instance's queue.
 */
@Injectable()
export class LiveSessions implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('LiveSessions');
  private readonly entries = new Map<string, Entry>();
  /** Loads in flight; events committed meanwhile wait here and are applied after the load. */
  private readonly loading = new Map<string, { promise: Promise<LiveSession | null>; buffered: CommittedEvent[] }>();
  private unsubscribe?: () => void;
  private sweeper?: NodeJS.Timeout;
  /** In a cluster: starts hearing a session's events from the other instances (the relay's). */
  private follow?: (sessionId: string) => Promise<void>;

  constructor(
    private readonly sessions: SessionsRepository,
    private readonly messages: MessagesRepository,
    private readonly events: SessionEventsRepository,
    private readonly bus: SessionEventBus,
    private readonly signals: ClusterSignals,
  ) {}

  async onModuleInit() {
    this.unsubscribe = this.bus.onApply((event) => this.apply(event));
    await this.signals.subscribeOthers(LIVE_CHANNEL, (m) => {
      if (typeof m.session_id !== 'string') return;
      if (m.forget) this.entries.delete(m.session_id);
      if (Array.isArray(m.claim)) this.peek(m.session_id)?.queue.claim(m.claim as string[]);
    });
    this.sweeper = setInterval(() => this.evictIdle(), 60_000);
    this.sweeper.unref();
  }

  onModuleDestroy() {
    this.unsubscribe?.();
    clearInterval(this.sweeper);
  }

  /** The cluster relay: every load first follows the session's events, so none committed after the read is missed. */
  setFollower(follow: (sessionId: string) => Promise<void>): void {
    this.follow = follow;
  }

  /** The session's live state, loaded on first use; null when there is no such session. */
  async get(sessionId: string): Promise<LiveSession | null> {
    const entry = this.entries.get(sessionId);
    if (entry) {
      entry.usedAt = Date.now();
      return entry.live;
    }
    const inFlight = this.loading.get(sessionId);
    if (inFlight) return inFlight.promise;
    const buffered: CommittedEvent[] = [];
    const promise = (this.follow ? this.follow(sessionId) : Promise.resolve())
      .then(() => this.read(sessionId))
      .then((live) => {
        this.loading.delete(sessionId);
        if (!live) return null;
        // Events committed while the rows were read: those past the rows' seq apply now, in order.
        for (const event of buffered) {
          if (live.apply(event) === 'gap') return this.read(sessionId); // cannot happen in one process; be safe
        }
        this.entries.set(sessionId, { live, usedAt: Date.now() });
        return live;
      });
    this.loading.set(sessionId, { promise, buffered });
    promise.catch(() => this.loading.delete(sessionId));
    return promise;
  }

  /** The live state if it is loaded, without loading it (for code that already holds the session). */
  peek(sessionId: string): LiveSession | undefined {
    return this.entries.get(sessionId)?.live;
  }

  /**
   * Drops the live state, here and on every other instance (a purge, an erasure, a takeover's
   * requeue: rows changed without an event): the next use reads the rows again.
   */
  forget(sessionId: string): void {
    this.entries.delete(sessionId);
    void this.signals.toOthers(LIVE_CHANNEL, { session_id: sessionId, forget: true }).catch(() => undefined);
  }

  /** Drops the live state here only (it missed an event: see ClusterRelay). */
  forgetHere(sessionId: string): void {
    this.entries.delete(sessionId);
  }

  /** The runner took these questions: every instance's queue shows them being answered. */
  claim(sessionId: string, ids: string[]): void {
    this.peek(sessionId)?.queue.claim(ids);
    void this.signals.toOthers(LIVE_CHANNEL, { session_id: sessionId, claim: ids }).catch(() => undefined);
  }

  /** The rows the live state starts from (once per session; events keep it current after). */
  private async read(sessionId: string): Promise<LiveSession | null> {
    const session = await this.sessions.findById(sessionId);
    if (!session) return null;
    // Read after the session row: anything committed in between is at most applied twice, and applying is idempotent per seq.
    const [members, messages, all, visible, hands, events, questions, lastServed, counterRows] = await Promise.all([
      this.sessions.listAllMembers(sessionId),
      this.messages.newest(sessionId, WINDOW_MESSAGES),
      this.messages.count(sessionId, 'all', session.lastSeq),
      this.messages.count(sessionId, 'public', session.lastSeq),
      this.sessions.listHands(sessionId),
      this.events.newest(sessionId, WINDOW_EVENTS),
      this.messages.withAgentState(sessionId, ['pending', 'awaiting_approval', 'answering']),
      this.messages.lastServedByAuthor(sessionId),
      this.messages.counterRows(sessionId),
    ]);
    const map = new Map<string, LiveMember>();
    for (const m of members)
      map.set(m.userId, {
        role: m.role,
        mutedUntil: m.mutedUntil,
        banned: m.banned,
        displayName: m.displayName,
        waiting: m.waiting,
        guest: m.guest,
        weight: m.weight,
      });
    const handMap = new Map<string, LiveHand>(
      hands.map((h) => [h.userId, { userId: h.userId, note: h.note, raisedAt: h.raisedAt, raisedSeq: h.raisedSeq }]),
    );
    return new LiveSession(
      session,
      map,
      {
        messages: messages.filter((m) => m.seq <= session.lastSeq).map(toWireMessage),
        counts: { all, visible },
        hands: handMap,
        events: events.filter((e) => e.seq <= session.lastSeq),
      },
      new AgentQueue(
        questions.filter((m) => m.seq <= session.lastSeq && m.authorId).map((m) => questionOfRow(m)),
        lastServed,
        ...(() => {
          const counters = rebuildTutorTokens(
            counterRows.filter((r) => r.seq <= session.lastSeq),
            (id) => map.get(id)?.weight ?? 1,
          );
          return [counters.tutorTokens, counters.answered] as const;
        })(),
      ),
    );
  }

  private apply(event: CommittedEvent) {
    const loading = this.loading.get(event.sessionId);
    if (loading) loading.buffered.push(event);
    const entry = this.entries.get(event.sessionId);
    if (!entry) return;
    if (entry.live.apply(event) === 'gap') {
      // Never serve state that missed an event: the next use loads it again.
      this.logger.warn(
        `session ${event.sessionId}: event ${event.seq} after ${entry.live.lastSeq}; reloading its live state`,
      );
      this.entries.delete(event.sessionId);
    }
  }

  private evictIdle() {
    const cutoff = Date.now() - IDLE_EVICT_MS;
    for (const [id, entry] of this.entries) if (entry.usedAt < cutoff) this.entries.delete(id);
  }
}
