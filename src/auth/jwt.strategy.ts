import { Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { DomainError } from '../common/domain-error.js';
import type { AuthUser } from './auth-user.js';
import { signingKey } from './signing-key.js';
import { TokenService } from './token.service.js';

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy) {
  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly tokens: TokenService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // A KeyObject (signing-key.ts): jsonwebtoken takes one, passport-jwt's types only say string or Buffer.
      secretOrKey: signingKey(config.jwtSecret) as unknown as Buffer,
      algorithms: ['HS256'],
      ignoreExpiration: false,
    });
  }

  async validate(claims: { sub?: unknown; sid?: unknown }): Promise<AuthUser> {
    try {
      return await this.tokens.userFromClaims(claims);
    } catch (error) {
      throw new UnauthorizedException(error instanceof DomainError ? error.message : 'the access token is invalid');
    }
  }
}
