import { HttpError, type Transformer } from 'grammy';
import type { Logger } from '../../log/index.js';
import { backoffDelay, sleep } from '../../shared/backoff.js';

export interface RetryPolicy {
  /** A 429 asking for a longer wait than this fails instead of blocking its chat. */
  maxRetryAfterSeconds: number;
  /** Attempts after the first, for 429, 5xx and network errors together. */
  maxRetries: number;
  /** Backoff for 5xx and network errors: base × 2^n, capped. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxRetryAfterSeconds: 60, maxRetries: 5, baseDelayMs: 500, maxDelayMs: 30_000 };

/**
 * Why not @grammyjs/auto-retry (2.0.2): it retries network errors without end,
 * whatever `maxRetryAttempts` says, so one outage would hold a handler (and its
 * place in the dispatcher) forever; it cannot skip getUpdates, which has its own
 * loop; and it logs through `debug`, not our logger. Thirty lines keep those right.
 *
 * Every Bot API retry decision, in one place: a 429 waits exactly `retry_after`;
 * 5xx and network errors back off exponentially with a cap; anything else (400,
 * 401, 403, 409) is returned at once. The poller's getUpdates is left alone: it
 * has its own loop. Waits end early when the call's signal aborts.
 */
export function retryTransformer(log: Logger, policy: RetryPolicy = DEFAULT_RETRY_POLICY): Transformer {
  return async (prev, method, payload, signal) => {
    if (method === 'getUpdates') return prev(method, payload, signal);
    for (let attempt = 0; ; attempt += 1) {
      let waitMs: number;
      try {
        const response = await prev(method, payload, signal);
        if (response.ok || attempt >= policy.maxRetries) return response;
        const retryAfter = response.parameters?.retry_after;
        if (response.error_code === 429 && typeof retryAfter === 'number') {
          if (retryAfter > policy.maxRetryAfterSeconds) return response;
          waitMs = retryAfter * 1000;
        } else if (response.error_code >= 500) {
          waitMs = backoffDelay({ baseMs: policy.baseDelayMs, maxMs: policy.maxDelayMs, jitter: 0.5 }, attempt);
        } else {
          return response;
        }
        log.warn({ method, errorCode: response.error_code, waitMs, attempt }, 'telegram call will be retried');
      } catch (err) {
        if (!(err instanceof HttpError) || signal?.aborted || attempt >= policy.maxRetries) throw err;
        waitMs = backoffDelay({ baseMs: policy.baseDelayMs, maxMs: policy.maxDelayMs, jitter: 0.5 }, attempt);
        log.warn({ method, err: { message: err.message }, waitMs, attempt }, 'telegram network error; retrying');
      }
      await sleep(waitMs, signal);
      if (signal?.aborted) return prev(method, payload, signal);
    }
  };
}
