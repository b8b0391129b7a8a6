import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Role } from '../contract/protocol.js';
import { PresenceRegistry } from '../sessions/presence.registry.js';
import { SessionEventBus } from '../sessions/session-event-bus.js';
import { PRESENCE_HEARTBEAT_MS, SharedPresence } from './shared-presence.js';
import { TypingService } from './typing.service.js';

/**
 * Presence events: joined on a user's first connection to a session, left when their last one
 * goes. In a cluster "first" and "last" are across every instance (SharedPresence), and the
 * registry mirrors the other instances' participants from the shared store and from the
 * presence events every instance hears.
 */
@Injectable()
export class PresenceService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Presence');
  private heartbeat?: NodeJS.Timeout;
  private unsubscribe?: () => void;
  private readonly mirrors = new Map<string, Promise<void>>();
  /** This instance is stopping: its connections close to reconnect elsewhere. */
  private draining = false;

  constructor(
    private readonly registry: PresenceRegistry,
    private readonly bus: SessionEventBus,
    private readonly typing: TypingService,
    private readonly shared: SharedPresence,
  ) {}

  onModuleInit() {
    if (!this.shared.enabled) return;
    this.unsubscribe = this.bus.onEphemeral(({ sessionId, event }) => {
      if (event.type === 'participant_joined') this.registry.mirrorJoined(sessionId, event.user_id, event.name);
      if (event.type === 'participant_left') this.registry.mirrorLeft(sessionId, event.user_id);
    });
    this.heartbeat = setInterval(
      () => void this.beat().catch((error: unknown) => this.logger.warn(`presence heartbeat failed: ${String(error)}`)),
      PRESENCE_HEARTBEAT_MS,
    );
    this.heartbeat.unref();
  }

  onModuleDestroy() {
    clearInterval(this.heartbeat);
    this.unsubscribe?.();
  }

  /**
   * Before a stopping instance closes its connections: in a cluster their claims are left to
   * expire (PRESENCE_TTL_MS) rather than given up, so a person who reconnects to another instance
   * meanwhile is not announced as gone and back; one who does not is announced by the sweep.
   */
  drain(): void {
    this.draining = true;
    clearInterval(this.heartbeat);
  }

  /** Before a join reads "who is here": in a cluster, the other instances' participants are mirrored. */
  ready(sessionId: string): Promise<void> | undefined {
    if (!this.shared.enabled || this.registry.mirrored(sessionId)) return undefined;
    let loading = this.mirrors.get(sessionId);
    if (!loading) {
      loading = this.loadMirror(sessionId).finally(() => this.mirrors.delete(sessionId));
      this.mirrors.set(sessionId, loading);
    }
    return loading;
  }

  private async loadMirror(sessionId: string) {
    this.registry.mirror(sessionId, await this.shared.everyone(sessionId));
  }

  connect(sessionId: string, user: { id: string; displayName: string }, role: Role, socketId: string): void {
    if (!this.registry.add(sessionId, user.id, user.displayName, socketId)) return;
    const joined = () =>
      this.bus.publishEphemeral(
        sessionId,
        { type: 'participant_joined', session_id: sessionId, user_id: user.id, name: user.displayName, role },
        { kind: 'others', userId: user.id },
      );
    if (!this.shared.enabled) return joined();
    this.registry.mirrorJoined(sessionId, user.id, user.displayName);
    this.shared
      .arrive(sessionId, user.id, user.displayName)
      .then((first) => first && joined())
      .catch((error: unknown) => this.logger.warn(`presence: could not record an arrival: ${String(error)}`));
  }

  disconnect(sessionId: string, userId: string, socketId: string): void {
    if (this.registry.remove(sessionId, userId, socketId)) this.lastHere(sessionId, userId);
  }

  /** A removed user is gone from the session, whatever sockets they had. */
  removeUser(sessionId: string, userId: string): void {
    const sockets = this.registry.socketsOf(sessionId, userId);
    let last = false;
    for (const socketId of sockets) last = this.registry.remove(sessionId, userId, socketId) || last;
    if (last) this.lastHere(sessionId, userId);
  }

  /** Their last connection to this instance closed: gone, unless (in a cluster) connected elsewhere. */
  private lastHere(sessionId: string, userId: string) {
    this.typing.stop(sessionId, userId);
    if (!this.shared.enabled) return this.left(sessionId, userId);
    if (this.draining) return;
    this.shared
      .leave(sessionId, userId)
      .then((last) => last && this.left(sessionId, userId))
      .catch((error: unknown) => this.logger.warn(`presence: could not record a departure: ${String(error)}`));
  }

  private left(sessionId: string, userId: string) {
    this.bus.publishEphemeral(sessionId, { type: 'participant_left', session_id: sessionId, user_id: userId });
  }

  /** Renews this instance's claims, announces those whose instance stopped renewing, refreshes the mirrors. */
  private async beat() {
    await this.shared.renew(this.registry.local());
    for (const { sessionId, userId } of await this.shared.sweep()) {
      if (!this.registry.hasLocal(sessionId) || !this.registry.socketsOf(sessionId, userId).length)
        this.left(sessionId, userId);
    }
    this.registry.unmirrorIdle();
    for (const { sessionId } of this.registry.local()) await this.loadMirror(sessionId);
  }
}
