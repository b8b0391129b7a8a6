import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error.js';
import { SharedLimiters } from '../persistence/shared-limiters.js';
import { TokenBucket } from './token-bucket.js';

/**
 * Per user, per session message limits (`rate_limit: {messages, per_seconds}`).
 * On one instance, token buckets in memory, taken inside the write: a restart
 * forgives everyone, which is the kind thing to do after an outage.
 * In a cluster (REDIS_URL) the allowance is shared by every instance instead, in
 * Redis (`consumeShared`, before the write): `messages` per fixed window of
 * `per_seconds`, so a person with tabs on two instances gets one allowance.
 */
@Injectable()
export class RateLimitService {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(private readonly limiters: SharedLimiters) {}

  /** Whether the allowance is shared across instances (then `consumeShared` takes it, not `consume`). */
  get shared(): boolean {
    return this.limiters.shared;
  }

  /** Takes one message from the user's allowance across every instance, or throws `rate_limited`. Returns a refund. */
  async consumeShared(
    sessionId: string,
    userId: string,
    limit: { messages: number; perSeconds: number },
  ): Promise<() => void> {
    const limiter = await this.limiters.get('messages', { points: limit.messages, duration: limit.perSeconds });
    const key = `${sessionId}:${userId}`;
    try {
      await limiter.consume(key);
    } catch (refusal) {
      const retryAfterMs = Math.max(1, (refusal as { msBeforeNext?: number }).msBeforeNext ?? 1000);
      throw new DomainError(
        'rate_limited',
        `rate limit: try again in ${Math.ceil(retryAfterMs / 1000)} s`,
        retryAfterMs,
      );
    }
    return () => void limiter.reward(key, 1).catch(() => undefined);
  }

  /** Takes one message from the user's allowance or throws `rate_limited`. Returns a refund. */
  consume(
    sessionId: string,
    userId: string,
    limit: { messages: number; perSeconds: number },
    now = Date.now(),
  ): () => void {
    const key = `${sessionId}:${userId}`;
    let bucket = this.buckets.get(key);
    if (!bucket || bucket.capacity !== limit.messages || bucket.perSeconds !== limit.perSeconds) {
      bucket = new TokenBucket(limit.messages, limit.perSeconds, now);
      this.buckets.set(key, bucket);
    }
    const taken = bucket.take(now);
    if (!taken.ok) {
      const seconds = Math.ceil(taken.retryAfterMs / 1000);
      throw new DomainError('rate_limited', `rate limit: try again in ${seconds} s`, taken.retryAfterMs);
    }
    this.sweep(now);
    const owned = bucket;
    return () => owned.refund();
  }

  private lastSweep = 0;
  /** Drops full buckets now and then so memory follows active users only. */
  private sweep(now: number) {
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    for (const [key, bucket] of this.buckets) if (bucket.isFull(now)) this.buckets.delete(key);
  }
}
