/** The fakes themselves, spoken to with plain fetch: their wire format is what the docs show. */
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../fakes/ollama.js';
import { startFakeOpenAi, type FakeOpenAi } from '../fakes/openai.js';

let ollama: FakeOllama | undefined;
let openai: FakeOpenAi | undefined;
afterEach(async () => {
  await ollama?.close();
  await openai?.close();
  ollama = undefined;
  openai = undefined;
});

function ndjson(text: string): unknown[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line): unknown => JSON.parse(line));
}

describe('fake Ollama', () => {
  it('streams /api/chat as NDJSON lines ending with a done line carrying the stats', async () => {
    ollama = await startFakeOllama({ models: ['llama3.2:3b'] });
    ollama.script({ text: 'Hello there', toolCalls: [{ name: 'get_weather', arguments: { city: 'Tokyo' } }] });
    const response = await fetch(`${ollama.url}/api/chat`, {
      method: 'POST',
      body: JSON.stringify({ model: 'llama3.2:3b', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(response.headers.get('content-type')).toBe('application/x-ndjson');
    const lines = ndjson(await response.text());
    expect(lines[0]).toEqual({ model: 'llama3.2:3b', created_at: expect.any(String), message: { role: 'assistant', content: 'Hello ' }, done: false });
    expect(lines[2]).toEqual({
      model: 'llama3.2:3b',
      created_at: expect.any(String),
      message: { role: 'assistant', content: '', tool_calls: [{ function: { name: 'get_weather', arguments: { city: 'Tokyo' } } }] },
      done: false,
    });
    expect(lines.at(-1)).toEqual({
      model: 'llama3.2:3b',
      created_at: expect.any(String),
      message: { role: 'assistant', content: '' },
      done_reason: 'stop',
      done: true,
      total_duration: expect.any(Number),
      load_duration: expect.any(Number),
      prompt_eval_count: expect.any(Number),
      prompt_eval_duration: expect.any(Number),
      eval_count: expect.any(Number),
      eval_duration: expect.any(Number),
    });
  });

  it('answers "stream": false with one JSON object', async () => {
    ollama = await startFakeOllama();
    ollama.script({ text: 'Hello! How are you today?' });
    const response = await fetch(`${ollama.url}/api/chat`, {
      method: 'POST',
      body: JSON.stringify({ model: 'llama3.2:3b', messages: [{ role: 'user', content: 'hi' }], stream: false }),
    });
    expect(await response.json()).toMatchObject({ message: { role: 'assistant', content: 'Hello! How are you today?' }, done: true, done_reason: 'stop' });
  });

  it("uses Ollama's error bodies: 404 for an unknown model, 400 for a malformed body", async () => {
    ollama = await startFakeOllama({ models: ['llama3.2:3b'] });
    const missing = await fetch(`${ollama.url}/api/chat`, { method: 'POST', body: JSON.stringify({ model: 'x', messages: [] }) });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'model "x" not found, try pulling it first' });

    const malformed = await fetch(`${ollama.url}/api/chat`, { method: 'POST', body: '{"model": ' });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual({ error: expect.stringContaining('invalid character') });

    const showMissing = await fetch(`${ollama.url}/api/show`, { method: 'POST', body: JSON.stringify({ model: 'x' }) });
    expect(showMissing.status).toBe(404);
    expect(await showMissing.json()).toEqual({ error: "model 'x' not found" });
  });

  it('serves /api/tags, /api/show and /api/version', async () => {
    ollama = await startFakeOllama({ models: ['llama3.2:3b', 'nomic-embed-text'] });
    const tags = await (await fetch(`${ollama.url}/api/tags`)).json();
    expect(tags).toMatchObject({ models: [{ name: 'llama3.2:3b', model: 'llama3.2:3b' }, { name: 'nomic-embed-text:latest' }] });
    const show = await (await fetch(`${ollama.url}/api/show`, { method: 'POST', body: JSON.stringify({ model: 'llama3.2:3b' }) })).json();
    expect(show).toMatchObject({ details: { family: 'llama' }, capabilities: ['completion', 'tools'] });
    expect(await (await fetch(`${ollama.url}/api/version`)).json()).toEqual({ version: expect.any(String) });
  });

  it('records requests and fails loudly on ones it does not know', async () => {
    ollama = await startFakeOllama();
    const response = await fetch(`${ollama.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer secret' }, body: '{}' });
    expect(response.status).toBe(404);
    expect(ollama.unexpected).toHaveLength(1);
    expect(ollama.unexpected[0]).toMatchObject({ method: 'POST', path: '/v1/chat/completions', bodyBytes: 2, headers: { authorization: '[redacted]' } });
  });
});

describe('fake OpenAI', () => {
  it('streams SSE chunks with deltas, tool-call pieces, a usage chunk and [DONE]', async () => {
    openai = await startFakeOpenAi({ apiKey: 'sk-good' });
    openai.script({ text: 'Hi', toolCalls: [{ id: 'call_1', name: 'f', arguments: { a: 1 }, argumentChunks: 2 }], usage: { promptTokens: 5, completionTokens: 2 } });
    const response = await fetch(`${openai.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-good', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } }),
    });
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const events = (await response.text()).split('\n\n').filter((event) => event !== '');
    expect(events.every((event) => event.startsWith('data: '))).toBe(true);
    expect(events.at(-1)).toBe('data: [DONE]');
    const chunks = events.slice(0, -1).map((event): unknown => JSON.parse(event.slice('data: '.length)));
    expect(chunks[0]).toEqual({
      id: expect.stringMatching(/^chatcmpl-/),
      object: 'chat.completion.chunk',
      created: expect.any(Number),
      model: 'gpt-4o-mini',
      system_fingerprint: expect.any(String),
      choices: [{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }],
      usage: null,
    });
    expect(chunks[1]).toMatchObject({ choices: [{ delta: { content: 'Hi' } }] });
    expect(chunks[2]).toMatchObject({ choices: [{ delta: { tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '' } }] } }] });
    expect(chunks[3]).toMatchObject({ choices: [{ delta: { tool_calls: [{ index: 0, function: { arguments: '{"a"' } }] } }] });
    expect(chunks.at(-2)).toMatchObject({ choices: [{ delta: {}, finish_reason: 'tool_calls' }], usage: null });
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 } });
  });

  it('answers non-streaming requests with a chat.completion object', async () => {
    openai = await startFakeOpenAi({ apiKey: 'sk-good' });
    openai.script({ text: 'Hello!' });
    const response = await fetch(`${openai.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-good' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(await response.json()).toMatchObject({
      object: 'chat.completion',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello!' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) },
    });
  });

  it("answers a wrong key with 401 and OpenAI's error body, never echoing the key", async () => {
    openai = await startFakeOpenAi({ apiKey: 'sk-good' });
    const response = await fetch(`${openai.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-wrong-1234567890' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [] }),
    });
    expect(response.status).toBe(401);
    const body = await response.json();
    expect(body).toEqual({ error: { message: expect.stringContaining('Incorrect API key provided'), type: 'invalid_request_error', param: null, code: 'invalid_api_key' } });
    expect(JSON.stringify(body)).not.toContain('sk-wrong-1234567890');
    expect(openai.requests[0]?.authorized).toBe(false);
  });

  it('records the exact raw body bytes and fails loudly on unknown routes', async () => {
    openai = await startFakeOpenAi({ apiKey: 'sk-good' });
    const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'größe 🌍' }] });
    await fetch(`${openai.baseUrl}/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer sk-good' }, body });
    expect(openai.requests[0]?.bodyBytes).toBe(Buffer.byteLength(body));
    const unknown = await fetch(`${openai.baseUrl}/embeddings`, { method: 'POST', headers: { authorization: 'Bearer sk-good' }, body: '{}' });
    expect(unknown.status).toBe(404);
    expect(openai.unexpected.map((request) => request.path)).toEqual(['/v1/embeddings']);
  });
});
