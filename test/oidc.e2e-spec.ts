import { RoundtableApi } from '../client/sdk/roundtable-api.js';
import { signUp, startTestApp, type TestApp, type TestUser } from './support/test-app.js';
import { CookieBrowser, TestIdentityProvider } from './support/test-identity-provider.js';

// Sign-in with a school's identity provider, against a real OpenID provider (oidc-provider) on
// loopback: the authorization code flow with PKCE, state and nonce, as a browser walks it.

describe('sign-in with a school identity provider (OpenID Connect)', () => {
  let idp: TestIdentityProvider;
  let app: TestApp;
  let teacher: TestUser;

  beforeAll(async () => {
    idp = await TestIdentityProvider.open();
    app = await startTestApp({
      OIDC_PROVIDERS: JSON.stringify([
        {
          id: 'school',
          name: 'Springfield SSO',
          issuer: idp.issuer,
          client_id: 'roundtable',
          client_secret: 'school-secret-0123456789',
        },
        {
          id: 'staff',
          name: 'Springfield Staff',
          issuer: idp.issuer,
          client_id: 'roundtable-staff',
          client_secret: 'staff-secret-0123456789',
          allowed_domains: ['school.example'],
        },
        // A provider that is down (nothing listens on port 1).
        { id: 'down', name: 'Offline SSO', issuer: 'http://127.0.0.1:1', client_id: 'x', client_secret: 'y' },
      ]),
    });
    idp.configure([
      {
        client_id: 'roundtable',
        client_secret: 'school-secret-0123456789',
        redirect_uris: [`${app.url}/auth/oidc/school/callback`],
      },
      {
        client_id: 'roundtable-staff',
        client_secret: 'staff-secret-0123456789',
        redirect_uris: [`${app.url}/auth/oidc/staff/callback`],
      },
    ]);
    teacher = await signUp(app, 'Teacher');
    idp.accounts.set('ada-1', { email: 'ada@school.example', email_verified: true, name: 'Ada Lovelace' });
    idp.accounts.set('teacher-at-idp', { email: teacher.user.email!, email_verified: true, name: 'Ms Teacher' });
    idp.accounts.set('impostor', { email: teacher.user.email!, email_verified: false, name: 'Not the teacher' });
    idp.accounts.set('outsider', { email: 'sam@elsewhere.example', email_verified: true, name: 'Sam' });
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await idp?.close();
  });

  /** Walks the provider's pages and visits the callback; the app's answer (a redirect to /login). */
  async function signIn(provider: string, login: string, next = '/s/somewhere') {
    const browser = new CookieBrowser();
    const callback = await browser.throughProvider(
      `${app.url}/auth/oidc/${provider}/start?next=${encodeURIComponent(next)}`,
      login,
      idp.issuer,
    );
    const landing = await browser.request(callback);
    return { browser, callback, landing, location: new URL(landing.headers.get('location') ?? '/', app.url) };
  }

  const tokenOf = (location: URL) => new URLSearchParams(location.hash.slice(1)).get('access_token');
  const refusalOf = (location: URL) => location.searchParams.get('sign_in_error');

  it('offers the configured providers on the sign-in page, and password sign-in', async () => {
    expect(await app.api.call('GET', '/auth/options')).toEqual({
      password_login: true,
      providers: [
        { id: 'school', name: 'Springfield SSO' },
        { id: 'staff', name: 'Springfield Staff' },
        { id: 'down', name: 'Offline SSO' },
      ],
    });
  });

  it('signs a new person in through the provider, and the second sign-in is the same account', async () => {
    const first = await signIn('school', 'ada-1', '/s/abc');
    expect(first.location.pathname).toBe('/login');
    expect(first.location.searchParams.get('next')).toBe('/s/abc');
    const token = tokenOf(first.location);
    expect(token).toBeTruthy();
    const me = await new RoundtableApi(app.url, token!).me();
    expect(me.user).toMatchObject({ display_name: 'Ada Lovelace', email: 'ada@school.example' });

    const second = await signIn('school', 'ada-1');
    const again = await new RoundtableApi(app.url, tokenOf(second.location)!).me();
    expect(again.user.id).toBe(me.user.id);
  });

  it('links an existing account when the provider has verified its email', async () => {
    const { location } = await signIn('school', 'teacher-at-idp');
    const me = await new RoundtableApi(app.url, tokenOf(location)!).me();
    expect(me.user.id).toBe(teacher.user.id);
  });

  it('does not link an existing account to an unverified email', async () => {
    const { location } = await signIn('school', 'impostor');
    expect(tokenOf(location)).toBeNull();
    expect(refusalOf(location)).toMatch(
      /exists here, and Springfield SSO has not verified that address, so it was not linked/,
    );
    expect(location.searchParams.get('sign_in_error_code')).toBe('unverified_email');
  });

  it('refuses an email outside the allowed domains, and lets one inside in', async () => {
    const outside = await signIn('staff', 'outsider');
    expect(tokenOf(outside.location)).toBeNull();
    expect(refusalOf(outside.location)).toBe('only @school.example accounts may sign in here with Springfield Staff');
    // The same refusal as a code with its details, for the web client to say in the page's language.
    expect(outside.location.searchParams.get('sign_in_error_code')).toBe('domain');
    expect(outside.location.searchParams.get('sign_in_provider')).toBe('Springfield Staff');
    expect(outside.location.searchParams.get('sign_in_domains')).toBe('@school.example');
    const inside = await signIn('staff', 'ada-1');
    expect(tokenOf(inside.location)).toBeTruthy();
  });

  it('refuses a wrong state, and a replayed callback (the code and the state are used once)', async () => {
    const { browser, callback, location } = await signIn('school', 'ada-1');
    expect(tokenOf(location)).toBeTruthy();
    const replayed = await browser.request(callback);
    expect(refusalOf(new URL(replayed.headers.get('location')!, app.url))).toMatch(/expired or was already used/);

    const wrong = new URL(callback);
    wrong.searchParams.set('state', 'not-the-state-we-sent');
    const forged = await browser.request(wrong.toString());
    expect(refusalOf(new URL(forged.headers.get('location')!, app.url))).toMatch(/expired or was already used/);
  });

  it('refuses a replayed code under a fresh state', async () => {
    // A second sign-in gets its own state; its callback is sent with the first sign-in's (spent) code.
    const browser = new CookieBrowser();
    const first = await browser.throughProvider(`${app.url}/auth/oidc/school/start`, 'ada-1', idp.issuer);
    expect(tokenOf(new URL((await browser.request(first)).headers.get('location')!, app.url))).toBeTruthy();
    const second = new URL(await browser.throughProvider(`${app.url}/auth/oidc/school/start`, 'ada-1', idp.issuer));
    second.searchParams.set('code', new URL(first).searchParams.get('code')!);
    const landing = await browser.request(second.toString());
    const location = new URL(landing.headers.get('location')!, app.url);
    expect(tokenOf(location)).toBeNull();
    expect(refusalOf(location)).toBe('Springfield SSO could not confirm who you are: sign in again');
  });

  it('refuses an id_token whose signature was tampered with', async () => {
    idp.tamper = true;
    try {
      const { location } = await signIn('school', 'ada-1');
      expect(tokenOf(location)).toBeNull();
      expect(refusalOf(location)).toBe('Springfield SSO could not confirm who you are: sign in again');
    } finally {
      idp.tamper = false;
    }
  });

  it('refuses an unknown provider and keeps the next page on this site', async () => {
    await expect(app.api.call('GET', '/auth/oidc/nobody/start')).rejects.toMatchObject({ status: 404 });
    const { location } = await signIn('school', 'ada-1', 'https://evil.example/steal');
    expect(location.searchParams.get('next')).toBe('/');
  });

  it('sends the person back to the sign-in page with the reason when the provider cannot be reached', async () => {
    const response = await fetch(`${app.url}/auth/oidc/down/start`, { redirect: 'manual' });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location')!, app.url);
    expect(location.pathname).toBe('/login');
    expect(refusalOf(location)).toBe('Offline SSO cannot be reached right now: try again in a minute');
  });

  it('turns password sign-in off when PASSWORD_LOGIN=false', async () => {
    await app.restart({ PASSWORD_LOGIN: 'false' });
    try {
      expect(await app.api.call('GET', '/auth/options')).toMatchObject({ password_login: false });
      await expect(app.api.login(teacher.user.email!, 'correct horse battery')).rejects.toMatchObject({ status: 403 });
      await expect(app.api.register('new@example.org', 'correct horse battery', 'New')).rejects.toMatchObject({
        status: 403,
        body: { message: 'password sign-in is turned off here: sign in with your school account' },
      });
    } finally {
      await app.restart({ PASSWORD_LOGIN: 'true' });
    }
  });
});
