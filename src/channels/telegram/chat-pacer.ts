import type { Transformer } from 'grammy';
import { sleep, type AbortLike } from '../../shared/backoff.js';

/**
 * Paces outgoing messages the way Telegram asks bots to: about one message per
 * second in a private chat (short bursts are fine), 20 per minute in a group,
 * 30 per second overall. Calls wait for their turn instead of earning a 429.
 *
 * Why not @grammyjs/transformer-throttler: its last release is years old, it
 * pulls in Bottleneck (unmaintained since 2019), and grammY's own docs now point
 * to auto-retry instead. A token bucket per chat is all we need.
 */
export interface PacerLimits {
  /** Messages a private chat may receive at once before pacing starts. */
  privateBurst: number;
  privateIntervalMs: number;
  groupBurst: number;
  groupIntervalMs: number;
  globalBurst: number;
  globalIntervalMs: number;
}

export const TELEGRAM_LIMITS: PacerLimits = {
  privateBurst: 20,
  privateIntervalMs: 1_000,
  groupBurst: 20,
  groupIntervalMs: 3_000,
  globalBurst: 30,
  globalIntervalMs: 1_000 / 30,
};

/** Methods that put a message in a chat (or change one); the rest are not paced. */
const PACED_METHODS = new Set([
  'sendMessage',
  'sendDocument',
  'sendPhoto',
  'sendMediaGroup',
  'copyMessage',
  'forwardMessage',
  'editMessageText',
  'editMessageReplyMarkup',
  'editMessageCaption',
]);

export interface PacerClock {
  now(): number;
  sleep(ms: number, signal?: AbortLike): Promise<void>;
}

const realClock: PacerClock = { now: () => Date.now(), sleep: (ms, signal) => sleep(ms, signal) };

/** A bucket that refills one token per interval up to `burst`; `take` says how long to wait. */
class TokenBucket {
  #tokens: number;
  #updatedAt: number;
  constructor(
    readonly burst: number,
    readonly intervalMs: number,
    now: number,
  ) {
    this.#tokens = burst;
    this.#updatedAt = now;
  }

  /** Reserves a token; returns the wait (0 when one was free). */
  take(now: number): number {
    this.#tokens = Math.min(this.burst, this.#tokens + (now - this.#updatedAt) / this.intervalMs);
    this.#updatedAt = now;
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : Math.ceil(-this.#tokens * this.intervalMs);
  }

  full(now: number): boolean {
    return this.#tokens + (now - this.#updatedAt) / this.intervalMs >= this.burst;
  }
}

export function chatPacer(limits: PacerLimits = TELEGRAM_LIMITS, clock: PacerClock = realClock): Transformer {
  const chats = new Map<string, TokenBucket>();
  const global = new TokenBucket(limits.globalBurst, limits.globalIntervalMs, clock.now());
  return async (prev, method, payload, signal) => {
    const chatId = PACED_METHODS.has(method) ? chatOf(payload) : undefined;
    if (chatId === undefined) return prev(method, payload, signal);
    const now = clock.now();
    let bucket = chats.get(chatId);
    if (!bucket) {
      const group = chatId.startsWith('-') || chatId.startsWith('@');
      bucket = group ? new TokenBucket(limits.groupBurst, limits.groupIntervalMs, now) : new TokenBucket(limits.privateBurst, limits.privateIntervalMs, now);
      chats.set(chatId, bucket);
    }
    const wait = Math.max(bucket.take(now), global.take(now));
    if (wait > 0) await clock.sleep(wait, signal);
    // Forget chats whose bucket is full again, so the map stays small.
    if (chats.size > 1_000) for (const [id, b] of chats) if (b.full(clock.now())) chats.delete(id);
    return prev(method, payload, signal);
  };
}

function chatOf(payload: unknown): string | undefined {
  if (typeof payload !== 'object' || payload === null || !('chat_id' in payload)) return undefined;
  const id = (payload as { chat_id: unknown }).chat_id;
  return typeof id === 'number' || typeof id === 'string' ? String(id) : undefined;
}
