import { setTimeout as sleep } from 'node:timers/promises';
import type { AgentChunk, AgentProvider, AgentRequest } from './agent-provider.js';
import { estimateTokens, parseTurn } from '../prompt-builder.js';

/**
 * The agent when no model is configured: a deterministic, clearly labelled
 * answer built from the conversation, streamed word by word, so the whole
 * platform can be tried and tested with no network.
 */
export class OfflineProvider implements AgentProvider {
  readonly name = 'offline' as const;

  constructor(private readonly delayMs: number) {}

  async *stream(request: AgentRequest): AsyncIterable<AgentChunk> {
    const full = offlineAnswer(request);
    // The length cap holds here too: about four characters a token, cut at the last whole word.
    const cap = request.maxTokens ? request.maxTokens * 4 : Infinity;
    const cut = full.length > cap;
    const text = cut ? full.slice(0, cap).replace(/\s+\S*$/, '') : full;
    const pieces = text.match(/\S+\s*/g) ?? [text];
    for (const piece of pieces) {
      if (request.signal.aborted) throw request.signal.reason ?? new Error('aborted');
      if (this.delayMs > 0) await sleep(this.delayMs, undefined, { signal: request.signal });
      yield { delta: piece };
    }
    if (cut) yield { cut: 'max_answer_tokens' as const };
    const promptTokens = request.messages.reduce((sum, m) => sum + estimateTokens(m.content), 0);
    const completionTokens = estimateTokens(text);
    yield { usage: { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens } };
  }
}

/** Who asked what, read back from the prompt's final user turns. */
export function offlineAnswer(request: AgentRequest): string {
  const system = request.messages.find((m) => m.role === 'system')?.content ?? '';
  const asked = request.messages
    .slice(-Math.max(1, request.answering))
    .filter((m) => m.role === 'user')
    .map((m) => parseTurn(m.content))
    .filter((turn) => turn !== null);
  const lines = ['[offline tutor: no AI model is configured, so this is a placeholder answer]', ''];
  if (asked.length === 0) lines.push('There is nothing new to answer.');
  for (const { name, text: question } of asked) {
    const quoted = question.length > 160 ? `${question.slice(0, 157)}...` : question;
    lines.push(
      `- ${name}, you asked: "${quoted}". A configured model would answer this for you${asked.length > 1 ? ' and the others' : ''}.`,
    );
  }
  if (system.includes('answered in person'))
    lines.push('', '(A moderator answered while I was paused; I would build on that answer.)');
  // What answers can look like: Markdown and maths render for everyone, even with no model.
  lines.push(
    '',
    'Answers can use **Markdown** and maths, for example $a^2 + b^2 = c^2$, or on a line of its own:',
    '',
    '$$',
    'x = \\frac{-b \\pm \\sqrt{b^2 - 4ac}}{2a}',
    '$$',
    '',
    '| you type | you see |',
    '|---|---|',
    '| `**bold**` | **bold** |',
    '| `$\\sqrt{2}$` | $\\sqrt{2}$ |',
  );
  return lines.join('\n');
}
