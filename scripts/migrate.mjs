// `npm run db:migrate`: applies pending migrations to DATABASE_URL (or the
// embedded database in DATA_DIR) the way `prisma migrate deploy` does.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildServer } from './build.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (!existsSync(join(root, 'dist', 'persistence', 'migration-runner.js'))) buildServer();
const load = (path) => import(pathToFileURL(join(root, 'dist', path)).href);
const { loadConfig } = await load('config/app-config.js');
const { openDatabase, MIGRATIONS_DIR } = await load('persistence/persistence.module.js');
const { applyMigrations, readMigrations } = await load('persistence/migration-runner.js');

const config = loadConfig();
const database = await openDatabase(config);
try {
  const applied = await database.withConnection((sql) => applyMigrations(sql, readMigrations(MIGRATIONS_DIR)));
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'the database is up to date');
} finally {
  await database.close();
}
