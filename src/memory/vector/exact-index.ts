import { createInt8Kernel, type Int8Kernel } from './int8-kernel.js';

/**
 * An in-process exact nearest-neighbour index over unit vectors (dot product = cosine).
 *
 * Storage (measured in bench/vector-search.bench.ts, 384-d):
 * - resident: one int8 code per component plus a float32 scale per vector (384 + 4 bytes), kept in
 *   WebAssembly memory so a SIMD kernel scans it: 3.9 MB per 10k vectors, against 15.4 MB for
 *   float32. Float16 (7.7 MB per 10k) would not fit the 8 MB budget next to the codes, and Node 20
 *   has no Float16Array, so scanning it would mean decoding every component in JavaScript.
 * - exact scores: the int8 pass preselects candidates (max(100, 8k) by default) and they are
 *   re-ranked with exact float vectors. Those come either from the database (the embedded store's
 *   `loadVectors` callback; the database is the source of truth anyway) or, with `keepFloats`,
 *   from normalised float32 copies kept here (tests, benchmarks, small indexes).
 *
 * Rows live in contiguous slots; removing swaps the last slot into the hole.
 */
export interface ExactIndexOptions {
  dimensions: number;
  /** Keep normalised float32 copies resident for exact re-ranking without a loader. */
  keepFloats?: boolean;
  /** Slots to allocate up front; the index grows by 1.5× when full. */
  initialCapacity?: number;
  /** 'js' forces the JavaScript scan instead of WebAssembly SIMD (for tests). */
  kernel?: 'auto' | 'js';
}

export interface IndexEntry {
  id: string;
  vector: Float32Array;
}

export interface ScoredId {
  id: string;
  score: number;
}

/** Theoretical bytes held, by array. */
export interface IndexFootprint {
  codes: number;
  scales: number;
  floats: number;
  scratch: number;
  total: number;
}

const CODE_MAX = 127;
// The query is quantised finer than the stored codes: 127 × 16383 × 384 stays far below 2^31.
const QUERY_MAX = 16383;
const PAGE = 65536;

/** How many int8 candidates to re-rank exactly for a top-k query. */
export function defaultRerankDepth(k: number): number {
  return Math.max(100, 8 * k);
}

/** Returns a unit-length copy; a zero vector stays zero. Throws RangeError on NaN/Infinity. */
export function normalizeVector(vector: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < vector.length; i++) {
    const x = vector[i] ?? 0;
    sum += x * x;
  }
  if (!Number.isFinite(sum)) throw new RangeError('vector contains NaN or Infinity');
  const out = new Float32Array(vector.length);
  if (sum === 0) return out;
  const inv = 1 / Math.sqrt(sum);
  for (let i = 0; i < vector.length; i++) out[i] = (vector[i] ?? 0) * inv;
  return out;
}

/** Cosine similarity of a unit query with any vector of the same length. */
export function cosineWithUnit(unitQuery: Float32Array, vector: Float32Array): number {
  let dot = 0;
  let norm = 0;
  for (let i = 0; i < unitQuery.length; i++) {
    const v = vector[i] ?? 0;
    dot += (unitQuery[i] ?? 0) * v;
    norm += v * v;
  }
  return norm === 0 ? 0 : dot / Math.sqrt(norm);
}

/** Keeps the `limit` best (slot, score) pairs by bounded insertion; no full sort. */
class TopList {
  readonly slots: Int32Array;
  readonly scores: Float64Array;
  length = 0;

  constructor(readonly limit: number) {
    this.slots = new Int32Array(limit);
    this.scores = new Float64Array(limit);
  }

  /** Lowest score kept once full; -Infinity before. */
  get floor(): number {
    return this.length < this.limit ? -Infinity : (this.scores[this.limit - 1] ?? -Infinity);
  }

  offer(slot: number, score: number): void {
    let at: number;
    if (this.length < this.limit) {
      at = this.length++;
    } else {
      if (this.limit === 0 || score <= (this.scores[this.limit - 1] ?? -Infinity)) return;
      at = this.limit - 1;
    }
    while (at > 0 && (this.scores[at - 1] ?? -Infinity) < score) {
      this.scores[at] = this.scores[at - 1] ?? 0;
      this.slots[at] = this.slots[at - 1] ?? 0;
      at--;
    }
    this.scores[at] = score;
    this.slots[at] = slot;
  }
}

