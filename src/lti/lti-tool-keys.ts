import { Injectable } from '@nestjs/common';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { newId } from '../common/ids.js';
import { LtiRepository } from './lti.repository.js';

/** The tool's signing key, made once and kept in the database (every instance publishes the same). */
@Injectable()
export class LtiToolKeys {
  private published?: Promise<JWK>;

  constructor(private readonly lti: LtiRepository) {}

  /** The public half, as /lti/jwks publishes it. */
  publicJwk(): Promise<JWK> {
    this.published ??= this.load().catch((error: unknown) => {
      this.published = undefined;
      throw error;
    });
    return this.published;
  }

  private async load(): Promise<JWK> {
    let stored = await this.lti.toolKey();
    if (!stored) {
      const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
      const kid = newId();
      const meta = { kid, alg: 'RS256', use: 'sig' };
      await this.lti.saveToolKey(
        kid,
        { ...(await exportJWK(privateKey)), ...meta },
        { ...(await exportJWK(publicKey)), ...meta },
      );
      stored = await this.lti.toolKey();
    }
    return stored!.publicJwk as JWK;
  }
}
