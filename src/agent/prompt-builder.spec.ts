import { buildPrompt, estimateTokens, type PromptInput, type PromptMessage } from './prompt-builder.js';

const user = (id: string, authorName: string, content: string): PromptMessage => ({ id, role: 'user', authorName, content });

const base = (over: Partial<PromptInput> = {}): PromptInput => ({
  agentName: 'tutor',
  instructions: '',
  roster: [
    { name: 'Ms Rivera', role: 'moderator' },
    { name: 'Ada', role: 'contributor' },
  ],
  history: [],
  batch: [],
  merge: false,
  humanAnsweredWhilePaused: false,
  tokenBudget: 10_000,
  ...over,
});

describe('buildPrompt', () => {
  it('attributes every user message and ends with the message being answered', () => {
    const q = user('3', 'Ada', 'What is a prime?');
    const prompt = buildPrompt(
      base({ history: [user('1', 'Bo', 'hi'), { id: '2', role: 'assistant', authorName: 'tutor', content: 'Hello Bo' }, q], batch: [q] }),
    );
    expect(prompt.map((m) => [m.role, m.content])).toEqual([
      ['system', expect.any(String)],
      ['user', '[Bo]: hi'],
      ['assistant', 'Hello Bo'],
      ['user', '[Ada]: What is a prime?'],
    ]);
  });

  it('puts instructions, the roster with roles and guidance on contradictions in the system prompt', () => {
    const [system] = buildPrompt(base({ instructions: 'Answer in French.' }));
    expect(system.content).toContain('Answer in French.');
    expect(system.content).toContain('- Ms Rivera (moderator)');
    expect(system.content).toContain('- Ada (contributor)');
    expect(system.content).toMatch(/contradictory.*acknowledge both.*clarification/s);
  });

  it('asks for one reply naming each author under merge', () => {
    const batch = [user('1', 'Ada', 'a?'), user('2', 'Bo', 'b?')];
    const [system, ...rest] = buildPrompt(base({ history: batch, batch, merge: true }));
    expect(system.content).toContain('addressing each author by name');
    expect(rest.map((m) => m.content)).toEqual(['[Ada]: a?', '[Bo]: b?']);
  });

  it('says so when a person answered while the agent was paused', () => {
    expect(buildPrompt(base({ humanAnsweredWhilePaused: true }))[0].content).toContain('answered in person');
    expect(buildPrompt(base())[0].content).not.toContain('answered in person');
  });

  it('trims old history to the budget, newest first, never the system prompt or the batch', () => {
    const history = Array.from({ length: 100 }, (_, i) => user(String(i), 'Bo', `message number ${i} `.repeat(10)));
    const batch = [user('q', 'Ada', 'the question '.repeat(50))];
    const budget = 600;
    const prompt = buildPrompt(base({ history: [...history, ...batch], batch, tokenBudget: budget }));
    expect(prompt[0].role).toBe('system');
    expect(prompt[prompt.length - 1].content).toBe(`[Ada]: ${'the question '.repeat(50)}`);
    const kept = prompt.slice(1, -1);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(100);
    expect(kept[kept.length - 1].content).toContain('message number 99 ');
    expect(prompt.reduce((sum, m) => sum + estimateTokens(m.content), 0)).toBeLessThanOrEqual(budget);
  });

  it('keeps the system prompt and the batch even when they alone exceed the budget', () => {
    const batch = [user('q', 'Ada', 'x'.repeat(4000))];
    const prompt = buildPrompt(base({ history: [user('1', 'Bo', 'old'), ...batch], batch, tokenBudget: 10 }));
    expect(prompt.map((m) => m.role)).toEqual(['system', 'user']);
  });

  it('leaves out system notices such as failed answers', () => {
    const prompt = buildPrompt(
      base({ history: [{ id: '1', role: 'system', authorName: 'Roundtable', content: 'The tutor could not answer' }], batch: [] }),
    );
    expect(prompt).toHaveLength(1);
  });
});
