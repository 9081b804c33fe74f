import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/index.js';
import {
  LlmError,
  createOpenAiCompatibleModel,
  providerNameFromUrl,
  type ChatResult,
  type LanguageModel,
  type OpenAiCompatibleModelOptions,
} from '../../src/llm/index.js';
import { startFakeOpenAi, type FakeOpenAi } from '../fakes/openai.js';

const API_KEY = 'sk-test-0123456789abcdef';
let fake: FakeOpenAi;

beforeEach(async () => {
  fake = await startFakeOpenAi({ apiKey: API_KEY, models: ['gpt-4o-mini'] });
});
afterEach(async () => {
  await fake.close();
});

function model(overrides: Partial<OpenAiCompatibleModelOptions> = {}): LanguageModel {
  return createOpenAiCompatibleModel({
    baseUrl: fake.baseUrl,
    apiKey: API_KEY,
    model: 'gpt-4o-mini',
    timeoutMs: 20_000,
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

describe('OpenAI-compatible adapter: chat', () => {
  it('sends no SDK platform headers (X-Stainless-*) and a plain User-Agent, on chat and on the probe', async () => {
    await model().chat({ messages: [{ role: 'user', content: 'hello' }] });
    await model().probe();
    expect(fake.requests.length).toBe(2);
    for (const request of fake.requests) {
      expect(Object.keys(request.headers).filter((name) => name.startsWith('x-stainless'))).toEqual([]);
      expect(request.headers['user-agent']).toBe('openzero');
      expect(request.headers['authorization']).toBe('[redacted]');
      expect(request.headers['content-type'] ?? 'application/json').toContain('application/json');
    }
  });

  it('streams deltas in order, reports usage and the answering model', async () => {
    fake.script({ text: 'Deep thought, short answer: 42.', usage: { promptTokens: 123, completionTokens: 7 } });
    const deltas: string[] = [];
    const result = await model().chat({ messages: [{ role: 'user', content: 'meaning of life?' }] }, (text) => deltas.push(text));

    expect(deltas).toEqual(['Deep ', 'thought, ', 'short ', 'answer: ', '42.']);
    expect(deltas.join('')).toBe(result.content);
    expect(result.model).toBe('gpt-4o-mini');
    expect(result.promptTokens).toBe(123);
    expect(result.completionTokens).toBe(7);
    expect(result.toolCalls).toEqual([]);
  });

  it('sends a streaming Chat Completions request with include_usage, tools and mapped messages', async () => {
    await model().chat({
      messages: [
        { role: 'system', content: 'You are Z.' },
        { role: 'user', content: 'plan my week' },
        { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'list_cards', arguments: { list: 'This week' } }] },
        { role: 'tool', content: '[]', toolCallId: 'call_1', toolName: 'list_cards' },
      ],
      tools: [{ name: 'list_cards', description: 'List cards', parameters: { type: 'object', properties: { list: { type: 'string' } } } }],
    });

    const [request] = fake.chatRequests();
    expect(request?.authorized).toBe(true);
    expect(request?.headers['authorization']).toBe('[redacted]');
    expect(request?.body).toEqual({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'You are Z.' },
        { role: 'user', content: 'plan my week' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'list_cards', arguments: '{"list":"This week"}' } }] },
        { role: 'tool', content: '[]', tool_call_id: 'call_1' },
      ],
      tools: [{ type: 'function', function: { name: 'list_cards', description: 'List cards', parameters: { type: 'object', properties: { list: { type: 'string' } } } } }],
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(fake.unexpected).toEqual([]);
  });

  it('discloses exactly the bytes the server received', async () => {
    fake.script({ text: 'ok' });
    const result = await model().chat({ messages: [{ role: 'user', content: 'Zusammenfassung: Grüße, Ünïcödé ✓ 🌍' }] });
    const [request] = fake.chatRequests();
    expect(result.bytesSent).toBe(request?.bodyBytes);
    expect(result.bytesSent).toBe(Buffer.byteLength(request?.rawBody ?? '', 'utf8'));
    expect(result.bytesSent).toBeGreaterThan(request?.rawBody.length ?? 0);
    expect(result.bytesReceived).toBeGreaterThan(0);
  });

  it('assembles tool calls from streamed deltas, keeping malformed arguments as raw text', async () => {
    fake.script({
      text: '',
      toolCalls: [
        { id: 'call_a', name: 'create_card', arguments: { title: 'Renew passport', due: '2025-07-01' }, argumentChunks: 5 },
        { id: 'call_b', name: 'remember', arguments: '{"fact": "likes tea"', argumentChunks: 2 },
      ],
    });
    const result = await model().chat({ messages: [{ role: 'user', content: 'do things' }] });
    expect(result.toolCalls).toEqual([
      { id: 'call_a', name: 'create_card', arguments: { title: 'Renew passport', due: '2025-07-01' } },
      { id: 'call_b', name: 'remember', arguments: '{"fact": "likes tea"' },
    ]);
    expect(result.content).toBe('');
  });

  it('maps 401 to rejected with the setting to fix, without retrying', async () => {
    const error = await chatError(model({ apiKey: 'sk-wrong-key-000000' }).chat({ messages: [{ role: 'user', content: 'hi' }] }));
    expect(error.kind).toBe('rejected');
    expect(error.status).toBe(401);
    expect(error.message).toContain('Incorrect API key provided');
    expect(error.message).not.toContain('sk-wrong-key-000000');
    expect(error.hint).toContain('DEEP_THINK_API_KEY');
    expect(error.retryable).toBe(false);
    expect(fake.chatRequests()).toHaveLength(1);
  });

  it('maps an unknown model to model-missing', async () => {
    const error = await chatError(model({ model: 'gpt-9' }).chat({ messages: [{ role: 'user', content: 'hi' }] }));
    expect(error.kind).toBe('model-missing');
    expect(error.status).toBe(404);
    expect(error.hint).toContain('DEEP_THINK_MODEL');
  });

  it('leaves retries to the caller: a 500 is sent once and marked retryable', async () => {
    fake.script({ status: 500, error: { message: 'The server had an error while processing your request.', type: 'server_error' } });
    const error = await chatError(model().chat({ messages: [{ role: 'user', content: 'hi' }] }));
    expect(error.kind).toBe('bad-response');
    expect(error.retryable).toBe(true);
    expect(fake.chatRequests()).toHaveLength(1);
  });

  it('maps 429 to rejected and retryable', async () => {
    fake.script({ status: 429, error: { message: 'Rate limit reached for gpt-4o-mini', type: 'requests', code: 'rate_limit_exceeded' } });
    const error = await chatError(model().chat({ messages: [{ role: 'user', content: 'hi' }] }));
    expect(error.kind).toBe('rejected');
    expect(error.retryable).toBe(true);
  });

  it('reports a closed port as unreachable', async () => {
    await fake.down();
    const error = await chatError(model().chat({ messages: [{ role: 'user', content: 'hi' }] }));
    expect(error.kind).toBe('unreachable');
    expect(error.hint).toContain(`DEEP_THINK_BASE_URL (${fake.baseUrl})`);
  });

  it('times out when no answer starts', async () => {
    fake.hang();
    const error = await chatError(model({ timeoutMs: 150 }).chat({ messages: [{ role: 'user', content: 'hi' }] }));
    expect(error.kind).toBe('timeout');
    expect(error.hint).toContain('DEEP_THINK_TIMEOUT_SECONDS');
  });

  it('times out mid-stream instead of returning the partial answer', async () => {
    fake.script({ text: 'one two three four five', interChunkDelayMs: 2_000 });
    const deltas: string[] = [];
    const error = await chatError(model({ timeoutMs: 1_000 }).chat({ messages: [{ role: 'user', content: 'count' }] }, (text) => deltas.push(text)));
    expect(error.kind).toBe('timeout');
    expect(deltas[0]).toBe('one ');
  });

  it('reports a cancelled request as aborted', async () => {
    fake.script({ text: 'slow', firstTokenDelayMs: 5_000 });
    const controller = new AbortController();
    const pending = model().chat({ messages: [{ role: 'user', content: 'hi' }], signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    expect((await chatError(pending)).kind).toBe('aborted');
  });

  it('turns an error event inside the stream into bad-response', async () => {
    fake.script({ text: 'partial', streamError: 'The server had an error while processing your request.' });
    const error = await chatError(model().chat({ messages: [{ role: 'user', content: 'hi' }] }));
    expect(error.kind).toBe('bad-response');
    expect(error.message).toContain('The server had an error');
  });

  it('does not pass a cut stream off as a complete answer', async () => {
    fake.script({ text: 'half an ans', dropAfterText: true });
    const deltas: string[] = [];
    const error = await chatError(model().chat({ messages: [{ role: 'user', content: 'hi' }] }, (text) => deltas.push(text)));
    expect(deltas.join('')).toBe('half an ans');
    expect(error.kind).toBe('unreachable');
  });
});

