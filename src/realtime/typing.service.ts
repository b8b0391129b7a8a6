import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { TYPING_TIMEOUT_MS } from '../contract/protocol.js';
import { SessionEventBus } from '../sessions/session-event-bus.js';

/**
 * Who is typing. An indicator not refreshed within 5 s is cleared by the
 * server itself, so a closed laptop does not leave "Sam is typing…" forever.
 */
@Injectable()
export class TypingService implements OnModuleDestroy {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly bus: SessionEventBus) {}

  start(sessionId: string, userId: string, name: string): void {
    const key = `${sessionId}:${userId}`;
    const existing = this.timers.get(key);
    if (existing) clearTimeout(existing);
    else this.publish(sessionId, userId, true, name);
    const timer = setTimeout(() => this.stop(sessionId, userId), TYPING_TIMEOUT_MS);
    timer.unref();
    this.timers.set(key, timer);
  }

  stop(sessionId: string, userId: string): void {
    const key = `${sessionId}:${userId}`;
    const timer = this.timers.get(key);
    if (!timer) return;
    clearTimeout(timer);
    this.timers.delete(key);
    this.publish(sessionId, userId, false);
  }

  private publish(sessionId: string, userId: string, isTyping: boolean, name?: string) {
    this.bus.publishEphemeral(
      sessionId,
      {
        type: 'typing_indicator',
        session_id: sessionId,
        user_id: userId,
        is_typing: isTyping,
        ...(name ? { name } : {}),
      },
      { kind: 'others', userId },
    );
  }

  onModuleDestroy() {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
