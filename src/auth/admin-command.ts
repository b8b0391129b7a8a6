// What `npm run admin -- grant EMAIL | revoke EMAIL | list` does (src/cli/admin.ts runs it).
import type { AppConfig } from '../config/app-config.js';
import type { AdminGrantsRepository } from './admin-grants.repository.js';

const USAGE = 'usage: npm run admin -- grant EMAIL | revoke EMAIL | list';

/** Runs one admin command; returns the lines to print and the exit code. */
export async function runAdminCommand(
  args: string[],
  config: AppConfig,
  grants: AdminGrantsRepository,
): Promise<{ lines: string[]; code: number }> {
  const [verb, rawEmail] = args;
  const email = rawEmail?.trim().toLowerCase();
  const listed = (address: string) =>
    config.adminEmails.includes(address)
      ? ''
      : ` Note: ${address} is not in ADMIN_EMAILS, so the account has no admin power until it is.`;
  switch (verb) {
    case 'grant': {
      if (!email) return { lines: [USAGE], code: 2 };
      const grant = await grants.grant(email);
      if (!grant) return { lines: [`no account is registered with ${email}: register it first, then grant`], code: 1 };
      return { lines: [`granted platform admin to ${email} (user ${grant.userId}).${listed(email)}`], code: 0 };
    }
    case 'revoke': {
      if (!email) return { lines: [USAGE], code: 2 };
      return (await grants.revoke(email))
        ? { lines: [`revoked platform admin of ${email}`], code: 0 }
        : { lines: [`${email} had no admin grant`], code: 1 };
    }
    case 'list': {
      const rows = await grants.list();
      if (rows.length === 0) return { lines: ['no admin grants'], code: 0 };
      return {
        lines: rows.map(
          (r) =>
            `${r.email}\tuser ${r.userId}\tgranted ${r.grantedAt.toISOString()}${config.adminEmails.includes(r.email) ? '' : '\t(not in ADMIN_EMAILS: inactive)'}`,
        ),
        code: 0,
      };
    }
    default:
      return { lines: [USAGE], code: 2 };
  }
}
