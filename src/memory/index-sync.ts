import type { Db } from '../db/index.js';
import type { Logger } from '../log/index.js';
import { clearIndexDeletions, markIndexed, pendingIndexDeletions, unindexedVectors } from './memories-repo.js';
import type { VectorStore } from './vector/index.js';

export interface IndexSyncOptions {
  db: Db;
  store: VectorStore;
  modelName: string;
  /** Makes sure the store is ready (collection exists); rejects like the store does. */
  ready: () => Promise<void>;
  log: Logger;
  now: () => Date;
  /** First retry delay; doubles per failure up to maxDelayMs. */
  firstDelayMs: number;
  maxDelayMs: number;
  /** Failing for this long makes one call to onStuck (per outage). */
  alertAfterMs: number;
  onStuck: (info: { failingForMs: number; pending: number; reason: string }) => Promise<void>;
  onRecovered: (info: { indexed: number }) => Promise<void>;
}

const BATCH = 256;

/**
 * Brings an external vector store (Qdrant) up to date with the database: upserts rows still marked
 * unindexed and carries out deletions that could not reach it. Retries with a capped exponential
 * backoff; the owner hears about it once, only when the outage outlasts `alertAfterMs`.
 */
export class IndexSync {
  readonly #options: IndexSyncOptions;
  #timer: NodeJS.Timeout | undefined;
  #delayMs: number;
  #failingSince: Date | undefined;
  #alerted = false;
  #running: Promise<boolean> | undefined;
  #stopped = false;
  #lastError: string | undefined;

  constructor(options: IndexSyncOptions) {
    this.#options = options;
    this.#delayMs = options.firstDelayMs;
  }

  /** The reason of the latest failed attempt while an outage lasts. */
  get lastError(): string | undefined {
    return this.#lastError;
  }

  /** Schedules a retry unless one is already waiting. */
  schedule(delayMs = this.#delayMs): void {
    if (this.#stopped || this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.runNow();
    }, delayMs);
    this.#timer.unref();
  }

  /** One pass now (joins a pass already running). True when nothing is left pending. */
  runNow(): Promise<boolean> {
    this.#running ??= this.#pass().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** Records a failed write made elsewhere (an add or forget) and makes sure a retry is coming. */
  noteFailure(reason: string): void {
    this.#failingSince ??= this.#options.now();
    this.#lastError = reason;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
  }

  async #pass(): Promise<boolean> {
    const { db, store, modelName, log, now } = this.#options;
    let indexed = 0;
    try {
      await this.#options.ready();
      for (;;) {
        const ids = await pendingIndexDeletions(db, BATCH);
        if (ids.length === 0) break;
        await store.delete(ids);
        await clearIndexDeletions(db, ids);
      }
      for (;;) {
        const asOf = now();
        const rows = await unindexedVectors(db, modelName, BATCH);
        if (rows.length === 0) break;
        await store.upsert(rows.map((row) => ({ id: row.id, vector: row.vector, payload: { memoryId: row.id, createdAt: row.createdAt.toISOString(), source: row.source } })));
        await markIndexed(db, rows.map((row) => row.id), asOf, now());
        indexed += rows.length;
        // A row rewritten during the upsert stays pending; stop rather than spin on it.
        if (rows.length < BATCH) break;
      }
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.#failingSince ??= now();
      this.#lastError = reason;
      const failingForMs = now().getTime() - this.#failingSince.getTime();
      log.warn({ err: error, failingForMs, nextRetryMs: this.#delayMs }, 'memory index sync failed; will retry');
      if (!this.#alerted && failingForMs >= this.#options.alertAfterMs) {
        this.#alerted = true;
        const pending = await unindexedVectors(db, modelName, 10_000).then((rows) => rows.length, () => -1);
        await this.#options.onStuck({ failingForMs, pending, reason }).catch((err: unknown) => log.warn({ err }, 'could not tell the owner about the index outage'));
      }
      this.schedule(this.#delayMs);
      this.#delayMs = Math.min(this.#delayMs * 2, this.#options.maxDelayMs);
      return false;
    }
    if (indexed > 0) log.info({ indexed }, 'memory index caught up');
    const wasAlerted = this.#alerted;
    this.#failingSince = undefined;
    this.#lastError = undefined;
    this.#alerted = false;
    this.#delayMs = this.#options.firstDelayMs;
    if (wasAlerted) await this.#options.onRecovered({ indexed }).catch((err: unknown) => log.warn({ err }, 'could not tell the owner the index recovered'));
    return true;
  }
}
