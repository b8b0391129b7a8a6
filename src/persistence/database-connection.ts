import { mkdirSync } from 'node:fs';
import { secureDataDir } from './data-dir.js';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import pg from 'pg';

/** The few raw operations the migration runner and the health check need. */
export interface SqlConnection {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** Runs a multi-statement script. */
  exec(script: string): Promise<void>;
}

export interface DatabaseConnection {
  kind: 'pglite' | 'postgres';
  adapter: SqlMigrationAwareDriverAdapterFactory;
  /** Runs `work` on one connection (the migration runner's advisory lock must stay on one). */
  withConnection<T>(work: (sql: SqlConnection) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

type QueryOptions = { parsers?: Record<number, unknown>; [key: string]: unknown } | undefined;
interface Queryable {
  query(sql: string, values?: unknown[], options?: QueryOptions): Promise<unknown>;
}

/**
 * The Prisma adapter passes its own type parsers with every query, and PGlite
 * copies its whole parser table (about 300 entries) to merge them each time:
 * a third of a small query's cost. Merge them into the instance once instead
 * (the first time they are seen) and send queries without them. Results are
 * the same: PGlite's per-query merge is `{...instance, ...perQuery}`.
 */
function withParsersOnce(db: PGlite): PGlite {
  const merged = new WeakSet<object>();
  const strip = (options: QueryOptions): QueryOptions => {
    if (!options?.parsers) return options;
    if (!merged.has(options.parsers)) {
      Object.assign((db as unknown as { parsers: Record<number, unknown> }).parsers, options.parsers);
      merged.add(options.parsers);
    }
    const { parsers: _parsers, ...rest } = options;
    return rest;
  };
  const wrapQueryable = <T extends Queryable>(target: T): T =>
    new Proxy(target, {
      get(object, property, receiver) {
        if (property === 'query')
          return (sql: string, values?: unknown[], options?: QueryOptions) => object.query(sql, values, strip(options));
        if (property === 'transaction') {
          return (work: (tx: Queryable) => Promise<unknown>) =>
            (
              object as unknown as { transaction(w: (tx: Queryable) => Promise<unknown>): Promise<unknown> }
            ).transaction((tx) => work(wrapQueryable(tx)));
        }
        const value = Reflect.get(object, property, receiver) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(object) : value;
      },
    });
  return wrapQueryable(db as unknown as Queryable) as unknown as PGlite;
}

/**
 * PGlite's buffer pool. PostgreSQL's default (128 MB) lives in the WebAssembly memory, which never
 * shrinks: with it a freshly started server held about 320 MB before anyone connected. 16 MB is
 * 2,048 pages, more than the hot path touches (the live state serves reads, and the write path
 * appends); the rest comes from the operating system's file cache. 32 MB cost 17 MB more resident
 * memory than 16 MB in a bare PGlite process, and 8 MB saved nothing more (bench/RESULTS.md,
 * 2026-12-07).
 */
export const EMBEDDED_SHARED_BUFFERS = '16MB';

/** PGlite keeps its files in <dataDir>/pglite; one process may open it at a time. */
export async function openEmbeddedDatabase(dataDir: string): Promise<DatabaseConnection> {
  const dir = join(dataDir, 'pglite');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const db = await PGlite.create(dir, {
    startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${EMBEDDED_SHARED_BUFFERS}`],
  });
  secureDataDir(dataDir); // what PGlite created or rewrote at start, with modes of its own
  const sql: SqlConnection = {
    query: async <T>(text: string, params?: unknown[]) => (await db.query<T>(text, params)).rows,
    exec: async (script) => {
      await db.exec(script);
    },
  };
  return {
    kind: 'pglite',
    adapter: new PrismaPGlite(withParsersOnce(db)),
    withConnection: (work) => work(sql),
    close: () => db.close(),
  };
}

export function openPostgresDatabase(url: string): DatabaseConnection {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle client's network error must not take the process down.
  pool.on('error', () => undefined);
  return {
    kind: 'postgres',
    adapter: new PrismaPg(pool),
    async withConnection(work) {
      const client = await pool.connect();
      try {
        return await work({
          query: async <T>(text: string, params?: unknown[]) => (await client.query(text, params)).rows as T[],
          exec: async (script) => {
            await client.query(script);
          },
        });
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
