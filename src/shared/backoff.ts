/**
 * The one exponential backoff of the code base: `base × 2^attempt`, capped, with
 * optional "full jitter" (a random wait between half and all of it) so that
 * several retries started together do not stay in step.
 */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  /** 0 (none) … 1 (wait anywhere in [delay/2, delay]). */
  jitter?: number;
}

export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(0, attempt), 30);
  const delay = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  const jitter = Math.min(1, Math.max(0, policy.jitter ?? 0));
  return Math.round(delay * (1 - (jitter / 2) * random()));
}

/** Resolves after `ms`, or at once when the signal aborts (never rejects). */
/** What grammY hands transformers (its own AbortSignal type) and node's both satisfy. */
export interface AbortLike {
  aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener?(type: 'abort', listener: () => void): void;
}

export function sleep(ms: number, signal?: AbortLike): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener?.('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
