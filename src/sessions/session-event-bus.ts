import { Injectable } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import type { DurableEventType, EphemeralEvent } from '../contract/protocol.js';

/** A durable event as committed to the session's log. */
export interface CommittedEvent {
  sessionId: string;
  seq: number;
  type: Exclude<DurableEventType, 'hidden'>;
  /** "staff": private, others get a `hidden` placeholder. */
  visibility: 'all' | 'staff';
  payload: Record<string, unknown>;
}

/** Who receives an ephemeral event. */
export type Audience = { kind: 'session' } | { kind: 'staff' } | { kind: 'user'; userId: string } | { kind: 'others'; userId: string };

export interface EphemeralPublication {
  sessionId: string;
  event: EphemeralEvent;
  audience: Audience;
}

interface BusEvents {
  durable: [CommittedEvent];
  ephemeral: [EphemeralPublication];
}

/**
 * Application events, in process. Services publish here and never touch
 * sockets; the realtime broadcaster turns them into Socket.IO emits, and the
 * agent listens for work. Listeners run synchronously, in publication order.
 */
@Injectable()
export class SessionEventBus {
  private readonly emitter = new EventEmitter<BusEvents>();

  constructor() {
    this.emitter.setMaxListeners(50);
  }

  publishDurable(event: CommittedEvent): void {
    this.emitter.emit('durable', event);
  }

  publishEphemeral(sessionId: string, event: EphemeralEvent, audience: Audience = { kind: 'session' }): void {
    this.emitter.emit('ephemeral', { sessionId, event, audience });
  }

  onDurable(listener: (event: CommittedEvent) => void): () => void {
    this.emitter.on('durable', listener);
    return () => this.emitter.off('durable', listener);
  }

  onEphemeral(listener: (publication: EphemeralPublication) => void): () => void {
    this.emitter.on('ephemeral', listener);
    return () => this.emitter.off('ephemeral', listener);
  }
}
