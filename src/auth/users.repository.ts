import { Injectable } from '@nestjs/common';
import { PrismaClient } from '../generated/prisma/client.js';
import type { AuthUser } from './auth-user.js';

interface UserRow {
  id: string;
  email: string | null;
  displayName: string;
  isAdmin: boolean;
  guestSessionId: string | null;
}

const toAuthUser = (row: UserRow): AuthUser => ({
  id: row.id,
  email: row.email,
  displayName: row.displayName,
  isAdmin: row.isAdmin,
  guestSessionId: row.guestSessionId,
});

@Injectable()
export class UsersRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async create(data: {
    id: string;
    email?: string;
    passwordHash?: string;
    displayName: string;
    isAdmin?: boolean;
    guestSessionId?: string;
  }): Promise<AuthUser> {
    return toAuthUser(await this.prisma.user.create({ data }));
  }

  async findById(id: string): Promise<AuthUser | null> {
    const row = await this.prisma.user.findUnique({ where: { id } });
    return row ? toAuthUser(row) : null;
  }

  async findCredentials(email: string): Promise<{ user: AuthUser; passwordHash: string | null } | null> {
    const row = await this.prisma.user.findUnique({ where: { email } });
    return row ? { user: toAuthUser(row), passwordHash: row.passwordHash } : null;
  }
}
