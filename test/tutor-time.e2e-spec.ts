import type { DurableEvent, RoundtableClient, WireMessage } from '../client/sdk/roundtable-client.js';
import { LiveSessions } from '../src/sessions/live-sessions.service.js';
import { FakeOpenAi } from './support/fake-openai.js';
import {
  connect,
  eventually,
  recordDurable,
  signUp,
  startTestApp,
  type TestApp,
  type TestUser,
} from './support/test-app.js';

/** Jain's fairness index: 1 when everyone got the same, 1/n when one got everything. */
const jain = (xs: number[]) => xs.reduce((a, b) => a + b, 0) ** 2 / (xs.length * xs.reduce((a, b) => a + b * b, 0));

/**
 * round_robin is fair by the tutor's time. A local OpenAI-compatible model
 * sizes its answers by the question: essays are ten times longer than short
 * answers. One student asks only for essays, four ask short questions, and
 * each keeps two questions waiting. Not a timed test: the figures are printed,
 * the bounds are generous, and bench/RESULTS.md has the exact ones.
 */
/**
 * TUTOR_TIME_SPEED=real makes the model stream at a model's pace (an essay in about 4 s, a short
 * answer in 0.4 s) and runs the essay scenario for 40 s, for the figures in bench/RESULTS.md;
 * by default it streams an answer in about 25 ms and runs 60 answers.
 */
const REAL_SPEED = process.env.TUTOR_TIME_SPEED === 'real';

