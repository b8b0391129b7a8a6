import { Injectable } from '@nestjs/common';
import { PrismaClient } from '../generated/prisma/client.js';
import { uuidList, type DbTransaction } from '../persistence/transaction.js';

/** A user as stored, with the operator's admin grant (if any); AdminPolicy turns it into an AuthUser. */
export interface UserRecord {
  id: string;
  email: string | null;
  displayName: string;
  guestSessionId: string | null;
  /** The address an operator granted admin for, or null. */
  adminGrantEmail: string | null;
  /** Tokens signed at another version are revoked. */
  tokenVersion: number;
}

const withGrant = { adminGrant: { select: { email: true } } } as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const toRecord = (row: {
  id: string;
  email: string | null;
  displayName: string;
  guestSessionId: string | null;
  tokenVersion: number;
  adminGrant?: { email: string } | null;
}): UserRecord => ({
  tokenVersion: row.tokenVersion,
  id: row.id,
  email: row.email,
  displayName: row.displayName,
  guestSessionId: row.guestSessionId,
  adminGrantEmail: row.adminGrant?.email ?? null,
});

@Injectable()
export class UsersRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async create(data: { id: string; email: string; passwordHash: string; displayName: string }): Promise<UserRecord> {
    return toRecord(await this.prisma.user.create({ data, include: withGrant }));
  }

  /** An account made by a school's identity provider: no password (its email only when the provider verified it). */
  async createFromProvider(data: { id: string; email: string | null; displayName: string }): Promise<UserRecord> {
    return toRecord(await this.prisma.user.create({ data, include: withGrant }));
  }

  /** A guest, created inside the transaction that admits them to their session. */
  async createGuest(
    tx: DbTransaction,
    data: { id: string; displayName: string; guestSessionId: string },
  ): Promise<UserRecord> {
    return toRecord(await tx.user.create({ data }));
  }

  /** Display names of these users (unknown ids are left out). */
  async namesOf(ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.prisma.user.findMany({
      where: { id: { in: ids } },
      select: { id: true, displayName: true },
    });
    return new Map(rows.map((r) => [r.id, r.displayName]));
  }

  async findById(id: string): Promise<UserRecord | null> {
    const row = await this.prisma.user.findUnique({ where: { id }, include: withGrant });
    return row ? toRecord(row) : null;
  }

  /**
   * Several users at once, by id (what is not a user, or not a UUID, is left out): one raw
   * statement whatever the number, for handshakes that arrive together (TokenService).
   */
  async findManyById(ids: readonly string[]): Promise<Map<string, UserRecord>> {
    const wanted = ids.filter((id) => UUID.test(id));
    if (wanted.length === 0) return new Map();
    const rows = await this.prisma.$queryRaw<UserRecord[]>`
      SELECT u.id::text AS id, u.email, u.display_name AS "displayName", u.guest_session_id::text AS "guestSessionId",
        u.token_version AS "tokenVersion", g.email AS "adminGrantEmail"
      FROM users u LEFT JOIN admin_grants g ON g.user_id = u.id
      WHERE u.id IN ${uuidList(wanted)}`;
    return new Map(rows.map((row) => [row.id, { ...row, tokenVersion: Number(row.tokenVersion) }]));
  }

  async updatePasswordHash(id: string, passwordHash: string): Promise<void> {
    await this.prisma.user.update({ where: { id }, data: { passwordHash } });
  }

  /** A new password, and every token signed before revoked; returns the new token version. */
  async changePassword(id: string, passwordHash: string): Promise<number> {
    const row = await this.prisma.user.update({
      where: { id },
      data: { passwordHash, tokenVersion: { increment: 1 } },
      select: { tokenVersion: true },
    });
    return row.tokenVersion;
  }

  /** Revokes every token of the user signed so far; returns the new token version. */
  async revokeTokens(id: string): Promise<number> {
    const row = await this.prisma.user.update({
      where: { id },
      data: { tokenVersion: { increment: 1 } },
      select: { tokenVersion: true },
    });
    return row.tokenVersion;
  }

  async passwordHashOf(id: string): Promise<string | null> {
    return (await this.prisma.user.findUnique({ where: { id }, select: { passwordHash: true } }))?.passwordHash ?? null;
  }

  async findCredentials(email: string): Promise<{ user: UserRecord; passwordHash: string | null } | null> {
    const row = await this.prisma.user.findUnique({ where: { email }, include: withGrant });
    return row ? { user: toRecord(row), passwordHash: row.passwordHash } : null;
  }
}
