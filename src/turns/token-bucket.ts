/**
 * A token bucket: `capacity` tokens, refilled continuously at
 * capacity / perSeconds tokens a second. A burst up to the limit passes at
 * once, then one message per refill interval. Clock injected for tests.
 * (rate-limiter-flexible, used for the connection flood guard, offers fixed
 * windows only, which let 2x the limit through across a window edge.)
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    readonly capacity: number,
    readonly perSeconds: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.updatedAt = now;
  }

  private refill(now: number) {
    const rate = this.capacity / (this.perSeconds * 1000);
    this.tokens = Math.min(this.capacity, this.tokens + Math.max(0, now - this.updatedAt) * rate);
    this.updatedAt = now;
  }

  /** Takes a token if there is one; otherwise says how long until there is. */
  take(now: number): { ok: true } | { ok: false; retryAfterMs: number } {
    this.refill(now);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { ok: true };
    }
    const rate = this.capacity / (this.perSeconds * 1000);
    return { ok: false, retryAfterMs: Math.max(1, Math.ceil((1 - this.tokens) / rate)) };
  }

  /** Gives back a token taken for something that was then refused. */
  refund(): void {
    this.tokens = Math.min(this.capacity, this.tokens + 1);
  }

  isFull(now: number): boolean {
    this.refill(now);
    return this.tokens >= this.capacity;
  }
}
