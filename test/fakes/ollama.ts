/**
 * A fake Ollama server speaking the native API as documented in ollama/ollama docs/api.md:
 * POST /api/chat (NDJSON stream or one JSON object), GET /api/tags, POST /api/show,
 * GET /api/version, GET /. Errors use Ollama's `{"error": "..."}` body with its status codes
 * (docs/api/errors): 404 `model "x" not found, try pulling it first` for an unknown model,
 * 400 for a malformed body. Every request is recorded; unknown routes get a loud 404 and land in
 * `unexpected`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  /** Lower-cased header names; authorization/cookie values replaced by "[redacted]". */
  headers: Record<string, string>;
  /** Parsed JSON body, or undefined when there was none or it did not parse. */
  body: unknown;
  rawBody: string;
  /** Exact byte length of the body as received. */
  bodyBytes: number;
}

export interface FakeOllamaToolCall {
  name: string;
  arguments: Record<string, unknown>;
}

export interface FakeOllamaReply {
  /** The assistant text; split into `chunks` streamed lines (default: one line per word). */
  text?: string;
  chunks?: number;
  /** Delay before the first line — and the response headers, as Ollama sends them with it. */
  firstTokenDelayMs?: number;
  interChunkDelayMs?: number;
  toolCalls?: FakeOllamaToolCall[];
  doneReason?: string;
  promptEvalCount?: number;
  evalCount?: number;
  /** Answer with this HTTP status and `{"error": error}` instead of a chat answer. */
  status?: number;
  error?: string;
  /** Stream `text`, then an `{"error": ...}` line and end the response without a done line. */
  streamError?: string;
  /** Stream `text`, then cut the connection (no done line). */
  dropAfterText?: boolean;
}

export type FakeOllamaScript = FakeOllamaReply | ((request: RecordedRequest) => FakeOllamaReply | Promise<FakeOllamaReply>);

export interface FakeOllamaOptions {
  /** Pulled models, e.g. ['llama3.2:3b']. A name without a tag means ":latest". */
  models?: string[];
  version?: string;
}

export interface FakeOllama {
  /** Root URL, e.g. http://127.0.0.1:40123 (what OLLAMA_BASE_URL would be). */
  readonly url: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  readonly unexpected: RecordedRequest[];
  readonly models: string[];
  /** Recorded POST /api/chat requests only. */
  chatRequests(): RecordedRequest[];
  /** Queue replies for the next /api/chat calls, in order; when empty, the default echo reply. */
  script(...replies: FakeOllamaScript[]): void;
  /** Replace the reply used when the queue is empty. */
  setDefault(reply: FakeOllamaScript): void;
  /** Stop listening and cut every open connection: new connections are refused. */
  down(): Promise<void>;
  /** Listen again on the same port. */
  up(): Promise<void>;
  /** Accept requests but never answer them (until `unhang()` or `close()`). */
  hang(): void;
  unhang(): void;
  close(): Promise<void>;
}

const DEFAULT_REPLY: FakeOllamaScript = (request) => ({ text: `Echo: ${lastUserContent(request.body)}` });

