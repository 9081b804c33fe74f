import { randomUUID } from 'node:crypto';
import type { Db } from '../db/index.js';
import type { MemorySource } from '../db/tables/memories.table.js';
import type { Logger } from '../log/index.js';
import { getPreference } from '../preferences/index.js';
import type { Embedder } from './embedder/index.js';
import { exactScan, type ScoredMemoryId } from './exact-scan.js';
import { IndexSync } from './index-sync.js';
import {
  clearIndexDeletions,
  countMemories,
  deleteExpired,
  deleteMemory,
  findMemories,
  findMemoriesByIdPrefix,
  insertMemory,
  listMemories,
  markAllUnindexed,
  markIndexed,
  queueIndexDeletions,
  rewriteMemory,
  setVector,
  staleModelMemories,
  streamVectors,
  type Memory,
} from './memories-repo.js';
import { VectorStoreError, type VectorStore } from './vector/index.js';

/**
 * Cosine similarity above which a new memory replaces the closest existing one instead of being
 * added next to it. With all-MiniLM-L6-v2, rewordings of one fact ("Anna's birthday is 3 May" /
 * "Anna has her birthday on May 3rd") score about 0.90–0.97, while different facts on one topic
 * ("Anna likes tulips" / "Anna's birthday is 3 May") stay below ~0.8. A correction that changes
 * one detail can score above 0.92 too; replacing is then what the owner wants, and the reply
 * says which memory was updated. The owner can move it with the preference
 * `memory.dedupe_threshold` (0.5–1; 1 turns dedupe off for anything but identical text).
 */
export const DEFAULT_DEDUPE_THRESHOLD = 0.92;
export const DEDUPE_PREFERENCE = 'memory.dedupe_threshold';

export interface NewMemory {
  text: string;
  source: MemorySource;
  sourceRef?: string | null;
  expiresAt?: Date | null;
}

export type AddOutcome =
  | { kind: 'added'; memory: Memory; indexed: boolean }
  | { kind: 'updated'; memory: Memory; previous: Memory; similarity: number; indexed: boolean };

export interface MemoryHit {
  memory: Memory;
  score: number;
}

export interface SearchOutcome {
  hits: MemoryHit[];
  /** Set when the search had to degrade (Qdrant unreachable: exact search over the database). */
  note?: string;
}

export interface ReindexOutcome {
  indexed: number;
  reembedded: number;
  store: VectorStore['kind'];
}

export interface MemoryServiceOptions {
  db: Db;
  embedder: Embedder;
  store: VectorStore;
  log: Logger;
  now?: () => Date;
  /** Background indexing after a Qdrant outage. */
  retry?: { firstDelayMs?: number; maxDelayMs?: number; alertAfterMs?: number };
  /** Tells the owner (once per outage) that indexing keeps failing, and when it recovers. */
  notifyOwner?: (text: string) => Promise<void>;
}

const REEMBED_BATCH = 32;

/**
 * The owner's memories: rows in the database (the source of truth) and their vectors in a
 * VectorStore (an index of those rows). Rejects with EmbedderUnavailableError when the model
 * cannot be loaded and with VectorStoreError when the embedded index fails; a Qdrant outage
 * does not reject: writes are queued for the background indexer, searches scan the database.
 */
export class MemoryService {
  readonly #db: Db;
  readonly #embedder: Embedder;
  readonly #store: VectorStore;
  readonly #log: Logger;
  readonly #now: () => Date;
  readonly #sync: IndexSync | undefined;
  #ready: Promise<void> | undefined;

  /** The service's clock; expiry is judged by it, so tools set expiry from it too. */
  now(): Date {
    return this.#now();
  }

