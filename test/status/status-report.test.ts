import { afterEach, describe, expect, it } from 'vitest';
import { createOllamaModel } from '../../src/llm/index.js';
import { silentLogger } from '../../src/log/index.js';
import { renderStatus, runProbes, type ServiceProbe } from '../../src/status/index.js';
import { startFakeOllama, type FakeOllama } from '../fakes/ollama.js';

function ollamaProbe(baseUrl: string, model: string): ServiceProbe {
  const llm = createOllamaModel({ baseUrl, model, numCtx: 2048, keepAlive: '1m', connectTimeoutMs: 5000, requestTimeoutMs: 5000, log: silentLogger() });
  return { name: 'Ollama', configured: true, check: () => llm.probe() };
}

async function statusWith(probes: ServiceProbe[]): Promise<string> {
  return renderStatus({
    version: '1.2.3',
    uptimeMs: 5000,
    database: 'embedded',
    migrationsApplied: 1,
    migrationsTotal: 1,
    inboxPending: 0,
    outboxPending: 0,
    polling: 'off',
    services: await runProbes(probes),
  });
}

function serviceLine(status: string, name: string): string {
  const lines = status.split('\n').filter((line) => line.includes(` ${name}:`));
  expect(lines).toHaveLength(1);
  return lines[0] ?? '';
}

describe('/status services', () => {
  let ollama: FakeOllama | undefined;
  afterEach(async () => {
    await ollama?.close();
    ollama = undefined;
  });

  it('says a model that is not pulled in one line: ❌, what was found, the fix; the URL once, no "reachable", no nested parentheses', async () => {
    ollama = await startFakeOllama({ models: ['qwen2.5:7b'] });
    const line = serviceLine(await statusWith([ollamaProbe(ollama.url, 'llama3.2:3b')]), 'Ollama');
    expect(line.startsWith('❌ Ollama: ')).toBe(true);
    expect(line).toContain('llama3.2:3b is not pulled');
    expect(line).toContain('Fix: run `ollama pull llama3.2:3b`');
    expect(line.split(ollama.url)).toHaveLength(2);
    expect(line).not.toMatch(/reachable/i);
    expect(line).not.toMatch(/\([^)]*\(/);
  });

  it('shows a working service with ✅ and an unreachable one with ❌ and how to fix it', async () => {
    ollama = await startFakeOllama();
    const up = serviceLine(await statusWith([ollamaProbe(ollama.url, 'llama3.2:3b')]), 'Ollama');
    expect(up).toBe(`✅ Ollama: llama3.2:3b ready at ${ollama.url}`);
    const down = serviceLine(await statusWith([ollamaProbe('http://127.0.0.1:9', 'llama3.2:3b')]), 'Ollama');
    expect(down.startsWith('❌ Ollama: ')).toBe(true);
    expect(down).toContain('Fix: check OLLAMA_BASE_URL');
    expect(down.split('http://127.0.0.1:9')).toHaveLength(2);
    expect(down).not.toMatch(/\([^)]*\(/);
  });

  it('marks a partly working or switched-off service ⚠️ and keeps every service on its own line', async () => {
    const status = await statusWith([
      { name: 'Planka', configured: true, check: async () => ({ ok: true, warning: true, detail: '2 writes waiting', fix: 'wait, or look at /tasks' }) },
      { name: 'Deep think', configured: false, notConfiguredNote: 'not configured, so /think is off', check: async () => ({ ok: false, detail: '' }) },
    ]);
    expect(serviceLine(status, 'Planka')).toBe('⚠️ Planka: 2 writes waiting. Fix: wait, or look at /tasks');
    expect(serviceLine(status, 'Deep think')).toBe('⚠️ Deep think: not configured, so /think is off');
  });

  it('says a service that answers but refuses us in one flat line: what it refuses, then the fix', async () => {
    const status = await statusWith([
      {
        name: 'Planka',
        configured: true,
        check: async () => ({ ok: false, refused: true, detail: 'this Planka user may not create projects · 1 write queued', fix: 'this Planka user needs the Project Owner or Admin role: give it one in Settings → Users' }),
      },
    ]);
    const line = serviceLine(status, 'Planka');
    expect(line).toBe('⚠️ Planka: reachable, but refuses: this Planka user may not create projects · 1 write queued. Fix: this Planka user needs the Project Owner or Admin role: give it one in Settings → Users');
    expect(line).not.toContain('(');
  });
});
