import { PGlite } from '@electric-sql/pglite';
import { diffMigrationsToSchema } from '../../prisma/tools/schema-engine.mjs';
import {
  applyMigrations,
  migrationChecksum,
  MigrationError,
  readMigrations,
  type Migration,
} from './migration-runner.js';
import type { SqlConnection } from './database-connection.js';
import { MIGRATIONS_DIR } from './persistence.module.js';

const connection = (db: PGlite): SqlConnection => ({
  query: async <T>(text: string, params?: unknown[]) => (await db.query<T>(text, params)).rows,
  exec: async (script) => {
    await db.exec(script);
  },
});

describe('migrations', () => {
  it("match schema.prisma: Prisma's own engine finds nothing to migrate", async () => {
    expect(await diffMigrationsToSchema()).toBe('');
  }, 60_000);

  describe('the runner', () => {
    let db: PGlite;
    beforeAll(async () => {
      db = await PGlite.create('memory://');
    }, 30_000);
    afterAll(() => db.close());

    it('records each migration in _prisma_migrations exactly as Prisma does', async () => {
      const migrations = readMigrations(MIGRATIONS_DIR);
      expect(migrations.length).toBeGreaterThan(0);
      expect(await applyMigrations(connection(db), migrations)).toEqual(migrations.map((m) => m.name));
      const rows = await connection(db).query<{
        id: string;
        checksum: string;
        migration_name: string;
        finished_at: Date | null;
        applied_steps_count: number;
        logs: string | null;
      }>('SELECT * FROM _prisma_migrations ORDER BY migration_name');
      expect(rows.map((r) => r.migration_name)).toEqual(migrations.map((m) => m.name));
      for (const [i, row] of rows.entries()) {
        expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
        expect(row.checksum).toBe(migrationChecksum(migrations[i].sql));
        expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
        expect(row.finished_at).toBeInstanceOf(Date);
        expect(row.applied_steps_count).toBe(1);
        expect(row.logs).toBeNull();
      }
      const columns = await connection(db).query<{ column_name: string; data_type: string }>(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position",
      );
      expect(columns.map((c) => c.column_name)).toEqual([
        'id',
        'checksum',
        'finished_at',
        'migration_name',
        'logs',
        'rolled_back_at',
        'started_at',
        'applied_steps_count',
      ]);
      // The tables are there.
      const tables = await connection(db).query<{ tablename: string }>(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
      );
      expect(tables.map((t) => t.tablename)).toEqual(
        expect.arrayContaining(['users', 'sessions', 'messages', 'session_events']),
      );
    });

    it('applies nothing the second time', async () => {
      expect(await applyMigrations(connection(db), readMigrations(MIGRATIONS_DIR))).toEqual([]);
    });

    it('records a failed migration with its log and refuses to go on until it is resolved', async () => {
      const broken: Migration = {
        name: '99999999999999_broken',
        sql: 'CREATE TABLE nope (;',
        checksum: migrationChecksum('CREATE TABLE nope (;'),
      };
      const all = [...readMigrations(MIGRATIONS_DIR), broken];
      await expect(applyMigrations(connection(db), all)).rejects.toBeInstanceOf(MigrationError);
      const [row] = await connection(db).query<{ logs: string; finished_at: Date | null }>(
        "SELECT logs, finished_at FROM _prisma_migrations WHERE migration_name = '99999999999999_broken'",
      );
      expect(row.finished_at).toBeNull();
      expect(row.logs).toContain('syntax error');
      await expect(applyMigrations(connection(db), all)).rejects.toThrow(/P3009/);
    });
  });
});
