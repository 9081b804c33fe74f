import { describe, expect, it } from 'vitest';
import { BLOCKED_BACKOFF, TRANSIENT_BACKOFF, backoffMs } from '../../src/board/backoff.js';

describe('board backoff', () => {
  it('grows with each failure up to the cap, and jitters within the upper half', () => {
    const full = () => 0;
    const half = () => 1;
    expect([1, 2, 3, 4, 5, 6, 7, 20].map((n) => backoffMs(n, TRANSIENT_BACKOFF, full))).toEqual([2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]);
    expect([1, 2, 3].map((n) => backoffMs(n, TRANSIENT_BACKOFF, half))).toEqual([1_000, 2_000, 4_000]);
    expect(backoffMs(1_000, BLOCKED_BACKOFF, full)).toBe(60 * 60_000);
    expect(backoffMs(0, BLOCKED_BACKOFF, full)).toBe(60_000);
    for (let n = 1; n < 12; n += 1) {
      const wait = backoffMs(n, TRANSIENT_BACKOFF);
      const ceiling = Math.min(60_000, 2_000 * 2 ** (n - 1));
      expect(wait).toBeGreaterThanOrEqual(ceiling / 2);
      expect(wait).toBeLessThanOrEqual(ceiling);
    }
  });
});
