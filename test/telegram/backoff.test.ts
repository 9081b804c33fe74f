import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../src/shared/backoff.js';

describe('backoffDelay', () => {
  it('doubles from the base and stops at the cap', () => {
    const policy = { baseMs: 500, maxMs: 30_000 };
    expect([0, 1, 2, 3, 6, 7, 50, 10_000].map((n) => backoffDelay(policy, n))).toEqual([500, 1_000, 2_000, 4_000, 30_000, 30_000, 30_000, 30_000]);
  });

  it('with jitter waits between half and all of the delay', () => {
    const policy = { baseMs: 1_000, maxMs: 60_000, jitter: 1 };
    expect(backoffDelay(policy, 2, () => 0)).toBe(4_000);
    expect(backoffDelay(policy, 2, () => 1)).toBe(2_000);
    for (let i = 0; i < 200; i += 1) {
      const d = backoffDelay(policy, 3);
      expect(d).toBeGreaterThanOrEqual(4_000);
      expect(d).toBeLessThanOrEqual(8_000);
    }
  });
});
