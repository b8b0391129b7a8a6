import { Inject, Injectable, Logger } from '@nestjs/common';
import type { RateLimiterRes } from 'rate-limiter-flexible';
import { SharedLimiters } from '../persistence/shared-limiters.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { DomainError } from '../common/domain-error.js';
import { newId } from '../common/ids.js';
import { toAuthUser, toWireUser, type AuthUser } from './auth-user.js';
import type { LoginInput, RegisterInput } from './dto/auth.inputs.js';
import { passwordHasher } from './password-hasher.js';
import { TokenRevocations } from './token-revocations.js';
import { TokenService } from './token.service.js';
import { UsersRepository } from './users.repository.js';

// Compared against when the email is unknown, so a wrong email and a wrong
// password take the same time. Made once, on first use.
let dummyHash: Promise<string> | undefined;
const dummy = () => (dummyHash ??= passwordHasher.hash('not-a-real-password'));

// Password guessing against one account, from however many addresses: after this many failed
// sign-ins within the window, that account's sign-in is refused until the window passes.
const FAILED_SIGN_INS_PER_ACCOUNT = 10;
const FAILED_SIGN_IN_WINDOW_SECONDS = 15 * 60;

@Injectable()
export class AuthService {
  private readonly logger = new Logger('AuthService');

  constructor(
    private readonly users: UsersRepository,
    private readonly tokens: TokenService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly revocations: TokenRevocations,
    private readonly limiters: SharedLimiters,
  ) {}

  /** Failed sign-ins per account, across every instance. */
  private failedSignIns() {
    return this.limiters.get('failed-sign-ins', {
      points: FAILED_SIGN_INS_PER_ACCOUNT,
      duration: FAILED_SIGN_IN_WINDOW_SECONDS,
    });
  }

  /** PASSWORD_LOGIN=false: people sign in with the school's identity provider only. */
  private ensurePasswordLogin() {
    if (!this.config.signIn.passwordLogin)
      throw new DomainError('forbidden', 'password sign-in is turned off here: sign in with your school account');
  }

  async register(input: RegisterInput) {
    this.ensurePasswordLogin();
    if (await this.users.findCredentials(input.email)) {
      throw new DomainError('conflict', 'email is already registered');
    }
    const record = await this.users
      .create({
        id: newId(),
        email: input.email,
        passwordHash: await passwordHasher.hash(input.password),
        displayName: input.display_name,
      })
      .catch((error: unknown) => {
        if ((error as { code?: string }).code === 'P2002')
          throw new DomainError('conflict', 'email is already registered');
        throw error;
      });
    const user = toAuthUser(record, this.config.adminEmails);
    this.logger.log(`registered user ${user.id}`);
    return { access_token: this.tokens.sign(user), user: toWireUser(user) };
  }

  async login(input: LoginInput) {
    this.ensurePasswordLogin();
    const spent = await (await this.failedSignIns()).get(input.email);
    if (spent && spent.consumedPoints >= FAILED_SIGN_INS_PER_ACCOUNT) throw this.throttled(spent);
    const found = await this.users.findCredentials(input.email);
    const { ok, rehash } = await passwordHasher.verify(input.password, found?.passwordHash ?? (await dummy()));
    if (!found || !found.passwordHash || !ok) {
      await (await this.failedSignIns()).penalty(input.email, 1);
      throw new DomainError('unauthorized', 'wrong email or password');
    }
    await (await this.failedSignIns()).delete(input.email);
    // A hash from an earlier version (bcrypt) or older parameters is replaced now that the password is known.
    if (rehash) await this.users.updatePasswordHash(found.user.id, await passwordHasher.hash(input.password));
    const user = toAuthUser(found.user, this.config.adminEmails);
    return { access_token: this.tokens.sign(user), user: toWireUser(user) };
  }

  /** Signs the user out everywhere: every token signed so far stops working, open sockets close. */
  async signOutEverywhere(user: AuthUser): Promise<void> {
    await this.users.revokeTokens(user.id);
    this.revocations.revoked(user.id);
  }

  /** A new password: every earlier token is revoked; the answer carries a fresh one. */
  async changePassword(user: AuthUser, currentPassword: string, newPassword: string) {
    const stored = await this.users.passwordHashOf(user.id);
    if (!stored) throw new DomainError('forbidden', 'this account has no password (a guest seat)');
    if (!(await passwordHasher.verify(currentPassword, stored)).ok)
      throw new DomainError('unauthorized', 'the current password is wrong');
    const tokenVersion = await this.users.changePassword(user.id, await passwordHasher.hash(newPassword));
    this.revocations.revoked(user.id);
    const current = { ...user, tokenVersion };
    return { access_token: this.tokens.sign(current), user: toWireUser(current) };
  }

  private throttled(spent: RateLimiterRes): DomainError {
    const retryAfterMs = Math.max(1000, spent.msBeforeNext);
    return new DomainError(
      'rate_limited',
      `too many failed sign-ins for this account: try again in ${Math.ceil(retryAfterMs / 60_000)} min`,
      retryAfterMs,
    );
  }
}
