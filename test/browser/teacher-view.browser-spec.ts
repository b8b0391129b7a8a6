// What a teacher sees beyond running the room: rich answers, why the tutor
// answers whom, participation, transcripts and tutor presets. Screenshots go
// to test-artifacts/.
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import type { RoundtableClient, WireSession } from '../../client/sdk/roundtable-client.js';
import { FakeOpenAi } from '../support/fake-openai.js';
import { connect, signUp, startTestApp, type TestApp, type TestUser } from '../support/test-app.js';
import { hasText, launchBrowser, person, screenshot, signedIn, until, type Person } from './support/browser.js';

describe('the teacher view in a browser', () => {
  let app: TestApp;
  let fake: FakeOpenAi;
  let browser: Browser;
  let account: TestUser;
  let session: WireSession;
  let teacher: Person;
  let student: Person;
  let bots: RoundtableClient[];

  beforeAll(async () => {
    fake = await new FakeOpenAi().start();
    app = await startTestApp({ OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'test-key', AGENT_MODEL: 'fake-model' });
    browser = await launchBrowser();
    account = await signUp(app, 'Ms Rivera');
    teacher = await person(browser, 'teacher');
    student = await person(browser, 'student');
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await fake?.close();
  });

  afterEach(() => {
    expect([teacher, student].flatMap((p) => p.errors)).toEqual([]);
  });

  it('a preset fills the tutor instructions, and an earlier session’s settings can be copied', async () => {
    const { session: lastWeek } = await account.api.createSession({
      title: 'Last week',
      turn_policy: 'votes',
      rate_limit: { messages: 5, per_seconds: 60 },
      agent: { instructions: 'Be brief.' },
    });
    await signedIn(teacher.page, app.url, account, '/');
    await teacher.page.getByLabel('Copy the settings of').selectOption(lastWeek.id);
    expect(await teacher.page.getByLabel('Turn policy').inputValue()).toBe('votes');
    expect(await teacher.page.getByLabel('Tutor instructions').inputValue()).toBe('Be brief.');
    await teacher.page
      .getByLabel('Start the tutor from')
      .selectOption({ label: 'Socratic guide (hints, never the final answer)' });
    await hasText(teacher.page.getByLabel('Tutor instructions'), '');
    expect(await teacher.page.getByLabel('Tutor instructions').inputValue()).toContain('Never give the final answer');
    await teacher.page.getByLabel('Turn policy').selectOption('fifo');
    await teacher.page.getByLabel('Title').fill('Algebra, period 3');
    await screenshot(teacher.page, 'create-with-preset');
    await teacher.page.getByRole('button', { name: 'Create session' }).click();
    await teacher.page.getByRole('heading', { name: 'Moderator console' }).waitFor();
    session = (await account.api.listSessions()).sessions.find((s) => s.title === 'Algebra, period 3')!;
    expect(session.agent.instructions).toContain('Never give the final answer');
    expect(session.rate_limit).toEqual({ messages: 5, per_seconds: 60 });

    await student.page.goto(`${app.url}/join/${session.join_code}`);
    await student.page.getByLabel('Your name').fill('Ada');
    await student.page.getByRole('button', { name: 'Join' }).click();
    await student.page.getByTestId('composer-input').waitFor();
    bots = [];
    for (const name of ['Ben']) {
      const guest = await app.api.guest(session.join_code!, name);
      const client = await connect(app, guest.access_token);
      await client.join(session.id);
      bots.push(client);
    }
  });

  it('a tutor answer with a table, code and a formula renders as such on every page', async () => {
    fake.next({
      chunks: [
        'Here is **the** table:\n\n',
        '| x | x² |\n|---|---|\n| 3 | 9 |\n\n',
        'And code:\n\n```python\nprint(2 ** 8)\n```\n\n',
        'So $x = \\pm 3$.',
      ],
      delayMs: 60,
    });
    await student.page.getByTestId('composer-input').fill('Show me squares');
    await student.page.getByTestId('composer-input').press('Enter');
    for (const p of [teacher, student]) {
      const answer = p.page.getByTestId('message').filter({ hasText: 'Here is' }).last();
      await until(
        () =>
          answer
            .locator('.rich table td')
            .first()
            .isVisible()
            .catch(() => false),
        `${p.name}: the table`,
      );
      expect(await answer.locator('.rich strong').first().textContent()).toBe('the');
      expect(await answer.locator('.rich td').allTextContents()).toEqual(['3', '9']);
      expect(await answer.locator('pre code.hljs.language-python').count()).toBe(1);
      expect(await answer.locator('.katex').count()).toBeGreaterThan(0);
      expect(await answer.textContent()).not.toContain('**the**');
    }
    await screenshot(student.page, 'rich-answer');
  });

  it('a <script> in a message stays text', async () => {
    await student.page
      .getByTestId('composer-input')
      .fill(
        '<script>window.pwned = 1</script> <img src=x onerror="window.pwned = 2"> [click](javascript:window.pwned=3)',
      );
    await student.page.getByTestId('composer-input').press('Enter');
    for (const p of [teacher, student]) {
      const line = p.page.getByTestId('message').filter({ hasText: '<script>' }).first();
      await hasText(line, '<script>window.pwned = 1</script>');
      expect(await line.locator('script, img').count()).toBe(0);
      expect(await line.locator('a[href^="javascript"]').count()).toBe(0);
      expect(await p.page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
    }
  });

  it('the "why" of an answer names the right student', async () => {
    await bots[0].send(session.id, 'What is a rhombus?');
    const answer = teacher.page
      .getByTestId('message')
      .filter({ hasText: 'Answer to:' })
      .filter({ hasText: 'rhombus' })
      .last();
    await answer.waitFor();
    await answer.getByText('Why this answer?').click();
    await hasText(answer.getByTestId('why'), 'It answers Ben: “What is a rhombus?”');
    await hasText(answer.getByTestId('why'), 'It was asked first');
  });

  it('the participation panel updates as two students ask and get answers', async () => {
    const panel = teacher.page.getByRole('region', { name: 'Participation' });
    await panel.getByText('Participation').click();
    const row = (name: string) => panel.getByTestId('participation-row').filter({ hasText: name });
    await until(async () => (await row('Ada').count()) === 1, 'Ada in the panel');
    const askedBy = async (name: string) => Number((await row(name).locator('td').first().textContent()) ?? -1);
    const adaBefore = await askedBy('Ada');
    const benBefore = await askedBy('Ben');
    await bots[0].send(session.id, 'And a kite?');
    await student.page.getByTestId('composer-input').fill('What about a trapezium?');
    await student.page.getByTestId('composer-input').press('Enter');
    await until(
      async () => (await askedBy('Ada')) === adaBefore + 1 && (await askedBy('Ben')) === benBefore + 1,
      'both new questions counted',
    );
    await hasText(panel.getByTestId('participation-totals'), /\d+ asked · \d+ answered/);
    await panel.getByRole('button', { name: 'Sort by person' }).click();
    expect(await panel.getByTestId('participation-row').first().getAttribute('data-name')).toBe('Ada');
    await screenshot(teacher.page, 'participation');
  });

  it('a transcript downloads and contains the conversation', async () => {
    const [download] = await Promise.all([
      teacher.page.waitForEvent('download'),
      teacher.page.getByRole('button', { name: 'Download Markdown' }).click(),
    ]);
    const text = readFileSync((await download.path())!, 'utf8');
    expect(download.suggestedFilename()).toBe('Algebra, period 3.md');
    expect(text).toContain('# Algebra, period 3');
    expect(text).toContain('Show me squares');
    expect(text).toContain('What is a rhombus?');
    expect(text).toContain('Participants: Ms Rivera (moderator)');
  });

  it('the web client runs under its Content-Security-Policy with no violation', async () => {
    const page = await teacher.context.newPage();
    await page.addInitScript(() => {
      (window as unknown as { violations: string[] }).violations = [];
      document.addEventListener('securitypolicyviolation', (e) =>
        (window as unknown as { violations: string[] }).violations.push(
          `${e.violatedDirective} ${e.blockedURI} ${e.sample} ${(e.target as Element)?.outerHTML?.slice(0, 120)}`,
        ),
      );
    });
    const consoleErrors: string[] = [];
    page.on(
      'console',
      (m) => m.type() === 'error' && m.text().includes('Content Security Policy') && consoleErrors.push(m.text()),
    );
    const response = await page.goto(`${app.url}/s/${session.id}`);
    const policy = response?.headers()['content-security-policy'] ?? '';
    expect(policy).toContain("script-src 'self'");
    expect(policy).not.toMatch(/script-src[^;]*unsafe/);
    // The room with everything that renders: rich answers with maths and code, the console, the live socket.
    await page.getByTestId('message').filter({ hasText: 'Here is' }).locator('.katex').first().waitFor();
    await page.goto(`${app.url}/s/${session.id}/present`);
    await page.getByTestId('present-qr').waitFor();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await page.evaluate(() => (window as unknown as { violations: string[] }).violations)).toEqual([]);
    expect(consoleErrors).toEqual([]);
    await page.close();
  });
});