export class ExactIndex {
  readonly dimensions: number;
  readonly keepFloats: boolean;
  private readonly kernel: Int8Kernel;
  /** Bytes per stored code row (dimensions rounded up to the 16-byte SIMD width). */
  private readonly stride: number;
  private readonly queryBytes: number;
  private capacity = 0;
  private count = 0;
  private ids: string[] = [];
  private readonly slotOf = new Map<string, number>();
  private scales = new Float32Array(0);
  private floats = new Float32Array(0);
  /** View over the codes in Wasm memory; rebuilt whenever the memory grows (growing detaches views). */
  private codes = new Int8Array(0);

  constructor(options: ExactIndexOptions) {
    if (!Number.isInteger(options.dimensions) || options.dimensions <= 0) {
      throw new RangeError(`dimensions must be a positive integer, got ${options.dimensions}`);
    }
    this.dimensions = options.dimensions;
    this.keepFloats = options.keepFloats ?? false;
    this.stride = Math.ceil(options.dimensions / 16) * 16;
    this.queryBytes = this.stride * 2;
    this.kernel = createInt8Kernel(1, options.kernel ?? 'auto');
    this.grow(Math.max(16, options.initialCapacity ?? 1024));
  }

  get size(): number {
    return this.count;
  }

  /** Which scan runs: 'wasm-simd' normally, 'js' where WebAssembly SIMD is missing. */
  get kernelKind(): 'wasm-simd' | 'js' {
    return this.kernel.kind;
  }

  has(id: string): boolean {
    return this.slotOf.has(id);
  }

  /** Adds or overwrites. Throws RangeError on a wrong length or non-finite components. */
  add(id: string, vector: Float32Array): void {
    if (vector.length !== this.dimensions) {
      throw new RangeError(`vector for ${id} has ${vector.length} dimensions, index has ${this.dimensions}`);
    }
    let sum = 0;
    let max = 0;
    for (let i = 0; i < vector.length; i++) {
      const x = vector[i] ?? 0;
      sum += x * x;
      const a = x < 0 ? -x : x;
      if (a > max) max = a;
    }
    if (!Number.isFinite(sum)) throw new RangeError('vector contains NaN or Infinity');
    let slot = this.slotOf.get(id);
    if (slot === undefined) {
      if (this.count === this.capacity) this.grow(Math.ceil(this.capacity * 1.5));
      slot = this.count++;
      this.slotOf.set(id, slot);
      this.ids[slot] = id;
    }
    this.writeSlot(slot, vector, sum === 0 ? 0 : 1 / Math.sqrt(sum), max);
  }

  addMany(entries: Iterable<IndexEntry>): void {
    for (const entry of entries) this.add(entry.id, entry.vector);
  }

  /** Returns whether the id was present. */
  remove(id: string): boolean {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return false;
    const last = this.count - 1;
    this.slotOf.delete(id);
    if (slot !== last) {
      const lastId = this.ids[last] ?? '';
      this.codes.copyWithin(slot * this.stride, last * this.stride, (last + 1) * this.stride);
      this.scales[slot] = this.scales[last] ?? 0;
      if (this.keepFloats) {
        const d = this.dimensions;
        this.floats.copyWithin(slot * d, last * d, (last + 1) * d);
      }
      this.ids[slot] = lastId;
      this.slotOf.set(lastId, slot);
    }
    this.ids.length = last;
    this.count = last;
    return true;
  }

  clear(): void {
    this.ids = [];
    this.slotOf.clear();
    this.count = 0;
  }

  /** The stored unit vector, only with `keepFloats`. */
  vectorOf(id: string): Float32Array | undefined {
    const slot = this.slotOf.get(id);
    if (!this.keepFloats || slot === undefined) return undefined;
    const d = this.dimensions;
    return this.floats.slice(slot * d, (slot + 1) * d);
  }

  /** The `n` best ids by the int8 approximation, best first, with approximate cosine scores. */
  candidates(query: Float32Array, n: number): ScoredId[] {
    const unit = this.checkedQuery(query);
    return this.approximateTop(unit, n);
  }

  /**
   * Top `k` by cosine, best first, scores ≥ `minScore`. Exact with `keepFloats` (int8 preselection,
   * float re-rank); otherwise the int8 approximation (use `candidates` + `rerank` with floats
   * from elsewhere for exact scores).
   */
  search(query: Float32Array, k: number, minScore?: number): ScoredId[] {
    const unit = this.checkedQuery(query);
    if (!this.keepFloats) {
      const approx = this.approximateTop(unit, k);
      return minScore === undefined ? approx : approx.filter((hit) => hit.score >= minScore);
    }
    const depth = Math.min(this.count, defaultRerankDepth(k));
    const candidates = this.approximateTop(unit, depth);
    const d = this.dimensions;
    const exact: ScoredId[] = [];
    for (const candidate of candidates) {
      const slot = this.slotOf.get(candidate.id) ?? 0;
      const vector = this.floats.subarray(slot * d, (slot + 1) * d);
      exact.push({ id: candidate.id, score: cosineWithUnit(unit, vector) });
    }
    return selectTop(exact, k, minScore);
  }

