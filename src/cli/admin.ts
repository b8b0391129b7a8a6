// `npm run admin -- grant EMAIL | revoke EMAIL | list`: the operator's way to make
// a platform admin, run on the server itself against its database. With the
// embedded database, stop the server first (PGlite allows one process at a time).
import 'reflect-metadata';
import { AdminGrantsRepository } from '../auth/admin-grants.repository.js';
import { loadConfigOrExit, type AppConfig } from '../config/app-config.js';
import { PrismaClient } from '../generated/prisma/client.js';
import { MIGRATIONS_DIR, openDatabase } from '../persistence/persistence.module.js';
import { applyMigrations, readMigrations } from '../persistence/migration-runner.js';

const USAGE = 'usage: npm run admin -- grant EMAIL | revoke EMAIL | list';

/** Runs one admin command; returns the lines to print and the exit code. */
export async function runAdminCommand(args: string[], config: AppConfig, prisma: PrismaClient): Promise<{ lines: string[]; code: number }> {
  const [verb, rawEmail] = args;
  const email = rawEmail?.trim().toLowerCase();
  const grants = new AdminGrantsRepository(prisma);
  const listed = (address: string) =>
    config.adminEmails.includes(address) ? '' : ` Note: ${address} is not in ADMIN_EMAILS, so the account has no admin power until it is.`;
  switch (verb) {
    case 'grant': {
      if (!email) return { lines: [USAGE], code: 2 };
      const grant = await grants.grant(email);
      if (!grant) return { lines: [`no account is registered with ${email}: register it first, then grant`], code: 1 };
      return { lines: [`granted platform admin to ${email} (user ${grant.userId}).${listed(email)}`], code: 0 };
    }
    case 'revoke': {
      if (!email) return { lines: [USAGE], code: 2 };
      return (await grants.revoke(email)) ? { lines: [`revoked platform admin of ${email}`], code: 0 } : { lines: [`${email} had no admin grant`], code: 1 };
    }
    case 'list': {
      const rows = await grants.list();
      if (rows.length === 0) return { lines: ['no admin grants'], code: 0 };
      return {
        lines: rows.map((r) => `${r.email}\tuser ${r.userId}\tgranted ${r.grantedAt.toISOString()}${config.adminEmails.includes(r.email) ? '' : '\t(not in ADMIN_EMAILS: inactive)'}`),
        code: 0,
      };
    }
    default:
      return { lines: [USAGE], code: 2 };
  }
}

async function main() {
  const config = loadConfigOrExit();
  const database = await openDatabase(config);
  await database.withConnection((sql) => applyMigrations(sql, readMigrations(MIGRATIONS_DIR)));
  const prisma = new PrismaClient({ adapter: database.adapter });
  try {
    const { lines, code } = await runAdminCommand(process.argv.slice(2), config, prisma);
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
