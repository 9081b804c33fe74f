/**
 * Does a heartbeat delay a reply to the owner? Foreground chat latency through the real model
 * queue and the real Ollama adapter, against a local "Ollama" that, like one GPU, generates
 * one answer at a time (others wait in line, as with OLLAMA_NUM_PARALLEL=1) and stops
 * generating when the client goes away (as Ollama does).
 *   - idle: the owner's turns alone;
 *   - busy: the same turns while 3 heartbeats keep the model busy with background calls.
 * Target (issue 13): busy ≤ 1.2 × idle (p50 and p95).
 *
 *   npx tsx bench/agent-queue.bench.ts
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOllamaModel, ModelQueue, type LanguageModel } from '../src/llm/index.js';
import { silentLogger } from '../src/log/index.js';

const TURNS = Number(process.env.BENCH_TURNS ?? 40);
const HEARTBEATS = 3;
/** One generation: this many chunks, this far apart (≈ 300 ms for an answer). */
const CHUNKS = 15;
const CHUNK_MS = 20;
const MODEL = 'bench:1b';

interface Waiting {
  start: () => void;
  gone: boolean;
}

/** One GPU: one /api/chat generation at a time, FIFO; a client that hangs up frees the GPU at once. */
function startSingleSlotOllama(): Promise<{ url: string; close: () => Promise<void>; generations: () => number; cancelled: () => number }> {
  const line: Waiting[] = [];
  let busy = false;
  let generations = 0;
  let cancelled = 0;
  const next = (): void => {
    if (busy) return;
    let waiting = line.shift();
    while (waiting?.gone) waiting = line.shift();
    if (!waiting) return;
    busy = true;
    waiting.start();
  };
  const server = http.createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/api/chat') {
      res.writeHead(404).end(JSON.stringify({ error: 'not found' }));
      return;
    }
    req.resume();
    const entry: Waiting = {
      gone: false,
      start: () => {
        generations += 1;
        res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
        let sent = 0;
        const finish = (): void => {
          clearInterval(timer);
          busy = false;
          next();
        };
        const timer = setInterval(() => {
          if (res.destroyed) return;
          sent += 1;
          const done = sent >= CHUNKS;
          res.write(`${JSON.stringify({ model: MODEL, created_at: new Date().toISOString(), message: { role: 'assistant', content: 'word ' }, done: false })}\n`);
          if (done) {
            res.end(`${JSON.stringify({ model: MODEL, created_at: new Date().toISOString(), done: true, done_reason: 'stop', eval_count: CHUNKS, prompt_eval_count: 20 })}\n`);
            finish();
          }
        }, CHUNK_MS);
        res.once('close', () => {
          if (sent < CHUNKS) {
            cancelled += 1;
            finish();
          }
        });
      },
    };
    res.once('close', () => {
      entry.gone = true;
    });
    line.push(entry);
    next();
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
        generations: () => generations,
        cancelled: () => cancelled,
      });
    });
  });
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

async function foregroundTurns(foreground: LanguageModel): Promise<number[]> {
  const latencies: number[] = [];
  for (let turn = 0; turn < TURNS; turn += 1) {
    const started = performance.now();
    await foreground.chat({ messages: [{ role: 'user', content: `owner turn ${turn}` }] }, () => undefined);
    latencies.push(performance.now() - started);
    // The owner reads the answer before the next message: heartbeats get the model meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return latencies;
}

async function main(): Promise<void> {
  const ollama = await startSingleSlotOllama();
  const model = createOllamaModel({ baseUrl: ollama.url, model: MODEL, numCtx: 4096, keepAlive: '5m', connectTimeoutMs: 5_000, requestTimeoutMs: 60_000, log: silentLogger() });
  const queue = new ModelQueue(model);
  const foreground = queue.lane('foreground');
  const background = queue.lane('background');

  await foregroundTurns(foreground); // warm-up: connections, JIT
  const idle = await foregroundTurns(foreground);

  let stop = false;
  let beats = 0;
  const heartbeats = Array.from({ length: HEARTBEATS }, async (_, index) => {
    while (!stop) {
      await background.chat({ messages: [{ role: 'user', content: `heartbeat ${index}` }] });
      beats += 1;
    }
  });
  await new Promise((resolve) => setTimeout(resolve, 200));
  const busy = await foregroundTurns(foreground);
  stop = true;
  await Promise.all(heartbeats);

  // Baseline: the same load with no queue in front of the model (Ollama's own FIFO decides).
  stop = false;
  const direct = Array.from({ length: HEARTBEATS }, async (_, index) => {
    while (!stop) await model.chat({ messages: [{ role: 'user', content: `heartbeat ${index}` }] });
  });
  await new Promise((resolve) => setTimeout(resolve, 200));
  const unqueued = await foregroundTurns(model);
  stop = true;
  await Promise.all(direct);
  await ollama.close();

  const row = (name: string, values: number[]) => `| ${name} | ${percentile(values, 50).toFixed(0)} | ${percentile(values, 95).toFixed(0)} | ${Math.max(...values).toFixed(0)} |`;
  const p50 = percentile(busy, 50) / percentile(idle, 50);
  const p95 = percentile(busy, 95) / percentile(idle, 95);
  const ok = p50 <= 1.2 && p95 <= 1.2;
  process.stdout.write(
    [
      '## Agents: foreground latency with busy heartbeats (bench/agent-queue.bench.ts)',
      '',
      `${TURNS} owner turns through the model queue and the Ollama adapter, against a one-GPU Ollama stand-in (${CHUNKS} chunks × ${CHUNK_MS} ms per answer). ` +
        `Busy: ${HEARTBEATS} heartbeats calling the model back to back (${beats} heartbeat answers finished, ${ollama.cancelled()} generations stopped for the owner).`,
      '',
      '| foreground latency (ms) | p50 | p95 | max |',
      '| --- | --- | --- | --- |',
      row('idle', idle),
      row(`busy (${HEARTBEATS} heartbeats)`, busy),
      row(`baseline: busy without the queue`, unqueued),
      '',
      `Ratio busy/idle: p50 ${p50.toFixed(2)}×, p95 ${p95.toFixed(2)}× (target ≤ 1.2×): ${ok ? 'met' : 'NOT met'}.`,
      '',
    ].join('\n'),
  );
  if (!ok) process.exitCode = 1;
}

await main();
