import { HttpError, type Transformer } from 'grammy';
import { describe, expect, it } from 'vitest';
import { retryTransformer } from '../../src/channels/telegram/retry-transformer.js';
import { silentLogger } from '../../src/log/index.js';

type Prev = Parameters<Transformer>[0];
type Answer = { ok: true; result: unknown } | { ok: false; error_code: number; description: string; parameters?: { retry_after?: number } } | Error;

function scripted(answers: Answer[]): { prev: Prev; calls: () => number } {
  let calls = 0;
  const prev = (async () => {
    const answer = answers[Math.min(calls, answers.length - 1)]!;
    calls += 1;
    if (answer instanceof Error) throw answer;
    return answer;
  }) as unknown as Prev;
  return { prev, calls: () => calls };
}

const FAST = { maxRetryAfterSeconds: 60, maxRetries: 3, baseDelayMs: 1, maxDelayMs: 5 };

describe('retryTransformer', () => {
  it('waits retry_after on a 429 and then succeeds', async () => {
    const { prev, calls } = scripted([{ ok: false, error_code: 429, description: 'Too Many Requests: retry after 0', parameters: { retry_after: 0 } }, { ok: true, result: 1 }]);
    const result = await retryTransformer(silentLogger(), FAST)(prev, 'sendMessage', { chat_id: 1, text: 'x' } as never);
    expect(result.ok).toBe(true);
    expect(calls()).toBe(2);
  });

  it('gives up on a 429 that asks for a longer wait than allowed, without waiting', async () => {
    const { prev, calls } = scripted([{ ok: false, error_code: 429, description: 'Too Many Requests', parameters: { retry_after: 3_600 } }]);
    const result = await retryTransformer(silentLogger(), FAST)(prev, 'sendMessage', {} as never);
    expect(result.ok).toBe(false);
    expect(calls()).toBe(1);
  });

  it('bounds retries of network errors (auto-retry would retry them forever)', async () => {
    const { prev, calls } = scripted([new HttpError('Network request for sendMessage failed!', new Error('ECONNRESET'))]);
    await expect(retryTransformer(silentLogger(), FAST)(prev, 'sendMessage', {} as never)).rejects.toBeInstanceOf(HttpError);
    expect(calls()).toBe(FAST.maxRetries + 1);
  });

  it('returns a 400 at once and leaves getUpdates to the poller', async () => {
    const bad = scripted([{ ok: false, error_code: 400, description: 'Bad Request: chat not found' }]);
    expect((await retryTransformer(silentLogger(), FAST)(bad.prev, 'sendMessage', {} as never)).ok).toBe(false);
    expect(bad.calls()).toBe(1);
    const busy = scripted([{ ok: false, error_code: 502, description: 'Bad Gateway' }]);
    expect((await retryTransformer(silentLogger(), FAST)(busy.prev, 'getUpdates', {} as never)).ok).toBe(false);
    expect(busy.calls()).toBe(1);
  });

  it('retries 5xx with backoff until it clears', async () => {
    const { prev, calls } = scripted([{ ok: false, error_code: 502, description: 'Bad Gateway' }, { ok: false, error_code: 500, description: 'Internal' }, { ok: true, result: 1 }]);
    expect((await retryTransformer(silentLogger(), FAST)(prev, 'editMessageText', {} as never)).ok).toBe(true);
    expect(calls()).toBe(3);
  });
});
