// The web client in the class's language: a class in Madrid (es-ES) and one in Cairo (ar-EG),
// a teacher and a student each, in Chromium with that browser language. The room renders with
// no English left in what people see (text, placeholders, labels, the tab's title), Arabic is
// laid out right to left, a refusal from the server is said in the page's language, and the
// language picker overrides the browser's and is remembered. Screenshots go to test-artifacts/.
import type { Browser, Page } from 'playwright-core';
import type { Catalogue } from '../../client/web/src/locales/catalogue.js';
import ar from '../../client/web/src/locales/ar.js';
import en from '../../client/web/src/locales/en.js';
import es from '../../client/web/src/locales/es.js';
import { FakeOpenAi } from '../support/fake-openai.js';
import { signUp, startTestApp, type TestApp, type TestUser } from '../support/test-app.js';
import { hasText, launchBrowser, person, screenshot, signedIn, textOf, until, type Person } from './support/browser.js';

const strings = (catalogue: Catalogue): string[] =>
  Object.values(catalogue).flatMap((v) => (typeof v === 'string' ? [v] : strings(v)));

/**
 * The English the page must not show in another language: each English string's literal parts
 * (between placeholders and markup) that no string of the other catalogue contains (so words a
 * language shares with English, "Tokens", "tutor", are allowed).
 */
function englishOnly(target: Catalogue): string[] {
  const theirs = strings(target);
  const fragments = strings(en)
    .flatMap((text) => text.split(/\{\{[^}]*\}\}|<\/?\w+>/))
    .map((part) => part.replace(/^[\s\p{P}]+|[\s\p{P}]+$/gu, ''))
    .filter((part) => part.length >= 4 && /\p{L}{3}/u.test(part));
  return [...new Set(fragments)].filter((part) => !theirs.some((text) => containsWord(text, part)));
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const containsWord = (text: string, part: string) =>
  new RegExp(`(^|[^\\p{L}])${escape(part)}($|[^\\p{L}])`, 'u').test(text);

/** What a person sees and hears of the page: its text, the placeholders, labels and tooltips, and the tab's title. */
function visibleText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const parts = [document.title, document.body.innerText];
    for (const element of document.querySelectorAll<HTMLElement>('[placeholder], [aria-label], [title]')) {
      if (!element.checkVisibility()) continue;
      for (const attribute of ['placeholder', 'aria-label', 'title'])
        if (element.hasAttribute(attribute)) parts.push(element.getAttribute(attribute)!);
    }
    return parts.join('\n');
  });
}

/** Common English words: none of them belongs in a Spanish or Arabic page's chrome. */
const ENGLISH_WORDS = /\b(the|you|your|and|with|waiting|ask|join|session|sign|send|people|nothing|here|tutor’s)\b/i;

async function englishLeftOn(page: Page, target: Catalogue): Promise<string[]> {
  // Addresses are not words: the join link and "127.0.0.1:3000/join" read the same in every language.
  const text = (await visibleText(page)).replace(/https?:\/\/\S+/g, '').replace(/[\w.-]+:\d+\/\S*/g, '');
  const left = englishOnly(target).filter((part) => containsWord(text, part));
  const words = text.split('\n').filter((line) => ENGLISH_WORDS.test(line));
  return [...left, ...words];
}

