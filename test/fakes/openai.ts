/**
 * A fake OpenAI-compatible server for POST /v1/chat/completions and GET /v1/models, following
 * OpenAI's Chat Completions reference: with `stream: true` a text/event-stream of
 * `data: {"object":"chat.completion.chunk", ... "choices":[{"index":0,"delta":{...},"finish_reason":null}]}`
 * events, tool calls as `delta.tool_calls[{index, id, type, function:{name, arguments}}]` pieces,
 * with `stream_options.include_usage` every chunk carrying `usage: null` and a last chunk with
 * `choices: []` and the usage, then `data: [DONE]`. Errors use OpenAI's body
 * `{"error":{"message","type","param","code"}}` (401 invalid_api_key, 404 model_not_found, 400).
 * Every request is recorded with its exact raw body bytes; unknown routes get a loud 404.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  /** Lower-cased header names; authorization/cookie values replaced by "[redacted]". */
  headers: Record<string, string>;
  /** Whether the request carried `Authorization: Bearer <the configured key>`. */
  authorized: boolean;
  body: unknown;
  rawBody: string;
  /** Exact byte length of the body as received on the wire. */
  bodyBytes: number;
}

export interface FakeOpenAiToolCall {
  id?: string;
  name: string;
  /** An object is sent as its JSON text; a string is sent as is (to test malformed arguments). */
  arguments: Record<string, unknown> | string;
  /** How many pieces the arguments text is streamed in (default 3). */
  argumentChunks?: number;
}

export interface FakeOpenAiReply {
  text?: string;
  /** Number of content pieces (default: word by word). */
  chunks?: number;
  /** Delay before the response headers and first chunk. */
  firstTokenDelayMs?: number;
  interChunkDelayMs?: number;
  toolCalls?: FakeOpenAiToolCall[];
  finishReason?: string;
  usage?: { promptTokens: number; completionTokens: number };
  /** Answer with this status and OpenAI's error body instead. */
  status?: number;
  error?: { message: string; type?: string; code?: string | null };
  /** Stream `text`, then a `data: {"error": ...}` event and end. */
  streamError?: string;
  /** Stream `text`, then cut the connection without finish_reason or [DONE]. */
  dropAfterText?: boolean;
}

export type FakeOpenAiScript = FakeOpenAiReply | ((request: RecordedRequest) => FakeOpenAiReply | Promise<FakeOpenAiReply>);

export interface FakeOpenAiOptions {
  apiKey: string;
  models?: string[];
}

export interface FakeOpenAi {
  /** Server root, e.g. http://127.0.0.1:40123. */
  readonly url: string;
  /** What a client's base URL would be: `${url}/v1`. */
  readonly baseUrl: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  readonly unexpected: RecordedRequest[];
  readonly models: string[];
  chatRequests(): RecordedRequest[];
  script(...replies: FakeOpenAiScript[]): void;
  setDefault(reply: FakeOpenAiScript): void;
  down(): Promise<void>;
  up(): Promise<void>;
  hang(): void;
  unhang(): void;
  close(): Promise<void>;
}

const DEFAULT_REPLY: FakeOpenAiScript = (request) => ({ text: `Echo: ${lastUserContent(request.body)}` });

