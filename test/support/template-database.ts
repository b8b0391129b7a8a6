import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedDatabase } from '../../src/persistence/database-connection.js';
import { applyMigrations, readMigrations } from '../../src/persistence/migration-runner.js';
import { MIGRATIONS_DIR } from '../../src/persistence/persistence.module.js';

/**
 * Creating a PGlite database costs seconds and ~800 MB; copying a migrated one
 * costs a fraction. The first test worker migrates one template (cached across
 * runs, keyed by the migrations' checksums) under a mkdir lock; every test app
 * starts from a copy.
 */
export async function templateDatabase(): Promise<string> {
  const migrations = readMigrations(MIGRATIONS_DIR);
  const key = createHash('sha256')
    .update(migrations.map((m) => m.name + m.checksum).join())
    .digest('hex')
    .slice(0, 16);
  const template = join(tmpdir(), `roundtable-test-template-${key}`);
  const ready = join(template, '.ready');
  const lock = `${template}.lock`;
  for (const deadline = Date.now() + 120_000; !existsSync(ready);) {
    try {
      mkdirSync(lock);
    } catch {
      // Another worker is building it (or died doing so: a lock older than a minute is stale).
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 60_000)
        rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error('timed out waiting for the test database template');
      await new Promise((resolve) => setTimeout(resolve, 200));
      continue;
    }
    try {
      const building = `${template}.building`;
      rmSync(building, { recursive: true, force: true });
      rmSync(template, { recursive: true, force: true });
      const database = await openEmbeddedDatabase(building);
      await database.withConnection((sql) => applyMigrations(sql, migrations));
      await database.close();
      cpSync(building, template, { recursive: true });
      rmSync(building, { recursive: true, force: true });
      mkdirSync(ready);
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
  return template;
}