describe('the web client in Spanish and in Arabic', () => {
  let app: TestApp;
  let fake: FakeOpenAi;
  let browser: Browser;
  let teacherAccount: TestUser;
  const people: Person[] = [];

  beforeAll(async () => {
    fake = await new FakeOpenAi().start();
    app = await startTestApp({ OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'test-key', AGENT_MODEL: 'fake-model' });
    browser = await launchBrowser();
    teacherAccount = await signUp(app, 'Sra. García');
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await fake?.close();
  });

  afterEach(() => {
    expect(people.flatMap((p) => p.errors)).toEqual([]);
  });

  const classIn = async (locale: string, title: string, tutor: string, language: string) => {
    const { session } = await teacherAccount.api.createSession({
      title,
      turn_policy: 'round_robin',
      rate_limit: { messages: 3, per_seconds: 30 },
      agent: { name: tutor, language },
    });
    const teacher = await person(browser, `teacher-${locale}`, undefined, locale);
    const student = await person(browser, `student-${locale}`, undefined, locale);
    people.push(teacher, student);
    return { session, teacher, student };
  };

  const ask = async (student: Person, question: string) => {
    await student.page.getByTestId('composer-input').fill(question);
    await student.page.getByTestId('composer-input').press('Enter');
  };

  const answered = (page: Page, text: string) =>
    until(async () => (await page.getByTestId('message').filter({ hasText: text }).count()) > 0, `"${text}" on screen`);

  it('Spanish: a student joins, asks and reads the answer, and the teacher runs the room, with no English left', async () => {
    const { session, teacher, student } = await classIn('es-ES', 'Álgebra, 3.º B', 'Tutora', 'es');

    await student.page.goto(`${app.url}/`);
    await student.page.getByRole('textbox', { name: 'Código de la clase' }).fill('NOPE-0000');
    await student.page.getByLabel('Tu nombre de pila').fill('Lucía');
    await student.page.getByRole('button', { name: 'Entrar en la clase' }).click();
    // The server refuses with not_found: said in Spanish, for a class code.
    await hasText(student.page.getByRole('alert'), 'Ninguna sesión tiene este código. Compruébalo con tu profesor.');
    await student.page.getByRole('textbox', { name: 'Código de la clase' }).fill(session.join_code!);
    await student.page.getByRole('button', { name: 'Entrar en la clase' }).click();
    await student.page.getByTestId('composer-input').waitFor();
    expect(await student.page.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual([
      'es',
      'ltr',
    ]);

    await signedIn(teacher.page, app.url, teacherAccount, `/s/${session.id}`);
    await teacher.page.getByRole('heading', { name: 'Consola del moderador' }).waitFor();

    fake.next({ chunks: ['Una fracción ', 'es una parte ', 'de un entero.'] });
    await ask(student, '¿Qué es una fracción?');
    await answered(student.page, 'Una fracción es una parte de un entero.');
    await answered(teacher.page, 'Una fracción es una parte de un entero.');

    // Plurals and times in Spanish: the room's rate limit, a 24-hour clock (es-ES).
    await hasText(student.page.getByTestId('role-words'), 'Puedes preguntar al tutor');
    await hasText(student.page.locator('.room-header .meta'), 'como mucho 3 mensajes cada 30 s por persona');
    expect(await textOf(student.page.getByTestId('message').first().locator('time'))).toMatch(/^\d{2}:\d{2}$/);
    await hasText(teacher.page.getByTestId('presence'), 'Lucía');

    await screenshot(student.page, 'languages-es-student');
    await screenshot(teacher.page, 'languages-es-teacher');
    expect(await englishLeftOn(student.page, es)).toEqual([]);
    expect(await englishLeftOn(teacher.page, es)).toEqual([]);

    // The teacher's start page: the session list and the form to start one.
    await teacher.page.goto(`${app.url}/`);
    await teacher.page.getByRole('heading', { name: 'Crear una sesión' }).waitFor();
    await hasText(teacher.page.getByTestId('session-meta').first(), 'abierta');
    await screenshot(teacher.page, 'languages-es-home');
    expect(await englishLeftOn(teacher.page, es)).toEqual([]);
  });

  it('Spanish: the language picker overrides the browser’s language, is remembered, and can go back', async () => {
    const student = people.find((p) => p.name === 'student-es-ES')!;
    const picker = student.page.getByTestId('language-picker');
    await picker.selectOption('en');
    await hasText(student.page.getByTestId('role-words'), 'You can ask the tutor');
    await student.page.reload();
    await hasText(student.page.getByTestId('role-words'), 'You can ask the tutor');
    expect(await student.page.evaluate(() => document.documentElement.lang)).toBe('en');
    // "Browser language" forgets the pick: Spanish again, as the browser asks.
    await student.page.getByTestId('language-picker').selectOption('');
    await hasText(student.page.getByTestId('role-words'), 'Puedes preguntar al tutor');
    await student.page.reload();
    await hasText(student.page.getByTestId('role-words'), 'Puedes preguntar al tutor');
  });

  it('Spanish: a refused school sign-in is said in Spanish, from its code', async () => {
    const student = people.find((p) => p.name === 'student-es-ES')!;
    const refused = new URLSearchParams({
      sign_in_error: 'only @school.example accounts may sign in here with Springfield Staff',
      sign_in_error_code: 'domain',
      sign_in_provider: 'Springfield Staff',
      sign_in_domains: '@school.example',
    });
    await student.page.goto(`${app.url}/login?${refused}`);
    await hasText(
      student.page.getByTestId('sign-in-refused'),
      'Aquí solo pueden iniciar sesión con Springfield Staff las cuentas @school.example.',
    );
    expect(await englishLeftOn(student.page, es)).toEqual([]);
  });

  it('Arabic: the whole room is right to left, with no English left', async () => {
    const { session, teacher, student } = await classIn('ar-EG', 'الرياضيات - الصف الثالث', 'المساعد', 'ar');

    await student.page.goto(`${app.url}/`);
    await student.page.getByRole('textbox', { name: 'رمز الصف' }).fill(session.join_code!);
    await student.page.getByLabel('اسمك الأول').fill('ليلى');
    await student.page.getByRole('button', { name: 'الانضمام إلى الصف' }).click();
    await student.page.getByTestId('composer-input').waitFor();
    expect(await student.page.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual([
      'ar',
      'rtl',
    ]);

    await signedIn(teacher.page, app.url, teacherAccount, `/s/${session.id}`);
    await teacher.page.getByRole('heading', { name: 'لوحة المشرف' }).waitFor();

    fake.next({ chunks: ['الكسر ', 'جزء ', 'من الكل.'] });
    await ask(student, 'ما هو الكسر؟');
    await answered(student.page, 'الكسر جزء من الكل.');
    await answered(teacher.page, 'الكسر جزء من الكل.');

    // Mirrored: the conversation starts at the right, the sidebar is to its left, and text starts at the right.
    for (const page of [student.page, teacher.page]) {
      const conversation = (await page.locator('.conversation-pane').boundingBox())!;
      const sidebar = (await page.locator('.sidebar').boundingBox())!;
      expect(conversation.x).toBeGreaterThan(sidebar.x);
      expect(await page.locator('.room-header h1').evaluate((h) => getComputedStyle(h).direction)).toBe('rtl');
    }
    // The join code and links stay left to right inside the Arabic page.
    expect(await teacher.page.getByTestId('join-code').evaluate((c) => getComputedStyle(c).direction)).toBe('ltr');
    await hasText(student.page.getByTestId('role-words'), 'يمكنك سؤال المساعد الذكي');

    await screenshot(student.page, 'languages-ar-student');
    await screenshot(teacher.page, 'languages-ar-teacher');
    expect(await englishLeftOn(student.page, ar)).toEqual([]);
    expect(await englishLeftOn(teacher.page, ar)).toEqual([]);

    // The present view, for the class's projector: Arabic too, right to left.
    await teacher.page.goto(`${app.url}/s/${session.id}/present`);
    await teacher.page.getByTestId('present-code').waitFor();
    await hasText(teacher.page.getByTestId('present-status'), 'المساعد: جاهز');
    expect(await teacher.page.evaluate(() => document.documentElement.dir)).toBe('rtl');
    await screenshot(teacher.page, 'languages-ar-present');
    expect(await englishLeftOn(teacher.page, ar)).toEqual([]);
    await teacher.page.goto(`${app.url}/s/${session.id}`);
    await teacher.page.getByRole('heading', { name: 'لوحة المشرف' }).waitFor();
  });

  it('the check for English left on the page would see some', async () => {
    const teacher = people.find((p) => p.name === 'teacher-ar-EG')!;
    await teacher.page.evaluate(() => {
      const stray = document.createElement('p');
      stray.textContent = 'Waiting for your approval';
      document.body.append(stray);
    });
    expect(await englishLeftOn(teacher.page, ar)).toContain('Waiting for your approval');
  });
});
