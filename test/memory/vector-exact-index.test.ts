import { describe, expect, it } from 'vitest';
import { ExactIndex, deserializeVector, normalizeVector, serializeVector } from '../../src/memory/vector/index.js';
import { int8ScanModuleBytes } from '../../src/memory/vector/int8-kernel.js';

/** Deterministic PRNG (mulberry32) so failures reproduce. */
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

function randomUnit(random: () => number, dims: number): Float32Array {
  const v = new Float32Array(dims);
  for (let i = 0; i < dims; i++) v[i] = random() * 2 - 1;
  return normalizeVector(v);
}

function bruteForce(vectors: Map<string, Float32Array>, query: Float32Array, k: number): string[] {
  const q = normalizeVector(query);
  return [...vectors]
    .map(([id, v]) => ({ id, score: v.reduce((s, x, i) => s + x * (q[i] ?? 0), 0) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, k)
    .map((h) => h.id);
}

describe('ExactIndex', () => {
  it('the hand-assembled Wasm SIMD module compiles and is used', () => {
    expect(int8ScanModuleBytes().subarray(0, 4)).toEqual(Uint8Array.from([0x00, 0x61, 0x73, 0x6d]));
    expect(new ExactIndex({ dimensions: 4 }).kernelKind).toBe('wasm-simd');
  });

  it('int8 preselection + exact re-rank matches float brute force (recall@5 = 1 on random data)', () => {
    const random = rng(1);
    const dims = 64;
    const vectors = new Map<string, Float32Array>();
    const index = new ExactIndex({ dimensions: dims, keepFloats: true, initialCapacity: 16 });
    for (let i = 0; i < 3000; i++) {
      const v = randomUnit(random, dims);
      vectors.set(`id-${i}`, v);
      index.add(`id-${i}`, v);
    }
    let found = 0;
    for (let q = 0; q < 50; q++) {
      const query = randomUnit(random, dims);
      const expected = bruteForce(vectors, query, 5);
      const got = index.search(query, 5).map((h) => h.id);
      found += got.filter((id) => expected.includes(id)).length;
    }
    expect(found / 250).toBe(1);
  });

  it('int8-only scores stay within 0.01 of exact cosine and recall@5 ≥ 0.95', () => {
    const random = rng(2);
    const dims = 96;
    const vectors = new Map<string, Float32Array>();
    const index = new ExactIndex({ dimensions: dims });
    for (let i = 0; i < 2000; i++) {
      const v = randomUnit(random, dims);
      vectors.set(`id-${i}`, v);
      index.add(`id-${i}`, v);
    }
    let found = 0;
    for (let q = 0; q < 40; q++) {
      const query = randomUnit(random, dims);
      const expected = bruteForce(vectors, query, 5);
      const hits = index.search(query, 5);
      found += hits.filter((h) => expected.includes(h.id)).length;
      for (const hit of hits) {
        const exact = (vectors.get(hit.id) ?? new Float32Array(dims)).reduce((s, x, i) => s + x * (query[i] ?? 0), 0);
        expect(Math.abs(hit.score - exact)).toBeLessThan(0.01);
      }
    }
    expect(found / 200).toBeGreaterThanOrEqual(0.95);
  });

  it('Wasm and JavaScript scans give identical candidates', () => {
    const random = rng(3);
    const wasm = new ExactIndex({ dimensions: 40 });
    const js = new ExactIndex({ dimensions: 40, kernel: 'js' });
    expect(js.kernelKind).toBe('js');
    for (let i = 0; i < 500; i++) {
      const v = randomUnit(random, 40);
      wasm.add(`id-${i}`, v);
      js.add(`id-${i}`, v);
    }
    const query = randomUnit(random, 40);
    expect(wasm.candidates(query, 30)).toEqual(js.candidates(query, 30));
  });

  it('grows past its initial capacity and keeps every vector', () => {
    const random = rng(4);
    const index = new ExactIndex({ dimensions: 16, keepFloats: true, initialCapacity: 16 });
    const vectors: Float32Array[] = [];
    for (let i = 0; i < 1000; i++) {
      vectors.push(randomUnit(random, 16));
      index.add(`id-${i}`, vectors[i] ?? new Float32Array(16));
    }
    expect(index.size).toBe(1000);
    for (const i of [0, 15, 16, 17, 500, 999]) {
      expect(index.search(vectors[i] ?? new Float32Array(16), 1)[0]).toMatchObject({ id: `id-${i}` });
    }
  });

  it('remove swaps the last row into the hole and keeps the rest findable', () => {
    const index = new ExactIndex({ dimensions: 4, keepFloats: true });
    const axis = (i: number): Float32Array => Float32Array.from([0, 1, 2, 3], (j) => (j === i ? 1 : 0));
    for (let i = 0; i < 4; i++) index.add(`id-${i}`, axis(i));
    expect(index.remove('id-1')).toBe(true);
    expect(index.remove('id-1')).toBe(false);
    expect(index.size).toBe(3);
    expect(index.has('id-1')).toBe(false);
    expect(index.search(axis(3), 1)[0]).toMatchObject({ id: 'id-3' });
    expect(index.vectorOf('id-3')).toEqual(axis(3));
    expect(index.search(axis(1), 3).map((h) => h.id)).not.toContain('id-1');
    index.remove('id-3');
    index.remove('id-0');
    index.remove('id-2');
    expect(index.size).toBe(0);
    expect(index.search(axis(0), 5)).toEqual([]);
  });

  it('normalises on insert, overwrites the same id, honours minScore and k', () => {
    const index = new ExactIndex({ dimensions: 3, keepFloats: true });
    index.add('a', Float32Array.from([10, 0, 0]));
    index.add('b', Float32Array.from([1, 1, 0]));
    index.add('a', Float32Array.from([0, 0, 5]));
    expect(index.size).toBe(2);
    const hits = index.search(Float32Array.from([1, 0, 0]), 5);
    expect(hits.map((h) => h.id)).toEqual(['b', 'a']);
    expect(hits[0]?.score).toBeCloseTo(Math.SQRT1_2, 6);
    expect(index.search(Float32Array.from([1, 0, 0]), 5, 0.5).map((h) => h.id)).toEqual(['b']);
    expect(index.search(Float32Array.from([1, 0, 0]), 1)).toHaveLength(1);
  });

  it('rejects wrong sizes and non-finite components', () => {
    const index = new ExactIndex({ dimensions: 3 });
    expect(() => index.add('x', new Float32Array(4))).toThrow(RangeError);
    expect(() => index.add('x', Float32Array.from([1, Number.NaN, 0]))).toThrow(RangeError);
    expect(() => index.search(new Float32Array(2), 1)).toThrow(RangeError);
  });

  it('footprint counts int8 codes, scales and optional floats', () => {
    const index = new ExactIndex({ dimensions: 384 });
    const withFloats = new ExactIndex({ dimensions: 384, keepFloats: true });
    const v = new Float32Array(384).fill(1);
    for (let i = 0; i < 10; i++) {
      index.add(`id-${i}`, v);
      withFloats.add(`id-${i}`, v);
    }
    expect(index.footprint()).toMatchObject({ codes: 3840, scales: 40, floats: 0 });
    expect(withFloats.footprint().floats).toBe(15360);
  });
});

describe('vector codec', () => {
  it('round-trips through little-endian bytes, also from an unaligned Buffer', () => {
    const v = Float32Array.from([1.5, -2.25, 3.125e-8, 0]);
    const bytes = serializeVector(v);
    expect(bytes.length).toBe(16);
    expect(bytes.readFloatLE(4)).toBe(-2.25);
    const unaligned = Buffer.concat([Buffer.from([7]), bytes]).subarray(1);
    expect(deserializeVector(unaligned, 4)).toEqual(v);
  });

  it('rejects a length that does not fit', () => {
    expect(() => deserializeVector(Buffer.alloc(15))).toThrow(RangeError);
    expect(() => deserializeVector(Buffer.alloc(16), 3)).toThrow(RangeError);
  });
});
