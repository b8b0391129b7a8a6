// `npm run admin -- grant EMAIL | revoke EMAIL | list`: the operator's way to make
// a platform admin, run on the server itself against its database. With the
// embedded database, stop the server first (PGlite allows one process at a time).
import 'reflect-metadata';
import { runAdminCommand } from '../auth/admin-command.js';
import { AdminGrantsRepository } from '../auth/admin-grants.repository.js';
import { loadConfigOrExit } from '../config/app-config.js';
import { MIGRATIONS_DIR, openDatabase, openPrismaClient } from '../persistence/persistence.module.js';
import { applyMigrations, readMigrations } from '../persistence/migration-runner.js';

async function main() {
  const config = loadConfigOrExit();
  const database = await openDatabase(config);
  await database.withConnection((sql) => applyMigrations(sql, readMigrations(MIGRATIONS_DIR)));
  const prisma = await openPrismaClient(database);
  try {
    const { lines, code } = await runAdminCommand(process.argv.slice(2), config, new AdminGrantsRepository(prisma));
    for (const line of lines) (code === 0 ? console.log : console.error)(line);
    process.exitCode = code;
  } finally {
    await prisma.$disconnect();
    await database.close();
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
