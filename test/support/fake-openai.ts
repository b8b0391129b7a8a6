import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** What the next completion does. */
export interface Script {
  /** Pieces streamed one SSE chunk each. */
  chunks?: string[];
  /** Pause before each chunk. */
  delayMs?: number;
  /** Answer with this HTTP status (an error) instead of streaming. */
  status?: number;
  /** The error's message, with `status`. */
  errorMessage?: string;
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

export interface ReceivedRequest {
  model: string;
  max_tokens?: number;
  messages: Array<{ role: string; content: string }>;
  stream: boolean;
  authorization?: string;
}

/**
 * A small OpenAI-compatible server (POST /v1/chat/completions with SSE
 * streaming) on 127.0.0.1, so the real `openai` SDK is exercised over HTTP.
 */
export class FakeOpenAi {
  readonly requests: ReceivedRequest[] = [];
  /** Requests whose client went away before the stream ended (cancellations). */
  aborted = 0;
  private readonly scripts: Script[] = [];
  /** Decides how an unscripted request is answered (a model that sizes its answers by the question, say). */
  respond?: (request: ReceivedRequest) => Script | undefined;
  private server?: Server;
  url = '';

  /** Queues how the next completion(s) behave; unscripted ones echo the last user message. */
  next(...scripts: Script[]): void {
    this.scripts.push(...scripts);
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}/v1`;
    return this;
  }

  close(): Promise<void> {
    this.server?.closeAllConnections();
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      res.writeHead(404).end();
      return;
    }
    let body = '';
    for await (const chunk of req) body += chunk;
    const request = JSON.parse(body) as ReceivedRequest;
    request.authorization = req.headers.authorization;
    this.requests.push(request);
    const script = this.scripts.shift() ?? this.respond?.(request) ?? {};
    if (script.status) {
      res.writeHead(script.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: script.errorMessage ?? `fake provider error ${script.status}`, type: 'server_error' } }));
      return;
    }
    const lastUser = [...request.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
    let chunks = script.chunks ?? ['Answer ', 'to: ', lastUser];
    // Like a real model: with max_tokens (about four characters a token here), the answer stops there.
    let finish = 'stop';
    if (request.max_tokens && chunks.join('').length > request.max_tokens * 4) {
      let left = request.max_tokens * 4;
      chunks = chunks.flatMap((c) => {
        const kept = c.slice(0, Math.max(0, left));
        left -= c.length;
        return kept ? [kept] : [];
      });
      finish = 'length';
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    let closed = false;
    res.on('close', () => {
      if (!res.writableEnded) {
        closed = true;
        this.aborted++;
      }
    });
    const id = `chatcmpl-${this.requests.length}`;
    const send = (data: unknown) => res.write(`data: ${JSON.stringify(data)}\n\n`);
    for (const piece of chunks) {
      if (script.delayMs) await new Promise((r) => setTimeout(r, script.delayMs));
      if (closed) return;
      send({ id, object: 'chat.completion.chunk', created: 0, model: request.model, choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] });
    }
    send({ id, object: 'chat.completion.chunk', created: 0, model: request.model, choices: [{ index: 0, delta: {}, finish_reason: finish }] });
    send({
      id,
      object: 'chat.completion.chunk',
      created: 0,
      model: request.model,
      choices: [],
      usage: script.usage ?? { prompt_tokens: 10, completion_tokens: chunks.length, total_tokens: 10 + chunks.length },
    });
    res.end('data: [DONE]\n\n');
  }
}
