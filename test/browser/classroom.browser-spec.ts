// The web client in a real browser: a teacher, students and an observer, each in
// their own Chromium context, in one live session served by the real app (the
// built client at /, the real gateway, the real `openai` SDK against a local
// OpenAI-compatible server). Screenshots of each role's page go to test-artifacts/.
import type { Browser, Locator, Page } from 'playwright-core';
import { RoundtableClient } from '../../client/sdk/roundtable-client.js';
import { FakeOpenAi } from '../support/fake-openai.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import {
  conversationLines,
  CuttableLink,
  hasText,
  launchBrowser,
  person,
  screenshot,
  textOf,
  until,
  type Person,
} from './support/browser.js';

/** A person's row in the teacher's console, with their controls open (they open on the person chosen). */
async function memberControls(page: Page, name: string): Promise<Locator> {
  const row = page.getByTestId('member').filter({ hasText: name });
  if ((await row.getByTestId('member-controls').count()) === 0)
    await row.getByRole('button', { name: new RegExp(`^${name}: show controls`) }).click();
  return row;
}

async function joinAsGuest(page: Page, origin: string, code: string, name: string) {
  await page.goto(`${origin}/join/${code}`);
  await page.getByLabel('Your name').fill(name);
  await page.getByRole('button', { name: 'Join' }).click();
  await page.getByTestId('composer-input').waitFor();
}

