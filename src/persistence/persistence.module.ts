import { ClusterSignals } from './cluster-signals.js';
import { DatabaseHealth } from './database-health.js';
import { SharedLimiters } from './shared-limiters.js';
import { Global, Inject, Injectable, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { fileURLToPath } from 'node:url';
import { PrismaClient } from '../generated/prisma/client.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { secureDataDir } from './data-dir.js';
import { openEmbeddedDatabase, openPostgresDatabase, type DatabaseConnection } from './database-connection.js';
import { applyMigrations, readMigrations } from './migration-runner.js';

export const DATABASE = Symbol('DATABASE');
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../prisma/migrations', import.meta.url));

export async function openDatabase(config: AppConfig): Promise<DatabaseConnection> {
  // DATA_DIR holds the signing key whatever the database, and the embedded database itself.
  const tightened = secureDataDir(config.dataDir);
  if (tightened > 0)
    new Logger('Persistence').warn(
      `tightened the permissions of ${tightened} entries in ${config.dataDir} (now owner-only: 0700 directories, 0600 files)`,
    );
  return config.databaseUrl ? openPostgresDatabase(config.databaseUrl) : openEmbeddedDatabase(config.dataDir);
}

/** The one PrismaClient over an open database (the server's, or a command's such as `npm run admin`). */
export async function openPrismaClient(database: DatabaseConnection): Promise<PrismaClient> {
  // 'minimal': no source-location rendering, so no stack capture on every query (3-4 % of CPU).
  const client = new PrismaClient({ adapter: database.adapter, errorFormat: 'minimal' });
  await client.$connect();
  return client;
}

@Injectable()
class PersistenceLifecycle implements OnApplicationShutdown {
  constructor(
    private readonly prisma: PrismaClient,
    @Inject(DATABASE) private readonly database: DatabaseConnection,
  ) {}

  async onApplicationShutdown() {
    await this.prisma.$disconnect();
    await this.database.close();
  }
}

/**
 * Opens the database (PGlite in DATA_DIR, or PostgreSQL at DATABASE_URL),
 * applies pending migrations, and provides the one PrismaClient. Only
 * repositories inject PrismaClient.
 */
@Global()
@Module({
  providers: [
    {
      provide: DATABASE,
      inject: [APP_CONFIG],
      useFactory: async (config: AppConfig) => {
        const logger = new Logger('Persistence');
        const database = await openDatabase(config);
        const applied = await database.withConnection((sql) => applyMigrations(sql, readMigrations(MIGRATIONS_DIR)));
        if (applied.length) logger.log(`applied migrations: ${applied.join(', ')}`);
        logger.log(`database: ${database.kind === 'pglite' ? `embedded PGlite in ${config.dataDir}` : 'PostgreSQL'}`);
        return database;
      },
    },
    {
      provide: PrismaClient,
      inject: [DATABASE],
      useFactory: openPrismaClient,
    },
    PersistenceLifecycle,
    ClusterSignals,
    SharedLimiters,
    DatabaseHealth,
  ],
  exports: [DATABASE, PrismaClient, ClusterSignals, SharedLimiters, DatabaseHealth],
})
export class PersistenceModule {}
