import type { Db } from '../db/index.js';
import type { Logger } from '../log/index.js';
import { exactScan, type ScoredMemoryId } from './exact-scan.js';
import { IndexSync } from './index-sync.js';
import { clearIndexDeletions, findMemories, markAllUnindexed, markIndexed, queueIndexDeletions, streamVectors, type Memory } from './memories-repo.js';
import type { MemoryHit, SearchOutcome } from './memory-types.js';
import { VectorStoreError, type VectorStore } from './vector/index.js';

export interface MemoryIndexOptions {
  db: Db;
  store: VectorStore;
  modelName: string;
  /** Read when the store is first made ready (as the embedder reports it then). */
  dimensions: () => number;
  log: Logger;
  now: () => Date;
  /** Background indexing after a Qdrant outage. */
  retry?: { firstDelayMs?: number; maxDelayMs?: number; alertAfterMs?: number };
  notify: (text: string) => Promise<void>;
}

/**
 * The vector side of memory: the store (an index of the database rows), loaded lazily,
 * and for Qdrant the background sync that catches up after an outage. A Qdrant outage
 * never rejects: writes are queued, searches scan the database. The embedded store's
 * errors reject (VectorStoreError).
 */
export class MemoryIndex {
  readonly #options: MemoryIndexOptions;
  readonly #sync: IndexSync | undefined;
  #ready: Promise<void> | undefined;

  constructor(options: MemoryIndexOptions) {
    this.#options = options;
    const { notify } = options;
    this.#sync =
      options.store.kind === 'qdrant'
        ? new IndexSync({
            db: options.db,
            store: options.store,
            modelName: options.modelName,
            ready: () => this.ensureReady(),
            log: options.log,
            now: options.now,
            firstDelayMs: options.retry?.firstDelayMs ?? 5_000,
            maxDelayMs: options.retry?.maxDelayMs ?? 5 * 60_000,
            alertAfterMs: options.retry?.alertAfterMs ?? 10 * 60_000,
            onStuck: ({ failingForMs, pending, reason }) =>
              notify(
                `Qdrant has been unreachable for ${Math.round(failingForMs / 60_000)} min (${reason}). ` +
                  `${pending >= 0 ? `${pending} memories are` : 'New memories are'} saved in the database but not in Qdrant yet; searches use the database meanwhile. I keep retrying.`,
              ),
            onRecovered: ({ indexed }) => notify(`Qdrant is reachable again; ${indexed} waiting memories are indexed.`),
          })
        : undefined;
  }

  get kind(): VectorStore['kind'] {
    return this.#options.store.kind;
  }

  /** True when the store is Qdrant, kept in step by the background sync. */
  get synced(): boolean {
    return this.#sync !== undefined;
  }

  /** Starts loading the index in the background (never blocks start-up) and catches up on pending work. */
  start(): void {
    const { log, store } = this.#options;
    const started = Date.now();
    this.ensureReady().then(
      () => log.info({ store: store.kind, ms: Date.now() - started }, 'memory index ready'),
      (err: unknown) => {
        log.warn({ err, store: store.kind }, 'memory index not ready yet; retrying on first use');
        this.#sync?.noteFailure(err instanceof Error ? err.message : String(err));
      },
    );
    this.#sync?.schedule(0);
  }

  async stop(): Promise<void> {
    await this.#sync?.stop();
  }

  ensureReady(): Promise<void> {
    if (!this.#ready) {
      const attempt = this.#options.store.ensureReady(this.#options.dimensions());
      this.#ready = attempt;
      attempt.catch(() => {
        if (this.#ready === attempt) this.#ready = undefined;
      });
    }
    return this.#ready;
  }

  async search(vector: Float32Array, limit: number, minScore?: number): Promise<SearchOutcome> {
    const { db, store, log, modelName, now } = this.#options;
    let scored: ScoredMemoryId[];
    let note: string | undefined;
    try {
      await this.ensureReady();
      // Extra candidates: Qdrant may still hold a row that expired or was forgotten while it was down.
      scored = await store.search(vector, this.#sync ? limit + 10 : limit, minScore);
    } catch (error) {
      if (!(error instanceof VectorStoreError) || error.store !== 'qdrant') throw error;
      log.warn({ err: error }, 'qdrant search failed; exact search over the database instead');
      this.#sync?.noteFailure(error.message);
      scored = await exactScan(streamVectors(db, modelName, now()), vector, limit, minScore);
      note = `Qdrant is unreachable (${error.kind}): searched the database directly instead.`;
    }
    const memories = new Map((await findMemories(db, scored.map((hit) => hit.id), now())).map((m) => [m.id, m]));
    const hits: MemoryHit[] = [];
    for (const hit of scored) {
      const memory = memories.get(hit.id);
      if (memory && hits.length < limit) hits.push({ memory, score: hit.score, match: 'meaning' });
    }
    return note === undefined ? { hits } : { hits, note };
  }

  /** Writes one vector to the store; false (and queued for retry) when Qdrant is down. */
  async index(memory: Memory, vector: Float32Array): Promise<boolean> {
    const { db, store, log, now } = this.#options;
    try {
      await this.ensureReady();
      await store.upsert([{ id: memory.id, vector, payload: { memoryId: memory.id, createdAt: memory.createdAt.toISOString(), source: memory.source } }]);
    } catch (error) {
      if (!(error instanceof VectorStoreError) || error.store !== 'qdrant' || !this.#sync) throw error;
      log.warn({ err: error, memoryId: memory.id }, 'memory saved but not indexed; retrying in the background');
      this.#sync.noteFailure(error.message);
      return false;
    }
    if (this.#sync) await markIndexed(db, [memory.id], memory.updatedAt, now());
    return true;
  }

  async remove(ids: readonly string[]): Promise<void> {
    const { db, store, log } = this.#options;
    try {
      await this.ensureReady();
      await store.delete(ids);
    } catch (error) {
      if (!(error instanceof VectorStoreError) || error.store !== 'qdrant' || !this.#sync) throw error;
      await queueIndexDeletions(db, ids);
      log.warn({ err: error, count: ids.length }, 'memory deleted from the database; vector deletion queued');
      this.#sync.noteFailure(error.message);
    }
  }

  /** Clears the store and writes every live vector again; returns how many vectors it holds. */
  async rebuild(): Promise<number> {
    const { db, store, modelName, now } = this.#options;
    await this.ensureReady();
    await store.clear();
    if (this.#sync) {
      await markAllUnindexed(db);
      await clearIndexDeletions(db);
      // A pass already running may have started before everything was marked: run one more.
      const done = (await this.#sync.runNow()) && (await this.#sync.runNow());
      if (!done) throw new VectorStoreError({ kind: 'unreachable', store: 'qdrant', operation: 'upsert', message: this.#sync.lastError ?? 'indexing failed' });
    } else {
      let batch: { id: string; vector: Float32Array; payload: { memoryId: string; createdAt: string; source: string } }[] = [];
      for await (const row of streamVectors(db, modelName, now())) {
        batch.push({ id: row.id, vector: row.vector, payload: { memoryId: row.id, createdAt: '', source: '' } });
        if (batch.length >= 1000) {
          await store.upsert(batch);
          batch = [];
        }
      }
      if (batch.length > 0) await store.upsert(batch);
    }
    return store.count();
  }

  probe(): Promise<{ ok: boolean; detail: string }> {
    return this.#options.store.probe();
  }

  /** Waits until the background indexer has nothing pending (tests, reindex). True when caught up. */
  flush(): Promise<boolean> {
    return this.#sync ? this.#sync.runNow() : Promise.resolve(true);
  }
}
