import { Injectable } from '@nestjs/common';
import { PrismaClient } from '../generated/prisma/client.js';

/** A sign-in in progress with an identity provider (what the callback must find to go on). */
export interface SignInFlowRecord {
  state: string;
  provider: string;
  codeVerifier: string;
  nonce: string;
  next: string;
  createdAt: Date;
}

/** How long a sign-in may take at the provider before its state is forgotten. */
export const SIGN_IN_FLOW_TTL_MS = 10 * 60_000;

/** The identity providers' side of accounts: who is linked to which user, and sign-ins in flight. */
@Injectable()
export class SignInsRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async saveFlow(flow: Omit<SignInFlowRecord, 'createdAt'>): Promise<void> {
    // Forgotten flows (people who never came back from the provider) go as new ones come.
    await this.prisma.signInFlow.deleteMany({
      where: { createdAt: { lt: new Date(Date.now() - SIGN_IN_FLOW_TTL_MS) } },
    });
    await this.prisma.signInFlow.create({ data: flow });
  }

  /** The flow for this state, removed in the same statement: a second callback with it finds nothing. */
  async takeFlow(state: string): Promise<SignInFlowRecord | null> {
    const rows = await this.prisma.$queryRaw<
      Array<{ state: string; provider: string; code_verifier: string; nonce: string; next: string; created_at: Date }>
    >`DELETE FROM sign_in_flows WHERE state = ${state} RETURNING state, provider, code_verifier, nonce, next, created_at`;
    const row = rows[0];
    return row
      ? {
          state: row.state,
          provider: row.provider,
          codeVerifier: row.code_verifier,
          nonce: row.nonce,
          next: row.next,
          createdAt: row.created_at,
        }
      : null;
  }

  /** The user linked to this provider account, if any. */
  async linkedUser(issuer: string, subject: string): Promise<string | null> {
    const row = await this.prisma.userIdentity.findUnique({ where: { issuer_subject: { issuer, subject } } });
    return row?.userId ?? null;
  }

  async link(issuer: string, subject: string, userId: string, email: string | null): Promise<void> {
    await this.prisma.userIdentity.upsert({
      where: { issuer_subject: { issuer, subject } },
      create: { issuer, subject, userId, email },
      update: { email },
    });
  }
}
