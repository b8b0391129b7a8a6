import { Injectable } from '@nestjs/common';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { ClusterSignals } from './cluster-signals.js';

/** What a limit allows: `points` per `duration` seconds, per key. */
export interface LimitSpec {
  points: number;
  duration: number;
}

/**
 * Rate limiters that hold across the instances of a deployment: in Redis with REDIS_URL
 * (rate-limiter-flexible's RateLimiterRedis, one fixed window per key), in memory without.
 * If Redis stops answering, each instance falls back to its own memory (the insurance
 * limiter) rather than refusing everyone or letting everyone through.
 */
@Injectable()
export class SharedLimiters {
  private readonly limiters = new Map<string, Promise<RateLimiterAbstract>>();

  constructor(private readonly signals: ClusterSignals) {}

  get shared(): boolean {
    return this.signals.clustered;
  }

  /** The limiter called `name` with this allowance (one per name and allowance). */
  get(name: string, spec: LimitSpec): Promise<RateLimiterAbstract> {
    const id = `${name}:${spec.points}/${spec.duration}`;
    let limiter = this.limiters.get(id);
    if (!limiter) {
      limiter = this.create(id, spec);
      this.limiters.set(id, limiter);
      limiter.catch(() => this.limiters.delete(id));
    }
    return limiter;
  }

  private async create(id: string, spec: LimitSpec): Promise<RateLimiterAbstract> {
    const memory = new RateLimiterMemory({ ...spec, keyPrefix: id });
    if (!this.shared) return memory;
    const storeClient = await this.signals.commands();
    return new RateLimiterRedis({
      ...spec,
      storeClient,
      useRedisPackage: true,
      keyPrefix: `roundtable:limit:${id}`,
      insuranceLimiter: memory,
    });
  }
}
