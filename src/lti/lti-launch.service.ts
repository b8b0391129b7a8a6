import { randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { Accounts } from '../auth/accounts.service.js';
import { TokenService } from '../auth/token.service.js';
import { firstDisplayName } from '../common/display-name.js';
import type { Role } from '../contract/protocol.js';
import { GuestJoinService } from '../sessions/guest-join.service.js';
import { CreateSessionInput } from '../sessions/dto/session.inputs.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { LAUNCH_FLOW_TTL_MS, LtiRepository, type LtiPlatformRecord } from './lti.repository.js';

const CLAIM = 'https://purl.imsglobal.org/spec/lti/claim/';
const INSTRUCTOR_ROLES = ['Instructor', 'TeachingAssistant', 'ContentDeveloper', 'Administrator'];

/** A launch the tool refuses, with the sentence the person reads (in the LMS's frame). */
export class LaunchRefused extends Error {}

/**
 * The role a person has in the session from their LTI role claims (full role URIs such as
 * http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor, or the short names of LTI 1.1).
 */
export function roleFromLti(roles: unknown): Role {
  const names = (Array.isArray(roles) ? roles : []).map((r) => String(r).split(/[#/]/).pop() ?? '');
  if (names.some((n) => INSTRUCTOR_ROLES.includes(n))) return 'moderator';
  if (names.includes('Learner') || names.includes('Student')) return 'contributor';
  return 'observer';
}

/**
 * LTI 1.3 core (the resource-link launch): the OIDC third-party login initiation, then the
 * platform's signed id_token, validated against the platform's JWKS (issuer, audience, expiry,
 * signature with jose; deployment id, nonce used once, message type and version here).
 */
@Injectable()
export class LtiLaunch {
  private readonly logger = new Logger('LtiLaunch');
  private readonly keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

  constructor(
    private readonly lti: LtiRepository,
    private readonly accounts: Accounts,
    private readonly tokens: TokenService,
    private readonly sessions: SessionsService,
    private readonly admissions: GuestJoinService,
  ) {}

  /** Step 1, the login initiation: where to send the browser (the platform's authorization endpoint). */
  async initiate(
    params: Record<string, string | undefined>,
    launchUrl: string,
  ): Promise<{ redirect: string } | { refused: string }> {
    const { iss, login_hint: loginHint, target_link_uri: target, lti_message_hint: messageHint } = params;
    if (!iss || !loginHint)
      return { refused: 'this launch is missing its issuer or login hint: open it again from the course' };
    const platform = await this.lti.platformFor(iss, params.client_id);
    if (!platform)
      return { refused: 'this learning platform is not registered with Roundtable: ask your administrator' };
    if (params.lti_deployment_id && !platform.deploymentIds.includes(params.lti_deployment_id))
      return { refused: 'this deployment of Roundtable is not registered: ask your administrator' };
    const state = randomBytes(24).toString('base64url');
    const nonce = randomBytes(24).toString('base64url');
    await this.lti.saveFlow(state, platform.id, nonce);
    const url = new URL(platform.authLoginUrl);
    const query: Record<string, string> = {
      scope: 'openid',
      response_type: 'id_token',
      response_mode: 'form_post',
      prompt: 'none',
      client_id: platform.clientId,
      redirect_uri: launchUrl,
      login_hint: loginHint,
      state,
      nonce,
      ...(messageHint ? { lti_message_hint: messageHint } : {}),
    };
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    void target; // the launch itself says which resource link; the target is always the launch URL
    return { redirect: url.toString() };
  }

  private keySet(platform: LtiPlatformRecord) {
    let set = this.keySets.get(platform.id + platform.jwksUrl);
    if (!set) {
      set = createRemoteJWKSet(new URL(platform.jwksUrl), { timeoutDuration: 10_000 });
      this.keySets.set(platform.id + platform.jwksUrl, set);
    }
    return set;
  }

  /**
   * Step 2, the launch: the platform posts the signed id_token with our state. Returns the
   * session to open and the person's access token, or throws LaunchRefused.
   */
  async launch(idToken: string | undefined, state: string | undefined) {
    const flow = state ? await this.lti.takeFlow(state) : null;
    if (!flow || Date.now() - flow.createdAt.getTime() > LAUNCH_FLOW_TTL_MS)
      throw new LaunchRefused('this launch has expired or was already used: open Roundtable again from the course');
    const platform = await this.lti.platform(flow.platformId);
    if (!platform || !idToken)
      throw new LaunchRefused('this launch is not valid: open Roundtable again from the course');
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(idToken, this.keySet(platform), {
        issuer: platform.issuer,
        audience: platform.clientId,
        algorithms: ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'PS256'],
        maxTokenAge: '10 minutes',
      }));
    } catch (failure) {
      this.logger.warn(`launch from ${platform.name} refused: ${(failure as Error).message}`);
      throw new LaunchRefused(
        `${platform.name} sent a launch Roundtable could not verify: open it again from the course`,
      );
    }
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (audiences.length > 1 && claims.azp !== platform.clientId)
      throw new LaunchRefused('this launch was meant for another tool');
    if (claims.nonce !== flow.nonce)
      throw new LaunchRefused('this launch was already used: open Roundtable again from the course');
    if (claims[`${CLAIM}message_type`] !== 'LtiResourceLinkRequest')
      throw new LaunchRefused('Roundtable opens from a course link (an LTI resource link launch)');
    if (claims[`${CLAIM}version`] !== '1.3.0') throw new LaunchRefused('Roundtable speaks LTI 1.3.0');
    const deploymentId = claims[`${CLAIM}deployment_id`];
    if (typeof deploymentId !== 'string' || !platform.deploymentIds.includes(deploymentId))
      throw new LaunchRefused('this deployment of Roundtable is not registered: ask your administrator');
    const link = claims[`${CLAIM}resource_link`] as { id?: unknown; title?: unknown } | undefined;
    if (!link || typeof link.id !== 'string' || typeof claims.sub !== 'string' || !claims.sub)
      throw new LaunchRefused('this launch does not say which course link or person it is for');
    const context = claims[`${CLAIM}context`] as { id?: unknown; title?: unknown; label?: unknown } | undefined;
    const role = roleFromLti(claims[`${CLAIM}roles`]);

    const user = await this.accounts.external(platform.issuer, claims.sub, {
      email: typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : null,
      name: nameOf(claims),
    });
    let found = await this.lti.link(platform.id, deploymentId, link.id);
    if (!found) {
      if (role !== 'moderator')
        throw new LaunchRefused('your teacher has not opened this yet: try again after they have');
      const title = [context?.title ?? context?.label, link.title]
        .filter((t): t is string => typeof t === 'string' && t.trim() !== '')
        .join(' · ')
        .slice(0, 200);
      const session = await this.sessions.create(
        user,
        Object.assign(new CreateSessionInput(), { title: title || 'Course session' }),
      );
      found = await this.lti.createLink({
        platformId: platform.id,
        deploymentId,
        resourceLinkId: link.id,
        contextId: typeof context?.id === 'string' ? context.id : null,
        sessionId: session.id,
      });
    }
    const inSession = await this.admissions.admitLaunched(found.sessionId, user, role);
    return { sessionId: found.sessionId, role: inSession, accessToken: this.tokens.sign(user), userId: user.id };
  }
}

function nameOf(claims: JWTPayload): string {
  const given = [claims.given_name, claims.family_name].filter((x) => typeof x === 'string').join(' ');
  return firstDisplayName([
    claims.name,
    given,
    typeof claims.email === 'string' ? claims.email.split('@')[0] : undefined,
  ]);
}
