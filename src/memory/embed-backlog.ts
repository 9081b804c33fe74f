import type { Db } from '../db/index.js';
import type { Logger } from '../log/index.js';
import { backoffDelay } from '../shared/backoff.js';
import { EmbedderUnavailableError, type Embedder } from './embedder/index.js';
import { attachVector, unembeddedMemories, type Memory } from './memories-repo.js';

export interface EmbedBacklogOptions {
  db: Db;
  embedder: Embedder;
  log: Logger;
  /** Puts a freshly embedded memory into the vector store (the service's own indexing path). */
  index: (memory: Memory, vector: Float32Array) => Promise<unknown>;
  /** Rows an add is embedding right now: left to that add. */
  busy: (id: string) => boolean;
  /** First wait after a failed load that may heal by itself (network, corrupt files); doubles up to maxDelayMs. */
  firstDelayMs: number;
  maxDelayMs: number;
  /** How often the model folder is looked at (a few file checks, no load) while the model is missing. */
  pollMs: number;
  /** Called once when waiting memories became searchable after the model was unavailable. */
  onRecovered: (info: { embedded: number }) => Promise<void>;
}

const BATCH = 32;

/**
 * Embeds memories that were stored while the embedding model was unavailable. The queue is
 * durable: it is the set of rows without a vector, so a restart simply carries on. While the
 * model's files are missing the folder is checked every `pollMs` and the work runs as soon as
 * they appear; a failure that may heal by itself (host unreachable, damaged files) is retried
 * with a capped exponential backoff.
 */
export class EmbedBacklog {
  readonly #options: EmbedBacklogOptions;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<boolean> | undefined;
  #stopped = false;
  #failure: EmbedderUnavailableError | undefined;
  /** Failed attempts in a row: the backoff's exponent. */
  #attempt = 0;
  /** performance.now() before which no load is tried again (unless the files appear). */
  #nextAttemptAt = 0;

  constructor(options: EmbedBacklogOptions) {
    this.#options = options;
  }

  #delayMs(): number {
    return backoffDelay({ baseMs: this.#options.firstDelayMs, maxMs: this.#options.maxDelayMs, jitter: 0.2 }, this.#attempt);
  }

  /** Why the model is unavailable, while it is. */
  get failure(): EmbedderUnavailableError | undefined {
    return this.#failure;
  }

  /**
   * True while a load that failed for a reason other than missing files is backing off: callers
   * then save without trying (an offline download attempt can take seconds).
   */
  get backingOff(): boolean {
    return this.#failure !== undefined && this.#failure.reason !== 'missing-files' && performance.now() < this.#nextAttemptAt;
  }

  /** Looks for work soon (start-up, a new waiting memory). */
  schedule(delayMs = 0): void {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#tick();
    }, delayMs);
    this.#timer.unref();
  }

  /** Records a failed load seen elsewhere (an add, a search) and makes sure a retry is planned. */
  noteUnavailable(error: EmbedderUnavailableError): void {
    const first = this.#failure === undefined;
    this.#failure = error;
    if (first) {
      this.#nextAttemptAt = performance.now() + this.#delayMs();
      this.#options.log.warn({ reason: error.reason, folder: error.folder, missing: error.missingFiles }, 'embedding model unavailable; memories are saved and embedded once it loads');
    }
    if (this.#timer === undefined && this.#running === undefined) this.#planRetry();
  }

  /** The model works (a search or an add embedded something): catch up now. */
  noteAvailable(): void {
    if (this.#failure === undefined) return;
    this.#nextAttemptAt = 0;
    this.schedule(0);
  }

  /** One pass now (joins a pass already running). True when nothing is left waiting. */
  runNow(): Promise<boolean> {
    this.#running ??= this.#pass().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
  }

  async #tick(): Promise<void> {
    if (this.#stopped) return;
    if (this.#failure !== undefined && performance.now() < this.#nextAttemptAt && !(await this.#filesAppeared())) {
      this.#planRetry();
      return;
    }
    await this.runNow();
  }

  /** True when the last failure was missing files and every file is there now. */
  async #filesAppeared(): Promise<boolean> {
    const failure = this.#failure;
    const check = this.#options.embedder.checkFiles;
    if (!failure || failure.missingFiles.length === 0 || !check) return false;
    try {
      return (await check()).missingFiles.length === 0;
    } catch {
      return false;
    }
  }

  #planRetry(): void {
    if (this.#stopped) return;
    const failure = this.#failure;
    const wait = failure?.reason === 'missing-files' && !failure.allowRemoteModels ? this.#options.pollMs : Math.min(this.#options.pollMs, Math.max(0, this.#nextAttemptAt - performance.now()));
    this.schedule(wait);
  }

  async #pass(): Promise<boolean> {
    const { db, embedder, log, index } = this.#options;
    let embedded = 0;
    try {
      for (;;) {
        const all = await unembeddedMemories(db, BATCH);
        const rows = all.filter((row) => !this.#options.busy(row.id));
        if (rows.length === 0) break;
        const vectors = await embedder.embed(rows.map((row) => row.text));
        let stale = 0;
        for (const [i, row] of rows.entries()) {
          const vector = vectors[i];
          if (!vector) continue;
          const memory = await attachVector(db, row.id, row.text, embedder.modelName, vector);
          if (!memory) {
            // Forgotten or reworded while it was embedded: look again, so a reworded text is
            // embedded in this pass and a caller waiting on it is not told "nothing left".
            stale += 1;
            continue;
          }
          embedded += 1;
          await index(memory, vector).catch((err: unknown) => log.warn({ err, memoryId: memory.id }, 'embedded memory could not be indexed yet'));
        }
        if (all.length < BATCH && stale === 0) break;
      }
    } catch (error) {
      if (!(error instanceof EmbedderUnavailableError)) {
        log.warn({ err: error }, 'embedding waiting memories failed; will retry');
        this.#failAfterAttempt();
        return false;
      }
      const first = this.#failure === undefined;
      this.#failure = error;
      if (first) log.warn({ reason: error.reason, folder: error.folder, missing: error.missingFiles }, 'embedding model unavailable; waiting memories stay saved and are embedded once it loads');
      this.#failAfterAttempt();
      return false;
    }
    const recovered = this.#failure !== undefined;
    this.#failure = undefined;
    this.#attempt = 0;
    this.#nextAttemptAt = 0;
    if (embedded > 0) log.info({ embedded }, 'waiting memories embedded');
    if (recovered && embedded > 0) await this.#options.onRecovered({ embedded }).catch((err: unknown) => log.warn({ err }, 'could not tell the owner the memories are searchable'));
    return true;
  }

  #failAfterAttempt(): void {
    this.#nextAttemptAt = performance.now() + this.#delayMs();
    this.#attempt += 1;
    this.#planRetry();
  }
}
