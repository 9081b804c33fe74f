/**
 * Memory index start-up: how long the embedded store takes to load N memories' vectors from the
 * database (PGlite, the embedded default), and how much resident memory the loaded index adds,
 * each size measured in a fresh child process so sizes do not share a heap. Also one search with
 * exact re-ranking from the database (the daemon's real path). Baseline: streaming the same rows
 * without building an index, measured first in the same child (so it also pays the cold cache).
 *
 *   npx tsx bench/memory-index-load.bench.ts [sizes, default 1000,10000,100000]
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrateToLatest, openDatabase } from '../src/db/index.js';
import { silentLogger } from '../src/log/index.js';
import { loadVectors, streamVectors } from '../src/memory/memories-repo.js';
import { createEmbeddedVectorStore, serializeVector } from '../src/memory/vector/index.js';

const DIMS = 384;
const MODEL = 'bench/random';

function randomUnit(): Float32Array {
  const v = new Float32Array(DIMS);
  let norm = 0;
  for (let i = 0; i < DIMS; i++) {
    v[i] = Math.random() * 2 - 1;
    norm += v[i]! * v[i]!;
  }
  norm = Math.sqrt(norm);
  for (let i = 0; i < DIMS; i++) v[i]! /= norm;
  return v;
}

async function build(dir: string, n: number): Promise<void> {
  const opened = await openDatabase({ kind: 'embedded', dataDir: dir }, silentLogger());
  const migrated = await migrateToLatest(opened.db);
  if (!migrated.ok) throw new Error(migrated.reason);
  for (let start = 0; start < n; start += 1000) {
    const rows = Array.from({ length: Math.min(1000, n - start) }, (_, i) => ({
      id: randomUUID(),
      text: `memory ${start + i}`,
      source: 'command' as const,
      embedding_model: MODEL,
      vector: serializeVector(randomUnit()),
    }));
    await opened.db.insertInto('memories').values(rows).execute();
  }
  await opened.close();
}

function settle(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  return process.memoryUsage().rss;
}

async function measure(dir: string): Promise<void> {
  const opened = await openDatabase({ kind: 'embedded', dataDir: dir }, silentLogger());
  const now = new Date();
  // Warm the database (first query pays for page cache) so the two timings compare fairly.
  await opened.db.selectFrom('memories').select('id').limit(1).execute();

  let started = performance.now();
  let rows = 0;
  for await (const row of streamVectors(opened.db, MODEL, now)) rows += row.vector.length > 0 ? 1 : 0;
  const readMs = performance.now() - started;

  const rssBefore = settle();
  const store = createEmbeddedVectorStore({
    loadAll: () => streamVectors(opened.db, MODEL, now),
    loadVectors: (ids) => loadVectors(opened.db, ids, MODEL, now),
    log: silentLogger(),
  });
  started = performance.now();
  await store.ensureReady(DIMS);
  const loadMs = performance.now() - started;
  const rssAfter = settle();

  const times: number[] = [];
  for (let q = 0; q < 50; q++) {
    const t = performance.now();
    await store.search(randomUnit(), 5);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  process.stdout.write(JSON.stringify({ rows, readMs, loadMs, rssDelta: rssAfter - rssBefore, searchP50: times[25], count: await store.count() }));
  await opened.close();
}

async function main(): Promise<void> {
  const [mode, dir, n] = process.argv.slice(2);
  if (mode === 'build' && dir && n) return build(dir, Number(n));
  if (mode === 'measure' && dir) return measure(dir);
  const sizes = (mode ?? '1000,10000,100000').split(',').map(Number);
  const self = path.resolve(import.meta.filename);
  const tsx = path.resolve(import.meta.dirname, '../node_modules/tsx/dist/cli.mjs');
  const table: string[] = [];
  for (const size of sizes) {
    const data = fs.mkdtempSync(path.join(os.tmpdir(), 'oz-bench-load-'));
    try {
      execFileSync(process.execPath, [tsx, self, 'build', path.join(data, 'pglite'), String(size)], { stdio: 'inherit' });
      const out = execFileSync(process.execPath, ['--expose-gc', tsx, self, 'measure', path.join(data, 'pglite')], { encoding: 'utf8' });
      const r = JSON.parse(out) as { rows: number; readMs: number; loadMs: number; rssDelta: number; searchP50: number; count: number };
      const per10k = (bytes: number): string => `${((bytes / r.count) * 10_000 / 1_048_576).toFixed(1)} MB`;
      table.push(
        `| ${size.toLocaleString('en')} | ${r.loadMs.toFixed(0)} ms | ${r.readMs.toFixed(0)} ms | ${(r.loadMs / r.readMs).toFixed(2)}× | ${per10k(r.rssDelta)} | ${r.searchP50.toFixed(2)} ms |`,
      );
    } finally {
      fs.rmSync(data, { recursive: true, force: true });
    }
  }
  process.stdout.write(
    [
      '## Memory index start-up (embedded store over PGlite)',
      '',
      '`npx tsx bench/memory-index-load.bench.ts` — random unit 384-d vectors; each size in its own process.',
      '',
      '| memories | index load | baseline: stream rows, no index (cold) | load / read | resident added per 10k (RSS, after GC) | search p50 incl. re-rank from DB |',
      '|---:|---:|---:|---:|---:|---:|',
      ...table,
      '',
    ].join('\n'),
  );
}

await main();
