import { Injectable } from '@nestjs/common';
import { EventEmitter } from 'node:events';

/**
 * Announces, in process, that a user's tokens were revoked, so that the live
 * transports close that user's open connections at once (a token is checked
 * when a socket connects, not on every event).
 */
@Injectable()
export class TokenRevocations {
  private readonly emitter = new EventEmitter<{ revoked: [string] }>();

  revoked(userId: string): void {
    this.emitter.emit('revoked', userId);
  }

  onRevoked(listener: (userId: string) => void): () => void {
    this.emitter.on('revoked', listener);
    return () => this.emitter.off('revoked', listener);
  }
}
