import type { Api } from 'grammy';
import type { Update } from 'grammy/types';
import type { Db } from '../../db/index.js';
import type { Logger } from '../../log/index.js';
import { getSetting } from '../../settings/index.js';
import { backoffDelay, sleep } from '../../shared/backoff.js';
import { OFFSET_SETTING, storeBatch, type InboxItem } from '../../updates/index.js';
import { explainFatal, isAbort, type TelegramFatalError } from './errors.js';

export interface PollerOptions {
  api: Api;
  db: Db;
  log: Logger;
  timeoutSeconds: number;
  allowedUpdates: ReadonlyArray<Exclude<keyof Update, 'update_id'>>;
  onStored: (items: InboxItem<Update>[]) => void;
  onFatal: (err: TelegramFatalError) => void;
}

const MAX_BACKOFF_MS = 30_000;

/**
 * Our own getUpdates loop instead of grammY's runner or bot.start(): both confirm a
 * batch (by requesting the next offset) before its updates are handled or stored,
 * so a crash loses them, and bot.start() redelivers whole batches. Here a batch is
 * written to the inbox together with the next offset, and only then is that offset
 * sent to Telegram, which is what confirms the batch. Handling happens elsewhere
 * (the dispatcher), so a slow handler never delays polling.
 */
export class TelegramPoller {
  readonly #options: PollerOptions;
  #controller = new AbortController();
  #running: Promise<void> | undefined;
  #lastPollAt = 0;
  #offset: number | undefined;

  constructor(options: PollerOptions) {
    this.#options = options;
  }

  /** Milliseconds since the last getUpdates answered (Infinity before the first). */
  get sinceLastPollMs(): number {
    return this.#lastPollAt === 0 ? Infinity : Date.now() - this.#lastPollAt;
  }

  get alive(): boolean {
    return this.#running !== undefined && this.sinceLastPollMs < (this.#options.timeoutSeconds + 30) * 1000;
  }

  async start(): Promise<void> {
    const { api, db } = this.#options;
    // Long polling and a webhook exclude each other; pending updates are kept.
    await api.deleteWebhook({ drop_pending_updates: false });
    const stored = await getSetting(db, OFFSET_SETTING);
    this.#offset = stored === undefined ? undefined : Number(stored);
    this.#lastPollAt = Date.now();
    this.#running = this.#loop();
  }

  async stop(): Promise<void> {
    this.#controller.abort();
    await this.#running;
    this.#running = undefined;
  }

  async #loop(): Promise<void> {
    const { api, db, log, timeoutSeconds, allowedUpdates, onStored, onFatal } = this.#options;
    const signal = this.#controller.signal;
    let failures = 0;
    while (!signal.aborted) {
      try {
        const updates = await api.getUpdates(
          {
            ...(this.#offset !== undefined ? { offset: this.#offset } : {}),
            limit: 100,
            timeout: timeoutSeconds,
            allowed_updates: [...allowedUpdates],
          },
          // grammY types its signal with the abort-controller polyfill; Node's is compatible.
          signal as Parameters<Api['getUpdates']>[1],
        );
        this.#lastPollAt = Date.now();
        failures = 0;
        if (updates.length === 0) continue;
        const nextOffset = Math.max(...updates.map((update) => update.update_id)) + 1;
        const { fresh, unstorable } = await storeBatch(db, updates, nextOffset);
        this.#offset = nextOffset;
        // The reason stays in the inbox row: a database error may quote the update.
        for (const lost of unstorable) log.error({ updateId: lost.updateId, kind: lost.kind }, 'update could not be stored; recorded as failed and skipped');
        if (fresh.length > 0) onStored(fresh);
      } catch (err) {
        if (signal.aborted || isAbort(err, signal)) break;
        const fatal = explainFatal(err);
        if (fatal) {
          onFatal(fatal);
          break;
        }
        failures += 1;
        const delay = backoffDelay({ baseMs: 500, maxMs: MAX_BACKOFF_MS, jitter: 0.5 }, failures);
        log.warn({ err, failures, retryInMs: delay }, 'telegram polling failed; retrying');
        await sleep(delay, signal);
      }
    }
  }
}