describe("round_robin by the tutor's time", () => {
  let fake: FakeOpenAi;
  let app: TestApp;
  let teacher: TestUser;

  beforeAll(async () => {
    fake = await new FakeOpenAi().start();
    // An essay: 400 tokens (1,600 characters); anything else: 40 tokens (160 characters).
    fake.respond = (request) => {
      const last = [...request.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
      const tokens = last.includes('essay') ? 400 : 40;
      return {
        chunks: Array.from({ length: 8 }, () => 'x'.repeat((tokens * 4) / 8)),
        // By default a few milliseconds a chunk: still far faster than a model, and slower than a
        // student's top-up takes to arrive, so everyone really keeps two questions waiting.
        delayMs: REAL_SPEED ? (tokens === 400 ? 500 : 50) : 3,
      };
    };
    app = await startTestApp({ OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'test-key', AGENT_MODEL: 'fake-model' });
    teacher = await signUp(app, 'Teacher');
  });
  afterAll(async () => {
    await app.close();
    await fake.close();
  });

  async function classOf(names: string[], settings: Record<string, unknown> = {}) {
    const { session } = await teacher.api.createSession({ title: 'Fairness', turn_policy: 'round_robin', ...settings });
    const mod = await connect(app, teacher.access_token);
    const log = recordDurable(mod);
    await mod.join(session.id);
    const students: Array<{ name: string; id: string; client: RoundtableClient }> = [];
    for (const name of names) {
      const guest = await app.api.guest(session.join_code!, name);
      const client = await connect(app, guest.access_token);
      await client.join(session.id);
      students.push({ name, id: guest.user.id, client });
    }
    return { session, mod, log, students };
  }

  /** Everyone keeps `backlog` questions waiting until `answers` answers have been given; tutor tokens per student. */
  async function backlogged(
    names: string[],
    ask: (name: string, n: number) => string,
    until: number | { ms: number },
    settings: Record<string, unknown> = {},
    before?: (c: Awaited<ReturnType<typeof classOf>>) => Promise<void>,
  ) {
    const room = await classOf(names, settings);
    const { session, mod, log, students } = room;
    await before?.(room);
    await mod.moderate({ session_id: session.id, action: 'pause_agent' });
    const asked = new Map<string, string>(); // question id -> author
    const sentAt = new Map<string, number>();
    const waits = new Map<string, number[]>(students.map((s) => [s.id, []]));
    let n = 0;
    const send = async (s: (typeof students)[number]) => {
      const at = Date.now();
      const m = await s.client.send(session.id, ask(s.name, n++));
      asked.set(m.id, s.id);
      sentAt.set(m.id, at);
    };
    const started = { at: 0 };
    const done = () =>
      typeof until === 'number' ? given >= until : started.at > 0 && Date.now() - started.at >= until.ms;
    for (const s of students) for (let i = 0; i < 2; i++) await send(s);
    const tokens = new Map<string, number>(students.map((s) => [s.id, 0]));
    const answered = new Map<string, number>(students.map((s) => [s.id, 0]));
    let given = 0;
    let topUps = Promise.resolve();
    // Who asked what, as the room saw it: an answer can reach the moderator before its question's
    // ack reaches the student (two connections, no order between them).
    const authorOf = new Map<string, string>();
    mod.onDurable((e: DurableEvent) => {
      if (e.type === 'new_message' && e.message.role === 'user' && e.message.author_id)
        authorOf.set(e.message.id, e.message.author_id);
      if (e.type !== 'new_message' || e.message.role !== 'assistant' || done()) return;
      given++;
      const m: WireMessage = e.message;
      for (const id of m.reply_to ?? []) {
        const author = asked.get(id) ?? authorOf.get(id);
        if (!author || !tokens.has(author)) continue;
        tokens.set(author, tokens.get(author)! + Math.ceil(m.content.length / 4));
        answered.set(author, answered.get(author)! + 1);
        // From sending to the answer's arrival (a question sent during the pause counts from the resume).
        waits.get(author)!.push(Date.now() - Math.max(sentAt.get(id) ?? 0, started.at));
        const s = students.find((x) => x.id === author)!;
        if (!done()) topUps = topUps.then(() => send(s)); // they keep two waiting
      }
    });
    started.at = Date.now();
    await mod.moderate({ session_id: session.id, action: 'resume_agent', answer_pending: true });
    await eventually(() => done(), typeof until === 'number' ? `${until} answers` : `${until.ms} ms`, 120_000);
    await mod.moderate({ session_id: session.id, action: 'pause_agent', stop_now: true });
    await topUps;
    // Quiet: the answer that was running is stored (cancelled, charged for what it streamed).
    const live = (await app.app.get(LiveSessions).get(session.id))!;
    await eventually(() => live.queue.answering().length === 0, 'the tutor to stop');
    return {
      session,
      log,
      students,
      tokens: students.map((s) => tokens.get(s.id)!),
      answered: students.map((s) => answered.get(s.id)!),
      waits: students.map((s) => waits.get(s.id)!),
    };
  }

  it('one essay asker cannot take the tutor from four short askers', async () => {
    const { tokens, answered, waits } = await backlogged(
      ['Eve', 'Ada', 'Bo', 'Cy', 'Di'],
      (name, n) => (name === 'Eve' ? `write me an essay, please (${n})` : `a short question (${n})`),
      REAL_SPEED ? { ms: 40_000 } : 60,
    );
    const index = jain(tokens);
    const share = tokens[0] / tokens.reduce((a, b) => a + b, 0);
    const short = waits
      .slice(1)
      .flat()
      .sort((a, b) => a - b);
    const pct = (p: number) => (short[Math.min(short.length - 1, Math.floor(p * short.length))] / 1000).toFixed(2);
    console.log(
      `tutor time${REAL_SPEED ? ' (real speed, 40 s)' : ''}: tokens per student (essay asker first) ${tokens.join(' ')}; answers ${answered.join(' ')}; Jain ${index.toFixed(3)}; essay share ${(share * 100).toFixed(1)} %; short waits p50 ${pct(0.5)} s, p95 ${pct(0.95)} s`,
    );
    expect(index).toBeGreaterThanOrEqual(0.9); // the issue's target is 0.95 (bench/RESULTS.md)
    expect(share).toBeLessThanOrEqual(0.3); // target 25 %
    // Short askers get many answers for each essay.
    expect(Math.min(...answered.slice(1))).toBeGreaterThan(answered[0] * 3);
  }, 120_000);

  it('weight 2 gives a student about twice the time of an equally backlogged one', async () => {
    const { tokens } = await backlogged(
      ['Wes', 'Una'],
      (_name, n) => `a short question (${n})`,
      30,
      {},
      async ({ session, mod, students }) => {
        await mod.moderate({ session_id: session.id, action: 'set_weight', user_id: students[0].id, weight: 2 });
      },
    );
    const share = tokens[0] / (tokens[0] + tokens[1]);
    console.log(`weights: weight 2 got ${(share * 100).toFixed(1)} % of the tutor's time`);
    expect(share).toBeGreaterThanOrEqual(0.6);
    expect(share).toBeLessThanOrEqual(0.73);
  });

  it('says why in terms of time, and keeps the counters across a restart', async () => {
    const { session, log } = await backlogged(
      ['Eve', 'Ada'],
      (name, n) => (name === 'Eve' ? `an essay (${n})` : `short (${n})`),
      6,
    );
    const reasons = log.flatMap((e) =>
      e.type === 'new_message' && e.message.schedule_reason ? [e.message.schedule_reason] : [],
    );
    expect(
      reasons.some((r) =>
        /has had \d[\d,]* of the tutor's tokens, the fewest of 2 waiting \((Eve|Ada): [\d,]+\)/.test(r),
      ),
    ).toBe(true);
    const before = Object.fromEntries((await app.app.get(LiveSessions).get(session.id))!.queue.tutorTokens);
    await app.restart();
    teacher = { ...teacher, api: app.api.withToken(teacher.access_token) }; // the restarted app listens elsewhere
    const after = Object.fromEntries((await app.app.get(LiveSessions).get(session.id))!.queue.tutorTokens);
    expect(after).toEqual(before);
    expect(Object.values(after).every((t) => t > 0)).toBe(true);
  });

  it('a flooder gets at most one answer ahead of any polite question, and every polite question is answered', async () => {
    const room = await classOf(['Flo', ...Array.from({ length: 9 }, (_, i) => `Polite ${i + 1}`)]);
    const { session, log, students } = room;
    const [flooder, ...polite] = students;
    const politeAsked: Array<{ id: string; seq: number }> = [];
    let stop = false;
    // The flooder keeps ten questions waiting, all the time.
    const flooding = (async () => {
      let n = 0;
      while (!stop) {
        const waiting = (await app.app.get(LiveSessions).get(session.id))!.queue
          .queued()
          .filter((q) => q.authorId === flooder.id).length;
        if (waiting < 10) await flooder.client.send(session.id, `lol ${n++}`).catch(() => undefined);
        else await new Promise((r) => setTimeout(r, 5));
      }
    })();
    // The polite students ask now and then, one at a time, three rounds.
    for (let round = 0; round < 3; round++) {
      for (const p of polite) {
        await new Promise((r) => setTimeout(r, 40));
        const m = await p.client.send(session.id, `a real question ${round}`);
        politeAsked.push({ id: m.id, seq: m.seq });
      }
    }
    const answerOf = (id: string) =>
      log.find((e) => e.type === 'new_message' && e.message.role === 'assistant' && e.message.reply_to?.includes(id));
    await eventually(() => politeAsked.every((q) => answerOf(q.id)), 'every polite question answered', 60_000);
    stop = true;
    await flooding;
    await room.mod.moderate({ session_id: session.id, action: 'pause_agent', stop_now: true });
    const floodIds = new Set(
      log.flatMap((e) =>
        e.type === 'new_message' && e.message.role === 'user' && e.message.author_id === flooder.id
          ? [e.message.id]
          : [],
      ),
    );
    const floodAnswers = log.filter(
      (e) =>
        e.type === 'new_message' &&
        e.message.role === 'assistant' &&
        e.message.reply_to?.some((id) => floodIds.has(id)),
    );
    const ahead = politeAsked.map(
      (q) => floodAnswers.filter((a) => a.seq > q.seq && a.seq < answerOf(q.id)!.seq).length,
    );
    console.log(`flood: flood answers ahead of each polite question: max ${Math.max(...ahead)}, ${ahead.join(' ')}`);
    expect(Math.max(...ahead)).toBeLessThanOrEqual(1);
  });

  it("caps an answer's length at the session's max_answer_tokens, live, and marks what it cut", async () => {
    const room = await classOf(['Essayist'], { agent: { max_answer_tokens: 50 } });
    const { session, mod, log, students } = room;
    expect(session.agent.max_answer_tokens).toBe(50);
    const answers = () =>
      log.flatMap((e) => (e.type === 'new_message' && e.message.role === 'assistant' ? [e.message] : []));
    await students[0].client.send(session.id, 'write me an essay (1)');
    await eventually(() => answers().length === 1, 'the capped answer');
    const asked = (text: string) =>
      fake.requests.filter((r) => JSON.stringify(r.messages.at(-1)).includes(text)).at(-1)!;
    expect(asked('write me an essay (1)').max_tokens).toBe(50);
    expect(answers()[0]).toMatchObject({ status: 'complete', cut_off: 'max_answer_tokens' });
    expect(answers()[0].content.length).toBeLessThanOrEqual(200);
    // The moderator changes it live; a short answer under the cap is not marked.
    await mod.moderate({ session_id: session.id, action: 'set_agent', max_answer_tokens: 1000 });
    await students[0].client.send(session.id, 'a short one');
    await eventually(() => answers().length === 2, 'the second answer');
    expect(asked('a short one').max_tokens).toBe(1000);
    expect(answers()[1].cut_off).toBeUndefined();
    await expect(
      mod.moderate({ session_id: session.id, action: 'set_agent', max_answer_tokens: 5 }),
    ).rejects.toMatchObject({ code: 'bad_request' });
  });
});
