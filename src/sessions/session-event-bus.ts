import { Injectable } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import type { DurableEventType, EphemeralEvent } from '../contract/protocol.js';
import type { Question, Settlement } from './agent-queue.js';
import type { AgentState } from './records.js';

/** A durable event as committed to the session's log. */
export interface CommittedEvent {
  sessionId: string;
  seq: number;
  type: Exclude<DurableEventType, 'hidden'>;
  /**
   * "staff": private notes; "moderators": a question held for approval.
   * Whoever may not read it gets a `hidden` placeholder.
   */
  visibility: 'all' | 'staff' | 'moderators';
  /** With "moderators": the one other person who reads it, the held question's author. */
  visibleTo?: string;
  payload: Record<string, unknown>;
  /** When it was committed (this process's clock). */
  at?: Date;
  /**
   * What the write changed besides the payload and does not put on the wire
   * (a join code only moderators may see, a flag for the agent's next prompt),
   * so the live state can apply the whole change. Never sent to clients.
   */
  internal?: {
    joinCode?: string | null;
    humanAnsweredWhilePaused?: boolean;
    /** A person's new message: what the agent does with it (the `agent_state` it was stored with). */
    agentState?: AgentState;
    /** The agent's new message: how it ends the questions it replies to. */
    settles?: Settlement;
    /** A mute: the member's waiting questions were withdrawn with it. */
    withdrawsQueue?: boolean;
    /** An unmute that brings back what the member's mute withdrew: those questions. */
    restores?: Question[];
    /** A member who joined as a guest. */
    guest?: boolean;
    /** Switching to `moderated`: what was queued now waits for approval. */
    holdsQueue?: boolean;
    /** Closing: what waited for the agent ended unanswered. */
    clearsQueue?: boolean;
  };
}

/** Who receives an ephemeral event. */
export type Audience =
  | { kind: 'session' }
  | { kind: 'staff' }
  | { kind: 'non_staff' }
  | { kind: 'user'; userId: string }
  | { kind: 'others'; userId: string };

export interface EphemeralPublication {
  sessionId: string;
  event: EphemeralEvent;
  audience: Audience;
}

/**
 * Where a clustered deployment's other instances hear of what this one publishes (the cluster
 * relay sets it; without REDIS_URL there is none).
 */
export interface ClusterLink {
  durable(event: CommittedEvent): void;
  ephemeral(publication: EphemeralPublication): void;
}

/** Puts one session's durable events, from every instance, back in seq order (the cluster relay's). */
export interface EventOrder {
  push(event: CommittedEvent, deliver: (event: CommittedEvent) => void): void;
}

interface BusEvents {
  apply: [CommittedEvent];
  durable: [CommittedEvent];
  ephemeral: [EphemeralPublication];
}

/**
 * Application events, in process. Services publish here and never touch
 * sockets; the realtime broadcaster turns them into emits to this instance's
 * connections, and the agent listens for work. Listeners run synchronously, in
 * publication order. In a cluster (REDIS_URL) the relay carries every publication
 * to the other instances, whose buses deliver it to their own listeners.
 */
@Injectable()
export class SessionEventBus {
  private readonly emitter = new EventEmitter<BusEvents>();

  constructor() {
    this.emitter.setMaxListeners(50);
  }

  private link?: ClusterLink;
  private order?: EventOrder;

  /** A committed event: first applied to the live state, then published to everyone else (and to the other instances). */
  publishDurable(event: CommittedEvent): void {
    this.link?.durable(event);
    this.receiveDurable(event);
  }

  /**
   * A committed event from another instance (or from this one, through publishDurable). In a
   * cluster, two instances commit to one session and their events can arrive out of seq order:
   * they pass through the relay's order first.
   */
  receiveDurable(event: CommittedEvent): void {
    if (this.order) this.order.push(event, this.deliver);
    else this.deliver(event);
  }

  private readonly deliver = (event: CommittedEvent) => {
    this.emitter.emit('apply', event);
    this.emitter.emit('durable', event);
  };

  /** The cluster relay: what is published here also goes to `link`, and durable events pass through `order`. */
  connectCluster(link: ClusterLink, order: EventOrder): void {
    this.link = link;
    this.order = order;
  }

  /** For the live state only: runs before every `onDurable` listener, so they all read state that includes the event. */
  onApply(listener: (event: CommittedEvent) => void): () => void {
    this.emitter.on('apply', listener);
    return () => this.emitter.off('apply', listener);
  }

  publishEphemeral(sessionId: string, event: EphemeralEvent, audience: Audience = { kind: 'session' }): void {
    const publication = { sessionId, event, audience };
    this.link?.ephemeral(publication);
    this.emitter.emit('ephemeral', publication);
  }

  /** An ephemeral event published on another instance: for this instance's connections. */
  receiveEphemeral(publication: EphemeralPublication): void {
    this.emitter.emit('ephemeral', publication);
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