export async function startFakeOllama(options: FakeOllamaOptions = {}): Promise<FakeOllama> {
  const models = [...(options.models ?? ['llama3.2:3b'])];
  const version = options.version ?? '0.12.6';
  const requests: RecordedRequest[] = [];
  const unexpected: RecordedRequest[] = [];
  const queue: FakeOllamaScript[] = [];
  let defaultReply = DEFAULT_REPLY;
  let hanging = false;
  const sockets = new Set<Socket>();
  const held = new Set<ServerResponse>();

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: String(error) });
      else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const recorded = await record(req);
    requests.push(recorded);
    if (hanging) {
      held.add(res);
      res.on('close', () => held.delete(res));
      return;
    }
    const route = `${recorded.method} ${recorded.path}`;
    switch (route) {
      case 'GET /':
      case 'HEAD /':
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Ollama is running');
        return;
      case 'GET /api/version':
        sendJson(res, 200, { version });
        return;
      case 'GET /api/tags':
        sendJson(res, 200, { models: models.map(tagEntry) });
        return;
      case 'POST /api/show':
        return show(recorded, res);
      case 'POST /api/chat':
        return chat(recorded, res);
      default:
        unexpected.push(recorded);
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end(`404 page not found (fake Ollama: unexpected ${route})`);
    }
  }

  function show(request: RecordedRequest, res: ServerResponse): void {
    const body = bodyObject(request);
    if (!body) return badBody(request, res);
    const name = typeof body['model'] === 'string' ? body['model'] : typeof body['name'] === 'string' ? body['name'] : '';
    if (name === '') return sendJson(res, 400, { error: 'model is required' });
    if (!hasModel(name)) return sendJson(res, 404, { error: `model '${name}' not found` });
    sendJson(res, 200, {
      modelfile: `# Modelfile generated by "ollama show"\nFROM ${name}\n`,
      parameters: 'stop                           "<|eot_id|>"',
      template: '{{ .Prompt }}',
      details: details(),
      model_info: { 'general.architecture': 'llama', 'llama.context_length': 131072 },
      capabilities: ['completion', 'tools'],
      modified_at: '2025-05-04T17:37:44.706015396-07:00',
    });
  }

  async function chat(request: RecordedRequest, res: ServerResponse): Promise<void> {
    const body = bodyObject(request);
    if (!body) return badBody(request, res);
    const model = typeof body['model'] === 'string' ? body['model'] : '';
    if (model === '') return sendJson(res, 400, { error: 'model is required' });
    if (!hasModel(model)) return sendJson(res, 404, { error: `model "${model}" not found, try pulling it first` });

    const script = queue.shift() ?? defaultReply;
    const reply = typeof script === 'function' ? await script(request) : script;
    if (reply.status !== undefined) return sendJson(res, reply.status, { error: reply.error ?? 'error' });

    const stream = body['stream'] !== false; // Ollama streams unless told `"stream": false`
    const text = reply.text ?? '';
    const toolCalls = (reply.toolCalls ?? []).map((call) => ({ function: { name: call.name, arguments: call.arguments } }));
    const stats = {
      total_duration: 4_883_583_458,
      load_duration: 1_334_875,
      prompt_eval_count: reply.promptEvalCount ?? 26,
      prompt_eval_duration: 342_546_000,
      eval_count: reply.evalCount ?? Math.max(1, text.split(/\s+/).filter(Boolean).length),
      eval_duration: 4_535_599_000,
    };

    await sleep(reply.firstTokenDelayMs ?? 0, res);
    if (res.destroyed) return;

    if (!stream) {
      if (reply.streamError) return sendJson(res, 500, { error: reply.streamError });
      const message = { role: 'assistant', content: text, ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}) };
      sendJson(res, 200, { model, created_at: now(), message, done_reason: reply.doneReason ?? 'stop', done: true, ...stats });
      return;
    }

    res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
    const pieces = splitText(text, reply.chunks);
    for (const [index, piece] of pieces.entries()) {
      if (index > 0) await sleep(reply.interChunkDelayMs ?? 0, res);
      if (res.destroyed) return;
      writeLine(res, { model, created_at: now(), message: { role: 'assistant', content: piece }, done: false });
    }
    if (reply.dropAfterText) {
      // Let what was written reach the client first, so the cut happens mid-stream.
      await new Promise<void>((resolve) => res.write('', () => resolve()));
      res.socket?.destroy();
      return;
    }
    if (reply.streamError) {
      writeLine(res, { error: reply.streamError });
      res.end();
      return;
    }
    if (toolCalls.length > 0) {
      writeLine(res, { model, created_at: now(), message: { role: 'assistant', content: '', tool_calls: toolCalls }, done: false });
    }
    writeLine(res, {
      model,
      created_at: now(),
      message: { role: 'assistant', content: '' },
      done_reason: reply.doneReason ?? 'stop',
      done: true,
      ...stats,
    });
    res.end();
  }

  function badBody(request: RecordedRequest, res: ServerResponse): void {
    if (request.rawBody === '') return sendJson(res, 400, { error: 'missing request body' });
    sendJson(res, 400, { error: `invalid character '${request.rawBody.trim().charAt(0)}' looking for beginning of value` });
  }

  function hasModel(name: string): boolean {
    return models.some((pulled) => withTag(pulled) === withTag(name));
  }

  await listen(server, 0);
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('fake Ollama: no port');
  const port = address.port;

  function cutEverything(): void {
    for (const res of held) res.destroy();
    held.clear();
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  }

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    unexpected,
    models,
    chatRequests: () => requests.filter((request) => request.method === 'POST' && request.path === '/api/chat'),
    script: (...replies) => {
      queue.push(...replies);
    },
    setDefault: (reply) => {
      defaultReply = reply;
    },
    down: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      cutEverything();
      await closed;
    },
    up: () => listen(server, port),
    hang: () => {
      hanging = true;
    },
    unhang: () => {
      hanging = false;
    },
    close: async () => {
      hanging = false;
      if (!server.listening) return;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      cutEverything();
      await closed;
    },
  };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

