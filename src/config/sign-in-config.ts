import { ConfigError } from './config-error.js';

/** One school identity provider (OpenID Connect). */
export interface OidcProviderConfig {
  /** In URLs: /auth/oidc/<id>/start. Lower-case letters, digits and dashes. */
  id: string;
  /** On the sign-in button: "Sign in with <name>". */
  name: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** When set, only verified emails at these domains may sign in (e.g. school.example). */
  allowedDomains: string[];
}

export interface SignInConfig {
  /** Email and password sign-in and sign-up (PASSWORD_LOGIN, default true). */
  passwordLogin: boolean;
  /** The address people reach this server at, for the providers' redirect URIs (PUBLIC_URL; unset: the request's own). */
  publicUrl?: string;
  providers: OidcProviderConfig[];
}

export interface SignInEnvironment {
  OIDC_PROVIDERS?: string;
  OIDC_GOOGLE_CLIENT_ID?: string;
  OIDC_GOOGLE_CLIENT_SECRET?: string;
  OIDC_GOOGLE_ALLOWED_DOMAINS?: string;
  OIDC_MICROSOFT_CLIENT_ID?: string;
  OIDC_MICROSOFT_CLIENT_SECRET?: string;
  OIDC_MICROSOFT_TENANT?: string;
  OIDC_MICROSOFT_ALLOWED_DOMAINS?: string;
  PASSWORD_LOGIN?: string;
  PUBLIC_URL?: string;
}

const ID = /^[a-z0-9][a-z0-9-]{0,30}$/;
const domains = (value: unknown): string[] =>
  (Array.isArray(value) ? value.map(String) : String(value ?? '').split(','))
    .map((d) => d.trim().toLowerCase().replace(/^@/, ''))
    .filter(Boolean);

/** The providers from OIDC_PROVIDERS (a JSON array) and the Google and Microsoft shorthands. */
export function loadSignInConfig(env: SignInEnvironment): SignInConfig {
  const providers: OidcProviderConfig[] = [];
  const problems: string[] = [];
  if (env.OIDC_GOOGLE_CLIENT_ID || env.OIDC_GOOGLE_CLIENT_SECRET) {
    if (!env.OIDC_GOOGLE_CLIENT_ID || !env.OIDC_GOOGLE_CLIENT_SECRET)
      problems.push('OIDC_GOOGLE_CLIENT_ID and OIDC_GOOGLE_CLIENT_SECRET go together');
    else
      providers.push({
        id: 'google',
        name: 'Google',
        issuer: 'https://accounts.google.com',
        clientId: env.OIDC_GOOGLE_CLIENT_ID,
        clientSecret: env.OIDC_GOOGLE_CLIENT_SECRET,
        allowedDomains: domains(env.OIDC_GOOGLE_ALLOWED_DOMAINS),
      });
  }
  if (env.OIDC_MICROSOFT_CLIENT_ID || env.OIDC_MICROSOFT_CLIENT_SECRET || env.OIDC_MICROSOFT_TENANT) {
    if (!env.OIDC_MICROSOFT_CLIENT_ID || !env.OIDC_MICROSOFT_CLIENT_SECRET || !env.OIDC_MICROSOFT_TENANT)
      problems.push(
        "OIDC_MICROSOFT_CLIENT_ID, OIDC_MICROSOFT_CLIENT_SECRET and OIDC_MICROSOFT_TENANT (the school's directory id) go together",
      );
    else
      providers.push({
        id: 'microsoft',
        name: 'Microsoft',
        issuer: `https://login.microsoftonline.com/${encodeURIComponent(env.OIDC_MICROSOFT_TENANT)}/v2.0`,
        clientId: env.OIDC_MICROSOFT_CLIENT_ID,
        clientSecret: env.OIDC_MICROSOFT_CLIENT_SECRET,
        allowedDomains: domains(env.OIDC_MICROSOFT_ALLOWED_DOMAINS),
      });
  }
  if (env.OIDC_PROVIDERS?.trim()) {
    let listed: unknown;
    try {
      listed = JSON.parse(env.OIDC_PROVIDERS);
    } catch {
      problems.push(
        'OIDC_PROVIDERS must be a JSON array of {id, name, issuer, client_id, client_secret, allowed_domains?}',
      );
    }
    if (listed !== undefined && !Array.isArray(listed)) problems.push('OIDC_PROVIDERS must be a JSON array');
    for (const [i, raw] of (Array.isArray(listed) ? listed : []).entries()) {
      const p = (raw ?? {}) as Record<string, unknown>;
      const at = `OIDC_PROVIDERS[${i}]`;
      if (typeof p.id !== 'string' || !ID.test(p.id))
        problems.push(`${at}.id must be lower-case letters, digits and dashes`);
      if (typeof p.issuer !== 'string' || !/^https?:\/\//.test(p.issuer))
        problems.push(`${at}.issuer must be an http(s) URL`);
      for (const key of ['name', 'client_id', 'client_secret'])
        if (typeof p[key] !== 'string' || !(p[key] as string).trim()) problems.push(`${at}.${key} is required`);
      if (problems.length) continue;
      providers.push({
        id: p.id as string,
        name: (p.name as string).trim(),
        issuer: p.issuer as string,
        clientId: p.client_id as string,
        clientSecret: p.client_secret as string,
        allowedDomains: domains(p.allowed_domains),
      });
    }
  }
  const ids = providers.map((p) => p.id);
  for (const id of new Set(ids.filter((id, i) => ids.indexOf(id) !== i)))
    problems.push(`two identity providers are named ${id}`);
  if (env.PUBLIC_URL && !/^https?:\/\/[^/]+\/?$/.test(env.PUBLIC_URL))
    problems.push('PUBLIC_URL must be an origin such as https://roundtable.school.example');
  if (env.PASSWORD_LOGIN && !['true', 'false'].includes(env.PASSWORD_LOGIN))
    problems.push('PASSWORD_LOGIN must be true or false');
  const passwordLogin = env.PASSWORD_LOGIN !== 'false';
  if (!passwordLogin && providers.length === 0)
    problems.push('PASSWORD_LOGIN=false needs an identity provider (OIDC_PROVIDERS, OIDC_GOOGLE_*, OIDC_MICROSOFT_*)');
  if (problems.length) throw new ConfigError(`invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  return { passwordLogin, publicUrl: env.PUBLIC_URL?.replace(/\/$/, ''), providers };
}
