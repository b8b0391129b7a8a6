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

/** The moderation model's categories it flags for a text, with their scores. */
export type ModerationRule = (input: string) => Record<string, number>;

/** A stand-in for the moderation model: a few phrases, with high scores. */
export const FAKE_MODERATION: ModerationRule = (input) => {
  const text = input.toLowerCase();
  const scores: Record<string, number> = {};
  if (/kill myself|hurt myself|end my life/.test(text))
    Object.assign(scores, { 'self-harm': 0.97, 'self-harm/intent': 0.95 });
  if (/i will hurt you|kill you/.test(text)) Object.assign(scores, { violence: 0.91, 'harassment/threatening': 0.88 });
  if (/idiot|loser/.test(text)) scores.harassment = 0.72;
  return scores;
};

const MODERATION_CATEGORIES = [
  'harassment',
  'harassment/threatening',
  'hate',
  'hate/threatening',
  'illicit',
  'illicit/violent',
  'self-harm',
  'self-harm/instructions',
  'self-harm/intent',
  'sexual',
  'sexual/minors',
  'violence',
  'violence/graphic',
];

/**
 * A small OpenAI-compatible server (POST /v1/chat/completions with SSE
 * streaming, POST /v1/moderations) on 127.0.0.1, so the real `openai` SDK is
 * exercised over HTTP.
 */
export class FakeOpenAi {
  readonly requests: ReceivedRequest[] = [];
  /** Texts sent to /v1/moderations, in order. */
  readonly moderated: string[] = [];
  /** How /v1/moderations scores a text; `moderationStatus` makes it fail instead. */
  moderation: ModerationRule = FAKE_MODERATION;
  moderationStatus?: number;
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

  private async moderate(req: IncomingMessage, res: ServerResponse) {
    let body = '';
    for await (const chunk of req) body += chunk;
    const { input, model } = JSON.parse(body) as { input: string; model: string };
    this.moderated.push(input);
    if (this.moderationStatus) {
      res.writeHead(this.moderationStatus, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'fake moderation error', type: 'server_error' } }));
      return;
    }
    const scores = this.moderation(input);
    const result = {
      flagged: Object.keys(scores).length > 0,
      categories: Object.fromEntries(MODERATION_CATEGORIES.map((c) => [c, (scores[c] ?? 0) >= 0.5])),
      category_scores: Object.fromEntries(MODERATION_CATEGORIES.map((c) => [c, scores[c] ?? 0.001])),
      category_applied_input_types: Object.fromEntries(MODERATION_CATEGORIES.map((c) => [c, ['text']])),
    };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: `modr-${this.moderated.length}`, model, results: [result] }));
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    if (req.method === 'POST' && req.url?.endsWith('/moderations')) return this.moderate(req, res);
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
      res.end(
        JSON.stringify({
          error: { message: script.errorMessage ?? `fake provider error ${script.status}`, type: 'server_error' },
        }),
      );
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
      send({
        id,
        object: 'chat.completion.chunk',
        created: 0,
        model: request.model,
        choices: [{ index: 0, delta: { content: piece }, finish_reason: null }],
      });
    }
    send({
      id,
      object: 'chat.completion.chunk',
      created: 0,
      model: request.model,
      choices: [{ index: 0, delta: {}, finish_reason: finish }],
    });
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
