import { OfflineProvider, offlineAnswer } from './offline.provider.js';

const request = (answering: number) => ({
  model: 'offline-tutor',
  signal: new AbortController().signal,
  answering,
  messages: [
    { role: 'system' as const, content: 'You are tutor.' },
    { role: 'user' as const, content: '[#cc0003 | contributor | "Bo"]: an old question' },
    { role: 'user' as const, content: '[#bb0002 | contributor | "Ada"]: What is a prime?' },
    { role: 'user' as const, content: '[#dd0004 | contributor | "Cy"]: And a square?' },
  ],
});

describe('the offline tutor', () => {
  it('answers exactly the messages being answered, naming each author, clearly labelled', () => {
    const text = offlineAnswer(request(2));
    expect(text).toContain('[offline tutor');
    expect(text).toContain('Ada, you asked: "What is a prime?"');
    expect(text).toContain('Cy, you asked: "And a square?"');
    expect(text).not.toContain('an old question');
    expect(offlineAnswer(request(2))).toBe(text); // deterministic
  });

  it('streams the answer in pieces that add up to it, then reports usage', async () => {
    const pieces: string[] = [];
    let usage;
    for await (const chunk of new OfflineProvider(0).stream(request(1))) {
      if ('delta' in chunk) pieces.push(chunk.delta);
      else if ('usage' in chunk) usage = chunk.usage;
    }
    expect(pieces.length).toBeGreaterThan(5);
    expect(pieces.join('')).toBe(offlineAnswer(request(1)));
    expect(usage).toMatchObject({ promptTokens: expect.any(Number), completionTokens: expect.any(Number) });
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    const stream = new OfflineProvider(5).stream({ ...request(1), signal: controller.signal });
    const pieces: string[] = [];
    await expect(
      (async () => {
        for await (const chunk of stream) {
          if ('delta' in chunk) pieces.push(chunk.delta);
          if (pieces.length === 2) controller.abort(new Error('cancel'));
        }
      })(),
    ).rejects.toThrow();
    expect(pieces).toHaveLength(2);
  });

  it('honours the length cap: cut at a word, and says so', async () => {
    const pieces: string[] = [];
    const chunks = [];
    for await (const chunk of new OfflineProvider(0).stream({ ...request(1), maxTokens: 20 })) {
      chunks.push(chunk);
      if ('delta' in chunk) pieces.push(chunk.delta);
    }
    const text = pieces.join('');
    expect(text.length).toBeLessThanOrEqual(80);
    expect(offlineAnswer(request(1)).startsWith(text.trimEnd())).toBe(true);
    expect(chunks).toContainEqual({ cut: 'max_answer_tokens' });
  });
});