export async function startFakeOpenAi(options: FakeOpenAiOptions): Promise<FakeOpenAi> {
  const models = [...(options.models ?? ['gpt-4o-mini'])];
  const requests: RecordedRequest[] = [];
  const unexpected: RecordedRequest[] = [];
  const queue: FakeOpenAiScript[] = [];
  let defaultReply = DEFAULT_REPLY;
  let hanging = false;
  let completionCount = 0;
  const sockets = new Set<Socket>();
  const held = new Set<ServerResponse>();

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendError(res, 500, { message: String(error), type: 'server_error', code: null });
      else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const recorded = await record(req, options.apiKey);
    requests.push(recorded);
    if (hanging) {
      held.add(res);
      res.on('close', () => held.delete(res));
      return;
    }
    const route = `${recorded.method} ${recorded.path}`;
    if (route !== 'POST /v1/chat/completions' && route !== 'GET /v1/models') {
      unexpected.push(recorded);
      sendError(res, 404, { message: `Invalid URL (${route}) — fake OpenAI did not expect this request`, type: 'invalid_request_error', code: null });
      return;
    }
    if (!recorded.authorized) {
      const given = bearer(req.headers.authorization);
      const message =
        given === undefined
          ? "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY). You can obtain an API key from https://platform.openai.com/account/api-keys."
          : `Incorrect API key provided: ${maskKey(given)}. You can find your API key at https://platform.openai.com/account/api-keys.`;
      sendError(res, 401, { message, type: 'invalid_request_error', code: given === undefined ? null : 'invalid_api_key' });
      return;
    }
    if (route === 'GET /v1/models') {
      sendJson(res, 200, { object: 'list', data: models.map((id) => ({ id, object: 'model', created: 1_686_935_002, owned_by: 'openai' })) });
      return;
    }
    await completions(recorded, res);
  }

  async function completions(request: RecordedRequest, res: ServerResponse): Promise<void> {
    const body = request.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      sendError(res, 400, {
        message:
          "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
        type: 'invalid_request_error',
        code: null,
      });
      return;
    }
    const fields = Object.fromEntries(Object.entries(body));
    const model = typeof fields['model'] === 'string' ? fields['model'] : '';
    if (model === '') return sendError(res, 400, { message: 'you must provide a model parameter', type: 'invalid_request_error', code: null });
    if (!models.includes(model)) {
      return sendError(res, 404, { message: `The model \`${model}\` does not exist or you do not have access to it.`, type: 'invalid_request_error', code: 'model_not_found' });
    }

    const script = queue.shift() ?? defaultReply;
    const reply = typeof script === 'function' ? await script(request) : script;
    if (reply.status !== undefined) {
      return sendError(res, reply.status, { message: reply.error?.message ?? 'error', type: reply.error?.type ?? 'invalid_request_error', code: reply.error?.code ?? null });
    }

    completionCount += 1;
    const id = `chatcmpl-fake${completionCount}`;
    const created = Math.floor(Date.now() / 1000);
    const text = reply.text ?? '';
    const calls = (reply.toolCalls ?? []).map((call, index) => ({
      id: call.id ?? `call_fake${completionCount}_${index}`,
      name: call.name,
      argumentsText: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
      argumentChunks: call.argumentChunks ?? 3,
    }));
    const finishReason = reply.finishReason ?? (calls.length > 0 ? 'tool_calls' : 'stop');
    const promptTokens = reply.usage?.promptTokens ?? 17;
    const completionTokens = reply.usage?.completionTokens ?? Math.max(1, text.split(/\s+/).filter(Boolean).length);
    const usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };

    await sleep(reply.firstTokenDelayMs ?? 0, res);
    if (res.destroyed) return;

    if (fields['stream'] !== true) {
      const message = {
        role: 'assistant',
        content: calls.length > 0 && text === '' ? null : text,
        refusal: null,
        annotations: [],
        ...(calls.length > 0
          ? { tool_calls: calls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.argumentsText } })) }
          : {}),
      };
      sendJson(res, 200, { id, object: 'chat.completion', created, model, choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }], usage });
      return;
    }

    const streamOptions = fields['stream_options'];
    const includeUsage =
      typeof streamOptions === 'object' && streamOptions !== null && 'include_usage' in streamOptions && streamOptions.include_usage === true;
    const chunk = (choices: unknown[], extra: Record<string, unknown> = {}): unknown => ({
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      system_fingerprint: 'fp_fake',
      choices,
      ...(includeUsage ? { usage: null } : {}),
      ...extra,
    });
    const choice = (delta: Record<string, unknown>, finish: string | null = null): unknown => ({ index: 0, delta, logprobs: null, finish_reason: finish });

    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', 'x-request-id': `req_fake${completionCount}` });
    sendEvent(res, chunk([choice({ role: 'assistant', content: '', refusal: null })]));
    for (const [index, piece] of splitText(text, reply.chunks).entries()) {
      if (index > 0) await sleep(reply.interChunkDelayMs ?? 0, res);
      if (res.destroyed) return;
      sendEvent(res, chunk([choice({ content: piece })]));
    }
    if (reply.dropAfterText) {
      // Let what was written reach the client first, so the cut happens mid-stream.
      await new Promise<void>((resolve) => res.write('', () => resolve()));
      res.socket?.destroy();
      return;
    }
    if (reply.streamError) {
      sendEvent(res, { error: { message: reply.streamError, type: 'server_error', param: null, code: null } });
      res.end();
      return;
    }
    for (const [index, call] of calls.entries()) {
      sendEvent(res, chunk([choice({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] })]));
      for (const piece of splitText(call.argumentsText, call.argumentChunks)) {
        sendEvent(res, chunk([choice({ tool_calls: [{ index, function: { arguments: piece } }] })]));
      }
    }
    sendEvent(res, chunk([choice({}, finishReason)]));
    if (includeUsage) sendEvent(res, chunk([], { usage }));
    res.write('data: [DONE]\n\n');
    res.end();
  }

  await listen(server, 0);
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('fake OpenAI: no port');
  const port = address.port;

  function cutEverything(): void {
    for (const res of held) res.destroy();
    held.clear();
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  }

  return {
    url: `http://127.0.0.1:${port}`,
    baseUrl: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    unexpected,
    models,
    chatRequests: () => requests.filter((request) => request.method === 'POST' && request.path === '/v1/chat/completions'),
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

async function record(req: IncomingMessage, apiKey: string): Promise<RecordedRequest> {
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
  return {
    method: req.method ?? 'GET',
    path: url.pathname,
    headers,
    authorized: bearer(req.headers.authorization) === apiKey,
    body,
    rawBody,
    bodyBytes: raw.length,
  };
}

function bearer(header: string | undefined): string | undefined {
  const match = /^Bearer (.+)$/i.exec(header ?? '');
  return match?.[1];
}

/** OpenAI shows the start and end of a wrong key, never the whole of it. */
function maskKey(key: string): string {
  if (key.length <= 8) return '*'.repeat(key.length);
  return `${key.slice(0, 3)}${'*'.repeat(key.length - 7)}${key.slice(-4)}`;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

function sendError(res: ServerResponse, status: number, error: { message: string; type: string; code: string | null }): void {
  sendJson(res, status, { error: { message: error.message, type: error.type, param: null, code: error.code } });
}

function sendEvent(res: ServerResponse, data: unknown): void {
  res.write(`data: ${JSON.stringify(data)}\n\n`);
}

function splitText(text: string, count?: number): string[] {
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

function lastUserContent(body: unknown): string {
  if (typeof body !== 'object' || body === null || !('messages' in body) || !Array.isArray(body.messages)) return '';
  for (const message of [...body.messages].reverse()) {
    if (typeof message === 'object' && message !== null && 'role' in message && message.role === 'user' && 'content' in message && typeof message.content === 'string') {
      return message.content;
    }
  }
  return '';
}
