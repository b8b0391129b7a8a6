import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error.js';
import { newId } from '../common/ids.js';
import type { RegisterPlatformInput } from './dto/lti.inputs.js';
import { LtiFrameAncestors } from './lti-frame-ancestors.js';
import { LtiRepository, type LtiPlatformRecord } from './lti.repository.js';

const wire = (p: LtiPlatformRecord) => ({
  id: p.id,
  name: p.name,
  issuer: p.issuer,
  client_id: p.clientId,
  deployment_ids: p.deploymentIds,
  auth_login_url: p.authLoginUrl,
  jwks_url: p.jwksUrl,
  created_at: p.createdAt.toISOString(),
});

/** Registering and removing LMS platforms (platform admins only). */
@Injectable()
export class LtiPlatforms {
  constructor(
    private readonly lti: LtiRepository,
    private readonly frames: LtiFrameAncestors,
  ) {}

  async list() {
    return { platforms: (await this.lti.platforms()).map(wire) };
  }

  async register(input: RegisterPlatformInput) {
    const platform = await this.lti
      .createPlatform({
        id: newId(),
        name: input.name.trim(),
        issuer: input.issuer,
        clientId: input.client_id,
        deploymentIds: [...new Set(input.deployment_ids)],
        authLoginUrl: input.auth_login_url,
        jwksUrl: input.jwks_url,
      })
      .catch((error: unknown) => {
        if ((error as { code?: string }).code === 'P2002')
          throw new DomainError('conflict', 'a platform with this issuer and client id is registered already');
        throw error;
      });
    await this.frames.refresh();
    return { platform: wire(platform) };
  }

  async remove(id: string): Promise<void> {
    if (!(await this.lti.deletePlatform(id))) throw new DomainError('not_found', 'no such platform');
    await this.frames.refresh();
  }
}