describe('OpenAI-compatible adapter: provider and probe', () => {
  it('derives the provider name from the host', () => {
    expect(providerNameFromUrl('https://api.openai.com/v1')).toBe('OpenAI');
    expect(providerNameFromUrl('https://api.groq.com/openai/v1')).toBe('Groq');
    expect(providerNameFromUrl('https://openrouter.ai/api/v1')).toBe('OpenRouter');
    expect(providerNameFromUrl('https://llm.example.net:8443/v1')).toBe('llm.example.net:8443');
    expect(model().provider).toBe(`127.0.0.1:${fake.port}`);
    expect(model({ provider: 'Local vLLM' }).provider).toBe('Local vLLM');
  });

  it('is ok when the model is listed', async () => {
    expect(await model().probe()).toEqual({ ok: true, detail: expect.stringContaining('gpt-4o-mini') });
    expect(fake.requests.map((request) => `${request.method} ${request.path}`)).toEqual(['GET /v1/models']);
  });

  it('is not ok when the model is not listed, or the key is wrong, or the server is down — and never throws', async () => {
    // What was found, then the fix: the setting to look at is named in one of them.
    const said = (result: Awaited<ReturnType<ReturnType<typeof model>['probe']>>): string => (result.ok ? result.detail : `${result.detail} ${result.fix ?? ''}`);
    expect(said(await model({ model: 'gpt-9' }).probe())).toContain('DEEP_THINK_MODEL');
    const wrongKey = await model({ apiKey: 'sk-nope-nope-nope' }).probe();
    expect(wrongKey.ok).toBe(false);
    expect(said(wrongKey)).toContain('DEEP_THINK_API_KEY');
    await fake.down();
    const down = await model().probe();
    expect(down.ok).toBe(false);
    expect(said(down)).toContain('DEEP_THINK_BASE_URL');
  });
});
