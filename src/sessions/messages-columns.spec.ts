import { PGlite } from '@electric-sql/pglite';
import { applyMigrations, readMigrations } from '../persistence/migration-runner.js';
import { MIGRATIONS_DIR } from '../persistence/persistence.module.js';
import { MESSAGE_COLUMN_NAMES } from './messages.repository.js';

// The group commit writes message rows with raw SQL (insertMessages): its column list must be the
// table's, or a column added by a migration would silently stay at its default.
it('the raw batch insert writes every column of `messages`, and no other', async () => {
  const db = await PGlite.create('memory://');
  try {
    await applyMigrations(
      {
        query: async <T>(text: string, params?: unknown[]) => (await db.query<T>(text, params)).rows,
        exec: async (script) => void (await db.exec(script)),
      },
      readMigrations(MIGRATIONS_DIR),
    );
    const { rows } = await db.query<{ column_name: string }>(
      "SELECT column_name FROM information_schema.columns WHERE table_name = 'messages'",
    );
    expect(rows.map((c) => c.column_name).sort()).toEqual([...MESSAGE_COLUMN_NAMES].sort());
  } finally {
    await db.close();
  }
}, 30_000);
