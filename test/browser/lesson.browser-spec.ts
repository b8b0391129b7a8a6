// A lesson as a teacher runs one: a teacher at 1366×768, a projector at
// 1920×1080, students on 390×844 phones and a class of scripted students (SDK
// clients). Screenshots go to test-artifacts/.
import jsqr from 'jsqr';
import type { Browser, Locator } from 'playwright-core';
import type { AuthAnswer } from '../../client/sdk/roundtable-api.js';
import type { RoundtableClient, WireSession } from '../../client/sdk/roundtable-client.js';
import { FakeOpenAi } from '../support/fake-openai.js';
import { connect, signUp, startTestApp, type TestApp, type TestUser } from '../support/test-app.js';
import {
  hasText,
  joinWithCode,
  launchBrowser,
  person,
  screenshot,
  signedIn as openSignedIn,
  textOf,
  until,
  type Person,
} from './support/browser.js';

const lacksText = async (locator: Locator, unexpected: string) =>
  expect(await locator.textContent()).not.toContain(unexpected);

// jsqr's types describe its module object; at run time the default import is the decoder itself.
const jsQR = jsqr as unknown as (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;

const PHONE = { width: 390, height: 844 };
const LAPTOP = { width: 1366, height: 768 };
const PROJECTOR = { width: 1920, height: 1080 };

describe('a lesson in a browser', () => {
  let app: TestApp;
  let fake: FakeOpenAi;
  let browser: Browser;
  const people: Person[] = [];
  let teacherAccount: TestUser;

  /** A person on a screen of this size, closed after each test. */
  async function open(name: string, viewport: { width: number; height: number }): Promise<Person> {
    const someone = await person(browser, name, viewport);
    people.push(someone);
    return someone;
  }

  const signedIn = (who: Person, account: Pick<AuthAnswer, 'access_token' | 'user'>, path: string) =>
    openSignedIn(who.page, app.url, account, path);

  /** A phone that joins with the class code from the landing page, as a student would. */
  async function student(name: string, code: string): Promise<Person> {
    const phone = await open(name, PHONE);
    await joinWithCode(phone.page, app.url, code, name);
    return phone;
  }

  async function lesson(settings: Record<string, unknown>): Promise<WireSession> {
    return (await teacherAccount.api.createSession({ title: 'Algebra, period 3', ...settings })).session;
  }

  async function bots(session: WireSession, names: string[]): Promise<RoundtableClient[]> {
    const clients: RoundtableClient[] = [];
    for (const name of names) {
      const guest = await app.api.guest(session.join_code!, name);
      const client = await connect(app, guest.access_token);
      await client.join(session.id);
      clients.push(client);
    }
    return clients;
  }

  async function teacherIn(session: WireSession): Promise<Person> {
    const teacher = await open('teacher', LAPTOP);
    await signedIn(teacher, teacherAccount, `/s/${session.id}`);
    await teacher.page.getByRole('heading', { name: 'Moderator console' }).waitFor();
    return teacher;
  }

  async function closeAll() {
    for (const p of people.splice(0)) await p.context.close();
  }

  beforeAll(async () => {
    fake = await new FakeOpenAi().start();
    app = await startTestApp({ OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'test-key', AGENT_MODEL: 'fake-model' });
    browser = await launchBrowser();
    teacherAccount = await signUp(app, 'Ms Rivera');
  });

  afterAll(async () => {
    await closeAll();
    await browser?.close();
    await app?.close();
    await fake?.close();
  });

  afterEach(async () => {
    // The app must never throw in a page, whatever happened in the test.
    expect(people.flatMap((p) => p.errors)).toEqual([]);
    await closeAll();
  });

  it('the present view shows the code and a QR code of the join link, and never a staff note or a pending question', async () => {
    const session = await lesson({ turn_policy: 'moderated' });
    const teacher = await teacherIn(session);
    expect(await teacher.page.getByTestId('present-button').getAttribute('href')).toBe(`/s/${session.id}/present`);
    const projector = await open('projector', PROJECTOR);
    await signedIn(projector, teacherAccount, `/s/${session.id}/present`);
    await hasText(projector.page.getByTestId('present-code'), session.join_code!);
    // The QR code decodes to the join link.
    const decoded = await until(async () => {
      const pixels = await projector.page.getByTestId('present-qr').evaluate((canvas: HTMLCanvasElement) => {
        const image = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
        return { width: image.width, height: image.height, data: Array.from(image.data) };
      });
      return jsQR(Uint8ClampedArray.from(pixels.data), pixels.width, pixels.height);
    }, 'a QR code that decodes');
    expect(decoded?.data).toBe(`${app.url}/join/${session.join_code}`);
    await screenshot(projector.page, 'present-before-class');

    // A private note and a question waiting for approval stay off the screen; an approved one appears.
    await teacher.page.getByLabel('Private note to staff').check();
    await teacher.page.getByTestId('composer-input').fill('Fred needs a chat after class');
    await teacher.page.getByTestId('composer-input').press('Enter');
    await teacher.page.getByLabel('Private note to staff').uncheck();
    const [fred] = await bots(session, ['Fred']);
    fake.next({ chunks: ['Slope is rise ', 'over run.'], delayMs: 50 });
    await fred.send(session.id, 'can u do my homework');
    const question = await fred.send(session.id, 'What is a slope?');
    const inbox = teacher.page.getByTestId('approval-inbox');
    await hasText(inbox, 'What is a slope?');
    await hasText(inbox, 'Waiting for your approval (2)');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const screen = projector.page.getByTestId('present');
    await lacksText(screen, 'Fred needs');
    await lacksText(screen, 'homework');
    await lacksText(screen, 'What is a slope?');
    await inbox
      .getByRole('listitem')
      .filter({ hasText: 'What is a slope?' })
      .getByRole('button', { name: /^Approve Fred/ })
      .click();
    await hasText(screen, 'What is a slope?');
    await hasText(screen, 'Slope is rise over run.');
    await lacksText(screen, 'homework');
    await lacksText(screen, 'Fred needs');
    // The screen is no participant, and the code can be hidden once class starts.
    await projector.page.getByRole('button', { name: 'Hide the code' }).click();
    expect(await projector.page.getByTestId('present-code').count()).toBe(0);
    await screenshot(projector.page, 'present-during-class');
    expect(await teacher.page.getByTestId('presence').textContent()).toMatch(/Ms Rivera/);
    expect((await teacher.page.getByTestId('presence').textContent())!.match(/Ms Rivera/g)).toHaveLength(1);
    void question;
  });

  it('moderated: a pending question stays off another student’s phone until approved; a dismissed one shows as dismissed to its author', async () => {
    const session = await lesson({ turn_policy: 'moderated' });
    const teacher = await teacherIn(session);
    const amira = await student('Amira', session.join_code!);
    const ben = await student('Ben', session.join_code!);
    await hasText(amira.page.getByTestId('role-words'), 'You can ask the tutor');
    fake.next({ chunks: ['A prime has ', 'two divisors.'] });
    for (const text of ['What is a prime?', 'can u do my homework 4 me']) {
      await amira.page.getByTestId('composer-input').fill(text);
      await amira.page.getByTestId('composer-input').press('Enter');
    }
    await hasText(amira.page.getByTestId('held'), 'What is a prime?');
    await hasText(amira.page.getByTestId('held'), 'homework');
    const inbox = teacher.page.getByTestId('approval-inbox');
    await hasText(inbox, 'homework');
    await lacksText(ben.page.getByTestId('conversation'), 'prime');
    await lacksText(ben.page.getByTestId('conversation'), 'homework');
    await screenshot(ben.page, 'moderated-other-student-before-approval');

    await teacher.page
      .getByLabel('Reason shown to the student when you dismiss (optional)')
      .fill('please ask about today’s topic');
    await inbox
      .getByRole('listitem')
      .filter({ hasText: 'homework' })
      .getByRole('button', { name: /^Dismiss Amira/ })
      .click();
    await hasText(amira.page.getByTestId('dismissed'), 'dismissed: please ask about today’s topic');
    await inbox
      .getByRole('listitem')
      .filter({ hasText: 'What is a prime?' })
      .getByRole('button', { name: /^Approve Amira/ })
      .click();
    await hasText(ben.page.getByTestId('conversation'), 'What is a prime?');
    await hasText(ben.page.getByTestId('conversation'), 'A prime has two divisors.');
    await lacksText(ben.page.getByTestId('conversation'), 'homework');
    await screenshot(amira.page, 'moderated-author-dismissed');
  });

  it('muting a flooder drops his waiting questions, and undo brings them back', async () => {
    const session = await lesson({ turn_policy: 'fifo' });
    const teacher = await teacherIn(session);
    await teacher.page.getByRole('button', { name: 'Pause tutor (answer yourself)' }).click();
    const [flooder, polite] = await bots(session, ['Kyle', 'Lena']);
    for (let i = 0; i < 3; i++) await flooder.send(session.id, `lol ${i}`);
    await polite.send(session.id, 'What is a vector?');
    const queue = teacher.page.getByTestId('agent-queue');
    await until(async () => (await queue.getByRole('listitem').count()) === 4, 'four in the queue');
    const row = teacher.page.getByTestId('member').filter({ hasText: 'Kyle' });
    await row.getByRole('button', { name: /^Kyle: show controls/ }).click();
    await row.getByLabel('Mute Kyle').selectOption({ label: '5 minutes' });
    await hasText(teacher.page.getByTestId('console-feedback'), 'Muted Kyle: 3 waiting questions dropped.');
    await until(async () => (await queue.getByRole('listitem').count()) === 1, 'only Lena left in the queue');
    await teacher.page.getByTestId('console-feedback').getByRole('button', { name: 'Undo' }).click();
    await hasText(teacher.page.getByTestId('console-feedback'), 'Unmuted Kyle and brought back their questions: done.');
    await until(async () => (await queue.getByRole('listitem').count()) === 4, 'the three back in the queue');
  });

  it('a student’s phone shows their place and an estimated wait, counting down', async () => {
    const session = await lesson({ turn_policy: 'fifo' });
    const teacher = await teacherIn(session);
    const others = await bots(session, ['Ana', 'Bo', 'Cy']);
    const nia = await student('Nia', session.join_code!);
    // Answers take about a second each (four chunks, 250 ms apart).
    fake.next(...Array.from({ length: 6 }, () => ({ chunks: ['a ', 'b ', 'c ', 'd'], delayMs: 250 })));
    await others[0].send(session.id, 'warm-up');
    await hasText(nia.page.getByTestId('conversation'), 'a b c d');
    for (const [i, client] of others.entries()) await client.send(session.id, `question ${i}`);
    await nia.page.getByTestId('composer-input').fill('Where do I put the minus sign?');
    await nia.page.getByTestId('composer-input').press('Enter');
    const place = nia.page.getByTestId('my-place');
    const first = await hasText(place, /(3rd|4th) in line · about \d+ s/);
    await screenshot(nia.page, 'phone-place-in-line');
    // It counts down as the questions ahead are answered.
    const placeOf = (text: string) => Number(/(\d)(st|nd|rd|th) in line/.exec(text)?.[1] ?? 0);
    await until(async () => {
      const now = placeOf(await textOf(place));
      return now > 0 && now < placeOf(first);
    }, 'a place nearer the front');
    await hasText(place, /next|answering you/);
    await hasText(nia.page.getByTestId('conversation'), 'a b c d');
    void teacher;
  });

  it('under votes, an upvote reorders the queue', async () => {
    const session = await lesson({ turn_policy: 'votes' });
    const teacher = await teacherIn(session);
    await teacher.page.getByRole('button', { name: 'Pause tutor (answer yourself)' }).click();
    const [ana, bo] = await bots(session, ['Ana', 'Bo']);
    const zoe = await student('Zoe', session.join_code!);
    await ana.send(session.id, 'Why factor?');
    await bo.send(session.id, 'What is a parabola?');
    const queue = teacher.page.getByTestId('agent-queue');
    await until(async () => (await queue.getByRole('listitem').count()) === 2, 'two in the queue');
    expect(await textOf(queue.getByRole('listitem').first())).toContain('Ana');
    await zoe.page.getByRole('button', { name: /^Upvote the question from Bo/ }).click();
    await hasText(zoe.page.getByTestId('message').filter({ hasText: 'parabola' }).getByTestId('votes'), '1');
    await until(
      async () => (await textOf(queue.getByRole('listitem').first())).includes('Bo'),
      'Bo first after the upvote',
    );
    expect(
      await zoe.page.getByRole('button', { name: /^Upvote the question from Bo/ }).getAttribute('aria-pressed'),
    ).toBe('true');
  });

  it('anonymous asking hides the name from classmates and from the tutor, not from the teacher', async () => {
    const session = await lesson({ turn_policy: 'fifo', anonymous_questions: true });
    const teacher = await teacherIn(session);
    const hana = await student('Hana', session.join_code!);
    const ivo = await student('Ivo', session.join_code!);
    await hana.page.getByLabel(/Ask anonymously/).check();
    await hana.page.getByTestId('composer-input').fill('I still do not get fractions');
    await hana.page.getByTestId('composer-input').press('Enter');
    const onIvo = ivo.page.getByTestId('message').filter({ hasText: 'I still do not get fractions' });
    await hasText(onIvo, 'A student');
    await lacksText(onIvo, 'Hana');
    await hasText(teacher.page.getByTestId('message').filter({ hasText: 'I still do not get fractions' }), 'Hana');
    await until(
      async () => fake.requests.some((r) => JSON.stringify(r.messages).includes('I still do not get fractions')),
      'the tutor to be asked',
    );
    const turn = fake.requests
      .flatMap((r) => r.messages)
      .find((m) => m.role === 'user' && m.content.includes('fractions'))!;
    expect(turn.content).not.toContain('Hana');
    await screenshot(ivo.page, 'anonymous-question-peer-view');
  });

  it('guests with the same name get a suffix; the teacher sees which seats are guests', async () => {
    const session = await lesson({});
    const teacher = await teacherIn(session);
    const first = await student('Amira', session.join_code!);
    const second = await student('Amira', session.join_code!);
    await hasText(second.page.locator('.account'), 'Amira 2');
    await hasText(first.page.locator('.account'), 'Amira');
    expect(await second.page.getByRole('link', { name: 'Sign in' }).count()).toBe(0);
    await teacher.page.getByLabel('Search people').fill('amira');
    const rows = teacher.page.getByTestId('member');
    await until(async () => (await rows.count()) === 2, 'two Amiras found');
    await hasText(rows.filter({ hasText: 'Amira 2' }), 'guest');
  });

  it('closing the session turns every control off on every open page', async () => {
    const session = await lesson({ turn_policy: 'fifo' });
    const teacher = await teacherIn(session);
    await teacher.page.getByRole('button', { name: 'Pause tutor (answer yourself)' }).click();
    const olu = await student('Olu', session.join_code!);
    await olu.page.getByTestId('composer-input').fill('Will this be on the test?');
    await olu.page.getByTestId('composer-input').press('Enter');
    await hasText(olu.page.getByTestId('my-place'), 'next');
    await teacherAccount.api.closeSession(session.id);
    for (const page of [teacher.page, olu.page]) {
      await hasText(page.getByRole('status').filter({ hasText: 'This session has ended' }), 'This session has ended');
      await until(() => page.getByTestId('composer-input').isDisabled(), 'the composer off');
    }
    await hasText(olu.page.getByTestId('message').filter({ hasText: 'on the test' }), 'not answered: session closed');
    expect(await olu.page.getByTestId('my-place').count()).toBe(0);
    expect(await teacher.page.locator('.console-body').evaluate((el: HTMLFieldSetElement) => el.disabled)).toBe(true);
    expect(await teacher.page.getByTestId('present-button').count()).toBe(0);
    await screenshot(olu.page, 'closed-student');
  });

  it('the console with 30 participants fits a laptop screen and searches', async () => {
    const session = await lesson({ turn_policy: 'round_robin' });
    const names = Array.from({ length: 30 }, (_, i) => `Student ${String(i + 1).padStart(2, '0')}`);
    await bots(session, names);
    const teacher = await teacherIn(session);
    await hasText(teacher.page.getByRole('heading', { name: /^People/ }), 'People (31, 31 here now)');
    // One row per person, no controls until one is chosen.
    expect(await teacher.page.getByTestId('member-controls').count()).toBe(0);
    const rowHeight = await teacher.page
      .getByTestId('member')
      .first()
      .evaluate((el) => el.getBoundingClientRect().height);
    expect(rowHeight).toBeLessThan(48);
    await teacher.page.getByLabel('Search people').fill('17');
    await until(async () => (await teacher.page.getByTestId('member').count()) === 1, 'one match');
    await teacher.page.getByRole('button', { name: /^Student 17: show controls/ }).click();
    await teacher.page.getByTestId('member-controls').getByRole('button', { name: 'Remove Student 17' }).waitFor();
    // Every control on the page has its own accessible name.
    const names2 = await teacher.page
      .getByRole('button')
      .evaluateAll((buttons) =>
        buttons
          .filter((b) => (b as HTMLElement).offsetParent !== null)
          .map((b) => b.getAttribute('aria-label') ?? b.textContent?.trim() ?? ''),
      );
    const repeated = names2.filter((n, i) => names2.indexOf(n) !== i);
    expect(repeated).toEqual([]);
    await screenshot(teacher.page, 'console-30');
  });
});
