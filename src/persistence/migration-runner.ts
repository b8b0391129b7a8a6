import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { SqlConnection } from './database-connection.js';

/**
 * Applies prisma/migrations the way `prisma migrate deploy` does, without
 * Prisma's native engine (which this machine cannot download): the same
 * `_prisma_migrations` table and columns, the same checksum (sha256 of
 * migration.sql), the same advisory lock, folder-name order. A database
 * migrated here is up to date for `prisma migrate status`, and the other way round.
 */
const PRISMA_MIGRATE_LOCK = 72707369;

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

interface MigrationRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

export class MigrationError extends Error {}

/** Prisma compares checksums with line endings normalised. */
export const migrationChecksum = (sql: string) => createHash('sha256').update(sql).digest('hex');
const normalisedChecksum = (sql: string) => migrationChecksum(sql.replace(/\r\n/g, '\n'));

export function readMigrations(dir: string): Migration[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => statSync(join(dir, name)).isDirectory() && existsSync(join(dir, name, 'migration.sql')))
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: migrationChecksum(sql) };
    });
}

/** Applies what is pending; returns the names applied. */
export async function applyMigrations(sql: SqlConnection, migrations: Migration[]): Promise<string[]> {
  await sql.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK]);
  try {
    await sql.exec(CREATE_TABLE);
    const rows = await sql.query<MigrationRow>(
      'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at',
    );
    const failed = rows.find((r) => r.finished_at === null && r.rolled_back_at === null);
    if (failed) {
      throw new MigrationError(
        `migration ${failed.migration_name} failed earlier and blocks the others (Prisma P3009); ` +
          'fix the database, then mark it rolled back or applied',
      );
    }
    const applied = new Map(rows.filter((r) => r.finished_at && !r.rolled_back_at).map((r) => [r.migration_name, r]));
    const done: string[] = [];
    for (const migration of migrations) {
      const row = applied.get(migration.name);
      if (row) {
        if (row.checksum !== migration.checksum && row.checksum !== normalisedChecksum(migration.sql)) {
          // Prisma warns and carries on; so do we, loudly.
          process.emitWarning(`migration ${migration.name} was edited after it was applied`);
        }
        continue;
      }
      const id = randomUUID();
      await sql.query('INSERT INTO "_prisma_migrations" (id, checksum, migration_name) VALUES ($1, $2, $3)', [
        id,
        migration.checksum,
        migration.name,
      ]);
      try {
        await sql.exec(migration.sql);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        await sql.query('UPDATE "_prisma_migrations" SET logs = $2 WHERE id = $1', [id, message]);
        throw new MigrationError(`migration ${migration.name} failed: ${message}`);
      }
      await sql.query(
        'UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = applied_steps_count + 1 WHERE id = $1',
        [id],
      );
      done.push(migration.name);
    }
    return done;
  } finally {
    await sql.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_LOCK]);
  }
}
