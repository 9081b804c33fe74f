import { GoogleApiError } from '../google/google-errors.js';

export interface RateLimitPolicy {
  /** Longest wait taken inside a poll; a longer one ends the poll and the next poll waits. */
  maxInlineWaitMs: number;
  attempts: number;
  baseMs: number;
  sleep: (ms: number) => Promise<void>;
}

/** The wait for the n-th rate-limit answer in a row (n from 0): Retry-After or doubling, whichever is longer. */
export function rateLimitWait(err: GoogleApiError, n: number, baseMs: number): number {
  return Math.max(err.retryAfterMs ?? 0, baseMs * 2 ** n);
}

/**
 * Runs one Gmail call, retrying 429 and 403 rate-limit answers (the client retries neither
 * 403 nor Retry-After) with growing waits; anything else, or a wait too long for a poll, throws.
 */
export async function withRateLimitRetry<T>(policy: RateLimitPolicy, call: () => Promise<T>): Promise<T> {
  for (let n = 0; ; n += 1) {
    try {
      return await call();
    } catch (err) {
      if (!(err instanceof GoogleApiError) || err.kind !== 'rate-limited') throw err;
      const wait = rateLimitWait(err, n, policy.baseMs);
      if (n + 1 >= policy.attempts || wait > policy.maxInlineWaitMs) throw err;
      await policy.sleep(wait);
    }
  }
}

/** Runs `work` over items with at most `limit` in flight; the first error stops new starts and is thrown. */
export async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { err: unknown } | undefined;
  const lane = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const item = items[next] as T;
      next += 1;
      try {
        await work(item);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  if (failure) throw failure.err;
}
