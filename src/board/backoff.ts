// The one backoff rule for the board: the wait doubles with each failed try, up to a cap,
// with "equal jitter" (half fixed, half random) so retries after an outage spread out but
// still grow. Hand-written on purpose: the wait is stored in the card write queue
// (`next_attempt_at`) so it survives restarts, and the tries are driven by the queue's tick.
// Retry libraries (p-retry, exponential-backoff) own the retry loop and its timers in
// memory, which is exactly what we must not do; what we need from them is this formula.

export interface BackoffPolicy {
  /** Wait after the first failed try. */
  baseMs: number;
  /** Longest wait. */
  capMs: number;
}

/** Planka unreachable (network, timeout, 5xx, 429): 2 s doubling to 1 min. */
export const TRANSIENT_BACKOFF: BackoffPolicy = { baseMs: 2_000, capMs: 60_000 };

/** Planka refuses every write until the owner fixes something (password, role): 1 min doubling to 1 h. */
export const BLOCKED_BACKOFF: BackoffPolicy = { baseMs: 60_000, capMs: 60 * 60_000 };

/** Wait before the next try after `failures` failed ones (1 = the first failure). */
export function backoffMs(failures: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponent = Math.min(30, Math.max(0, failures - 1));
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}
