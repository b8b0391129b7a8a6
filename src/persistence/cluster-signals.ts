import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';

type Handler = (message: Record<string, unknown>) => void;
/** What the shared state (presence, rate limits) asks of Redis. */
export interface RedisCommands {
  sendCommand(args: string[]): Promise<unknown>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  hGetAll(key: string): Promise<Record<string, string>>;
}

/** The two connections pub/sub needs (a subscribed connection can do nothing else). */
interface RedisPair {
  pub: RedisCommands & { publish(channel: string, message: string): Promise<unknown>; quit(): Promise<unknown> };
  sub: {
    subscribe(channel: string, listener: (message: string) => void): Promise<unknown>;
    unsubscribe(channel: string): Promise<unknown>;
    quit(): Promise<unknown>;
  };
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
  /** This process, on the wire (not the lease's instance id: two processes may share a data directory). */
  private readonly self = randomBytes(8).toString('hex');

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Whether other instances may exist (REDIS_URL is set). */
  get clustered(): boolean {
    return Boolean(this.config.redisUrl);
  }

  private connect(): Promise<RedisPair> {
    this.clients ??= (async (): Promise<RedisPair> => {
      // Loaded only with REDIS_URL: the client library is 5 MB of heap a single instance never uses.
      const { createClient } = await import('redis');
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

  /** A connection for commands (the publishing one), for state shared by the instances. Needs REDIS_URL. */
  async commands(): Promise<RedisCommands> {
    return (await this.connect()).pub;
  }

  /** Handles what other instances send on `channel` with `toOthers` (never this instance's own). */
  async subscribeOthers(channel: string, handler: Handler): Promise<void> {
    if (!this.clustered) return;
    await this.subscribe(`${channel}:others`, (message) => {
      if (message.from !== this.self) handler(message.body as Record<string, unknown>);
    });
  }

  /**
   * Like `subscribeOthers`, for one channel of many that comes and goes (a session's events): the
   * promise resolves once Redis has confirmed the subscription, so nothing sent after it is missed.
   * Idempotent per channel (the first handler stays).
   */
  async follow(channel: string, handler: Handler): Promise<void> {
    if (!this.clustered || this.handlers.has(`${channel}:others`)) return;
    await this.subscribeOthers(channel, handler);
  }

  /** To every other instance's `subscribeOthers` handlers; nothing without REDIS_URL. Sent in call order. */
  async toOthers(channel: string, body: Record<string, unknown>): Promise<void> {
    if (!this.clustered) return;
    await this.publish(`${channel}:others`, { from: this.self, body });
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
