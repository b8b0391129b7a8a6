import { Inject, Injectable, Logger } from '@nestjs/common';
import * as oidc from 'openid-client';
import { firstDisplayName } from '../common/display-name.js';
import { DomainError } from '../common/domain-error.js';
import { newId } from '../common/ids.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import type { OidcProviderConfig } from '../config/sign-in-config.js';
import type { SignInRefusal } from '../contract/protocol.js';
import { toAuthUser, toWireUser, type AuthUser } from './auth-user.js';
import { SIGN_IN_FLOW_TTL_MS, SignInsRepository } from './sign-ins.repository.js';
import { TokenService } from './token.service.js';
import { UsersRepository, type UserRecord } from './users.repository.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * A sign-in the server refuses: the English sentence the person reads on the sign-in page, and its
 * reason as a code (the contract's SignInRefusal) the web client words in the page's language.
 */
export class SignInRefused extends Error {
  constructor(
    readonly reason: SignInRefusal,
    message: string,
    /** The provider's display name, and for `domain` the allowed domains (for the client's words). */
    readonly details: { provider?: string; domains?: string } = {},
  ) {
    super(message);
  }
}

/** What a person's identity provider says about them, from a fully validated id_token. */
interface Claims {
  issuer: string;
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string;
}

/**
 * Sign-in with a school's identity provider: OpenID Connect's authorization code flow with PKCE,
 * state and nonce, through openid-client (which validates the id_token: signature against the
 * provider's keys, issuer, audience, expiry, nonce). A person is linked to a user by (issuer,
 * subject); on their first sign-in an existing account is linked only when the provider says the
 * email is verified and it is the account's email.
 */
@Injectable()
export class OidcSignIn {
  private readonly logger = new Logger('OidcSignIn');
  private readonly discovered = new Map<string, Promise<oidc.Configuration>>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly signIns: SignInsRepository,
    private readonly users: UsersRepository,
    private readonly tokens: TokenService,
  ) {}

  /** What the sign-in page offers. */
  options() {
    return {
      password_login: this.config.signIn.passwordLogin,
      providers: this.config.signIn.providers.map((p) => ({ id: p.id, name: p.name })),
    };
  }

  private provider(id: string): OidcProviderConfig {
    const provider = this.config.signIn.providers.find((p) => p.id === id);
    if (!provider) throw new DomainError('not_found', 'no such identity provider');
    return provider;
  }

  /** The provider's metadata and keys, fetched once (again after a failure). */
  private configuration(provider: OidcProviderConfig): Promise<oidc.Configuration> {
    let found = this.discovered.get(provider.id);
    if (!found) {
      const issuer = new URL(provider.issuer);
      // Plain http only to a provider on this machine (a development or test provider).
      const insecure = issuer.protocol === 'http:' && LOOPBACK.has(issuer.hostname);
      found = oidc.discovery(issuer, provider.clientId, provider.clientSecret, undefined, {
        // enableNonRepudiationChecks: the id_token's signature is checked against the provider's
        // keys even though it came straight from the token endpoint (openid-client otherwise
        // relies on TLS alone there); a token altered on its way is refused.
        execute: [oidc.enableNonRepudiationChecks, ...(insecure ? [oidc.allowInsecureRequests] : [])],
        timeout: 10,
      });
      found.catch(() => this.discovered.delete(provider.id));
      this.discovered.set(provider.id, found);
    }
    return found;
  }

  /** The provider's configuration, or a refusal the person reads when the provider cannot be reached. */
  private reach(provider: OidcProviderConfig): Promise<oidc.Configuration> {
    return this.configuration(provider).catch((error: unknown) => {
      this.logger.warn(`identity provider ${provider.id} cannot be reached: ${(error as Error).message}`);
      throw new SignInRefused('unreachable', `${provider.name} cannot be reached right now: try again in a minute`, {
        provider: provider.name,
      });
    });
  }

  private redirectUri(provider: OidcProviderConfig, origin: string): string {
    return `${this.config.signIn.publicUrl ?? origin}/auth/oidc/${provider.id}/callback`;
  }

  /** The provider's authorization URL for a new sign-in; `next` is where the person goes afterwards. */
  async start(providerId: string, next: string | undefined, origin: string): Promise<string> {
    const provider = this.provider(providerId);
    const configuration = await this.reach(provider);
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    await this.signIns.saveFlow({ state, provider: provider.id, codeVerifier, nonce, next: safeNext(next) });
    return oidc
      .buildAuthorizationUrl(configuration, {
        redirect_uri: this.redirectUri(provider, origin),
        scope: 'openid email profile',
        response_type: 'code',
        code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      })
      .toString();
  }

  /**
   * The provider sent the person back: checks the state (used once), exchanges the code (with the
   * PKCE verifier), validates the id_token, and signs the person in. Refusals are SignInRefused.
   */
  async finish(
    providerId: string,
    callbackUrl: URL,
    origin: string,
  ): Promise<{ access_token: string; user: ReturnType<typeof toWireUser>; next: string }> {
    const provider = this.provider(providerId);
    const error = callbackUrl.searchParams.get('error');
    if (error)
      throw new SignInRefused('provider_refused', `${provider.name} did not sign you in (${error.slice(0, 60)})`, {
        provider: provider.name,
      });
    const state = callbackUrl.searchParams.get('state');
    const flow = state ? await this.signIns.takeFlow(state) : null;
    if (!flow || flow.provider !== provider.id || Date.now() - flow.createdAt.getTime() > SIGN_IN_FLOW_TTL_MS)
      throw new SignInRefused('expired', 'this sign-in link has expired or was already used: sign in again');
    const configuration = await this.reach(provider);
    // The URL the provider redirected to, on the address the provider knows (PUBLIC_URL behind a proxy).
    const current = new URL(this.redirectUri(provider, origin));
    current.search = callbackUrl.search;
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(configuration, current, {
        pkceCodeVerifier: flow.codeVerifier,
        expectedState: flow.state,
        expectedNonce: flow.nonce,
        idTokenExpected: true,
      });
    } catch (failure) {
      this.logger.warn(`sign-in with ${provider.id} refused: ${(failure as Error).message}`);
      throw new SignInRefused('unconfirmed', `${provider.name} could not confirm who you are: sign in again`, {
        provider: provider.name,
      });
    }
    const idToken = tokens.claims();
    if (!idToken?.sub)
      throw new SignInRefused('unconfirmed', `${provider.name} did not say who you are: sign in again`, {
        provider: provider.name,
      });
    // Some providers put the email and name in the id_token (Google, Entra ID), others only at the
    // userinfo endpoint: ask it for what the id_token leaves out, for the same subject.
    const info =
      idToken.email === undefined || (idToken.name === undefined && idToken.given_name === undefined)
        ? await oidc.fetchUserInfo(configuration, tokens.access_token, idToken.sub).catch((failure: unknown) => {
            this.logger.warn(`userinfo from ${provider.id} failed: ${(failure as Error).message}`);
            return {};
          })
        : {};
    const claims = claimsOf({ ...info, ...idToken });
    if (!claims)
      throw new SignInRefused('unconfirmed', `${provider.name} did not say who you are: sign in again`, {
        provider: provider.name,
      });
    this.checkDomain(provider, claims);
    const record = await this.userFor(provider, claims);
    const user: AuthUser = toAuthUser(record, this.config.adminEmails);
    return { access_token: this.tokens.sign(user), user: toWireUser(user), next: flow.next };
  }

  private checkDomain(provider: OidcProviderConfig, claims: Claims) {
    if (provider.allowedDomains.length === 0) return;
    const domain = claims.email?.split('@')[1];
    if (!claims.emailVerified || !domain || !provider.allowedDomains.includes(domain))
      throw new SignInRefused(
        'domain',
        `only ${provider.allowedDomains.map((d) => `@${d}`).join(', ')} accounts may sign in here with ${provider.name}`,
        { provider: provider.name, domains: provider.allowedDomains.map((d) => `@${d}`).join(', ') },
      );
  }

  private async userFor(provider: OidcProviderConfig, claims: Claims): Promise<UserRecord> {
    const linked = await this.signIns.linkedUser(claims.issuer, claims.subject);
    if (linked) {
      const user = await this.users.findById(linked);
      if (user) {
        await this.signIns.link(claims.issuer, claims.subject, user.id, claims.email);
        return user;
      }
    }
    const existing = claims.email ? await this.users.findCredentials(claims.email) : null;
    if (existing) {
      // Linking by an address the provider has not verified would let anyone who types the
      // teacher's email at some provider become the teacher here.
      if (!claims.emailVerified)
        throw new SignInRefused(
          'unverified_email',
          `an account with ${claims.email} exists here, and ${provider.name} has not verified that address, so it was not linked: sign in with your password`,
          { provider: provider.name },
        );
      await this.signIns.link(claims.issuer, claims.subject, existing.user.id, claims.email);
      this.logger.log(`linked ${provider.id} account to user ${existing.user.id}`);
      return existing.user;
    }
    const created = await this.users.createFromProvider({
      id: newId(),
      email: claims.emailVerified ? claims.email : null,
      displayName: claims.name,
    });
    await this.signIns.link(claims.issuer, claims.subject, created.id, claims.email);
    this.logger.log(`new user ${created.id} from ${provider.id}`);
    return created;
  }
}

/** Where to go after signing in: a path on this server, never another site. */
function safeNext(next: string | undefined): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.includes('\\') ? next.slice(0, 500) : '/';
}

function claimsOf(token: Partial<oidc.IDToken> & Record<string, unknown>): Claims | null {
  if (typeof token.sub !== 'string' || typeof token.iss !== 'string') return null;
  const email = typeof token.email === 'string' ? token.email.trim().toLowerCase() : null;
  const given = [token.given_name, token.family_name].filter((x) => typeof x === 'string').join(' ');
  const name = firstDisplayName([token.name, given, token.preferred_username, email?.split('@')[0]]);
  return { issuer: token.iss, subject: token.sub, email, emailVerified: token.email_verified === true, name };
}
