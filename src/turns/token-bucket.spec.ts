import { TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  it('lets a burst up to the limit through, then refuses with the wait until the next token', () => {
    const bucket = new TokenBucket(3, 60, 0); // 3 messages per minute: one token every 20 s
    expect(bucket.take(0)).toEqual({ ok: true });
    expect(bucket.take(0)).toEqual({ ok: true });
    expect(bucket.take(0)).toEqual({ ok: true });
    expect(bucket.take(0)).toEqual({ ok: false, retryAfterMs: 20_000 });
    expect(bucket.take(5_000)).toEqual({ ok: false, retryAfterMs: 15_000 });
  });

  it('refills continuously, never above capacity', () => {
    const bucket = new TokenBucket(2, 10, 0);
    bucket.take(0);
    bucket.take(0);
    expect(bucket.take(5_000)).toEqual({ ok: true }); // one token back after 5 s
    expect(bucket.take(5_000).ok).toBe(false);
    expect(bucket.isFull(1_000_000)).toBe(true);
    expect(bucket.take(1_000_000)).toEqual({ ok: true });
    expect(bucket.take(1_000_000)).toEqual({ ok: true });
    expect(bucket.take(1_000_000).ok).toBe(false);
  });

  it('refund returns a token taken for a refused message', () => {
    const bucket = new TokenBucket(1, 60, 0);
    expect(bucket.take(0).ok).toBe(true);
    bucket.refund();
    expect(bucket.take(0).ok).toBe(true);
  });
});
