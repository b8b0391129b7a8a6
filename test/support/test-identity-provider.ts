import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

/** A person at the test provider: what its id_token says about them. */
export interface TestAccount {
  email?: string;
  email_verified?: boolean;
  name?: string;
}

export interface TestClient {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
}

/**
 * A real OpenID provider (oidc-provider, as an identity provider runs it) on loopback, with its
 * development login page: any login name is accepted, and the account's claims come from
 * `accounts`. The issuer is known before the provider is configured, so the app under test can
 * be started with it and the provider then told the app's redirect URIs.
 */
export class TestIdentityProvider {
  readonly accounts = new Map<string, TestAccount>();
  /** While true, every id_token the token endpoint returns has one character of its signature changed. */
  tamper = false;
  private handler?: (req: IncomingMessage, res: ServerResponse) => void;

  private constructor(
    private readonly server: Server,
    readonly issuer: string,
  ) {}

  static async open(): Promise<TestIdentityProvider> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const idp = new TestIdentityProvider(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('request', (req, res) => {
      if (!idp.handler) {
        res.writeHead(503).end('not configured yet');
        return;
      }
      if (idp.tamper && req.url?.startsWith('/token')) tamperIdTokens(res);
      idp.handler(req, res);
    });
    return idp;
  }

  configure(clients: TestClient[]): void {
    const provider = new Provider(this.issuer, {
      clients: clients.map((c) => ({
        ...c,
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_basic',
      })),
      pkce: { required: () => true },
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
      features: { devInteractions: { enabled: true } },
      cookies: { keys: ['roundtable-test-idp-cookie-key'] },
      findAccount: (_ctx, sub) => ({
        accountId: sub,
        claims: async () => ({ sub, ...(this.accounts.get(sub) ?? {}) }),
      }),
    });
    this.handler = provider.callback();
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function tamperIdTokens(res: ServerResponse) {
  const end = res.end.bind(res) as (chunk?: unknown, ...rest: unknown[]) => ServerResponse;
  res.end = ((chunk?: unknown, ...rest: unknown[]) => {
    if (chunk) {
      const body = JSON.parse(String(chunk)) as { id_token?: string };
      if (body.id_token) {
        const last = body.id_token.at(-2) === 'A' ? 'B' : 'A';
        body.id_token = body.id_token.slice(0, -2) + last + body.id_token.at(-1);
        chunk = JSON.stringify(body);
      }
    }
    return end(chunk, ...rest);
  }) as ServerResponse['end'];
}

/** A browser without a browser: follows redirects by hand and keeps cookies per host. */
export class CookieBrowser {
  private readonly jar = new Map<string, Map<string, string>>();

  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
    const target = new URL(url);
    const cookies = [...(this.jar.get(target.host) ?? new Map())].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await fetch(target, {
      method: init.method ?? 'GET',
      redirect: 'manual',
      headers: {
        ...(cookies ? { cookie: cookies } : {}),
        ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: init.form ? new URLSearchParams(init.form).toString() : undefined,
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair.indexOf('=');
      const jar = this.jar.get(target.host) ?? new Map<string, string>();
      jar.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
      this.jar.set(target.host, jar);
    }
    return response;
  }

  /**
   * Signs in at the provider as `login` from the app's start URL, through its login and consent
   * forms, and returns the app's callback URL the provider redirected to (not yet visited).
   */
  async throughProvider(startUrl: string, login: string, issuer: string): Promise<string> {
    let url = startUrl;
    for (let step = 0; step < 12; step++) {
      if (!url.startsWith(issuer)) {
        if (step > 0) return url; // back at the app: the callback
      }
      const response = await this.request(url);
      if (response.status >= 300 && response.status < 400) {
        url = new URL(response.headers.get('location')!, url).toString();
        continue;
      }
      const html = await response.text();
      const action = html.match(/<form[^>]*action="([^"]+)"/)?.[1];
      const prompt = html.match(/name="prompt" value="(\w+)"/)?.[1];
      if (!action || !prompt) throw new Error(`unexpected page at ${url}: ${response.status} ${html.slice(0, 200)}`);
      const submitted = await this.request(new URL(action, url).toString(), {
        method: 'POST',
        form: prompt === 'login' ? { prompt, login, password: 'any' } : { prompt },
      });
      url = new URL(submitted.headers.get('location')!, url).toString();
    }
    throw new Error('too many redirects at the provider');
  }
}
