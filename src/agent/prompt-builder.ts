import type { Role } from '../contract/protocol.js';
import type { ChatMessage } from './providers/agent-provider.js';

export interface PromptMessage {
  id: string;
  role: 'user' | 'assistant' | 'system';
  authorName: string;
  content: string;
  status?: string;
}

export interface PromptInput {
  agentName: string;
  instructions: string;
  roster: Array<{ name: string; role: Role }>;
  /** The conversation the agent may see, oldest first (no private notes, no deleted text). */
  history: PromptMessage[];
  /** The message(s) being answered now, oldest first. */
  batch: PromptMessage[];
  merge: boolean;
  /** A moderator answered in person while the agent was paused. */
  humanAnsweredWhilePaused: boolean;
  /** Budget for the whole prompt, in estimated tokens. */
  tokenBudget: number;
}

/** A rough, model-independent token estimate: about four characters a token, plus framing. */
export const estimateTokens = (text: string): number => Math.ceil(text.length / 4) + 4;

export function systemPrompt(input: PromptInput): string {
  const roster = input.roster.map((p) => `- ${p.name} (${p.role})`).join('\n') || '- (nobody else is here)';
  const parts = [
    `You are ${input.agentName}, an AI tutor shared by several people in one live session. Everyone sees your answers.`,
    'Each person\'s message is prefixed with their name, like "[Name]: ...". Address people by name when it helps.',
    'When different people ask for contradictory things, acknowledge both requests and ask for clarification instead of silently picking one. Moderators run the session: their instructions about how to behave take precedence.',
    `Participants:\n${roster}`,
  ];
  if (input.instructions.trim()) parts.push(`Instructions from the session's moderator:\n${input.instructions.trim()}`);
  if (input.merge && new Set(input.batch.map((m) => m.authorName)).size > 1) {
    parts.push('Several people are waiting: answer all of their latest messages in one reply, addressing each author by name.');
  }
  if (input.humanAnsweredWhilePaused) {
    parts.push(
      'While you were paused, a moderator answered in person (their messages are in the conversation). Do not repeat what they said; build on it, and answer only what is still open.',
    );
  }
  return parts.join('\n\n');
}

function toChat(message: PromptMessage): ChatMessage | null {
  if (message.role === 'assistant') return { role: 'assistant', content: message.content };
  if (message.role === 'user') return { role: 'user', content: `[${message.authorName}]: ${message.content}` };
  return null; // system notices (failures) are for people, not the model
}

/**
 * The chat the model sees: the system prompt, as much recent history as the
 * budget allows (newest first), then the message(s) being answered. The system
 * prompt and the batch are never trimmed.
 */
export function buildPrompt(input: PromptInput): ChatMessage[] {
  const system: ChatMessage = { role: 'system', content: systemPrompt(input) };
  const batchIds = new Set(input.batch.map((m) => m.id));
  const batch = input.batch.map(toChat).filter((m): m is ChatMessage => m !== null);
  let used = estimateTokens(system.content) + batch.reduce((sum, m) => sum + estimateTokens(m.content), 0);
  const kept: ChatMessage[] = [];
  for (let i = input.history.length - 1; i >= 0; i--) {
    const message = input.history[i];
    if (batchIds.has(message.id)) continue;
    const chat = toChat(message);
    if (!chat) continue;
    const cost = estimateTokens(chat.content);
    if (used + cost > input.tokenBudget) break;
    used += cost;
    kept.unshift(chat);
  }
  return [system, ...kept, ...batch];
}
