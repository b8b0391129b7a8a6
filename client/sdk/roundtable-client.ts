import { io, type Socket } from 'socket.io-client';
import type {
  ClientToServerEvents,
  DurableEvent,
  EphemeralEvent,
  ModeratePayload,
  ResumedState,
  ServerToClientEvents,
  SessionStateEvent,
  WireError,
  WireMessage,
  PresenceMode,
} from '../../src/contract/protocol.js';
import { DURABLE_EVENT_TYPES } from '../../src/contract/protocol.js';

export * from '../../src/contract/protocol.js';

/** A refused request: the server's error ack, as an exception. */
export class RoundtableError extends Error {
  readonly code: WireError['code'];
  readonly retryAfterMs?: number;

  constructor(error: WireError) {
    super(error.message);
    this.name = 'RoundtableError';
    this.code = error.code;
    this.retryAfterMs = error.retry_after_ms;
  }
}

export interface RoundtableClientOptions {
  /** Server origin, e.g. http://localhost:3000. */
  url: string;
  token: string;
  /** Milliseconds to wait for an ack before a request fails (and `send` retries). */
  ackTimeoutMs?: number;
  /** Extra socket.io-client options (transports, reconnection delays...). */
  socketOptions?: Record<string, unknown>;
}

type DurableListener = (event: DurableEvent) => void;
type SnapshotListener = (state: SessionStateEvent) => void;
type ResumeListener = (state: ResumedState) => void;
type ResyncFailedListener = (sessionId: string, error: unknown) => void;

interface SessionTracker {
  lastSeq: number;
  /** Events that arrived ahead of a gap, by seq. */
  pending: Map<number, DurableEvent>;
  resyncing: boolean;
  /** Joined as a display screen: it re-joins as one. */
  display: boolean;
  /** How it hears of arrivals and departures: it re-joins the same way. */
  presence: PresenceMode;
}

const newClientMsgId = (): string =>
  typeof crypto !== 'undefined' && 'randomUUID' in crypto
    ? crypto.randomUUID()
    : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;

/**
 * The Roundtable client: one Socket.IO connection, typed events, automatic
 * client_msg_id, and per-session ordering. Durable events reach `onDurable`
 * listeners exactly once and in seq order: duplicates are dropped, and a gap
 * (an event missing, or a reconnect) is filled by re-joining with `last_seq`.
 */
export class RoundtableClient {
  readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  private readonly ackTimeoutMs: number;
  private readonly sessions = new Map<string, SessionTracker>();
  private readonly durableListeners = new Set<DurableListener>();
  private readonly snapshotListeners = new Set<SnapshotListener>();
  private readonly resumeListeners = new Set<ResumeListener>();
  private readonly resyncFailedListeners = new Set<ResyncFailedListener>();
  private hasConnected = false;

  constructor(options: RoundtableClientOptions) {
    this.ackTimeoutMs = options.ackTimeoutMs ?? 10_000;
    this.socket = io(options.url, {
      auth: { token: options.token },
      autoConnect: false,
      transports: ['websocket'],
      ...options.socketOptions,
    });
    for (const type of DURABLE_EVENT_TYPES) {
      (this.socket as unknown as Socket).on(type, (event: DurableEvent) => this.receive(event));
    }
    this.socket.on('connect', () => {
      if (this.hasConnected) void this.resync();
      this.hasConnected = true;
    });
  }

  /** Connects; rejects with the server's reason (`unauthorized`) if refused. */
  connect(): Promise<this> {
    if (this.socket.connected) return Promise.resolve(this);
    return new Promise((resolve, reject) => {
      const onConnect = () => {
        this.socket.off('connect_error', onError);
        resolve(this);
      };
      const onError = (error: Error) => {
        this.socket.off('connect', onConnect);
        this.socket.disconnect();
        reject(error);
      };
      this.socket.once('connect', onConnect);
      this.socket.once('connect_error', onError);
      this.socket.connect();
    });
  }

