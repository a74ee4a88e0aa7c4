import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../src/util/backoff.js';

const low = (): number => 0;
const high = (): number => 1;

describe('backoffDelay', () => {
  it('attempt 0 waits between half of initial and initial', () => {
    expect(backoffDelay(0, 1000, 30_000, low)).toBe(500);
    expect(backoffDelay(0, 1000, 30_000, high)).toBe(1000);
    expect(backoffDelay(0, 1000, 30_000, () => 0.5)).toBe(750);
  });

  it('doubles the ceiling per attempt, half fixed and half random', () => {
    for (const [attempt, ceiling] of [
      [1, 2000],
      [2, 4000],
      [3, 8000],
      [4, 16_000],
    ] as const) {
      expect(backoffDelay(attempt, 1000, 60_000, low)).toBe(ceiling / 2);
      expect(backoffDelay(attempt, 1000, 60_000, high)).toBe(ceiling);
    }
  });

  it('is capped at max, and never below max / 2 once capped', () => {
    expect(backoffDelay(5, 1000, 10_000, high)).toBe(10_000);
    expect(backoffDelay(5, 1000, 10_000, low)).toBe(5000);
    expect(backoffDelay(1000, 1000, 10_000, high)).toBe(10_000);
    expect(backoffDelay(1000, 1000, 10_000, low)).toBe(5000);
  });

  it('stays finite for huge attempt numbers', () => {
    expect(Number.isFinite(backoffDelay(Number.MAX_SAFE_INTEGER, 1, Number.MAX_VALUE, high))).toBe(true);
    expect(backoffDelay(Number.MAX_SAFE_INTEGER, 1, Number.MAX_VALUE, high)).toBe(2 ** 30);
  });

  it('an initial above max is capped too', () => {
    expect(backoffDelay(0, 5000, 1000, high)).toBe(1000);
  });

  it('uses Math.random by default, within bounds', () => {
    for (let i = 0; i < 100; i++) {
      const delay = backoffDelay(2, 100, 10_000);
      expect(delay).toBeGreaterThanOrEqual(200);
      expect(delay).toBeLessThanOrEqual(400);
    }
  });
});
