import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';

const CLAIM = 'https://purl.imsglobal.org/spec/lti/claim/';
export const LTI_ROLE = {
  instructor: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor',
  learner: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner',
  mentor: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor',
};

export interface LaunchClaims {
  sub: string;
  name?: string;
  email?: string;
  roles: string[];
  resourceLink: { id: string; title?: string };
  context?: { id: string; title?: string };
  deploymentId?: string;
}

/**
 * A test LMS (an LTI 1.3 platform) on loopback: its own signing key, its JWKS, and an
 * authorization endpoint that answers the tool's login redirect the way a platform does, with a
 * page that posts the signed launch to the tool (used from a browser, inside the course's iframe).
 */
export class TestLms {
  readonly clientId = 'roundtable-tool';
  readonly deploymentId = 'deployment-1';
  /** The person the next browser launch is for. */
  next?: LaunchClaims;
  private key!: CryptoKey;
  private publicJwk!: object;

  private constructor(
    private readonly server: Server,
    readonly origin: string,
  ) {}

  get issuer() {
    return this.origin;
  }

  static async open(): Promise<TestLms> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const lms = new TestLms(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    lms.key = privateKey;
    lms.publicJwk = { ...(await exportJWK(publicKey)), kid: 'lms-key-1', alg: 'RS256', use: 'sig' };
    server.on('request', (req, res) => void lms.handle(req.url ?? '/', res));
    return lms;
  }

  /** What Roundtable's admin API registers for this platform. */
  registration() {
    return {
      name: 'Test LMS',
      issuer: this.issuer,
      client_id: this.clientId,
      deployment_ids: [this.deploymentId],
      auth_login_url: `${this.origin}/authorize`,
      jwks_url: `${this.origin}/jwks`,
    };
  }

  /** The platform's signed id_token for a launch. */
  sign(
    claims: LaunchClaims,
    nonce: string,
    options: { key?: CryptoKey; audience?: string; expiresInSeconds?: number; messageType?: string } = {},
  ): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const payload: JWTPayload = {
      nonce,
      name: claims.name,
      email: claims.email,
      [`${CLAIM}message_type`]: options.messageType ?? 'LtiResourceLinkRequest',
      [`${CLAIM}version`]: '1.3.0',
      [`${CLAIM}deployment_id`]: claims.deploymentId ?? this.deploymentId,
      [`${CLAIM}target_link_uri`]: 'http://tool/lti/launch',
      [`${CLAIM}resource_link`]: claims.resourceLink,
      [`${CLAIM}roles`]: claims.roles,
      ...(claims.context ? { [`${CLAIM}context`]: claims.context } : {}),
    };
    return new SignJWT(payload)
      .setProtectedHeader({ alg: 'RS256', kid: 'lms-key-1' })
      .setIssuer(this.issuer)
      .setSubject(claims.sub)
      .setAudience(options.audience ?? this.clientId)
      .setIssuedAt(now - 5)
      .setExpirationTime(now + (options.expiresInSeconds ?? 300))
      .sign(options.key ?? this.key);
  }

  /** The login initiation URL a course link opens (step 1 of a launch). */
  initiationUrl(toolOrigin: string, loginHint: string): string {
    const url = new URL(`${toolOrigin}/lti/login`);
    url.search = new URLSearchParams({
      iss: this.issuer,
      login_hint: loginHint,
      target_link_uri: `${toolOrigin}/lti/launch`,
      client_id: this.clientId,
      lti_deployment_id: this.deploymentId,
    }).toString();
    return url.toString();
  }

  private async handle(url: string, res: import('node:http').ServerResponse) {
    const path = new URL(url, this.origin);
    if (path.pathname === '/jwks') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [this.publicJwk] }));
      return;
    }
    if (path.pathname === '/course') {
      // The course page: the tool in an iframe, as an LMS shows it.
      const tool = path.searchParams.get('tool')!;
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end(
          `<!doctype html><title>Course</title><h1>Algebra</h1><iframe id="tool" title="Roundtable" style="width:1200px;height:800px" src="${this.initiationUrl(tool, 'hint')}"></iframe>`,
        );
      return;
    }
    if (path.pathname === '/authorize' && this.next) {
      // The platform's answer to the tool's login redirect: a page that posts the launch.
      const token = await this.sign(this.next, path.searchParams.get('nonce')!);
      const fields = { id_token: token, state: path.searchParams.get('state')! };
      const inputs = Object.entries(fields)
        .map(([k, v]) => `<input type="hidden" name="${k}" value="${v}">`)
        .join('');
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end(
          `<!doctype html><form id="f" method="post" action="${path.searchParams.get('redirect_uri')}">${inputs}</form><script>document.getElementById('f').submit()</script>`,
        );
      return;
    }
    res.writeHead(404).end();
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
