import { generateKeyPair } from 'jose';
import { RoundtableApi } from '../client/sdk/roundtable-api.js';
import { signUpAdmin, startTestApp, type TestApp } from './support/test-app.js';
import { LTI_ROLE, TestLms, type LaunchClaims } from './support/test-lms.js';

// Roundtable as an LTI 1.3 tool, launched by a test platform that signs with its own key: the
// real login initiation, then the platform's form post of the signed id_token.

describe('launch from the LMS (LTI 1.3)', () => {
  let lms: TestLms;
  let app: TestApp;
  let admin: Awaited<ReturnType<typeof signUpAdmin>>;

  beforeAll(async () => {
    lms = await TestLms.open();
    app = await startTestApp({ ADMIN_EMAILS: 'it@school.example' });
    admin = await signUpAdmin(app, 'it@school.example', 'IT');
    await admin.api.call('POST', '/admin/lti/platforms', lms.registration());
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await lms?.close();
  });

  /** Step 1: the course link's login initiation; the tool redirects to the platform with a state and a nonce. */
  async function initiate() {
    const response = await fetch(lms.initiationUrl(app.url, 'opaque-hint'), { redirect: 'manual' });
    expect(response.status).toBe(302);
    const to = new URL(response.headers.get('location')!);
    return { to, state: to.searchParams.get('state')!, nonce: to.searchParams.get('nonce')! };
  }

  /** Step 2: the platform posts the signed id_token (as an HTML form does). */
  function post(idToken: string, state: string) {
    return fetch(`${app.url}/lti/launch`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ id_token: idToken, state }).toString(),
    });
  }

  async function launch(claims: LaunchClaims, options: Parameters<TestLms['sign']>[2] = {}) {
    const { state, nonce } = await initiate();
    const response = await post(await lms.sign(claims, nonce, options), state);
    const location = response.headers.get('location');
    if (response.status !== 303 || !location) return { response, refused: await response.text() };
    const url = new URL(location, app.url);
    const token = new URLSearchParams(url.hash.slice(1)).get('access_token')!;
    return { response, sessionId: url.pathname.split('/')[2], token, api: new RoundtableApi(app.url, token) };
  }

  const week3 = { id: 'rl-week-3', title: 'Week 3: factoring' };
  const algebra = { id: 'course-algebra', title: 'Algebra I' };

  it('redirects the login initiation to the platform with everything a platform needs', async () => {
    const { to } = await initiate();
    expect(to.origin + to.pathname).toBe(`${lms.origin}/authorize`);
    expect(Object.fromEntries(to.searchParams)).toMatchObject({
      scope: 'openid',
      response_type: 'id_token',
      response_mode: 'form_post',
      prompt: 'none',
      client_id: lms.clientId,
      redirect_uri: `${app.url}/lti/launch`,
      login_hint: 'opaque-hint',
    });
  });

  it("creates the course link's session on an instructor's first launch, and makes them its moderator", async () => {
    const teacher = await launch({
      sub: 'lms-teacher-1',
      name: 'Ms Rivera',
      email: 'rivera@school.example',
      roles: [LTI_ROLE.instructor],
      resourceLink: week3,
      context: algebra,
    });
    expect(teacher.response.status).toBe(303);
    const { session, you } = await teacher.api!.getSession(teacher.sessionId!);
    expect(session.title).toBe('Algebra I · Week 3: factoring');
    expect(you.role).toBe('moderator');
    expect((await teacher.api!.me()).user.display_name).toBe('Ms Rivera');

    // A second launch of the same link opens the same session, for the same account.
    const again = await launch({
      sub: 'lms-teacher-1',
      roles: [LTI_ROLE.instructor],
      resourceLink: week3,
      context: algebra,
    });
    expect(again.sessionId).toBe(teacher.sessionId);
    expect((await again.api!.me()).user.id).toBe((await teacher.api!.me()).user.id);
  });

  it('joins a Learner as contributor and a Mentor as observer', async () => {
    const learner = await launch({
      sub: 'lms-student-1',
      name: 'Amira',
      roles: [LTI_ROLE.learner],
      resourceLink: week3,
    });
    expect((await learner.api!.getSession(learner.sessionId!)).you.role).toBe('contributor');
    const mentor = await launch({
      sub: 'lms-parent-1',
      name: 'Mr Haddad',
      roles: [LTI_ROLE.mentor],
      resourceLink: week3,
    });
    expect((await mentor.api!.getSession(mentor.sessionId!)).you.role).toBe('observer');
  });

  it('keeps a role the teacher changed on the next launch, and a banned student out', async () => {
    const teacher = await launch({ sub: 'lms-teacher-1', roles: [LTI_ROLE.instructor], resourceLink: week3 });
    const quiet = await launch({ sub: 'lms-student-5', name: 'Quiet', roles: [LTI_ROLE.learner], resourceLink: week3 });
    const quietId = (await quiet.api!.me()).user.id;
    await teacher.api!.setMember(teacher.sessionId!, quietId, 'observer');
    const again = await launch({ sub: 'lms-student-5', roles: [LTI_ROLE.learner], resourceLink: week3 });
    expect((await again.api!.getSession(again.sessionId!)).you.role).toBe('observer');

    await teacher.api!.removeMember(teacher.sessionId!, quietId, true);
    const banned = await launch({ sub: 'lms-student-5', roles: [LTI_ROLE.learner], resourceLink: week3 });
    expect(banned.response.status).toBe(403);
    expect(banned.refused).toContain('you were banned from this session');
  });

  it('tells a learner who arrives first that the teacher has not opened it yet', async () => {
    const early = await launch({ sub: 'lms-student-2', roles: [LTI_ROLE.learner], resourceLink: { id: 'rl-week-4' } });
    expect(early.response.status).toBe(403);
    expect(early.refused).toContain('your teacher has not opened this yet');
  });

  it('refuses a replayed launch: the state and its nonce are used once', async () => {
    const { state, nonce } = await initiate();
    const token = await lms.sign({ sub: 'lms-student-1', roles: [LTI_ROLE.learner], resourceLink: week3 }, nonce);
    expect((await post(token, state)).status).toBe(303);
    const replay = await post(token, state);
    expect(replay.status).toBe(403);
    expect(await replay.text()).toContain('expired or was already used');
    // The same id_token under a fresh login initiation: its nonce is not the new one.
    const fresh = await initiate();
    const underFresh = await post(token, fresh.state);
    expect(underFresh.status).toBe(403);
    expect(await underFresh.text()).toContain('already used');
  });

  it('refuses a wrong audience, an unknown deployment, an expired token and a bad signature', async () => {
    const someone = { sub: 'lms-student-3', roles: [LTI_ROLE.learner], resourceLink: week3 };
    const wrongAudience = await launch(someone, { audience: 'another-tool' });
    expect(wrongAudience.response.status).toBe(403);
    expect(wrongAudience.refused).toContain('could not verify');

    const unknownDeployment = await launch({ ...someone, deploymentId: 'deployment-elsewhere' });
    expect(unknownDeployment.response.status).toBe(403);
    expect(unknownDeployment.refused).toContain('deployment of Roundtable is not registered');

    const expired = await launch(someone, { expiresInSeconds: -60 });
    expect(expired.response.status).toBe(403);
    expect(expired.refused).toContain('could not verify');

    const { privateKey: strangerKey } = await generateKeyPair('RS256');
    const forged = await launch(someone, { key: strangerKey });
    expect(forged.response.status).toBe(403);
    expect(forged.refused).toContain('could not verify');

    const deepLinking = await launch(someone, { messageType: 'LtiDeepLinkingRequest' });
    expect(deepLinking.refused).toContain('resource link launch');
  });

  it('refuses an initiation from a platform nobody registered', async () => {
    const response = await fetch(
      `${app.url}/lti/login?iss=${encodeURIComponent('https://unknown.example')}&login_hint=x`,
      {
        redirect: 'manual',
      },
    );
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('not registered with Roundtable');
  });

  it("publishes the tool's keys and configuration, and lets only registered platforms frame it", async () => {
    const jwks = await app.api.call<{ keys: Array<{ kty: string; kid: string; d?: string }> }>('GET', '/lti/jwks');
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(jwks.keys[0].d).toBeUndefined(); // never the private half
    const config = await app.api.call<Record<string, unknown>>('GET', '/lti/config');
    expect(config).toMatchObject({
      oidc_initiation_url: `${app.url}/lti/login`,
      target_link_uri: `${app.url}/lti/launch`,
      public_jwk_url: `${app.url}/lti/jwks`,
    });
    const page = await fetch(`${app.url}/`);
    expect(page.headers.get('content-security-policy')).toContain(`frame-ancestors ${lms.origin}`);
    expect(page.headers.get('x-frame-options')).toBeNull();
  });

  it('keeps platform registration to platform admins, with clear errors', async () => {
    await expect(app.api.call('POST', '/admin/lti/platforms', lms.registration())).rejects.toMatchObject({
      status: 401,
    });
    await expect(admin.api.call('POST', '/admin/lti/platforms', lms.registration())).rejects.toMatchObject({
      status: 409,
      body: { message: 'a platform with this issuer and client id is registered already' },
    });
    await expect(
      admin.api.call('POST', '/admin/lti/platforms', {
        ...lms.registration(),
        client_id: 'other',
        jwks_url: 'not a url',
      }),
    ).rejects.toMatchObject({
      status: 400,
      body: { message: expect.stringContaining('jwks_url must be an http(s) URL') },
    });
    const { platforms } = await admin.api.call<{ platforms: Array<{ issuer: string }> }>('GET', '/admin/lti/platforms');
    expect(platforms.map((p) => p.issuer)).toEqual([lms.issuer]);
  });
});
