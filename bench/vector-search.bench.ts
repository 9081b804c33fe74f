/**
 * Embedded vector index: search latency, recall and memory at 1k / 10k / 100k random unit 384-d
 * vectors. Baseline: exact float32 brute force in JavaScript, measured in the same run.
 *
 *   npx tsx bench/vector-search.bench.ts            (add --expose-gc via NODE_OPTIONS for steadier memory numbers)
 */
import { ExactIndex, deserializeVector, normalizeVector, serializeVector } from '../src/memory/vector/index.js';

const DIMS = 384;
const K = 5;
const QUERIES = 200;
const SIZES = [1_000, 10_000, 100_000];

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

function randomUnit(random: () => number): Float32Array {
  const v = new Float32Array(DIMS);
  for (let i = 0; i < DIMS; i++) v[i] = gaussian(random);
  return normalizeVector(v);
}

function uuid(i: number): string {
  const hex = i.toString(16).padStart(12, '0');
  return `00000000-0000-4000-8000-${hex}`;
}

/** Exact float32 brute force with a bounded top-k: the baseline. */
function bruteForce(flat: Float32Array, n: number, query: Float32Array, k: number): number[] {
  const best: { slot: number; score: number }[] = [];
  for (let i = 0, o = 0; i < n; i++, o += DIMS) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let j = 0; j < DIMS; j += 4) {
      s0 += (flat[o + j] ?? 0) * (query[j] ?? 0);
      s1 += (flat[o + j + 1] ?? 0) * (query[j + 1] ?? 0);
      s2 += (flat[o + j + 2] ?? 0) * (query[j + 2] ?? 0);
      s3 += (flat[o + j + 3] ?? 0) * (query[j + 3] ?? 0);
    }
    const score = s0 + s1 + s2 + s3;
    if (best.length < k || score > (best[best.length - 1]?.score ?? -Infinity)) {
      best.push({ slot: i, score });
      best.sort((a, b) => b.score - a.score);
      if (best.length > k) best.pop();
    }
  }
  return best.map((b) => b.slot);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

function time(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function gc(): void {
  const collect: unknown = Reflect.get(globalThis, 'gc');
  if (typeof collect === 'function') {
    collect();
    collect();
  }
}

function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(2);
}

interface Row {
  n: number;
  mode: string;
  p50: number;
  p95: number;
  recall: number;
  speedup: number;
}

const rows: Row[] = [];
const memoryRows: string[] = [];
const loadRows: string[] = [];

for (const n of SIZES) {
  const random = rng(n);
  const flat = new Float32Array(n * DIMS);
  for (let i = 0; i < n; i++) flat.set(randomUnit(random), i * DIMS);
  const queries = Array.from({ length: QUERIES }, () => randomUnit(random));

  // Serialized rows, as the database would hand them over.
  const serialized = Array.from({ length: n }, (_, i) => serializeVector(flat.subarray(i * DIMS, (i + 1) * DIMS)));

  gc();
  const rssBefore = process.memoryUsage().rss;
  const externalBefore = process.memoryUsage().external + process.memoryUsage().arrayBuffers;
  const heapBefore = process.memoryUsage().heapUsed;
  const started = process.hrtime.bigint();
  const index = new ExactIndex({ dimensions: DIMS, initialCapacity: n });
  for (let i = 0; i < n; i++) index.add(uuid(i), deserializeVector(serialized[i] ?? Buffer.alloc(0), DIMS));
  const loadMs = Number(process.hrtime.bigint() - started) / 1e6;
  gc();
  const usage = process.memoryUsage();
  const rssDelta = usage.rss - rssBefore;
  const heapDelta = usage.heapUsed - heapBefore;
  const externalDelta = usage.external + usage.arrayBuffers - externalBefore;
  const footprint = index.footprint();
  const per10k = (bytes: number): string => mb((bytes / n) * 10_000);
  memoryRows.push(
    `| ${n.toLocaleString('en')} | ${per10k(footprint.total)} | ${per10k(footprint.codes + footprint.scales)} | ${per10k(rssDelta)} | ${per10k(heapDelta)} | ${per10k(externalDelta)} | ${per10k(n * DIMS * 4)} |`,
  );
  loadRows.push(`| ${n.toLocaleString('en')} | ${loadMs.toFixed(1)} | ${((loadMs / n) * 1000).toFixed(2)} |`);

  // Same vectors with resident floats: int8 preselection + exact re-rank (the database loader's job in production).
  const reranking = new ExactIndex({ dimensions: DIMS, keepFloats: true, initialCapacity: n });
  for (let i = 0; i < n; i++) reranking.add(uuid(i), flat.subarray(i * DIMS, (i + 1) * DIMS));

  const truth = queries.map((q) => bruteForce(flat, n, q, K).map(uuid));
  const measure = (mode: string, search: (q: Float32Array) => string[]): Row => {
    for (let w = 0; w < 10; w++) search(queries[w % QUERIES] ?? new Float32Array(DIMS));
    const times: number[] = [];
    let found = 0;
    queries.forEach((q, qi) => {
      let ids: string[] = [];
      times.push(time(() => (ids = search(q))));
      const expected = truth[qi] ?? [];
      found += ids.filter((id) => expected.includes(id)).length;
    });
    times.sort((a, b) => a - b);
    return { n, mode, p50: percentile(times, 50), p95: percentile(times, 95), recall: found / (QUERIES * K), speedup: 1 };
  };
  const baseline = measure('float32 brute force (JS, baseline)', (q) => bruteForce(flat, n, q, K).map(uuid));
  const int8 = measure('int8 only (Wasm SIMD)', (q) => index.search(q, K).map((h) => h.id));
  const rerank = measure(`int8 → top ${Math.max(100, 8 * K)} → exact re-rank`, (q) => reranking.search(q, K).map((h) => h.id));
  for (const row of [baseline, int8, rerank]) {
    row.speedup = baseline.p95 / row.p95;
    rows.push(row);
  }
}

const lines = [
  '## Embedded vector search (ExactIndex)',
  '',
  '`npx tsx bench/vector-search.bench.ts` — random unit vectors, 384-d, top-5, 200 queries per size, ' +
    `Node ${process.version}. Recall@5 is against the float32 brute-force baseline of the same run.`,
  '',
  '| vectors | mode | p50 ms | p95 ms | recall@5 | p95 speed-up vs baseline |',
  '|---:|---|---:|---:|---:|---:|',
  ...rows.map((r) => `| ${r.n.toLocaleString('en')} | ${r.mode} | ${r.p50.toFixed(2)} | ${r.p95.toFixed(2)} | ${r.recall.toFixed(4)} | ${r.speedup.toFixed(1)}× |`),
  '',
  '### Memory per 10k vectors (MB) — int8 index without resident floats',
  '',
  '| vectors | theoretical total | codes + scales | RSS delta | JS heap delta (ids, map) | external + ArrayBuffer delta | float32 would be |',
  '|---:|---:|---:|---:|---:|---:|---:|',
  ...memoryRows,
  '',
  '### Index load from serialized (little-endian bytea) rows',
  '',
  '| vectors | load ms | µs per vector |',
  '|---:|---:|---:|',
  ...loadRows,
  '',
];
console.log(lines.join('\n'));
