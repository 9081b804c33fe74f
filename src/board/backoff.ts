import { backoffDelay, type BackoffPolicy } from '../shared/backoff.js';

// The board's waits between tries of a queued card write, on the code base's one backoff
// helper (src/shared/backoff.ts: growth, cap, jitter). The wait is stored in the card write
// queue (`next_attempt_at`) so it survives restarts and the queue's tick drives the tries;
// retry libraries (p-retry, exponential-backoff) own the retry loop and its timers in memory,
// which is what the queue must not do.

/** Planka unreachable (network, timeout, 5xx, 429): 2 s doubling to 1 min. */
export const TRANSIENT_BACKOFF: BackoffPolicy = { baseMs: 2_000, maxMs: 60_000, jitter: 1 };

/** Planka refuses every write until the owner fixes something (password, role): 1 min doubling to 1 h. */
export const BLOCKED_BACKOFF: BackoffPolicy = { baseMs: 60_000, maxMs: 60 * 60_000, jitter: 1 };

/** Wait before the next try after `failures` failed ones (1 = the first failure). */
export function backoffMs(failures: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  return backoffDelay(policy, failures - 1, random);
}