async function record(req: IncomingMessage): Promise<RecordedRequest> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(Buffer.isBuffer(part) ? part : Buffer.from(String(part)));
  const raw = Buffer.concat(parts);
  const rawBody = raw.toString('utf8');
  let body: unknown;
  try {
    body = rawBody === '' ? undefined : JSON.parse(rawBody);
  } catch {
    body = undefined;
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers[name] = /^(authorization|cookie|x-api-key|api-key)$/.test(name) ? '[redacted]' : Array.isArray(value) ? value.join(', ') : value;
  }
  const url = new URL(req.url ?? '/', 'http://fake');
  return { method: req.method ?? 'GET', path: url.pathname, headers, body, rawBody, bodyBytes: raw.length };
}

function bodyObject(request: RecordedRequest): Record<string, unknown> | undefined {
  const body = request.body;
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? Object.fromEntries(Object.entries(body)) : undefined;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

function writeLine(res: ServerResponse, line: unknown): void {
  res.write(`${JSON.stringify(line)}\n`);
}

/** Splits into `count` pieces (default: word by word, keeping the spaces) that concatenate back to text. */
export function splitText(text: string, count?: number): string[] {
  if (text === '') return [];
  if (count === undefined) return text.match(/\S+\s*|\s+/g) ?? [text];
  const size = Math.ceil(text.length / Math.max(1, count));
  const pieces: string[] = [];
  for (let start = 0; start < text.length; start += size) pieces.push(text.slice(start, start + size));
  return pieces;
}

function sleep(ms: number, res: ServerResponse): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const onClose = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      res.off('close', onClose);
      resolve();
    }, ms);
    res.once('close', onClose);
  });
}

function withTag(name: string): string {
  const lastSegment = name.slice(name.lastIndexOf('/') + 1);
  return lastSegment.includes(':') ? name : `${name}:latest`;
}

function tagEntry(name: string): Record<string, unknown> {
  return {
    name: withTag(name),
    model: withTag(name),
    modified_at: '2025-05-04T17:37:44.706015396-07:00',
    size: 2_019_393_189,
    digest: 'a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72',
    details: details(),
  };
}

function details(): Record<string, unknown> {
  return { parent_model: '', format: 'gguf', family: 'llama', families: ['llama'], parameter_size: '3.2B', quantization_level: 'Q4_K_M' };
}

function lastUserContent(body: unknown): string {
  if (typeof body !== 'object' || body === null || !('messages' in body) || !Array.isArray(body.messages)) return '';
  for (const message of [...body.messages].reverse()) {
    if (typeof message === 'object' && message !== null && 'role' in message && message.role === 'user' && 'content' in message && typeof message.content === 'string') {
      return message.content;
    }
  }
  return '';
}

function now(): string {
  return new Date().toISOString();
}
