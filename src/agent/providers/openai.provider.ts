import OpenAI from 'openai';
import type { AgentChunk, AgentProvider, AgentRequest } from './agent-provider.js';

/**
 * Any OpenAI-compatible server (OpenAI, Ollama, vLLM, llama.cpp, LM Studio)
 * through the official SDK, streaming chat completions.
 */
export class OpenAiProvider implements AgentProvider {
  readonly name = 'openai' as const;
  private readonly client: OpenAI;

  constructor(options: { apiKey?: string; baseUrl?: string; timeoutMs: number }) {
    this.client = new OpenAI({
      // Local OpenAI-compatible servers ignore the key, but the SDK requires one.
      apiKey: options.apiKey ?? 'not-needed',
      baseURL: options.baseUrl,
      timeout: options.timeoutMs,
      maxRetries: 1,
    });
  }

  async *stream(request: AgentRequest): AsyncIterable<AgentChunk> {
    const stream = await this.client.chat.completions.create(
      {
        model: request.model,
        messages: request.messages,
        stream: true,
        stream_options: { include_usage: true },
        ...(request.maxTokens ? { max_tokens: request.maxTokens } : {}),
      },
      { signal: request.signal },
    );
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta?.content;
      if (delta) yield { delta };
      if (chunk.choices[0]?.finish_reason === 'length') yield { cut: 'max_answer_tokens' };
      if (chunk.usage) {
        yield {
          usage: {
            promptTokens: chunk.usage.prompt_tokens,
            completionTokens: chunk.usage.completion_tokens,
            totalTokens: chunk.usage.total_tokens,
          },
        };
      }
    }
  }
}
