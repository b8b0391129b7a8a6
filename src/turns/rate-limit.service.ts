import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error.js';
import { TokenBucket } from './token-bucket.js';

/**
 * Per user, per session message limits (`rate_limit: {messages, per_seconds}`).
 * Buckets live in memory: a restart forgives everyone, which is the kind
 * thing to do after an outage.
 */
@Injectable()
export class RateLimitService {
  private readonly buckets = new Map<string, TokenBucket>();

  /** Takes one message from the user's allowance or throws `rate_limited`. Returns a refund. */
  consume(sessionId: string, userId: string, limit: { messages: number; perSeconds: number }, now = Date.now()): () => void {
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