  close(): void {
    this.socket.disconnect();
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  /** The seq of the last durable event delivered for a session. */
  lastSeq(sessionId: string): number {
    return this.sessions.get(sessionId)?.lastSeq ?? 0;
  }

  /** Durable events of every joined session, in order, exactly once. */
  onDurable(listener: DurableListener): () => void {
    this.durableListeners.add(listener);
    return () => this.durableListeners.delete(listener);
  }

  /** A fresh snapshot replaced what the client knew (first join, or too far behind to replay). */
  onSnapshot(listener: SnapshotListener): () => void {
    this.snapshotListeners.add(listener);
    return () => this.snapshotListeners.delete(listener);
  }

  /** After a replay on reconnect: the ephemeral state now (who is here, the agent, the queue). */
  onResume(listener: ResumeListener): () => void {
    this.resumeListeners.add(listener);
    return () => this.resumeListeners.delete(listener);
  }

  /** A re-join after a reconnect or a gap was refused (removed, banned, session gone) or failed. */
  onResyncFailed(listener: ResyncFailedListener): () => void {
    this.resyncFailedListeners.add(listener);
    return () => this.resyncFailedListeners.delete(listener);
  }

  /** An ephemeral event (presence, typing, agent status and deltas, queue, kicked). */
  on<T extends EphemeralEvent['type']>(
    type: T,
    listener: (event: Extract<EphemeralEvent, { type: T }>) => void,
  ): () => void {
    const socket = this.socket as unknown as {
      on(name: string, fn: unknown): void;
      off(name: string, fn: unknown): void;
    };
    socket.on(type, listener);
    return () => socket.off(type, listener);
  }

  /** Sends a client event and resolves with its ack, or rejects with RoundtableError. */
  async request<E extends keyof ClientToServerEvents>(
    event: E,
    payload: Parameters<ClientToServerEvents[E]>[0],
  ): Promise<Extract<Parameters<Parameters<ClientToServerEvents[E]>[1]>[0], { ok: true }>> {
    const socket = this.socket as unknown as Socket;
    const answer = (await socket.timeout(this.ackTimeoutMs).emitWithAck(event, payload)) as {
      ok: boolean;
      error?: WireError;
    };
    if (!answer.ok) throw new RoundtableError(answer.error ?? { code: 'internal', message: 'no error given' });
    return answer as never;
  }

  /**
   * Joins a session: resolves with its snapshot (and delivers later events in
   * order). With `display` (moderators), as a read-only display screen that
   * shows what everyone may see and does not count as a participant. With `presence: "batched"`,
   * arrivals and departures come as `participants_changed` (one frame for many) in place of
   * `participant_joined` and `participant_left`.
   */
  async join(
    sessionId: string,
    options: { display?: boolean; presence?: PresenceMode } = {},
  ): Promise<SessionStateEvent> {
    const presence = options.presence ?? 'each';
    const answer = await this.request('join', {
      session_id: sessionId,
      ...(options.display ? { display: true } : {}),
      ...(presence !== 'each' ? { presence } : {}),
    });
    if (!('state' in answer)) throw new RoundtableError({ code: 'internal', message: 'expected a snapshot' });
    this.applySnapshot(answer.state, presence);
    return answer.state;
  }

  async leave(sessionId: string): Promise<void> {
    await this.request('leave', { session_id: sessionId });
    this.sessions.delete(sessionId);
  }

  /**
   * Sends a message with a fresh client_msg_id; a timed-out attempt is retried
   * with the same id, so the server stores it once.
   */
  async send(
    sessionId: string,
    content: string,
    options: { visibility?: 'all' | 'staff'; anonymous?: boolean; clientMsgId?: string; retries?: number } = {},
  ): Promise<WireMessage> {
    const clientMsgId = options.clientMsgId ?? newClientMsgId();
    let attempt = 0;
    for (;;) {
      try {
        const answer = await this.request('message', {
          session_id: sessionId,
          content,
          client_msg_id: clientMsgId,
          ...(options.visibility ? { visibility: options.visibility } : {}),
          ...(options.anonymous ? { anonymous: true } : {}),
        });
        return answer.message;
      } catch (error) {
        const timedOut = !(error instanceof RoundtableError);
        if (!timedOut || attempt++ >= (options.retries ?? 3)) throw error;
      }
    }
  }

  typingStart(sessionId: string) {
    return this.request('typing_start', { session_id: sessionId });
  }

  typingStop(sessionId: string) {
    return this.request('typing_stop', { session_id: sessionId });
  }

  raiseHand(sessionId: string, note?: string) {
    return this.request('raise_hand', { session_id: sessionId, ...(note ? { note } : {}) });
  }

  lowerHand(sessionId: string) {
    return this.request('lower_hand', { session_id: sessionId });
  }

  async loadHistory(sessionId: string, beforeSeq: number, limit?: number) {
    const answer = await this.request('load_history', {
      session_id: sessionId,
      before_seq: beforeSeq,
      ...(limit ? { limit } : {}),
    });
    return { messages: answer.messages, has_more: answer.has_more };
  }

  moderate(payload: ModeratePayload) {
    return this.request('moderate', payload);
  }

  /** Upvotes a pending question, once; resolves with its count. */
  async upvote(sessionId: string, messageId: string): Promise<number> {
    return (await this.request('upvote', { session_id: sessionId, message_id: messageId })).votes;
  }

  private applySnapshot(state: SessionStateEvent, presence = this.sessions.get(state.session_id)?.presence ?? 'each') {
    this.sessions.set(state.session_id, {
      lastSeq: state.seq,
      pending: new Map(),
      resyncing: false,
      display: state.you.display === true,
      presence,
    });
    for (const listener of this.snapshotListeners) listener(state);
  }

  private receive(event: DurableEvent) {
    const tracker = this.sessions.get(event.session_id);
    if (!tracker) return; // not joined (or left): not ours to order
    if (event.seq <= tracker.lastSeq) return; // seen already
    tracker.pending.set(event.seq, event);
    this.drain(event.session_id, tracker);
    if (tracker.pending.size > 0 && !tracker.resyncing) {
      // A gap: an event went missing (another instance's delivery, a blip).
      // Give in-flight events a moment, then ask for what is missing.
      setTimeout(() => {
        if (tracker.pending.size > 0 && this.sessions.get(event.session_id) === tracker)
          void this.resyncSession(event.session_id);
      }, 300);
    }
  }

  private drain(sessionId: string, tracker: SessionTracker) {
    for (let next = tracker.pending.get(tracker.lastSeq + 1); next; next = tracker.pending.get(tracker.lastSeq + 1)) {
      tracker.pending.delete(next.seq);
      tracker.lastSeq = next.seq;
      for (const listener of this.durableListeners) listener(next);
    }
    for (const seq of tracker.pending.keys()) if (seq <= tracker.lastSeq) tracker.pending.delete(seq);
    void sessionId;
  }

  /** Re-joins a session from its last seq now (after a failed resync, say). */
  resume(sessionId: string): Promise<void> {
    return this.resyncSession(sessionId);
  }

  /** After a reconnect: every joined session resumes from its last seq. */
  private async resync() {
    await Promise.all([...this.sessions.keys()].map((id) => this.resyncSession(id)));
  }

  private async resyncSession(sessionId: string) {
    const tracker = this.sessions.get(sessionId);
    if (!tracker || tracker.resyncing) return;
    tracker.resyncing = true;
    try {
      const answer = await this.request('join', {
        session_id: sessionId,
        last_seq: tracker.lastSeq,
        ...(tracker.display ? { display: true } : {}),
        ...(tracker.presence !== 'each' ? { presence: tracker.presence } : {}),
      });
      if ('state' in answer) {
        this.applySnapshot(answer.state);
        return;
      }
      for (const event of answer.events) if (event.seq > tracker.lastSeq) tracker.pending.set(event.seq, event);
      this.drain(sessionId, tracker);
      const { events: _events, ...now } = answer;
      for (const listener of this.resumeListeners)
        listener({ events: answer.events, participants: now.participants, queue: now.queue, agent: now.agent });
    } catch (error) {
      // Kicked, banned or offline: the caller decides what to show.
      for (const listener of this.resyncFailedListeners) listener(sessionId, error);
    } finally {
      tracker.resyncing = false;
    }
  }
}
