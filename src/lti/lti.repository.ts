import { Injectable } from '@nestjs/common';
import { PrismaClient, type Prisma } from '../generated/prisma/client.js';

export interface LtiPlatformRecord {
  id: string;
  name: string;
  issuer: string;
  clientId: string;
  deploymentIds: string[];
  authLoginUrl: string;
  jwksUrl: string;
  createdAt: Date;
}

export interface LtiLinkRecord {
  platformId: string;
  deploymentId: string;
  resourceLinkId: string;
  contextId: string | null;
  sessionId: string;
}

/** How long a launch may take between the login initiation and the platform's form post. */
export const LAUNCH_FLOW_TTL_MS = 5 * 60_000;

/** The LTI module's tables: platforms, launches in flight, resource links, the tool's key. */
@Injectable()
export class LtiRepository {
  constructor(private readonly prisma: PrismaClient) {}

  platforms(): Promise<LtiPlatformRecord[]> {
    return this.prisma.ltiPlatform.findMany({ orderBy: { createdAt: 'asc' } });
  }

  platform(id: string): Promise<LtiPlatformRecord | null> {
    return this.prisma.ltiPlatform.findUnique({ where: { id } });
  }

  /** The platform with this issuer (and client id, when the initiation gives one). */
  async platformFor(issuer: string, clientId?: string): Promise<LtiPlatformRecord | null> {
    const found = await this.prisma.ltiPlatform.findMany({ where: { issuer, ...(clientId ? { clientId } : {}) } });
    return found.length === 1 ? found[0] : null;
  }

  createPlatform(data: Omit<LtiPlatformRecord, 'createdAt'>): Promise<LtiPlatformRecord> {
    return this.prisma.ltiPlatform.create({ data });
  }

  async deletePlatform(id: string): Promise<boolean> {
    const { count } = await this.prisma.ltiPlatform.deleteMany({ where: { id } });
    return count === 1;
  }

  async saveFlow(state: string, platformId: string, nonce: string): Promise<void> {
    await this.prisma.ltiLaunchFlow.deleteMany({
      where: { createdAt: { lt: new Date(Date.now() - LAUNCH_FLOW_TTL_MS) } },
    });
    await this.prisma.ltiLaunchFlow.create({ data: { state, platformId, nonce } });
  }

  /** The flow for this state, removed in the same statement: the launch that uses it is the only one. */
  async takeFlow(state: string): Promise<{ platformId: string; nonce: string; createdAt: Date } | null> {
    const rows = await this.prisma.$queryRaw<Array<{ platform_id: string; nonce: string; created_at: Date }>>`
      DELETE FROM lti_launch_flows WHERE state = ${state} RETURNING platform_id, nonce, created_at`;
    return rows[0] ? { platformId: rows[0].platform_id, nonce: rows[0].nonce, createdAt: rows[0].created_at } : null;
  }

  link(platformId: string, deploymentId: string, resourceLinkId: string): Promise<LtiLinkRecord | null> {
    return this.prisma.ltiLink.findUnique({
      where: { platformId_deploymentId_resourceLinkId: { platformId, deploymentId, resourceLinkId } },
    });
  }

  /** Records the session a resource link opens; the first of two simultaneous launches wins. */
  async createLink(link: LtiLinkRecord): Promise<LtiLinkRecord> {
    await this.prisma.ltiLink.createMany({ data: [link], skipDuplicates: true });
    return (await this.link(link.platformId, link.deploymentId, link.resourceLinkId))!;
  }

  async toolKey(): Promise<{ kid: string; privateJwk: unknown; publicJwk: unknown } | null> {
    return this.prisma.ltiToolKey.findFirst({ orderBy: { createdAt: 'asc' } });
  }

  /** Stores a new key unless one exists already (two instances starting at once keep the first). */
  async saveToolKey(kid: string, privateJwk: object, publicJwk: object): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('lti_tool_keys'))`;
      if ((await tx.ltiToolKey.count()) > 0) return;
      await tx.ltiToolKey.create({
        data: { kid, privateJwk: privateJwk as Prisma.InputJsonValue, publicJwk: publicJwk as Prisma.InputJsonValue },
      });
    });
  }
}
