import { randomUUID } from 'node:crypto';
import type { Db } from '../db/index.js';
import type { MemorySource } from '../db/tables/memories.table.js';
import { eraseTextCopies } from '../forgetting/index.js';
import type { Logger } from '../log/index.js';
import { dedupeThreshold } from './dedupe-threshold.js';
import { EmbedderUnavailableError, type Embedder } from './embedder/index.js';
import { EmbedBacklog } from './embed-backlog.js';
import {
  attachVector,
  countMemories,
  deleteExpired,
  deleteMemory,
  findMemories,
  findMemoriesByIdPrefix,
  insertMemory,
  listMemories,
  rewriteMemory,
  setVector,
  staleModelMemories,
  type Memory,
  type MemoryRewrite,
} from './memories-repo.js';
import { MemoryIndex } from './memory-index.js';
import type { AddOutcome, NewMemory, ReindexOutcome, SearchOutcome } from './memory-types.js';
import type { VectorStore } from './vector/index.js';
import { queryWords } from './word-match.js';
import { wordHits } from './word-search.js';

export { DEFAULT_DEDUPE_THRESHOLD, DEDUPE_PREFERENCE } from './dedupe-threshold.js';
export type { AddOutcome, MemoryHit, NewMemory, ReindexOutcome, SearchOutcome } from './memory-types.js';

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
  /** Memories saved while the embedding model was unavailable: how their embedding is retried. */
  backlog?: { firstDelayMs?: number; maxDelayMs?: number; pollMs?: number };
  /** How long an add waits for the model (a first load may download it) before saving it as not searchable yet. */
  embedWaitMs?: number;
}

const REEMBED_BATCH = 32;

/**
 * The owner's memories: rows in the database (the source of truth) and their vectors in a
 * VectorStore (an index of those rows). A missing embedding model does not reject adds or
 * searches: memories are saved unembedded (a durable queue the background embedder works
 * through) and searches match words instead. Rejects with VectorStoreError when the embedded
 * index fails; a Qdrant outage does not reject: writes are queued for the background indexer,
 * searches scan the database. /reindex rejects with EmbedderUnavailableError without a model.
 */
export class MemoryService {
  readonly #db: Db;
  readonly #embedder: Embedder;
  readonly #index: MemoryIndex;
  readonly #log: Logger;
  readonly #now: () => Date;
  readonly #backlog: EmbedBacklog;
  readonly #embedWaitMs: number;
  /** Memories an add is embedding right now; the backlog leaves them alone. */
  readonly #adding = new Set<string>();

  /** The service's clock; expiry is judged by it, so tools set expiry from it too. */
  now(): Date {
    return this.#now();
  }

