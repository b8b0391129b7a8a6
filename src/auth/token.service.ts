import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import DataLoader from 'dataloader';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { DomainError } from '../common/domain-error.js';
import { toAuthUser, type AuthUser } from './auth-user.js';
import { UsersRepository, type UserRecord } from './users.repository.js';

interface TokenClaims {
  sub: string;
  /** Guests: the one session the token is good for. */
  sid?: string;
  /** The user's token version when signed (absent in tokens from before versions: 0). */
  ver?: number;
}

/** Signs and checks access tokens; used by the REST strategy and the socket handshake alike. */
@Injectable()
export class TokenService {
  /**
   * Token checks that arrive in one turn of the event loop (a class reconnecting after a network
   * drop, a join storm) read their users in one query. No cache: every check reads the user as
   * stored now, so a revoked token or a removed user is refused at once.
   */
  private readonly users = new DataLoader<string, UserRecord | null>(
    async (ids) => {
      const found = await this.records.findManyById(ids);
      return ids.map((id) => found.get(id) ?? null);
    },
    { cache: false, maxBatchSize: 500, batchScheduleFn: (flush) => setImmediate(flush) },
  );

  constructor(
    private readonly jwt: JwtService,
    private readonly records: UsersRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  sign(user: AuthUser): string {
    const claims: TokenClaims = {
      sub: user.id,
      ver: user.tokenVersion,
      ...(user.guestSessionId ? { sid: user.guestSessionId } : {}),
    };
    return this.jwt.sign(claims, { expiresIn: this.config.jwtTtlSeconds, algorithm: 'HS256' });
  }

  /** The user a token belongs to; `unauthorized` when it is malformed, expired, wrongly signed or the user is gone. */
  async verify(token: unknown): Promise<AuthUser> {
    if (typeof token !== 'string' || token.length === 0 || token.length > 4096) {
      throw new DomainError('unauthorized', 'a valid access token is required');
    }
    let claims: TokenClaims;
    try {
      claims = await this.jwt.verifyAsync<TokenClaims>(token, { algorithms: ['HS256'] });
    } catch {
      throw new DomainError('unauthorized', 'the access token is invalid or expired');
    }
    return this.userFromClaims(claims);
  }

  async userFromClaims(claims: { sub?: unknown; sid?: unknown; ver?: unknown }): Promise<AuthUser> {
    if (typeof claims.sub !== 'string') throw new DomainError('unauthorized', 'the access token is invalid');
    const user = await this.users.load(claims.sub).catch(() => null);
    if (!user) throw new DomainError('unauthorized', 'the access token is invalid');
    // Signed before the user signed out everywhere or changed their password: revoked.
    if ((typeof claims.ver === 'number' ? claims.ver : 0) !== user.tokenVersion)
      throw new DomainError('unauthorized', 'the access token was revoked: sign in again');
    return toAuthUser(user, this.config.adminEmails);
  }
}
