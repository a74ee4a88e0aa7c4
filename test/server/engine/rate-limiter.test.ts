import { describe, expect, it } from 'vitest';
import { GCS_RATE_LIMIT, RateLimiter } from '../../../src/server/engine/rate-limiter.js';

const T = 1_000_000;

function takes(limiter: RateLimiter, key: string, now: number, times: number): boolean[] {
  return Array.from({ length: times }, () => limiter.take(key, now));
}

describe('RateLimiter', () => {
  it("GCS's realistic setting is one write a second with a small burst", () => {
    expect(GCS_RATE_LIMIT).toEqual({ perSecond: 1, burst: 5 });
  });

  it('starts each key with a full burst, then refuses', () => {
    const limiter = new RateLimiter({ perSecond: 1, burst: 3 });
    expect(takes(limiter, 'a', T, 4)).toEqual([true, true, true, false]);
  });

  it('keeps a separate budget per key', () => {
    const limiter = new RateLimiter({ perSecond: 1, burst: 1 });
    expect(limiter.take('a', T)).toBe(true);
    expect(limiter.take('a', T)).toBe(false);
    expect(limiter.take('b', T)).toBe(true);
  });

  it('refills perSecond tokens a second, fractions included', () => {
    const limiter = new RateLimiter({ perSecond: 2, burst: 1 });
    expect(takes(limiter, 'a', T, 2)).toEqual([true, false]);
    expect(limiter.take('a', T + 499)).toBe(false);
    expect(limiter.take('a', T + 500)).toBe(true);
    expect(limiter.take('a', T + 500)).toBe(false);
  });

  it('saves up at most burst tokens after a quiet spell', () => {
    const limiter = new RateLimiter({ perSecond: 1, burst: 2 });
    takes(limiter, 'a', T, 2);
    expect(takes(limiter, 'a', T + 3_600_000, 3)).toEqual([true, true, false]);
  });

  it('a refusal does not spend or reset the partial refill', () => {
    const limiter = new RateLimiter({ perSecond: 1, burst: 1 });
    limiter.take('a', T);
    expect(limiter.take('a', T + 600)).toBe(false);
    expect(limiter.take('a', T + 1000)).toBe(true);
  });

  it('a clock set back neither refills nor drains tokens', () => {
    const limiter = new RateLimiter({ perSecond: 1, burst: 2 });
    expect(limiter.take('a', T)).toBe(true);
    // One token left; the clock jumps an hour back.
    expect(limiter.take('a', T - 3_600_000)).toBe(true);
    expect(limiter.take('a', T - 3_600_000)).toBe(false);
    // One second later on the new clock, one token is back.
    expect(limiter.take('a', T - 3_599_000)).toBe(true);
  });
});
