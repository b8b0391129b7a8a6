import { Injectable, type OnModuleInit } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { ClusterSignals } from '../persistence/cluster-signals.js';

const REVOKED_CHANNEL = 'revoked';

/**
 * Announces that a user's tokens were revoked, in process and to the other instances, so that
 * the live transports close that user's open connections at once, wherever they are (a token
 * is checked when a socket connects, not on every event).
 */
@Injectable()
export class TokenRevocations implements OnModuleInit {
  private readonly emitter = new EventEmitter<{ revoked: [string] }>();

  constructor(private readonly signals: ClusterSignals) {}

  /** In a cluster, a revocation on another instance closes this instance's connections too. */
  async onModuleInit() {
    await this.signals.subscribeOthers(REVOKED_CHANNEL, (m) => {
      if (typeof m.user_id === 'string') this.emitter.emit('revoked', m.user_id);
    });
  }

  revoked(userId: string): void {
    this.emitter.emit('revoked', userId);
    void this.signals.toOthers(REVOKED_CHANNEL, { user_id: userId }).catch(() => undefined);
  }

  onRevoked(listener: (userId: string) => void): () => void {
    this.emitter.on('revoked', listener);
    return () => this.emitter.off('revoked', listener);
  }
}
