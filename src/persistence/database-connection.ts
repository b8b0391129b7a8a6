import { mkdirSync } from 'node:fs';
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

/** PGlite keeps its files in <dataDir>/pglite; one process may open it at a time. */
export async function openEmbeddedDatabase(dataDir: string): Promise<DatabaseConnection> {
  const dir = join(dataDir, 'pglite');
  mkdirSync(dir, { recursive: true });
  const db = await PGlite.create(dir);
  const sql: SqlConnection = {
    query: async <T>(text: string, params?: unknown[]) => (await db.query<T>(text, params)).rows,
    exec: async (script) => {
      await db.exec(script);
    },
  };
  return {
    kind: 'pglite',
    adapter: new PrismaPGlite(db),
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
