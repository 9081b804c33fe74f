import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/index.js';
import { LlmError, createOllamaModel, type ChatResult, type LanguageModel, type OllamaModelOptions } from '../../src/llm/index.js';
import { startFakeOllama, type FakeOllama } from '../fakes/ollama.js';

let fake: FakeOllama;

beforeEach(async () => {
  fake = await startFakeOllama({ models: ['llama3.2:3b'] });
});
afterEach(async () => {
  await fake.close();
});

function model(overrides: Partial<OllamaModelOptions> = {}): LanguageModel {
  return createOllamaModel({
    baseUrl: fake.url,
    model: 'llama3.2:3b',
    numCtx: 8192,
    keepAlive: '30m',
    connectTimeoutMs: 5_000,
    requestTimeoutMs: 20_000,
    log: silentLogger(),
    ...overrides,
  });
}

async function chatError(promise: Promise<ChatResult>): Promise<LlmError> {
  const error: unknown = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof LlmError)) throw new Error(`expected an LlmError, got ${String(error)}`);
  return error;
}

describe('Ollama adapter: chat', () => {
  it('streams deltas in order and they concatenate to the content', async () => {
    fake.script({ text: 'The sky is blue because of Rayleigh scattering.', promptEvalCount: 31, evalCount: 9 });
    const deltas: string[] = [];
    const result = await model().chat({ messages: [{ role: 'user', content: 'why is the sky blue?' }] }, (text) => deltas.push(text));

    expect(deltas).toEqual(['The ', 'sky ', 'is ', 'blue ', 'because ', 'of ', 'Rayleigh ', 'scattering.']);
    expect(deltas.join('')).toBe(result.content);
    expect(result.content).toBe('The sky is blue because of Rayleigh scattering.');
    expect(result.model).toBe('llama3.2:3b');
    expect(result.promptTokens).toBe(31);
    expect(result.completionTokens).toBe(9);
    expect(result.toolCalls).toEqual([]);
  });

  it('sends the native /api/chat body: stream, num_ctx, keep_alive, messages and tools in Ollama format', async () => {
    await model({ numCtx: 4096, keepAlive: '45m' }).chat({
      messages: [
        { role: 'system', content: 'You are Z.' },
        { role: 'user', content: 'weather in Toronto?' },
        { role: 'assistant', content: '', toolCalls: [{ id: 'ollama_0_x', name: 'get_weather', arguments: { city: 'Toronto' } }] },
        { role: 'tool', content: '11 degrees celsius', toolName: 'get_weather' },
      ],
      tools: [
        {
          name: 'get_weather',
          description: 'Get the weather in a given city',
          parameters: { type: 'object', properties: { city: { type: 'string', description: 'The city' } }, required: ['city'] },
        },
      ],
    });

    const [request] = fake.chatRequests();
    expect(request?.path).toBe('/api/chat');
    expect(request?.body).toEqual({
      model: 'llama3.2:3b',
      messages: [
        { role: 'system', content: 'You are Z.' },
        { role: 'user', content: 'weather in Toronto?' },
        { role: 'assistant', content: '', tool_calls: [{ function: { name: 'get_weather', arguments: { city: 'Toronto' } } }] },
        { role: 'tool', content: '11 degrees celsius', tool_name: 'get_weather' },
      ],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'Get the weather in a given city',
            parameters: { type: 'object', properties: { city: { type: 'string', description: 'The city' } }, required: ['city'] },
          },
        },
      ],
      stream: true,
      keep_alive: '45m',
      options: { num_ctx: 4096 },
    });
    expect(fake.unexpected).toEqual([]);
  });

  it('counts the bytes that went on the wire', async () => {
    fake.script({ text: 'Grüße aus Köln 🌧' });
    const result = await model().chat({ messages: [{ role: 'user', content: 'Hallo, wie geht’s? ✓' }] });
    const [request] = fake.chatRequests();
    expect(result.bytesSent).toBe(request?.bodyBytes);
    expect(result.bytesSent).toBeGreaterThan(request?.rawBody.length ?? 0); // multi-byte characters counted as bytes
    expect(result.bytesReceived).toBeGreaterThan(Buffer.byteLength(result.content));
  });

  it('parses tool calls from message.tool_calls and gives them stable ids', async () => {
    const reply = {
      text: '',
      toolCalls: [
        { name: 'create_card', arguments: { title: 'Call the bank', list: 'Today' } },
        { name: 'remember', arguments: { fact: 'likes tea' } },
      ],
    };
    fake.script(reply, reply);
    const first = await model().chat({ messages: [{ role: 'user', content: 'card + remember' }] });
    const second = await model().chat({ messages: [{ role: 'user', content: 'card + remember' }] });

    expect(first.toolCalls.map((call) => [call.name, call.arguments])).toEqual([
      ['create_card', { title: 'Call the bank', list: 'Today' }],
      ['remember', { fact: 'likes tea' }],
    ]);
    expect(first.toolCalls[0]?.id).not.toBe(first.toolCalls[1]?.id);
    expect(second.toolCalls.map((call) => call.id)).toEqual(first.toolCalls.map((call) => call.id));
    expect(first.content).toBe('');
  });

  it('reports a closed port as unreachable, with the fix, and recovers when Ollama is back', async () => {
    await fake.down();
    const error = await chatError(model().chat({ messages: [{ role: 'user', content: 'hi' }] }));
    expect(error.kind).toBe('unreachable');
    expect(error.provider).toBe('Ollama');
    // The address is said once, in the message; the fix names the setting.
    expect(error.message).toContain(fake.url);
    expect(error.hint).toContain('OLLAMA_BASE_URL');
    expect(error.hint).not.toContain(fake.url);
    expect(error.hint).toContain('`ollama serve`');
    expect(error.retryable).toBe(true);

    await fake.up();
    const result = await model().chat({ messages: [{ role: 'user', content: 'hi again' }] });
    expect(result.content).toBe('Echo: hi again');
  });

  it('reports an unpulled model as model-missing with the ollama pull command', async () => {
    const error = await chatError(model({ model: 'qwen2.5:7b' }).chat({ messages: [{ role: 'user', content: 'hi' }] }));
    expect(error.kind).toBe('model-missing');
    expect(error.status).toBe(404);
    expect(error.message).toContain('model "qwen2.5:7b" not found, try pulling it first');
    expect(error.hint).toContain('`ollama pull qwen2.5:7b`');
    expect(error.retryable).toBe(false);
  });

  it('times out when the first token (and with it the headers) never comes', async () => {
    fake.hang();
    const error = await chatError(model({ connectTimeoutMs: 150 }).chat({ messages: [{ role: 'user', content: 'hi' }] }));
    expect(error.kind).toBe('timeout');
    expect(error.hint).toContain('OLLAMA_CONNECT_TIMEOUT_SECONDS');
    expect(fake.chatRequests()).toHaveLength(1);
  });

  it('times out when the whole answer takes longer than the request timeout', async () => {
    fake.script({ text: 'one two three four five six', interChunkDelayMs: 2_000 });
    const deltas: string[] = [];
    const error = await chatError(
      model({ connectTimeoutMs: 5_000, requestTimeoutMs: 1_000 }).chat({ messages: [{ role: 'user', content: 'count' }] }, (text) => deltas.push(text)),
    );
    expect(error.kind).toBe('timeout');
    expect(error.hint).toContain('OLLAMA_TIMEOUT_SECONDS');
    expect(deltas[0]).toBe('one '); // the stream had started: it was the overall limit, not the connect one
  });

  it('reports a cancelled request as aborted', async () => {
    fake.script({ text: 'slow', firstTokenDelayMs: 5_000 });
    const controller = new AbortController();
    const pending = model().chat({ messages: [{ role: 'user', content: 'hi' }], signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const error = await chatError(pending);
    expect(error.kind).toBe('aborted');
  });

  it('turns an error line in the middle of the stream into bad-response', async () => {
    fake.script({ text: 'partial answer', streamError: 'an error was encountered while running the model' });
    const error = await chatError(model().chat({ messages: [{ role: 'user', content: 'hi' }] }));
    expect(error.kind).toBe('bad-response');
    expect(error.message).toContain('an error was encountered while running the model');
  });

  it('does not pass a cut connection off as a complete answer', async () => {
    fake.script({ text: 'half an ans', dropAfterText: true });
    const deltas: string[] = [];
    const error = await chatError(model().chat({ messages: [{ role: 'user', content: 'hi' }] }, (text) => deltas.push(text)));
    expect(deltas.join('')).toBe('half an ans');
    expect(error.kind).toBe('unreachable');
  });

  it('lets an error thrown by onDelta propagate unchanged', async () => {
    const mine = new Error('telegram edit failed');
    const error: unknown = await model()
      .chat({ messages: [{ role: 'user', content: 'hello there' }] }, () => {
        throw mine;
      })
      .catch((thrown: unknown) => thrown);
    expect(error).toBe(mine);
  });
});

