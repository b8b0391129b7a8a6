// Safe for minors in a browser: a teacher on a laptop, students on phones. A student's
// self-harm message lights up the teacher's flag panel, stays hidden from the class, and is
// released by the teacher. Screenshots go to test-artifacts/.
import type { Browser } from 'playwright-core';
import { FakeOpenAi } from '../support/fake-openai.js';
import { signUp, startTestApp, type TestApp, type TestUser } from '../support/test-app.js';
import {
  hasText,
  joinWithCode,
  launchBrowser,
  person,
  screenshot,
  signedIn,
  until,
  type Person,
} from './support/browser.js';

const PHONE = { width: 390, height: 844 };
const LAPTOP = { width: 1366, height: 900 };

describe('safety in a browser', () => {
  let app: TestApp;
  let fake: FakeOpenAi;
  let browser: Browser;
  let teacherAccount: TestUser;
  const people: Person[] = [];

  async function open(name: string, viewport: { width: number; height: number }) {
    const someone = await person(browser, name, viewport);
    people.push(someone);
    return someone;
  }

  async function student(name: string, code: string): Promise<Person> {
    const phone = await open(name, PHONE);
    await joinWithCode(phone.page, app.url, code, name);
    return phone;
  }

  beforeAll(async () => {
    fake = await new FakeOpenAi().start();
    // A local model server: the offline classifier checks.
    app = await startTestApp({ OPENAI_BASE_URL: fake.url, AGENT_MODEL: 'fake-model' });
    browser = await launchBrowser();
    teacherAccount = await signUp(app, 'Ms Rivera');
  });

  afterAll(async () => {
    for (const p of people.splice(0)) await p.context.close();
    await browser?.close();
    await app?.close();
    await fake?.close();
  });

  afterEach(() => expect(people.flatMap((p) => p.errors)).toEqual([]));

  it('a held message lights up the flag panel; the teacher releases it, the class sees it and the tutor answers', async () => {
    const { session } = await teacherAccount.api.createSession({ title: 'Wellbeing, period 2' });
    const teacher = await open('teacher', LAPTOP);
    await signedIn(teacher.page, app.url, teacherAccount, `/s/${session.id}`);
    await teacher.page.getByRole('heading', { name: 'Moderator console' }).waitFor();
    const ada = await student('Ada', session.join_code!);
    const bo = await student('Bo', session.join_code!);

    const text = 'I want to hurt myself, I cannot do this any more';
    await ada.page.getByTestId('composer-input').fill(text);
    await ada.page.getByTestId('composer-input').press('Enter');

    // The teacher's panel lights up with the alert and the words.
    const panel = teacher.page.getByTestId('flag-panel');
    await hasText(panel, 'self-harm');
    await hasText(panel.getByTestId('flag-text'), 'I want to hurt myself');
    expect(await panel.getByTestId('flag').getAttribute('data-action')).toBe('held');
    // Ada reads that it is held, and the help message; Bo sees none of it.
    await hasText(ada.page.getByTestId('conversation'), 'held: only you and your teacher can see this');
    await hasText(ada.page.getByTestId('conversation'), 'You are not alone');
    await screenshot(teacher.page, 'safety-flag-panel');
    await screenshot(ada.page, 'safety-held-student');
    expect(await bo.page.getByTestId('conversation').textContent()).not.toContain('hurt myself');

    fake.next({ chunks: ["I'm really sorry it feels this way, Ada. ", 'Please talk with Ms Rivera today.'] });
    await panel.getByRole('button', { name: 'Release the message from Ada' }).click();
    await hasText(teacher.page.getByTestId('console-feedback'), 'Released Ada’s message: done.');
    await hasText(bo.page.getByTestId('conversation'), text);
    await hasText(bo.page.getByTestId('conversation'), 'Please talk with Ms Rivera today.');
    // Resolved: the panel has nothing open any more.
    await until(async () => (await teacher.page.getByTestId('flag-panel').count()) === 0, 'the flag panel to clear');
    await screenshot(bo.page, 'safety-released-class');
  }, 60_000);
});
