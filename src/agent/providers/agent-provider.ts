/** A chat model that streams. Two real ones: the `openai` SDK and the offline tutor. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface TokenUsageFigures {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export interface AgentRequest {
  messages: ChatMessage[];
  model: string;
  signal: AbortSignal;
  /** How many of the last messages are the ones being answered now. */
  answering: number;
  /** The longest answer allowed, in tokens (the provider's `max_tokens`). */
  maxTokens?: number;
}

/** A piece of the answer, the usage, or that the answer stopped at the length cap. */
export type AgentChunk = { delta: string } | { usage: TokenUsageFigures } | { cut: 'max_answer_tokens' };

export interface AgentProvider {
  readonly name: 'openai' | 'offline';
  stream(request: AgentRequest): AsyncIterable<AgentChunk>;
}

export const AGENT_PROVIDER = Symbol('AGENT_PROVIDER');