  constructor(options: MemoryServiceOptions) {
    this.#db = options.db;
    this.#embedder = options.embedder;
    this.#store = options.store;
    this.#log = options.log;
    this.#now = options.now ?? (() => new Date());
    const notify = options.notifyOwner ?? (async () => undefined);
    this.#sync =
      options.store.kind === 'qdrant'
        ? new IndexSync({
            db: options.db,
            store: options.store,
            modelName: options.embedder.modelName,
            ready: () => this.#ensureReady(),
            log: options.log,
            now: this.#now,
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

  get storeKind(): VectorStore['kind'] {
    return this.#store.kind;
  }

  get modelName(): string {
    return this.#embedder.modelName;
  }

  /** Starts loading the index in the background (never blocks start-up) and catches up on pending work. */
  start(): void {
    const started = Date.now();
    this.#ensureReady().then(
      () => this.#log.info({ store: this.#store.kind, ms: Date.now() - started }, 'memory index ready'),
      (err: unknown) => {
        this.#log.warn({ err, store: this.#store.kind }, 'memory index not ready yet; retrying on first use');
        this.#sync?.noteFailure(err instanceof Error ? err.message : String(err));
      },
    );
    this.#sync?.schedule(0);
  }

  async stop(): Promise<void> {
    await this.#sync?.stop();
  }

  /** Stores a memory, or updates its near-duplicate. Saved in the database even when Qdrant is down. */
  async add(input: NewMemory): Promise<AddOutcome> {
    const text = input.text.trim();
    const [vector] = await this.#embedder.embed([text]);
    if (!vector) throw new Error('the embedder returned no vector');
    const threshold = await this.#dedupeThreshold();
    const [closest] = (await this.#searchVector(vector, 1, threshold)).hits;
    const now = this.#now();
    const fields = {
      text,
      source: input.source,
      sourceRef: input.sourceRef ?? null,
      expiresAt: input.expiresAt ?? null,
      embeddingModel: this.#embedder.modelName,
      vector,
      now,
      indexedAt: null,
    };
    if (closest) {
      const updated = await rewriteMemory(this.#db, closest.memory.id, fields);
      if (updated) {
        const indexed = await this.#index(updated, vector);
        this.#log.info({ memoryId: updated.id, similarity: closest.score }, 'memory updated (near-duplicate)');
        return { kind: 'updated', memory: { ...updated, indexed }, previous: closest.memory, similarity: closest.score, indexed };
      }
    }
    const memory = await insertMemory(this.#db, { id: randomUUID(), ...fields });
    const indexed = await this.#index(memory, vector);
    this.#log.info({ memoryId: memory.id, source: memory.source, indexed }, 'memory added');
    return { kind: 'added', memory: { ...memory, indexed }, indexed };
  }

  /** Puts back an earlier version of a memory (Undo of a near-duplicate update). Undefined when it is gone. */
  async restore(id: string, previous: { text: string; source: MemorySource; sourceRef: string | null; expiresAt: Date | null }): Promise<Memory | undefined> {
    const [vector] = await this.#embedder.embed([previous.text]);
    if (!vector) throw new Error('the embedder returned no vector');
    const memory = await rewriteMemory(this.#db, id, { ...previous, embeddingModel: this.#embedder.modelName, vector, now: this.#now(), indexedAt: null });
    if (memory) await this.#index(memory, vector);
    return memory;
  }

  /** Best matches first, only live memories, only scores ≥ minScore. */
  async search(query: string, options: { limit: number; minScore?: number }): Promise<SearchOutcome> {
    const [vector] = await this.#embedder.embed([query]);
    if (!vector) throw new Error('the embedder returned no vector');
    return this.#searchVector(vector, options.limit, options.minScore);
  }

  /** A page of live memories, newest first, and how many there are in all. */
  async list(offset: number, limit: number): Promise<{ items: Memory[]; total: number }> {
    const now = this.#now();
    const [items, counts] = await Promise.all([listMemories(this.#db, now, offset, limit), countMemories(this.#db, now)]);
    return { items, total: counts.live };
  }

  async get(id: string): Promise<Memory | undefined> {
    const [memory] = await findMemories(this.#db, [id], this.#now());
    return memory;
  }

  /** Live memories whose id starts with `prefix` (case-insensitive), at most `limit`. */
  async findByIdPrefix(prefix: string, limit = 2): Promise<Memory[]> {
    if (!/^[0-9a-f-]{1,36}$/i.test(prefix)) return [];
    return findMemoriesByIdPrefix(this.#db, prefix.toLowerCase(), this.#now(), limit);
  }

  /** Deletes from the database and the vector store (later, if the store is down). Undefined when already gone. */
  async forget(id: string): Promise<Memory | undefined> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
    const memory = await deleteMemory(this.#db, id.toLowerCase());
    if (!memory) return undefined;
    await this.#removeFromIndex([memory.id]);
    this.#log.info({ memoryId: memory.id }, 'memory forgotten');
    return memory;
  }

  /** Deletes expired memories everywhere; returns how many. */
  async pruneExpired(): Promise<number> {
    const ids = await deleteExpired(this.#db, this.#now());
    if (ids.length > 0) {
      await this.#removeFromIndex(ids);
      this.#log.info({ count: ids.length }, 'expired memories pruned');
    }
    return ids.length;
  }

  /**
   * Rebuilds the vector store from the database: re-embeds rows made by another model, clears
   * the store and writes every live vector again. Rejects with VectorStoreError when the store
   * cannot be reached (the database is unchanged apart from re-embedded rows).
   */
  async reindex(): Promise<ReindexOutcome> {
    const model = this.#embedder.modelName;
    let reembedded = 0;
    for (;;) {
      const stale = await staleModelMemories(this.#db, model, REEMBED_BATCH);
      if (stale.length === 0) break;
      const vectors = await this.#embedder.embed(stale.map((row) => row.text));
      for (const [i, row] of stale.entries()) {
        const vector = vectors[i];
        if (vector) await setVector(this.#db, row.id, model, vector);
      }
      reembedded += stale.length;
    }
    await this.pruneExpired();
    await this.#ensureReady();
    await this.#store.clear();
    if (this.#sync) {
      await markAllUnindexed(this.#db);
      await clearIndexDeletions(this.#db);
      // A pass already running may have started before everything was marked: run one more.
      const done = (await this.#sync.runNow()) && (await this.#sync.runNow());
      if (!done) throw new VectorStoreError({ kind: 'unreachable', store: 'qdrant', operation: 'upsert', message: this.#sync.lastError ?? 'indexing failed' });
    } else {
      let batch: { id: string; vector: Float32Array; payload: { memoryId: string; createdAt: string; source: string } }[] = [];
      for await (const row of streamVectors(this.#db, model, this.#now())) {
        batch.push({ id: row.id, vector: row.vector, payload: { memoryId: row.id, createdAt: '', source: '' } });
        if (batch.length >= 1000) {
          await this.#store.upsert(batch);
          batch = [];
        }
      }
      if (batch.length > 0) await this.#store.upsert(batch);
    }
    const indexed = await this.#store.count();
    this.#log.info({ indexed, reembedded, store: this.#store.kind }, 'memory reindex done');
    return { indexed, reembedded, store: this.#store.kind };
  }

  /** Counts for /status. */
  async stats(): Promise<{ live: number; unindexed: number }> {
    const counts = await countMemories(this.#db, this.#now());
    return { live: counts.live, unindexed: this.#sync ? counts.unindexed : 0 };
  }

  probeStore(): Promise<{ ok: boolean; detail: string }> {
    return this.#store.probe();
  }

  /** Waits until the background indexer has nothing pending (tests, reindex). True when caught up. */
  flushIndex(): Promise<boolean> {
    return this.#sync ? this.#sync.runNow() : Promise.resolve(true);
  }

  #ensureReady(): Promise<void> {
    if (!this.#ready) {
      const attempt = this.#store.ensureReady(this.#embedder.dimensions);
      this.#ready = attempt;
      attempt.catch(() => {
        if (this.#ready === attempt) this.#ready = undefined;
      });
    }
    return this.#ready;
  }

  async #searchVector(vector: Float32Array, limit: number, minScore?: number): Promise<SearchOutcome> {
    let scored: ScoredMemoryId[];
    let note: string | undefined;
    try {
      await this.#ensureReady();
      // Extra candidates: Qdrant may still hold a row that expired or was forgotten while it was down.
      scored = await this.#store.search(vector, this.#sync ? limit + 10 : limit, minScore);
    } catch (error) {
      if (!(error instanceof VectorStoreError) || error.store !== 'qdrant') throw error;
      this.#log.warn({ err: error }, 'qdrant search failed; exact search over the database instead');
      this.#sync?.noteFailure(error.message);
      scored = await exactScan(streamVectors(this.#db, this.#embedder.modelName, this.#now()), vector, limit, minScore);
      note = `Qdrant is unreachable (${error.kind}): searched the database directly instead.`;
    }
    const memories = new Map((await findMemories(this.#db, scored.map((hit) => hit.id), this.#now())).map((m) => [m.id, m]));
    const hits: MemoryHit[] = [];
    for (const hit of scored) {
      const memory = memories.get(hit.id);
      if (memory && hits.length < limit) hits.push({ memory, score: hit.score });
    }
    return note === undefined ? { hits } : { hits, note };
  }

  /** Writes one vector to the store; false (and queued for retry) when Qdrant is down. */
  async #index(memory: Memory, vector: Float32Array): Promise<boolean> {
    try {
      await this.#ensureReady();
      await this.#store.upsert([{ id: memory.id, vector, payload: { memoryId: memory.id, createdAt: memory.createdAt.toISOString(), source: memory.source } }]);
    } catch (error) {
      if (!(error instanceof VectorStoreError) || error.store !== 'qdrant' || !this.#sync) throw error;
      this.#log.warn({ err: error, memoryId: memory.id }, 'memory saved but not indexed; retrying in the background');
      this.#sync.noteFailure(error.message);
      return false;
    }
    if (this.#sync) await markIndexed(this.#db, [memory.id], memory.updatedAt, this.#now());
    return true;
  }

  async #removeFromIndex(ids: readonly string[]): Promise<void> {
    try {
      await this.#ensureReady();
      await this.#store.delete(ids);
    } catch (error) {
      if (!(error instanceof VectorStoreError) || error.store !== 'qdrant' || !this.#sync) throw error;
      await queueIndexDeletions(this.#db, ids);
      this.#log.warn({ err: error, count: ids.length }, 'memory deleted from the database; vector deletion queued');
      this.#sync.noteFailure(error.message);
    }
  }

  async #dedupeThreshold(): Promise<number> {
    const raw = await getPreference(this.#db, DEDUPE_PREFERENCE);
    const value = raw === undefined ? Number.NaN : Number.parseFloat(raw);
    return Number.isFinite(value) && value >= 0.5 && value <= 1 ? value : DEFAULT_DEDUPE_THRESHOLD;
  }
}
