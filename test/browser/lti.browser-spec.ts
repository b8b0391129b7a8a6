// Launched from the LMS in Chromium: the course page shows Roundtable in its iframe; the tool's
// login initiation, the platform's form post and the room all happen inside the frame, and the
// teacher lands in the course link's session as its moderator, a student as a contributor.
// Screenshots go to test-artifacts/.
import type { Browser } from 'playwright-core';
import { signUpAdmin, startTestApp, type TestApp } from '../support/test-app.js';
import { LTI_ROLE, TestLms } from '../support/test-lms.js';
import { launchBrowser, person, screenshot, type Person } from './support/browser.js';

describe('launch from the LMS inside its iframe, in a browser', () => {
  let lms: TestLms;
  let app: TestApp;
  let browser: Browser;
  const people: Person[] = [];

  beforeAll(async () => {
    lms = await TestLms.open();
    app = await startTestApp({ ADMIN_EMAILS: 'it@school.example' });
    const admin = await signUpAdmin(app, 'it@school.example', 'IT');
    await admin.api.call('POST', '/admin/lti/platforms', lms.registration());
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    for (const p of people.splice(0)) await p.context.close();
    await browser?.close();
    await app?.close();
    await lms?.close();
  });

  async function openCourse(name: string) {
    const someone = await person(browser, name);
    people.push(someone);
    await someone.page.goto(`${lms.origin}/course?tool=${encodeURIComponent(app.url)}`);
    return someone;
  }

  it('opens the session inside the course page for the teacher, then for a student', async () => {
    const link = { id: 'rl-browser', title: 'Week 5' };
    lms.next = {
      sub: 'teacher-b',
      name: 'Ms Okafor',
      roles: [LTI_ROLE.instructor],
      resourceLink: link,
      context: { id: 'c', title: 'Biology' },
    };
    const teacher = await openCourse('Ms Okafor');
    const frame = teacher.page.frameLocator('#tool');
    await frame.getByTestId('composer-input').waitFor();
    await frame.getByRole('complementary', { name: 'Moderator console' }).waitFor();
    expect(await frame.getByRole('heading', { level: 1 }).first().textContent()).toContain('Biology · Week 5');
    await screenshot(teacher.page, 'lti-teacher-in-iframe');

    lms.next = { sub: 'student-b', name: 'Tomás', roles: [LTI_ROLE.learner], resourceLink: link };
    const student = await openCourse('Tomás');
    const studentFrame = student.page.frameLocator('#tool');
    await studentFrame.getByTestId('composer-input').waitFor();
    expect(await studentFrame.getByRole('complementary', { name: 'Moderator console' }).count()).toBe(0);
    await screenshot(student.page, 'lti-student-in-iframe');
    expect([...teacher.errors, ...student.errors]).toEqual([]);
  });
});
