import type { Logger } from '../../log/index.js';
import { cosineWithUnit, defaultRerankDepth, ExactIndex, normalizeVector, selectTop, type IndexEntry } from './exact-index.js';
import { canonicalPointId } from './point-id.js';
import { VectorStoreError, type VectorHit, type VectorStore, type VectorStoreOperation } from './vector-store.js';

/** What `loadAll` may hand over: an async stream (a cursor over rows) or a plain collection. */
export type VectorSource = AsyncIterable<IndexEntry> | Iterable<IndexEntry>;

export interface EmbeddedVectorStoreOptions {
  /**
   * Every stored vector, read once by `ensureReady`. The database is the source of truth: the
   * memory repository writes the row (with the vector as bytea, see `serializeVector`) and then
   * calls `upsert`/`delete` here, which only update the in-memory index.
   */
  loadAll: () => VectorSource | Promise<VectorSource>;
  /**
   * Exact vectors for a few candidate ids (≈100 per search), for re-ranking the int8 preselection.
   * Missing ids are skipped (the row was deleted meanwhile). When omitted, the index keeps float32
   * copies in memory instead: exact without a database round trip, but 15.4 MB per 10k at 384-d
   * rather than 3.9 MB.
   */
  loadVectors?: (ids: readonly string[]) => Promise<Iterable<IndexEntry>>;
  log: Logger;
  /** Forces the JavaScript scan (tests); WebAssembly SIMD otherwise. */
  kernel?: 'auto' | 'js';
}

/** The embedded default: an in-process exact index over vectors the database holds. */
export function createEmbeddedVectorStore(options: EmbeddedVectorStoreOptions): VectorStore {
  const { log } = options;
  let index: ExactIndex | undefined;
  let loading: Promise<ExactIndex> | undefined;
  let loadingDimensions = 0;

  function fail(operation: VectorStoreOperation, kind: VectorStoreError['kind'], message: string, cause?: unknown): VectorStoreError {
    return new VectorStoreError({ kind, store: 'embedded', operation, message, cause });
  }

  async function load(dimensions: number): Promise<ExactIndex> {
    const started = Date.now();
    const fresh = new ExactIndex({ dimensions, keepFloats: options.loadVectors === undefined, kernel: options.kernel });
    let skipped = 0;
    for await (const entry of await options.loadAll()) {
      const id = canonicalPointId(entry.id);
      if (id === undefined || entry.vector.length !== dimensions) {
        skipped++;
        continue;
      }
      fresh.add(id, entry.vector);
    }
    if (skipped > 0) log.warn({ skipped, dimensions }, 'embedded vector index skipped rows with a bad id or size');
    log.info({ vectors: fresh.size, dimensions, ms: Date.now() - started, kernel: fresh.kernelKind }, 'embedded vector index loaded');
    return fresh;
  }

  async function ready(operation: VectorStoreOperation): Promise<ExactIndex> {
    if (index) return index;
    if (loading) return loading;
    throw fail(operation, 'rejected', 'ensureReady() has not been called');
  }

  return {
    kind: 'embedded',

    async ensureReady(dimensions) {
      if (!Number.isInteger(dimensions) || dimensions <= 0) {
        throw fail('ensureReady', 'rejected', `dimensions must be a positive integer, got ${dimensions}`);
      }
      const current = index?.dimensions ?? (loading ? loadingDimensions : undefined);
      if (current !== undefined && current !== dimensions) {
        throw fail('ensureReady', 'rejected', `index holds ${current}-d vectors, asked for ${dimensions}; reindex to change the embedding model`);
      }
      if (index) return;
      if (!loading) {
        loadingDimensions = dimensions;
        loading = load(dimensions).then(
          (loaded) => {
            index = loaded;
            return loaded;
          },
          (error: unknown) => {
            loading = undefined;
            throw fail('ensureReady', 'server', 'loading stored vectors failed', error);
          },
        );
      }
      await loading;
    },

    async upsert(points) {
      const target = await ready('upsert');
      const checked: IndexEntry[] = [];
      for (const point of points) {
        const id = canonicalPointId(point.id);
        if (id === undefined) throw fail('upsert', 'rejected', `point id ${JSON.stringify(point.id)} is not a UUID`);
        if (point.vector.length !== target.dimensions) {
          throw fail('upsert', 'rejected', `vector dimension error: expected ${target.dimensions}, got ${point.vector.length}`);
        }
        checked.push({ id, vector: point.vector });
      }
      try {
        target.addMany(checked);
      } catch (error) {
        throw fail('upsert', 'rejected', error instanceof Error ? error.message : 'invalid vector', error);
      }
    },

    async search(vector, limit, minScore) {
      const target = await ready('search');
      if (vector.length !== target.dimensions) {
        throw fail('search', 'rejected', `query has ${vector.length} dimensions, index has ${target.dimensions}`);
      }
      if (limit <= 0 || target.size === 0) return [];
      if (options.loadVectors === undefined) return toHits(target.search(vector, limit, minScore));
      const unit = normalizeVector(vector);
      const candidates = target.candidates(unit, defaultRerankDepth(limit));
      let exact: Iterable<IndexEntry>;
      try {
        exact = await options.loadVectors(candidates.map((c) => c.id));
      } catch (error) {
        throw fail('search', 'server', 'loading candidate vectors for re-ranking failed', error);
      }
      const scored = [];
      for (const entry of exact) {
        const id = canonicalPointId(entry.id);
        if (id === undefined || !target.has(id) || entry.vector.length !== target.dimensions) continue;
        scored.push({ id, score: cosineWithUnit(unit, entry.vector) });
      }
      return toHits(selectTop(scored, limit, minScore));
    },

    async delete(ids) {
      const target = await ready('delete');
      for (const id of ids) {
        const canonical = canonicalPointId(id);
        if (canonical !== undefined) target.remove(canonical);
      }
    },

    async count() {
      return (await ready('count')).size;
    },

    async clear() {
      (await ready('clear')).clear();
    },

    async probe() {
      if (!index) return { ok: false, detail: loading ? 'embedded index is loading' : 'embedded index not loaded yet' };
      const mode = options.loadVectors ? 'int8 + exact re-rank from the database' : 'int8 + resident float32';
      return { ok: true, detail: `embedded exact index: ${index.size} vectors × ${index.dimensions}d (${mode}, ${index.kernelKind})` };
    },
  };
}

function toHits(scored: readonly { id: string; score: number }[]): VectorHit[] {
  return scored.map((hit) => ({ id: hit.id, score: hit.score }));
}
