import type { DurableEvent, Participation } from '../client/sdk/roundtable-client.js';
import {
  connect,
  eventually,
  recordDurable,
  signUp,
  startTestApp,
  type TestApp,
  type TestUser,
} from './support/test-app.js';

const answers = (log: DurableEvent[]) =>
  log.filter((e) => e.type === 'new_message' && e.message.role === 'assistant').length;

/** What a moderator reads after (and during) a lesson: participation and the transcript. */
describe('reports: participation and transcripts', () => {
  let app: TestApp;
  let teacher: TestUser;

  beforeAll(async () => {
    app = await startTestApp({ OFFLINE_AGENT_DELAY_MS: '0' });
    teacher = await signUp(app, 'Ms Rivera');
  });
  afterAll(() => app.close());

  it('counts, per person and in total, what a scripted lesson did', async () => {
    const { session } = await teacher.api.createSession({ title: 'Algebra', turn_policy: 'fifo' });
    const mod = await connect(app, teacher.access_token);
    const log = recordDurable(mod);
    await mod.join(session.id);
    const [ada, bo] = await Promise.all(['Ada', 'Bo "B", Jr'].map((n) => app.api.guest(session.join_code!, n)));
    const [adaClient, boClient] = await Promise.all([connect(app, ada.access_token), connect(app, bo.access_token)]);
    await Promise.all([adaClient.join(session.id), boClient.join(session.id)]);

    await adaClient.send(session.id, 'What is a prime?');
    await adaClient.send(session.id, 'And a square?');
    await boClient.send(session.id, 'What is x?');
    await eventually(() => answers(log) === 3, 'three answers');
    await boClient.raiseHand(session.id);
    await mod.moderate({ session_id: session.id, action: 'grant_turn', user_id: bo.user.id });
    await mod.moderate({ session_id: session.id, action: 'mute', user_id: ada.user.id, seconds: 60 });
    await mod.moderate({ session_id: session.id, action: 'unmute', user_id: ada.user.id });
    await mod.moderate({ session_id: session.id, action: 'pause_agent' });
    await boClient.send(session.id, 'still waiting');
    await mod.send(session.id, 'A private note', { visibility: 'staff' });

    const report = await teacher.api.call<Participation>('GET', `/sessions/${session.id}/participation`);
    const byName = new Map(report.people.map((p) => [p.name, p]));
    expect(byName.get('Ada')).toMatchObject({
      asked: 2,
      answered: 2,
      waiting: 0,
      hands_raised: 0,
      hands_granted: 0,
      times_muted: 1,
    });
    expect(byName.get('Bo "B", Jr')).toMatchObject({
      asked: 2,
      answered: 1,
      waiting: 1,
      hands_raised: 1,
      hands_granted: 1,
      times_muted: 0,
    });
    expect(byName.get('Ms Rivera')).toMatchObject({ asked: 0, answered: 0 });
    const adaRow = byName.get('Ada')!;
    expect(adaRow.tokens).toBeGreaterThan(0);
    expect(adaRow.wait_median_ms).not.toBeNull();
    expect(adaRow.wait_max_ms!).toBeGreaterThanOrEqual(adaRow.wait_median_ms!);
    expect(byName.get('Bo "B", Jr')!.wait_median_ms).toBe(byName.get('Bo "B", Jr')!.wait_max_ms); // one answered question
    expect(report.totals).toMatchObject({
      people: 3,
      asked: 4,
      answered: 3,
      waiting: 1,
      hands_raised: 1,
      hands_granted: 1,
      times_muted: 1,
    });
    expect(report.totals.tokens).toBe(report.people.reduce((n, p) => n + p.tokens, 0));

    // The same as CSV, quoted where a name needs it.
    const csv = await fetch(`${app.url}/sessions/${session.id}/participation?format=csv`, {
      headers: { authorization: `Bearer ${teacher.access_token}` },
    });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toBe(
      'user_id,name,role,guest,removed,asked,answered,waiting,wait_median_ms,wait_max_ms,tokens,hands_raised,hands_granted,times_muted',
    );
    expect(lines).toHaveLength(4);
    expect(lines.find((l) => l.includes('Jr'))).toContain(`${bo.user.id},"Bo ""B"", Jr",contributor,true,false,2,1,1,`);

    // For moderators only.
    const asStudent = await fetch(`${app.url}/sessions/${session.id}/participation`, {
      headers: { authorization: `Bearer ${ada.access_token}` },
    });
    expect(asStudent.status).toBe(403);
    const bad = await fetch(`${app.url}/sessions/${session.id}/participation?format=xml`, {
      headers: { authorization: `Bearer ${teacher.access_token}` },
    });
    expect(bad.status).toBe(400);
  });

  it('defuses spreadsheet formulas in names', async () => {
    const { session } = await teacher.api.createSession({ title: 'CSV' });
    await app.api.guest(session.join_code!, '=HYPERLINK("http://x")');
    const csv = await (
      await fetch(`${app.url}/sessions/${session.id}/participation?format=csv`, {
        headers: { authorization: `Bearer ${teacher.access_token}` },
      })
    ).text();
    expect(csv).toContain(`"'=HYPERLINK(""http://x"")"`);
  });

  it('a transcript carries the title, when and who, tombstones, and private notes only when asked', async () => {
    const { session } = await teacher.api.createSession({ title: 'Geometry, period 5' });
    const mod = await connect(app, teacher.access_token);
    const log = recordDurable(mod);
    await mod.join(session.id);
    const guest = await app.api.guest(session.join_code!, 'Cy');
    const cy = await connect(app, guest.access_token);
    await cy.join(session.id);
    await mod.moderate({ session_id: session.id, action: 'pause_agent' });
    const removed = await cy.send(session.id, 'something rude');
    await cy.send(session.id, 'What is a rhombus?');
    await mod.send(session.id, 'Cy is new today', { visibility: 'staff' });
    await mod.moderate({ session_id: session.id, action: 'delete_message', message_id: removed.id });
    await mod.moderate({ session_id: session.id, action: 'resume_agent', answer_pending: true });
    await eventually(() => answers(log) >= 1, 'an answer');

    const markdown = await (
      await fetch(`${app.url}/sessions/${session.id}/transcript?format=markdown`, {
        headers: { authorization: `Bearer ${teacher.access_token}` },
      })
    ).text();
    expect(markdown).toContain('# Geometry, period 5');
    expect(markdown).toMatch(/Session \d{4}-\d\d-\d\dT[\d:.]+Z \(still open\)/);
    expect(markdown).toContain('Participants: Ms Rivera (moderator), Cy (contributor, guest).');
    expect(markdown).toContain('_This message was deleted by a moderator._');
    expect(markdown).not.toContain('something rude');
    expect(markdown.indexOf('What is a rhombus?')).toBeGreaterThan(markdown.indexOf('deleted by a moderator'));
    expect(markdown).not.toContain('Cy is new today');
    const withNotes = await (
      await fetch(`${app.url}/sessions/${session.id}/transcript?format=markdown&include_notes=true`, {
        headers: { authorization: `Bearer ${teacher.access_token}` },
      })
    ).text();
    expect(withNotes).toContain('**Ms Rivera** (private note)');
    const json = await teacher.api.call<{
      participants: Array<{ name: string }>;
      messages: Array<{ deleted?: boolean }>;
      exported_at: string;
    }>('GET', `/sessions/${session.id}/transcript`);
    expect(json.participants.map((p) => p.name)).toEqual(['Ms Rivera', 'Cy']);
    expect(json.messages.filter((m) => m.deleted)).toHaveLength(1);
    expect(Date.parse(json.exported_at)).not.toBeNaN();
  });
});