  footprint(): IndexFootprint {
    const codes = this.count * this.stride;
    const scales = this.count * 4;
    const floats = this.keepFloats ? this.count * this.dimensions * 4 : 0;
    const scratch = this.queryBytes + this.count * 4;
    return { codes, scales, floats, scratch, total: codes + scales + floats + scratch };
  }

  private checkedQuery(query: Float32Array): Float32Array {
    if (query.length !== this.dimensions) {
      throw new RangeError(`query has ${query.length} dimensions, index has ${this.dimensions}`);
    }
    return normalizeVector(query);
  }

  private approximateTop(unit: Float32Array, n: number): ScoredId[] {
    const limit = Math.min(Math.max(0, Math.floor(n)), this.count);
    if (limit === 0) return [];
    const queryScale = this.writeQuery(unit);
    const outOffset = this.outOffset();
    this.kernel.scan(this.queryBytes, 0, outOffset, this.count, this.stride);
    const dots = new Int32Array(this.kernel.memory.buffer, outOffset, this.count);
    const scales = this.scales;
    const top = new TopList(limit);
    let floor = -Infinity;
    for (let slot = 0; slot < this.count; slot++) {
      const score = (dots[slot] ?? 0) * (scales[slot] ?? 0);
      if (score > floor) {
        top.offer(slot, score);
        floor = top.floor;
      }
    }
    const result: ScoredId[] = [];
    for (let i = 0; i < top.length; i++) {
      result.push({ id: this.ids[top.slots[i] ?? 0] ?? '', score: (top.scores[i] ?? 0) * queryScale });
    }
    return result;
  }

  /** Quantises the unit query into the scratch area; returns its scale. */
  private writeQuery(unit: Float32Array): number {
    let max = 0;
    for (let i = 0; i < unit.length; i++) max = Math.max(max, Math.abs(unit[i] ?? 0));
    const q = new Int16Array(this.kernel.memory.buffer, 0, this.stride);
    q.fill(0);
    if (max === 0) return 0;
    const scale = max / QUERY_MAX;
    for (let i = 0; i < unit.length; i++) q[i] = Math.round((unit[i] ?? 0) / scale);
    return scale;
  }

  /** Quantises without materialising the unit vector: codes of v and of v/|v| are the same. */
  private writeSlot(slot: number, vector: Float32Array, invNorm: number, max: number): void {
    const codes = this.codes;
    const base = slot * this.stride;
    codes.fill(0, base, base + this.stride);
    if (max === 0 || invNorm === 0) {
      this.scales[slot] = 0;
    } else {
      const toCode = CODE_MAX / max;
      for (let i = 0; i < vector.length; i++) codes[base + i] = Math.round((vector[i] ?? 0) * toCode);
      this.scales[slot] = (max * invNorm) / CODE_MAX;
    }
    if (this.keepFloats) {
      const offset = slot * this.dimensions;
      for (let i = 0; i < vector.length; i++) this.floats[offset + i] = (vector[i] ?? 0) * invNorm;
    }
  }

  private outOffset(): number {
    return this.queryBytes + this.capacity * this.stride;
  }

  private grow(capacity: number): void {
    const needed = this.queryBytes + capacity * this.stride + capacity * 4;
    const have = this.kernel.memory.buffer.byteLength;
    if (needed > have) this.kernel.memory.grow(Math.ceil((needed - have) / PAGE));
    const scales = new Float32Array(capacity);
    scales.set(this.scales.subarray(0, this.count));
    this.scales = scales;
    if (this.keepFloats) {
      const floats = new Float32Array(capacity * this.dimensions);
      floats.set(this.floats.subarray(0, this.count * this.dimensions));
      this.floats = floats;
    }
    this.capacity = capacity;
    this.codes = new Int8Array(this.kernel.memory.buffer, this.queryBytes, capacity * this.stride);
  }
}

/** Best `k` of already-scored ids, best first, honouring `minScore` (inclusive). */
export function selectTop(scored: readonly ScoredId[], k: number, minScore?: number): ScoredId[] {
  const kept = minScore === undefined ? [...scored] : scored.filter((hit) => hit.score >= minScore);
  kept.sort((a, b) => b.score - a.score);
  return kept.slice(0, Math.max(0, Math.floor(k)));
}
