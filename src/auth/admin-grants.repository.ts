import { PrismaClient } from '../generated/prisma/client.js';

export interface AdminGrantRow {
  userId: string;
  email: string;
  grantedAt: Date;
}

/**
 * The operator's admin grants. Used by the `npm run admin` command on the
 * server (and by tests); no HTTP route or socket event can reach it.
 */
export class AdminGrantsRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** Grants admin to the account registered with `email`; null when there is no such account. */
  async grant(email: string): Promise<AdminGrantRow | null> {
    const user = await this.prisma.user.findUnique({ where: { email }, select: { id: true } });
    if (!user) return null;
    return this.prisma.adminGrant.upsert({
      where: { userId: user.id },
      create: { userId: user.id, email },
      update: { email, grantedAt: new Date() },
    });
  }

  /** Withdraws the grant of the account registered with `email`; whether there was one. */
  async revoke(email: string): Promise<boolean> {
    const { count } = await this.prisma.adminGrant.deleteMany({ where: { email } });
    return count > 0;
  }

  list(): Promise<AdminGrantRow[]> {
    return this.prisma.adminGrant.findMany({ orderBy: { grantedAt: 'asc' } });
  }
}