  constructor(options: MemoryServiceOptions) {
    this.#db = options.db;
    this.#embedder = options.embedder;
    this.#log = options.log;
    this.#now = options.now ?? (() => new Date());
    const notify = options.notifyOwner ?? (async () => undefined);
    this.#index = new MemoryIndex({
      db: options.db,
      store: options.store,
      modelName: options.embedder.modelName,
      dimensions: () => options.embedder.dimensions,
      log: options.log,
      now: this.#now,
      ...(options.retry ? { retry: options.retry } : {}),
      notify,
    });
    this.#embedWaitMs = options.embedWaitMs ?? 15_000;
    this.#backlog = new EmbedBacklog({
      db: options.db,
      embedder: options.embedder,
      log: options.log,
      index: (memory, vector) => this.#index.index(memory, vector),
      busy: (id) => this.#adding.has(id),
      firstDelayMs: options.backlog?.firstDelayMs ?? 30_000,
      maxDelayMs: options.backlog?.maxDelayMs ?? 10 * 60_000,
      pollMs: options.backlog?.pollMs ?? 5_000,
      onRecovered: ({ embedded }) => notify(`The embedding model is available now: ${embedded} ${embedded === 1 ? 'memory that was' : 'memories that were'} saved while it was missing ${embedded === 1 ? 'is' : 'are'} searchable.`),
    });
  }

  get storeKind(): VectorStore['kind'] {
    return this.#index.kind;
  }

  get modelName(): string {
    return this.#embedder.modelName;
  }

  /** Starts loading the index in the background (never blocks start-up) and catches up on pending work. */
  start(): void {
    this.#index.start();
    this.#backlog.schedule(0);
  }

  async stop(): Promise<void> {
    await this.#backlog.stop();
    await this.#index.stop();
  }

  /**
   * Stores a memory at once, then embeds it and merges it into its near-duplicate if there is one.
   * When the embedding model is unavailable the memory stays saved, marked not searchable yet,
   * and the background embedder takes it up once the model loads. Saved in the database even
   * when Qdrant is down.
   */
  async add(input: NewMemory): Promise<AddOutcome> {
    const text = input.text.trim();
    const now = this.#now();
    const fields = {
      text,
      source: input.source,
      sourceRef: input.sourceRef ?? null,
      author: input.author ?? null,
      expiresAt: input.expiresAt ?? null,
      embeddingModel: this.#embedder.modelName,
      now,
      indexedAt: null,
    };
    // Written before the model is asked: a missing model, a slow download or a crash loses nothing.
    const id = randomUUID();
    this.#adding.add(id);
    try {
      return await this.#embedAndMerge(await insertMemory(this.#db, { id, ...fields, vector: null }), fields);
    } finally {
      this.#adding.delete(id);
    }
  }

  async #embedAndMerge(saved: Memory, fields: Omit<MemoryRewrite, 'vector'>): Promise<AddOutcome> {
    const { text } = fields;
    const embedded = await this.#embedNow(text);
    if (!embedded.ok) {
      this.#log.info({ memoryId: saved.id, source: saved.source }, 'memory saved; embedding waits for the model');
      return { kind: 'added', memory: saved, indexed: false, notSearchable: embedded.reason };
    }
    const { vector } = embedded;
    const threshold = await dedupeThreshold(this.#db);
    const [closest] = (await this.#index.search(vector, 2, threshold)).hits.filter((hit) => hit.memory.id !== saved.id);
    if (closest) {
      const updated = await this.#db.transaction().execute(async (trx) => {
        const rewritten = await rewriteMemory(trx, closest.memory.id, { ...fields, vector });
        if (rewritten) await deleteMemory(trx, saved.id);
        return rewritten;
      });
      if (updated) {
        const indexed = await this.#index.index(updated, vector);
        this.#log.info({ memoryId: updated.id, similarity: closest.score }, 'memory updated (near-duplicate)');
        return { kind: 'updated', memory: { ...updated, indexed }, previous: closest.memory, similarity: closest.score, indexed };
      }
    }
    const memory = await attachVector(this.#db, saved.id, text, this.#embedder.modelName, vector);
    if (!memory) return { kind: 'added', memory: saved, indexed: false };
    const indexed = await this.#index.index(memory, vector);
    this.#log.info({ memoryId: memory.id, source: memory.source, indexed }, 'memory added');
    return { kind: 'added', memory: { ...memory, indexed }, indexed };
  }

  /**
   * Embeds one text now, unless the model is known to be unavailable and backing off, or takes
   * longer than embedWaitMs (a first download): then the background embedder does it later.
   */
  async #embedNow(text: string): Promise<{ ok: true; vector: Float32Array } | { ok: false; reason: string }> {
    const known = this.#backlog.failure;
    if (known && this.#backlog.backingOff) return { ok: false, reason: known.shortReason };
    let timer: NodeJS.Timeout | undefined;
    const slow = new Promise<'slow'>((resolve) => {
      timer = setTimeout(() => resolve('slow'), this.#embedWaitMs);
    });
    const attempt = this.#embedder.embed([text]);
    try {
      const result = await Promise.race([attempt, slow]);
      if (result === 'slow') {
        attempt.catch(() => undefined);
        this.#backlog.schedule(this.#embedWaitMs);
        return { ok: false, reason: 'the embedding model is still loading' };
      }
      const [vector] = result;
      if (!vector) throw new Error('the embedder returned no vector');
      this.#backlog.noteAvailable();
      return { ok: true, vector };
    } catch (error) {
      if (!(error instanceof EmbedderUnavailableError)) throw error;
      this.#backlog.noteUnavailable(error);
      return { ok: false, reason: error.shortReason };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Puts back an earlier version of a memory (Undo of a near-duplicate update). Undefined when it is gone. */
  async restore(id: string, previous: { text: string; source: MemorySource; sourceRef: string | null; expiresAt: Date | null }): Promise<Memory | undefined> {
    const embedded = await this.#embedNow(previous.text);
    const vector = embedded.ok ? embedded.vector : null;
    const memory = await rewriteMemory(this.#db, id, { ...previous, embeddingModel: this.#embedder.modelName, vector, now: this.#now(), indexedAt: null });
    if (memory && vector) await this.#index.index(memory, vector);
    return memory;
  }

  /**
   * Best matches first, only live memories, only scores ≥ minScore. Memories the model has not
   * embedded yet are matched by their words and come after the matches by meaning; when the model
   * is unavailable every memory is matched by words, and `note` says so.
   */
  async search(query: string, options: { limit: number; minScore?: number }): Promise<SearchOutcome> {
    const words = queryWords(query);
    let vector: Float32Array | undefined;
    try {
      [vector] = await this.#embedder.embed([query]);
      if (!vector) throw new Error('the embedder returned no vector');
    } catch (error) {
      if (!(error instanceof EmbedderUnavailableError)) throw error;
      this.#backlog.noteUnavailable(error);
      const hits = await wordHits(this.#db, { words, now: this.#now(), limit: options.limit, minScore: options.minScore, onlyUnembedded: false });
      return { hits, note: `The embedding model is unavailable (${error.shortReason}; see /status), so memories were matched by their words, not their meaning.` };
    }
    this.#backlog.noteAvailable();
    const outcome = await this.#index.search(vector, options.limit, options.minScore);
    const waiting = (await wordHits(this.#db, { words, now: this.#now(), limit: options.limit, minScore: options.minScore, onlyUnembedded: true })).filter((hit) => !outcome.hits.some((h) => h.memory.id === hit.memory.id));
    if (waiting.length === 0) return outcome;
    const note = `${waiting.length === 1 ? 'One memory is' : `${waiting.length} memories are`} not searchable yet (waiting for the embedding model) and matched by words.`;
    return { hits: [...outcome.hits, ...waiting], note: outcome.note ? `${outcome.note} ${note}` : note };
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

  /**
   * Deletes from the database and the vector store (later, if the store is down), and erases the
   * copies of its text kept in the inbox, outbox, approvals and audit. Undefined when already gone.
   */
  async forget(id: string): Promise<Memory | undefined> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
    const memory = await this.#db.transaction().execute(async (trx) => {
      const deleted = await deleteMemory(trx, id.toLowerCase());
      if (deleted) await eraseTextCopies(trx, [deleted.text]);
      return deleted;
    });
    if (!memory) return undefined;
    await this.#index.remove([memory.id]);
    this.#log.info({ memoryId: memory.id }, 'memory forgotten');
    return memory;
  }

  /** Deletes expired memories everywhere; returns how many. */
  async pruneExpired(): Promise<number> {
    const ids = await deleteExpired(this.#db, this.#now());
    if (ids.length > 0) {
      await this.#index.remove(ids);
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
    const indexed = await this.#index.rebuild();
    this.#log.info({ indexed, reembedded, store: this.#index.kind }, 'memory reindex done');
    return { indexed, reembedded, store: this.#index.kind };
  }

  /** Counts for /status. */
  async stats(): Promise<{ live: number; unindexed: number; unembedded: number }> {
    const counts = await countMemories(this.#db, this.#now());
    return { live: counts.live, unindexed: this.#index.synced ? counts.unindexed : 0, unembedded: counts.unembedded };
  }

  /** Embeds waiting memories now (tests, reindex). True when none is left waiting. */
  flushEmbeddings(): Promise<boolean> {
    return this.#backlog.runNow();
  }

  probeStore(): Promise<{ ok: boolean; detail: string }> {
    return this.#index.probe();
  }

  /** Waits until the background indexer has nothing pending (tests, reindex). True when caught up. */
  flushIndex(): Promise<boolean> {
    return this.#index.flush();
  }
}
