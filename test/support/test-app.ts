import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import pg from 'pg';
import { createApp } from '../../src/app.js';
import { runAdminCommand } from '../../src/auth/admin-command.js';
import { AdminGrantsRepository } from '../../src/auth/admin-grants.repository.js';
import { PrismaClient } from '../../src/generated/prisma/client.js';
import { loadConfig, type AppConfig } from '../../src/config/app-config.js';
import { RoundtableApi, type AuthAnswer } from '../../client/sdk/roundtable-api.js';
import { RoundtableClient, type DurableEvent } from '../../client/sdk/roundtable-client.js';
import { templateDatabase } from './template-database.js';

/**
 * The database the test apps use: the embedded PGlite by default, or, when
 * DATABASE_URL is set, a fresh database per test app on that PostgreSQL server.
 */
/** The machine's PostgreSQL, for tests that need one whatever the suite runs on (several instances share it). */
export const LOCAL_POSTGRES = 'postgresql://root@127.0.0.1:5432/postgres';

export async function prepareDatabase(
  options: { postgres?: boolean } = {},
): Promise<{ dataDir: string; databaseUrl?: string; drop(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'roundtable-test-'));
  const serverUrl = process.env.DATABASE_URL ?? (options.postgres ? LOCAL_POSTGRES : undefined);
  if (!serverUrl) {
    cpSync(await templateDatabase(), dataDir, { recursive: true });
    return { dataDir, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  const name = `roundtable_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    dataDir,
    databaseUrl: url.toString(),
    drop: async () => {
      rmSync(dataDir, { recursive: true, force: true });
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export interface TestApp {
  app: INestApplication;
  url: string;
  config: AppConfig;
  api: RoundtableApi;
  /** Stops the app and starts it again on the same database, with these variables changed. */
  restart(env?: Record<string, string>): Promise<void>;
  close(): Promise<void>;
}

/** The real app on a random port, with its own database. One per test file. */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const database = await prepareDatabase();
  let current = {
    DATA_DIR: database.dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    OFFLINE_AGENT_DELAY_MS: '0',
    // Tests send bursts on purpose; the server-wide defaults have tests of their own.
    DEFAULT_RATE_LIMIT: 'off',
    MAX_PENDING_PER_AUTHOR: '1000',
    MAX_SOCKETS_PER_USER: '1000',
    ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
    ...env,
  };
  const boot = async () => {
    const config = loadConfig(current);
    const app = await createApp(config, { logger: false });
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address() as { port: number };
    const url = `http://127.0.0.1:${address.port}`;
    tracked.set(url, []);
    return { app, config, url, api: new RoundtableApi(url) };
  };
  const stop = async () => {
    for (const client of tracked.get(handle.url) ?? []) client.close();
    tracked.delete(handle.url);
    await handle.app.close();
  };
  const handle: TestApp = {
    ...(await boot()),
    async restart(changes = {}) {
      await stop();
      current = { ...current, ...changes };
      Object.assign(handle, await boot());
    },
    async close() {
      await stop();
      await database.drop();
    },
  };
  return handle;
}

const tracked = new Map<string, RoundtableClient[]>();
let counter = 0;

export interface TestUser extends AuthAnswer {
  api: RoundtableApi;
}

/** A registered user with a unique email. */
export async function signUp(app: TestApp, name: string): Promise<TestUser> {
  const email = `${name.toLowerCase().replace(/\W/g, '')}-${++counter}-${randomBytes(3).toString('hex')}@example.org`;
  const answer = await app.api.register(email, 'correct horse battery', name);
  return { ...answer, api: app.api.withToken(answer.access_token) };
}

/** What the operator's `npm run admin -- <args>` does, against this app's database. */
export function adminCommand(app: TestApp, ...args: string[]) {
  return runAdminCommand(args, app.config, new AdminGrantsRepository(app.app.get(PrismaClient)));
}

/** A registered account that is a platform admin: the email must be in the app's ADMIN_EMAILS. */
export async function signUpAdmin(app: TestApp, email: string, name = 'Admin'): Promise<TestUser> {
  const answer = await app.api.register(email, 'correct horse battery', name);
  const granted = await adminCommand(app, 'grant', email);
  if (granted.code !== 0) throw new Error(granted.lines.join('\n'));
  return { ...answer, user: { ...answer.user, is_admin: true }, api: app.api.withToken(answer.access_token) };
}

/** A connected SDK client, closed with the app. */
export async function connect(
  app: TestApp,
  token: string,
  options: Record<string, unknown> = {},
): Promise<RoundtableClient> {
  const client = new RoundtableClient({ url: app.url, token, ackTimeoutMs: 5000, socketOptions: options });
  tracked.get(app.url)?.push(client);
  return client.connect();
}

/** Everything durable a client receives, in delivery order. */
export function recordDurable(client: RoundtableClient): DurableEvent[] {
  const events: DurableEvent[] = [];
  client.onDurable((event) => events.push(event));
  return events;
}

/** Waits until `check` returns a truthy value (polling), or fails with `what`. */
export async function eventually<T>(check: () => T | Promise<T>, what: string, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Resolves with the next event of that type a socket receives. */
export function nextEvent<T = Record<string, unknown>>(
  client: RoundtableClient,
  type: string,
  timeoutMs = 8000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const socket = client.socket as unknown as {
      once(type: string, fn: (e: T) => void): void;
      off(type: string, fn: (e: T) => void): void;
    };
    const timer = setTimeout(() => {
      socket.off(type, handler);
      reject(new Error(`no ${type} event within ${timeoutMs} ms`));
    }, timeoutMs);
    const handler = (event: T) => {
      clearTimeout(timer);
      resolve(event);
    };
    socket.once(type, handler);
  });
}

/** Sends a raw event and resolves with whatever ack comes back (for malformed-input tests). */
export function rawAck(client: RoundtableClient, event: string, ...args: unknown[]): Promise<unknown> {
  return rawAckWithin(5000, client, event, ...args);
}

export function rawAckWithin(
  timeoutMs: number,
  client: RoundtableClient,
  event: string,
  ...args: unknown[]
): Promise<unknown> {
  return (
    client.socket as unknown as {
      timeout(ms: number): { emitWithAck(event: string, ...args: unknown[]): Promise<unknown> };
    }
  )
    .timeout(timeoutMs)
    .emitWithAck(event, ...args);
}