describe('the classroom in a browser', () => {
  let app: TestApp;
  let fake: FakeOpenAi;
  let browser: Browser;
  let link: CuttableLink;
  let teacher: Person;
  let ada: Person;
  let ben: Person;
  let sam: Person;
  let joinCode: string;
  const everyone = () => [teacher, ada, ben, sam].filter(Boolean);

  beforeAll(async () => {
    fake = await new FakeOpenAi().start();
    app = await startTestApp({ OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'test-key', AGENT_MODEL: 'fake-model' });
    const { port } = new URL(app.url);
    link = await new CuttableLink({ host: '127.0.0.1', port: Number(port) }).start();
    browser = await launchBrowser();
    teacher = await person(browser, 'teacher');
    ada = await person(browser, 'ada');
    ben = await person(browser, 'ben');
    sam = await person(browser, 'sam');
  });

  afterAll(async () => {
    await browser?.close();
    await link?.close();
    await app?.close();
    await fake?.close();
  });

  afterEach(() => {
    // The app must never throw in a page, whatever happened in the test.
    expect(everyone().flatMap((p) => p.errors)).toEqual([]);
  });

  it('a teacher registers, starts a hand-raise session and gets a join code', async () => {
    const { page } = teacher;
    await page.goto(`${app.url}/`);
    await page.getByRole('tab', { name: 'Create an account' }).click();
    await page.getByLabel('Email').fill('teacher@example.org');
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByLabel('Your name').fill('Ms Rivera');
    await page.getByRole('button', { name: 'Create account' }).click();

    await page.getByLabel('Title').fill('Algebra, period 3');
    await page.getByLabel('Turn policy').selectOption('hand_raise');
    await page.getByLabel('Tutor instructions').fill('Guide students; do not just give answers.');
    await page.getByRole('button', { name: 'Create session' }).click();

    await page.getByRole('heading', { name: 'Algebra, period 3' }).waitFor();
    joinCode = await hasText(page.getByTestId('join-code'), /\S+/);
    await page.getByRole('heading', { name: 'Moderator console' }).waitFor();
    // The teacher may always write, whatever the policy.
    expect(await page.getByTestId('composer-input').isEnabled()).toBe(true);
  });

  it('students join by link; without the floor their composer says to raise a hand', async () => {
    await joinAsGuest(ada.page, app.url, joinCode, 'Ada');
    await joinAsGuest(ben.page, link.url, joinCode, 'Ben'); // Ben's network goes through a link the test can cut
    for (const student of [ada, ben]) {
      expect(await student.page.getByTestId('composer-input').isDisabled()).toBe(true);
      await hasText(student.page.getByTestId('composer-reason'), 'raise your hand to ask');
    }
    // Everyone sees who is here.
    for (const p of [teacher, ada, ben]) {
      await until(
        async () => (await textOf(p.page.getByTestId('presence'))).match(/Ms Rivera.*Ada.*Ben|Ms Rivera.*Ben.*Ada/s),
        `${p.name} sees all three present`,
      );
    }
  });

  it('a student raises a hand, the teacher grants the floor, and all see the same streamed answer', async () => {
    // Keyboard only: focus the button and press Enter.
    await ada.page.getByRole('button', { name: 'Raise hand' }).focus();
    await ada.page.keyboard.press('Enter');
    await hasText(ada.page.getByTestId('composer-reason'), 'your hand is raised (1st in line)');
    await hasText(teacher.page.getByTestId('hands'), 'Ada');
    await hasText(ben.page.getByTestId('hands'), 'Ada');

    await teacher.page.getByTestId('hands').getByRole('button', { name: 'Give the floor to Ada' }).click();
    await hasText(teacher.page.getByTestId('console-feedback'), 'Floor to Ada: done.');
    await hasText(ada.page.getByTestId('composer-reason'), 'you have the floor');
    expect(await ada.page.getByTestId('composer-input').isEnabled()).toBe(true);

    const answer = ['A prime ', 'number ', 'has exactly ', 'two ', 'divisors: ', '1 ', 'and ', 'itself.'];
    fake.next({ chunks: answer, delayMs: 350 });
    await ada.page.getByTestId('composer-input').fill('What is a prime number?');
    await ada.page.getByTestId('composer-input').press('Enter');

    // While it streams, every page shows the partial answer and whom the tutor is answering.
    await Promise.all(
      [teacher, ada, ben].map(async (p) => {
        await hasText(p.page.getByTestId('agent-status'), 'answering Ada');
        await hasText(p.page.getByTestId('streaming-content'), 'A prime number');
      }),
    );
    await screenshot(teacher.page, 'teacher-while-streaming');
    const full = answer.join('');
    await Promise.all(
      [teacher, ada, ben].map((p) =>
        hasText(p.page.getByTestId('conversation').locator('[data-testid="message"]').last(), full),
      ),
    );
    const lines = await conversationLines(teacher.page);
    expect(lines.some((l) => l.includes('Ada | contributor') && l.endsWith('What is a prime number?'))).toBe(true);
    expect(lines[lines.length - 1]).toMatch(/^\d+ \| tutor \| tutor \| /);
    expect(await conversationLines(ada.page)).toEqual(lines);
    expect(await conversationLines(ben.page)).toEqual(lines);
    // A screen reader on Ben's page heard Ada's question and the answer.
    await hasText(ben.page.getByTestId('announcer'), 'Ada: What is a prime number?');
    await hasText(ben.page.getByTestId('announcer'), full);
    // The floor went back once Ada was answered.
    await hasText(ada.page.getByTestId('composer-reason'), 'raise your hand to ask');
    await screenshot(ada.page, 'student-after-answer');
  });

  it('an observer sees the same live view and cannot type', async () => {
    await joinAsGuest(sam.page, app.url, joinCode, 'Sam');
    const member = await memberControls(teacher.page, 'Sam');
    await member.getByLabel('Role of Sam').selectOption('observer');
    await hasText(teacher.page.getByTestId('console-feedback'), 'Sam is now observer: done.');
    await hasText(sam.page.getByTestId('composer-reason'), 'observers can read only');
    expect(await sam.page.getByTestId('composer-input').isDisabled()).toBe(true);
    expect(await sam.page.getByRole('button', { name: 'Send' }).isDisabled()).toBe(true);
    expect(await sam.page.getByRole('heading', { name: 'Moderator console' }).count()).toBe(0);
    expect(await sam.page.getByRole('button', { name: 'Raise hand' }).count()).toBe(0);
    expect(await sam.page.getByRole('button', { name: /^Delete/ }).count()).toBe(0);
    expect(await conversationLines(sam.page)).toEqual(await conversationLines(teacher.page));
    await screenshot(sam.page, 'observer');
  });

  it('every control on every role’s page has a name a screen reader can say', async () => {
    for (const p of [teacher, ada, sam]) {
      const unnamed = await p.page.$$eval('button, input, select, textarea, [tabindex]', (elements) =>
        elements
          .filter((el) => {
            const control = el as HTMLInputElement;
            const named =
              (control.labels && control.labels.length > 0) ||
              el.getAttribute('aria-label') ||
              el.getAttribute('aria-labelledby') ||
              (el.tagName === 'BUTTON' && el.textContent?.trim());
            return !named;
          })
          .map((el) => el.outerHTML.slice(0, 120)),
      );
      expect({ page: p.name, unnamed }).toEqual({ page: p.name, unnamed: [] });
    }
  });

  it('after its network is cut and restored, a page shows the conversation line for line', async () => {
    link.cut();
    await hasText(ben.page.getByTestId('connection-banner'), 'Reconnecting');
    fake.next({ chunks: ['Good ', 'question, ', 'class: ', 'a composite ', 'number ', 'has more.'], delayMs: 200 });
    await teacher.page.getByTestId('composer-input').fill('And what is a composite number?');
    await teacher.page.getByTestId('composer-input').press('Enter');
    await hasText(teacher.page.getByTestId('streaming-content'), 'Good question');
    await screenshot(ben.page, 'student-offline');
    link.restore();
    await hasText(ben.page.getByTestId('connection-banner'), 'Reconnected');
    const last = 'Good question, class: a composite number has more.';
    await Promise.all(
      [teacher, ben, sam].map((p) =>
        hasText(p.page.getByTestId('conversation').locator('[data-testid="message"]').last(), last),
      ),
    );
    const lines = await conversationLines(teacher.page);
    expect(await conversationLines(ben.page)).toEqual(lines);
    expect(new Set(lines).size).toBe(lines.length);
    expect(lines.filter((l) => l.endsWith('And what is a composite number?'))).toHaveLength(1);
    expect(await ben.page.getByTestId('composer-reason').textContent()).toContain('raise your hand to ask');
  });

  it('the rate limit disables the composer with a countdown', async () => {
    await teacher.page.getByLabel('Turn policy').selectOption('round_robin');
    await teacher.page.getByLabel('Rate limit per person').check();
    await teacher.page.getByLabel('Messages', { exact: true }).fill('1');
    await teacher.page.getByLabel('per seconds', { exact: true }).fill('60');
    await teacher.page.getByRole('button', { name: 'Apply settings' }).click();
    await hasText(teacher.page.getByTestId('console-feedback'), 'Settings saved: done.');
    await until(() => ada.page.getByTestId('composer-input').isEnabled(), 'Ada may write under round robin');

    await ada.page.getByTestId('composer-input').fill('Is 1 prime?');
    await ada.page.getByTestId('composer-input').press('Enter');
    const reason = await hasText(ada.page.getByTestId('composer-reason'), /rate limit: try again in \d+ s/);
    expect(Number(reason.match(/in (\d+) s/)![1])).toBeGreaterThan(50);
    expect(await ada.page.getByTestId('composer-input').isDisabled()).toBe(true);
    await screenshot(ada.page, 'student-rate-limited');
  });

  it('people see who is typing', async () => {
    await ben.page.getByTestId('composer-input').fill('Hmm, what about');
    await hasText(ada.page.getByTestId('typing'), 'Ben is typing…');
    await hasText(teacher.page.getByTestId('presence'), 'typing…');
    await ben.page.getByTestId('composer-input').fill('');
    await until(async () => (await textOf(ada.page.getByTestId('typing'))) === '', 'the typing line to clear');
  });

  it('the teacher deletes a message: everyone sees the tombstone in its place', async () => {
    const target = teacher.page.getByTestId('message').filter({ hasText: 'Is 1 prime?' });
    await target.getByRole('button', { name: /^Delete the message from Ada/ }).click();
    await hasText(teacher.page.getByTestId('console-feedback'), 'Deleted the message from Ada: done.');
    await Promise.all(
      [teacher, ada, ben, sam].map((p) =>
        hasText(p.page.getByTestId('conversation'), 'This message was deleted by a moderator.'),
      ),
    );
    const lines = await conversationLines(teacher.page);
    expect(lines.some((l) => l.endsWith('| Is 1 prime?'))).toBe(false);
    for (const p of [ada, ben, sam]) expect(await conversationLines(p.page)).toEqual(lines);
  });

  it('mute and lock close a student’s composer with the reason, and unmute and unlock open it', async () => {
    const benRow = await memberControls(teacher.page, 'Ben');
    await benRow.getByLabel('Mute Ben').selectOption({ label: '1 minute' });
    await hasText(teacher.page.getByTestId('console-feedback'), 'Muted Ben for 1 minute: done.');
    await hasText(ben.page.getByTestId('composer-reason'), /you are muted: try again in \d+ s/);
    expect(await ben.page.getByTestId('composer-input').isDisabled()).toBe(true);
    await benRow.getByRole('button', { name: 'Unmute Ben' }).click();
    await until(() => ben.page.getByTestId('composer-input').isEnabled(), 'Ben unmuted');

    await teacher.page.getByRole('button', { name: 'Lock the room' }).click();
    await hasText(ben.page.getByTestId('composer-reason'), 'the moderator has locked the session');
    await screenshot(ben.page, 'student-locked');
    await teacher.page.getByRole('button', { name: 'Unlock the room' }).click();
    await until(() => ben.page.getByTestId('composer-input').isEnabled(), 'Ben may write after unlock');
  });

  it('the teacher pauses the tutor, answers in person, and resumes it', async () => {
    await teacher.page.getByRole('button', { name: 'Pause tutor (answer yourself)' }).click();
    await Promise.all(
      [teacher, ben, sam].map((p) => hasText(p.page.getByTestId('agent-status'), 'paused by the moderator')),
    );
    await hasText(ben.page.getByTestId('composer-reason'), 'the tutor is paused: your message will wait');
    await ben.page.getByTestId('composer-input').fill('Is 2 prime?');
    await ben.page.getByTestId('composer-input').press('Enter');
    await hasText(teacher.page.getByTestId('agent-queue'), 'Ben');
    await teacher.page.getByTestId('composer-input').fill('Yes Ben, 2 is the only even prime.');
    await teacher.page.getByTestId('composer-input').press('Enter');
    await teacher.page.getByRole('button', { name: 'Resume tutor' }).click();
    await hasText(teacher.page.getByTestId('console-feedback'), 'Tutor resumed: done.');
    await hasText(ben.page.getByTestId('conversation').locator('[data-testid="message"]').last(), 'Answer to:');
    await hasText(ben.page.getByTestId('agent-status'), 'tutor: ready');
  });

  it('the teacher edits the tutor’s instructions', async () => {
    await teacher.page.getByRole('textbox', { name: 'Tutor instructions' }).fill('Answer in one sentence.');
    await teacher.page.getByRole('button', { name: 'Save instructions' }).click();
    await hasText(teacher.page.getByTestId('console-feedback'), 'Instructions saved: done.');
    // The tutor's next prompt carries them.
    const before = fake.requests.length;
    await teacher.page.getByTestId('composer-input').fill('Summarise primes, please.');
    await teacher.page.getByTestId('composer-input').press('Enter');
    await until(async () => fake.requests.length > before, 'the tutor to be asked');
    const system = fake.requests[before].messages
      .filter((m) => m.role === 'system')
      .map((m) => m.content)
      .join('\n');
    expect(system).toContain('Answer in one sentence.');
    expect(system).not.toContain('Guide students; do not just give answers.');
  });

  it('an answer stopped mid-stream, and one the provider failed, are marked for everyone', async () => {
    fake.next({ chunks: ['Let ', 'me ', 'think ', 'about ', 'this ', 'for ', 'a ', 'long ', 'while.'], delayMs: 400 });
    await teacher.page.getByTestId('composer-input').fill('Prove there are infinitely many primes.');
    await teacher.page.getByTestId('composer-input').press('Enter');
    await hasText(sam.page.getByTestId('streaming-content'), 'Let me');
    await teacher.page.getByRole('button', { name: 'Stop this answer' }).click();
    await hasText(teacher.page.getByTestId('console-feedback'), 'Stopped the answer: done.');
    for (const p of [teacher, ada, sam]) {
      const stopped = p.page.locator('[data-testid="message"][data-status="cancelled"]').last();
      await hasText(stopped, 'answer stopped');
      await hasText(stopped, 'Let me');
    }

    fake.next({ status: 500 }, { status: 500 }); // the provider retries once
    await teacher.page.getByTestId('composer-input').fill('And the largest known prime?');
    await teacher.page.getByTestId('composer-input').press('Enter');
    for (const p of [teacher, ada, sam])
      await hasText(p.page.locator('[data-testid="message"][data-status="failed"]').last(), 'failed');
    const lines = await conversationLines(teacher.page);
    for (const p of [ada, sam]) expect(await conversationLines(p.page)).toEqual(lines);
  });

  it('under the moderated policy the teacher approves one question and dismisses another', async () => {
    await teacher.page.getByLabel('Turn policy').selectOption('moderated');
    await teacher.page.getByLabel('Rate limit per person').uncheck();
    await teacher.page.getByRole('button', { name: 'Apply settings' }).click();
    await hasText(teacher.page.getByTestId('console-feedback'), 'Settings saved: done.');
    await hasText(ada.page.getByTestId('composer-reason'), 'a moderator approves each question');

    for (const question of ['Is 91 prime?', 'What is your favourite colour?']) {
      await ada.page.getByTestId('composer-input').fill(question);
      await ada.page.getByTestId('composer-input').press('Enter');
      await hasText(teacher.page.getByRole('region', { name: 'Waiting for your approval' }), question);
    }
    const approvals = teacher.page.getByRole('region', { name: 'Waiting for your approval' });
    await approvals
      .getByRole('listitem')
      .filter({ hasText: 'favourite colour' })
      .getByRole('button', { name: 'Dismiss Ada’s question' })
      .click();
    await hasText(teacher.page.getByTestId('console-feedback'), 'Dismissed Ada’s question: done.');
    fake.next({ chunks: ['91 = 7 × 13, ', 'so no.'] });
    await approvals
      .getByRole('listitem')
      .filter({ hasText: 'Is 91 prime?' })
      .getByRole('button', { name: 'Approve Ada’s question' })
      .click();
    await hasText(teacher.page.getByTestId('console-feedback'), 'Approved Ada’s question: done.');
    for (const p of [teacher, ada, sam]) await hasText(p.page.getByTestId('message').last(), '91 = 7 × 13, so no.');
    await hasText(approvals, 'Nothing to approve.');
    const asked = fake.requests[fake.requests.length - 1].messages.map((m) => m.content).join('\n');
    expect(asked).toContain('Is 91 prime?');
  });

  it('a removed student’s page says so; back with the code they are themselves again; a banned one is kept out', async () => {
    await (await memberControls(teacher.page, 'Ben')).getByRole('button', { name: 'Remove Ben' }).click();
    await hasText(teacher.page.getByTestId('console-feedback'), 'Removed Ben: done.');
    await hasText(ben.page.getByTestId('removed'), 'You were removed from this session');
    await until(
      async () => !(await textOf(teacher.page.getByTestId('presence'))).includes('Ben'),
      'Ben gone from the teacher’s presence list',
    );
    await screenshot(ben.page, 'student-removed');

    await joinAsGuest(ben.page, link.url, joinCode, 'Ben');
    await hasText(teacher.page.getByTestId('presence'), 'Ben');
    // Same person: their earlier messages are still "mine" on their page.
    expect(await ben.page.locator('.message.mine').count()).toBeGreaterThan(0);

    await (await memberControls(teacher.page, 'Ben')).getByRole('button', { name: 'Ban Ben' }).click();
    await hasText(ben.page.getByTestId('removed'), 'You were banned from this session');
    // Banning a guest changes the join code: the teacher's console shows the new one, the old link is dead.
    const before = joinCode;
    joinCode = await until(async () => {
      const code = await textOf(teacher.page.getByTestId('join-code'));
      return code !== before && /^[A-Z2-9]{8}$/.test(code) && code;
    }, 'a new join code after the ban');
    await ben.page.goto(`${link.url}/join/${before}`);
    await ben.page.getByLabel('Your name').fill('Definitely Not Ben');
    await ben.page.getByRole('button', { name: 'Join' }).click();
    await hasText(ben.page.getByRole('alert'), 'No session has that join code');
    // With the new code his browser still sends who he is: kept out.
    await ben.page.goto(`${link.url}/join/${joinCode}`);
    await ben.page.getByLabel('Your name').fill('Definitely Not Ben');
    await ben.page.getByRole('button', { name: 'Join' }).click();
    await hasText(ben.page.getByRole('alert'), 'banned');
    await screenshot(teacher.page, 'teacher-console');
  });

  it('older messages load on scroll-up, in order, without duplicates', async () => {
    const token = await teacher.page.evaluate(
      () => JSON.parse(localStorage.getItem('roundtable.account')!).token as string,
    );
    const { session } = await app.api
      .withToken(token)
      .createSession({ title: 'Long thread', agent: { responds_to: 'mentions' } });
    const writer = new RoundtableClient({ url: app.url, token });
    await writer.connect();
    await writer.join(session.id);
    for (let i = 1; i <= 75; i++) await writer.send(session.id, `note ${i}`);
    writer.close();

    await teacher.page.goto(`${app.url}/s/${session.id}`);
    await hasText(teacher.page.getByTestId('conversation'), 'note 75');
    expect(await teacher.page.getByTestId('message').count()).toBe(50);
    for (let i = 0; i < 5 && (await teacher.page.getByTestId('message').count()) < 75; i++) {
      await teacher.page
        .getByRole('region', { name: 'Conversation' })
        .locator('.conversation')
        .evaluate((el) => el.scrollTo(0, 0));
      await teacher.page.waitForTimeout(300);
    }
    const lines = await conversationLines(teacher.page);
    expect(lines.map((l) => l.split(' | ').pop())).toEqual(Array.from({ length: 75 }, (_, i) => `note ${i + 1}`));
    expect(await teacher.page.getByRole('button', { name: 'Load older messages' }).count()).toBe(0);
  });

  it('the teacher’s start page lists their sessions with join codes, and closes one', async () => {
    await teacher.page.getByRole('link', { name: 'Roundtable' }).click();
    const list = teacher.page.getByRole('region', { name: 'Your sessions' });
    await hasText(list, 'Long thread');
    await hasText(list.getByRole('listitem').filter({ hasText: 'Algebra, period 3' }), `code ${joinCode}`);
    await teacher.page.getByRole('button', { name: 'Close Long thread' }).click();
    await hasText(list.getByRole('status'), 'Closed “Long thread”.');
    await hasText(list.getByRole('group', { name: 'Show sessions' }), 'Ended (1)');
    // Each session says when it ran, how long, and how many people and questions it had.
    await list.getByRole('button', { name: 'Ended (1)' }).click();
    await hasText(
      list.getByRole('listitem').filter({ hasText: 'Long thread' }).getByTestId('session-meta'),
      /\d+ min · \d+ (people|person) · \d+ questions?/,
    );
    await list.getByRole('button', { name: /^Open/ }).click();
    await teacher.page.getByRole('link', { name: 'Algebra, period 3' }).click();
    await hasText(teacher.page.getByTestId('conversation'), 'Summarise primes, please.');
  });

  it('a new join code replaces the old one; the old link stops working', async () => {
    await teacher.page.getByRole('button', { name: 'New code' }).click();
    await hasText(teacher.page.getByTestId('console-feedback'), 'New join code: done.');
    const fresh = await until(async () => {
      const code = await textOf(teacher.page.getByTestId('join-code'));
      return code !== joinCode && code;
    }, 'a different join code');
    const visitor = await person(browser, 'visitor');
    try {
      await visitor.page.goto(`${app.url}/join/${joinCode}`);
      await visitor.page.getByLabel('Your name').fill('Latecomer');
      await visitor.page.getByRole('button', { name: 'Join' }).click();
      await hasText(visitor.page.getByRole('alert'), 'No session has that join code');
      await joinAsGuest(visitor.page, app.url, fresh, 'Latecomer');
      await hasText(teacher.page.getByTestId('presence'), 'Latecomer');
    } finally {
      await visitor.context.close();
    }
  });

  it('with the waiting room on, a newcomer waits until the teacher lets them in', async () => {
    await teacher.page.getByRole('button', { name: 'Hold new guests in a waiting room' }).click();
    await hasText(teacher.page.getByTestId('console-feedback'), 'New guests wait to be let in: done.');
    const code = await textOf(teacher.page.getByTestId('join-code'));
    const newcomer = await person(browser, 'newcomer');
    try {
      await newcomer.page.goto(`${app.url}/join/${code}`);
      await newcomer.page.getByLabel('Your name').fill('Walker');
      await newcomer.page.getByRole('button', { name: 'Join' }).click();
      await hasText(newcomer.page.getByTestId('waiting-room'), 'You are in the waiting room');
      await hasText(teacher.page.getByRole('region', { name: /Waiting room/ }), 'Walker');
      await screenshot(newcomer.page, 'guest-waiting-room');
      await teacher.page.getByRole('button', { name: 'Let Walker in' }).click();
      await hasText(teacher.page.getByTestId('console-feedback'), 'Let Walker in: done.');
      await newcomer.page.getByTestId('composer-input').waitFor();
      await hasText(teacher.page.getByTestId('presence'), 'Walker');
    } finally {
      await newcomer.context.close();
      await teacher.page.getByRole('button', { name: 'Let new guests straight in' }).click();
    }
  });
});
