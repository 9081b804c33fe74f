import type { Db } from '../db/index.js';
import type { Logger } from '../log/index.js';
import { runInEffectScope, type EffectJournal } from '../outbox/index.js';
import { GroupCommit } from '../shared/group-commit.js';
import { finishUpdates, type InboxItem, type UpdateFinish, type UpdateOutcome } from './inbox-repo.js';
import type { InboxUpdate } from './inbox-update.js';

export interface DispatcherOptions<U extends InboxUpdate = InboxUpdate> {
  db: Db;
  log: Logger;
  /** Where the update's confirmed replies wait until they are stored with its outcome. */
  journal: EffectJournal;
  /**
   * Handles one update; throwing marks it failed (the handler already told the owner).
   * 'ignored' (nobody it was for, nothing handled it) clears the stored update down to its id and kind.
   */
  handle: (update: U) => Promise<'handled' | 'ignored' | void>;
  /** How many ordering keys (chats) run at once. */
  concurrency: number;
}

/**
 * Runs stored updates: strictly in order within one chat, concurrently across
 * chats, each inside its effect scope `update:<id>`. An update is marked done
 * only after its handler finished, so a crash leaves it pending and it runs
 * again at the next start (its journaled replies are not sent twice).
 */
export class UpdateDispatcher<U extends InboxUpdate = InboxUpdate> {
  readonly #options: DispatcherOptions<U>;
  readonly #queues = new Map<string, InboxItem<U>[]>();
  readonly #active = new Set<string>();
  readonly #known = new Set<number>();
  #idleWaiters: Array<() => void> = [];
  readonly #finishes: GroupCommit<UpdateFinish>;
  #accepting = true;
  #handled = 0;

  constructor(options: DispatcherOptions<U>) {
    this.#options = options;
    // Each handler lane has at most one finish waiting, so a turn never holds more than the concurrency.
    this.#finishes = new GroupCommit((finishes) => finishUpdates(options.db, finishes), {
      maxGroup: options.concurrency,
      onGroupRefused: (err, size) => options.log.warn({ err, size }, 'update outcomes refused as a group; storing them one by one'),
    });
  }

  /** Updates finished since start (done or failed). */
  get handledCount(): number {
    return this.#handled;
  }

  get queuedCount(): number {
    let n = 0;
    for (const queue of this.#queues.values()) n += queue.length;
    return n;
  }

  enqueue(items: readonly InboxItem<U>[]): void {
    if (!this.#accepting) return;
    for (const item of items) {
      if (this.#known.has(item.updateId)) continue;
      this.#known.add(item.updateId);
      const queue = this.#queues.get(item.key);
      if (queue) queue.push(item);
      else this.#queues.set(item.key, [item]);
    }
    this.#pump();
  }

  /**
   * Stops taking new work and waits for running handlers (and their queued
   * successors in the same chat) up to `graceMs`. Returns whether all finished.
   */
  async drain(graceMs: number): Promise<boolean> {
    this.#accepting = false;
    // Queued-but-unstarted updates stay pending in the database for the next start.
    for (const key of this.#queues.keys()) if (!this.#active.has(key)) this.#queues.delete(key);
    for (const queue of this.#queues.values()) queue.length = 0;
    if (this.#active.size === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const idle = new Promise<boolean>((resolve) => this.#idleWaiters.push(() => resolve(true)));
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), graceMs);
    });
    const finished = await Promise.race([idle, timeout]);
    clearTimeout(timer);
    return finished;
  }

  #pump(): void {
    if (!this.#accepting) return;
    for (const key of this.#queues.keys()) {
      if (this.#active.size >= this.#options.concurrency) return;
      if (this.#active.has(key)) continue;
      this.#active.add(key);
      void this.#runLane(key);
    }
  }

  async #runLane(key: string): Promise<void> {
    try {
      for (;;) {
        const queue = this.#queues.get(key);
        const item = queue?.shift();
        if (!item) break;
        await this.#process(item);
        if (!this.#accepting) break;
      }
    } finally {
      if ((this.#queues.get(key)?.length ?? 0) === 0) this.#queues.delete(key);
      this.#active.delete(key);
      if (this.#active.size === 0) {
        const waiters = this.#idleWaiters;
        this.#idleWaiters = [];
        for (const wake of waiters) wake();
      }
      this.#pump();
    }
  }

  async #process(item: InboxItem<U>): Promise<void> {
    const { log, handle } = this.#options;
    const scope = `update:${item.updateId}`;
    try {
      const result = await runInEffectScope(scope, () => handle(item.update));
      await this.#finish(item, scope, { status: 'done', ignored: result === 'ignored' });
    } catch (err) {
      log.error({ err, updateId: item.updateId }, 'update handler failed');
      await this.#finish(item, scope, { status: 'failed', error: err instanceof Error ? err.message : String(err) });
    } finally {
      this.#known.delete(item.updateId);
      this.#handled += 1;
    }
  }

  async #finish(item: InboxItem<U>, scope: string, outcome: UpdateOutcome): Promise<void> {
    const { journal, log } = this.#options;
    try {
      await this.#finishes.submit({ updateId: item.updateId, outcome, sent: journal.receiptsOf(scope) });
      journal.settle(scope);
    } catch (err) {
      // The row stays pending and runs again after a restart; its receipts stay in the journal.
      log.error({ err, updateId: item.updateId }, 'could not record update outcome');
    }
  }
}
