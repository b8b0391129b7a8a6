// A teacher signs in with the school's account in Chromium: the Roundtable sign-in page shows the
// provider's button, the provider's own login page takes the name, and the teacher lands signed
// in on the page they were headed to; signing in again is the same account. Screenshots go to
// test-artifacts/.
import type { Browser } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { TestIdentityProvider } from '../support/test-identity-provider.js';
import { launchBrowser, person, screenshot, type Person } from './support/browser.js';

describe('sign-in with the school account, in a browser', () => {
  let idp: TestIdentityProvider;
  let app: TestApp;
  let browser: Browser;
  const people: Person[] = [];

  beforeAll(async () => {
    idp = await TestIdentityProvider.open();
    app = await startTestApp({
      OIDC_PROVIDERS: JSON.stringify([
        {
          id: 'school',
          name: 'Springfield SSO',
          issuer: idp.issuer,
          client_id: 'roundtable',
          client_secret: 'browser-secret-0123456789',
        },
      ]),
    });
    idp.configure([
      {
        client_id: 'roundtable',
        client_secret: 'browser-secret-0123456789',
        redirect_uris: [`${app.url}/auth/oidc/school/callback`],
      },
    ]);
    idp.accounts.set('rivera', { email: 'rivera@school.example', email_verified: true, name: 'Ms Rivera' });
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    for (const p of people.splice(0)) await p.context.close();
    await browser?.close();
    await app?.close();
    await idp?.close();
  });

  /** From Roundtable's sign-in page through the provider's login and consent pages, back signed in. */
  async function signInWithSchool(someone: Person, atProvider: 'login' | 'already signed in there') {
    const { page } = someone;
    await page.goto(`${app.url}/login`);
    await screenshot(page, 'oidc-sign-in-page');
    await page.getByRole('link', { name: 'Sign in with Springfield SSO' }).click();
    if (atProvider === 'login') await login(someone);
    await page.waitForURL((url) => url.origin === app.url && url.pathname === '/');
    await page.getByText('Signed in as').waitFor();
  }

  async function login({ page }: Person) {
    await page.waitForURL((url) => url.origin === idp.issuer);
    await page.locator('input[name="login"]').fill('rivera');
    await page.locator('input[name="password"]').fill('anything');
    await page.locator('button[type="submit"]').click();
    // The provider asks once whether Roundtable may know who this is.
    const consent = page.getByRole('button', { name: 'Continue' });
    if (await consent.isVisible({ timeout: 5000 }).catch(() => false)) await consent.click();
  }

  it('signs the teacher in through the provider and keeps the same account the second time', async () => {
    const teacher = await person(browser, 'Ms Rivera');
    people.push(teacher);
    await signInWithSchool(teacher, 'login');
    await screenshot(teacher.page, 'oidc-signed-in');
    expect(await teacher.page.getByRole('navigation', { name: 'Account' }).textContent()).toContain('Ms Rivera');
    // The token never stays in the address bar.
    expect(teacher.page.url()).not.toContain('access_token');
    const first = await teacher.page.evaluate(() => JSON.parse(localStorage.getItem('roundtable.account')!).user.id);

    // Signed out of Roundtable, still signed in at the school's provider: one click signs in again.
    await teacher.page.getByRole('button', { name: 'Sign out' }).click();
    await signInWithSchool(teacher, 'already signed in there');
    const second = await teacher.page.evaluate(() => JSON.parse(localStorage.getItem('roundtable.account')!).user.id);
    expect(second).toBe(first);
    expect(teacher.errors).toEqual([]);
  });
});