describe('Ollama adapter: probe', () => {
  it('is ok when Ollama answers /api/tags and the model is pulled', async () => {
    const result = await model().probe();
    expect(result.ok).toBe(true);
    expect(fake.requests.map((request) => `${request.method} ${request.path}`)).toEqual(['GET /api/tags']);
  });

  it('treats a tagless model name as :latest', async () => {
    const withLatest = await startFakeOllama({ models: ['llama3.2'] });
    try {
      const result = await createOllamaModel({
        baseUrl: withLatest.url,
        model: 'llama3.2:latest',
        numCtx: 2048,
        keepAlive: 0,
        connectTimeoutMs: 2_000,
        requestTimeoutMs: 2_000,
        log: silentLogger(),
      }).probe();
      expect(result.ok).toBe(true);
    } finally {
      await withLatest.close();
    }
  });

  it('says how to pull a missing model', async () => {
    const result = await model({ model: 'mistral:7b' }).probe();
    expect(result).toEqual({ ok: false, detail: expect.stringContaining('mistral:7b is not pulled'), fix: expect.stringContaining('`ollama pull mistral:7b`') });
  });

  it('never throws when Ollama is down', async () => {
    await fake.down();
    const result = await model().probe();
    expect(result).toEqual({ ok: false, detail: expect.any(String), fix: expect.stringContaining('OLLAMA_BASE_URL') });
  });

  it('never throws when Ollama hangs', async () => {
    fake.hang();
    const result = await model({ connectTimeoutMs: 150 }).probe();
    expect(result).toEqual({ ok: false, detail: expect.any(String), fix: expect.stringContaining('OLLAMA_CONNECT_TIMEOUT_SECONDS') });
  });
});
