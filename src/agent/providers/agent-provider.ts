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
}

export type AgentChunk = { delta: string } | { usage: TokenUsageFigures };

export interface AgentProvider {
  readonly name: 'openai' | 'offline';
  stream(request: AgentRequest): AsyncIterable<AgentChunk>;
}

export const AGENT_PROVIDER = Symbol('AGENT_PROVIDER');
