// getUpdates with long polling, following telegram-bot-api Client::process_get_updates_query,
// do_get_updates, long_poll_wakeup and abort_long_poll:
// - webhook set → 409 "can't use getUpdates method while webhook is active; ...";
// - limit clamped to 1..100 (default 100), timeout clamped to 0..50 s;
// - the offset is applied (older updates forgotten) before the request waits;
// - only a request that is about to WAIT aborts the one already waiting: the OLDER request gets
//   409 "terminated by other getUpdates request; ...", the newer one takes its place; a request
//   that is answered at once leaves the waiting one alone;
// - a new update wakes the waiting request after LONG_POLL_WAIT_AFTER (1 ms) so bursts batch up;
// - with `serverThrottles`: a repeated offset with timeout < 3 within 3 s is promoted to timeout 3,
//   and 409 answers are sent at most once per 3 s (later ones wait 3 s), like the real server.
import { conflict, OTHER_GET_UPDATES, WEBHOOK_ACTIVE, type TelegramApiError } from '../api-error.js';
import { intArg, jsonArg } from '../request-args.js';
import type { UpdateQueue } from '../update-queue.js';
import type { Payload, TgUpdate } from '../wire-types.js';

export const LONG_POLL_MAX_TIMEOUT = 50;
const LONG_POLL_WAIT_AFTER_MS = 1;

export interface LongPollOptions {
  /** Length of one Bot API "second" in ms (timeouts, throttles). Default 1000. */
  msPerSecond: number;
  serverThrottles: boolean;
  now: () => number;
}

interface Waiting {
  offset: number;
  limit: number;
  resolve: (updates: TgUpdate[]) => void;
  reject: (error: TelegramApiError) => void;
  timer: NodeJS.Timeout;
  done: boolean;
}

export class LongPoll {
  private waiting: Waiting | undefined;
  private wakeTimer: NodeJS.Timeout | undefined;
  private previousOffset = Number.NaN;
  private previousStart = -Infinity;
  private nextConflictAt = -Infinity;
  private readonly delayed = new Set<NodeJS.Timeout>();

  constructor(
    private readonly queue: UpdateQueue,
    private readonly options: LongPollOptions,
  ) {}

  /** True while a getUpdates request is held open. */
  get isWaiting(): boolean {
    return this.waiting !== undefined;
  }

  async handle(payload: Payload, signal: AbortSignal, state: { webhook: boolean; conflict: boolean }): Promise<TgUpdate[]> {
    if (state.webhook) return this.conflictAnswer(WEBHOOK_ACTIVE);
    if (state.conflict) {
      this.abortWaiting(OTHER_GET_UPDATES);
      return this.conflictAnswer(OTHER_GET_UPDATES);
    }
    const offset = intArg(payload, 'offset', 0);
    const limit = intArg(payload, 'limit', 100, 1, 100);
    let timeout = intArg(payload, 'timeout', 0, 0, LONG_POLL_MAX_TIMEOUT);
    const allowed = jsonArg(payload, 'allowed_updates', 'allowed_updates');
    if (Array.isArray(allowed)) this.queue.setAllowed(allowed.filter((t): t is string => typeof t === 'string'));

    const now = this.options.now();
    const second = this.options.msPerSecond;
    if (this.options.serverThrottles && offset === this.previousOffset && timeout < 3 && now < this.previousStart + 3 * second) {
      timeout = 3;
    }
    this.previousOffset = offset;
    this.previousStart = now;

    const updates = this.queue.read(offset, limit);
    if (timeout === 0 || updates.length > 0) return updates;

    this.abortWaiting(OTHER_GET_UPDATES);
    return new Promise<TgUpdate[]>((resolve, reject) => {
      const waiting: Waiting = {
        offset,
        limit,
        resolve,
        reject,
        done: false,
        timer: setTimeout(() => this.finish(waiting), timeout * second),
      };
      this.waiting = waiting;
      signal.addEventListener('abort', () => this.abandon(waiting), { once: true });
    });
  }

  /** Called when an update was queued. */
  wake(): void {
    if (this.waiting === undefined || this.wakeTimer !== undefined) return;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      const waiting = this.waiting;
      if (waiting !== undefined && this.queue.read(waiting.offset, waiting.limit).length > 0) this.finish(waiting);
    }, LONG_POLL_WAIT_AFTER_MS);
  }

  /** Fails the waiting request with 409 (another poller, setWebhook). */
  abortWaiting(message: string): void {
    const waiting = this.waiting;
    if (waiting === undefined) return;
    this.settle(waiting);
    this.conflictAnswer(message).catch((error: TelegramApiError) => waiting.reject(error));
  }

  close(): void {
    if (this.waiting !== undefined) this.settle(this.waiting);
    if (this.wakeTimer !== undefined) clearTimeout(this.wakeTimer);
    for (const timer of this.delayed) clearTimeout(timer);
    this.delayed.clear();
  }

  private finish(waiting: Waiting): void {
    if (waiting.done) return;
    this.settle(waiting);
    waiting.resolve(this.queue.read(waiting.offset, waiting.limit));
  }

  /** The client went away: it no longer counts as a poller and gets no answer. */
  private abandon(waiting: Waiting): void {
    if (waiting.done) return;
    this.settle(waiting);
    waiting.resolve([]); // settles the handler; nothing is written to the closed socket
  }

  private settle(waiting: Waiting): void {
    waiting.done = true;
    clearTimeout(waiting.timer);
    if (this.waiting === waiting) this.waiting = undefined;
  }

  private conflictAnswer(message: string): Promise<never> {
    const error = conflict(message);
    const now = this.options.now();
    if (!this.options.serverThrottles || now >= this.nextConflictAt) {
      this.nextConflictAt = now + 3 * this.options.msPerSecond;
      return Promise.reject(error);
    }
    return new Promise<never>((_, reject) => {
      const timer = setTimeout(() => {
        this.delayed.delete(timer);
        reject(error);
      }, 3 * this.options.msPerSecond);
      this.delayed.add(timer);
    });
  }
}
