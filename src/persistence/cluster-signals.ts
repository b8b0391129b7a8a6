import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { createClient } from 'redis';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';

type Handler = (message: Record<string, unknown>) => void;
/** The two connections pub/sub needs (a subscribed connection can do nothing else). */
interface RedisPair {
  pub: { publish(channel: string, message: string): Promise<unknown>; quit(): Promise<unknown> };
  sub: { subscribe(channel: string, listener: (message: string) => void): Promise<unknown>; quit(): Promise<unknown> };
}

/**
 * Signals between the instances of one deployment, over Redis pub/sub (REDIS_URL): a message
 * published on a channel reaches every instance's handlers, this one's included. Without
 * REDIS_URL there is one instance, and a publish reaches this process's handlers only.
 * For signals that are not durable events (stop this answer); durable state goes through the
 * database and its event log.
 */
@Injectable()
export class ClusterSignals implements OnModuleDestroy {
  private readonly logger = new Logger('ClusterSignals');
  private readonly handlers = new Map<string, Set<Handler>>();
  private clients?: Promise<RedisPair>;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Whether other instances may exist (REDIS_URL is set). */
  get clustered(): boolean {
    return Boolean(this.config.redisUrl);
  }

  private connect(): Promise<RedisPair> {
    this.clients ??= (async (): Promise<RedisPair> => {
      const pub = createClient({ url: this.config.redisUrl });
      const sub = pub.duplicate();
      pub.on('error', (error: unknown) => this.logger.warn(`redis: ${String(error)}`));
      sub.on('error', () => undefined);
      await Promise.all([pub.connect(), sub.connect()]);
      return { pub, sub } as unknown as RedisPair;
    })();
    return this.clients;
  }

  async subscribe(channel: string, handler: Handler): Promise<void> {
    let set = this.handlers.get(channel);
    if (!set) {
      this.handlers.set(channel, (set = new Set()));
      if (this.clustered) {
        const { sub } = await this.connect();
        await sub.subscribe(`roundtable:${channel}`, (raw) => this.deliver(channel, raw));
      }
    }
    set.add(handler);
  }

  async publish(channel: string, message: Record<string, unknown>): Promise<void> {
    if (!this.clustered) return this.deliver(channel, JSON.stringify(message));
    const { pub } = await this.connect();
    await pub.publish(`roundtable:${channel}`, JSON.stringify(message));
  }

  private deliver(channel: string, raw: string) {
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return;
    }
    for (const handler of this.handlers.get(channel) ?? []) handler(message);
  }

  async onModuleDestroy() {
    if (!this.clients) return;
    const { pub, sub } = await this.clients.catch(() => ({ pub: undefined, sub: undefined }));
    await Promise.allSettled([pub?.quit(), sub?.quit()]);
  }
}
