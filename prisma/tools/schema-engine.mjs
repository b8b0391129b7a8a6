// Prisma's own schema engine, compiled to WebAssembly (@prisma/schema-engine-wasm),
// driven through the PGlite driver adapter. This machine cannot download the
// native engine, so new migrations are diffed here, by the real engine, instead
// of being written by hand. Used by scripts/create-migration.mjs and by the drift test.
import { readFileSync, readdirSync, existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';

const require = createRequire(import.meta.url);
export const prismaDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const schemaPath = join(prismaDir, 'schema.prisma');
export const migrationsDir = join(prismaDir, 'migrations');

let enginePromise;

async function loadEngineModule() {
  const bg = await import('@prisma/schema-engine-wasm/schema_engine_bg');
  const wasmPath = join(
    dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg')),
    'schema_engine_bg.wasm',
  );
  // The package imports its .wasm file directly, which Node cannot do: instantiate by hand.
  const { instance } = await WebAssembly.instantiate(readFileSync(wasmPath), { './schema_engine_bg.js': bg });
  bg.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start?.();
  return bg;
}

/** A schema engine on a throw-away in-memory PGlite database. */
export async function openSchemaEngine() {
  enginePromise ??= loadEngineModule();
  const bg = await enginePromise;
  const db = new PGlite('memory://');
  const adapter = bindMigrationAwareSqlAdapterFactory(new PrismaPGlite(db));
  const datamodel = readFileSync(schemaPath, 'utf8');
  const logs = [];
  const engine = await bg.SchemaEngine.new(
    { datamodels: [['schema.prisma', datamodel]] },
    (log) => logs.push(log),
    adapter,
  );
  return {
    engine,
    datamodel,
    async close() {
      engine.free();
      await db.close();
    },
  };
}

export function loadMigrationList() {
  const dirs = existsSync(migrationsDir)
    ? readdirSync(migrationsDir)
        .filter((d) => statSync(join(migrationsDir, d)).isDirectory())
        .sort()
    : [];
  const lockPath = join(migrationsDir, 'migration_lock.toml');
  return {
    baseDir: migrationsDir,
    lockfile: {
      path: 'migration_lock.toml',
      content: existsSync(lockPath) ? readFileSync(lockPath, 'utf8') : null,
    },
    shadowDbInitScript: '',
    migrationDirectories: dirs.map((d) => ({
      path: d,
      migrationFile: {
        path: 'migration.sql',
        content: { tag: 'ok', value: readFileSync(join(migrationsDir, d, 'migration.sql'), 'utf8') },
      },
    })),
  };
}

/** The SQL that takes the database from the committed migrations to schema.prisma ('' when in step). */
export async function diffMigrationsToSchema() {
  const { engine, datamodel, close } = await openSchemaEngine();
  try {
    const list = loadMigrationList();
    const from = list.migrationDirectories.length ? { tag: 'migrations', ...list } : { tag: 'empty' };
    const result = await engine.diff({
      from,
      to: { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: datamodel }] },
      script: true,
      exitCode: true,
      filters: { externalTables: [], externalEnums: [] },
    });
    return result.exitCode === 2 ? (result.stdout ?? '') : '';
  } finally {
    await close();
  }
}
