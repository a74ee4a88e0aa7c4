/**
 * GCS's per-object mutation limit ("about one write per second per object name"), as a token
 * bucket per object: `perSecond` tokens a second, at most `burst` saved up. A mutation without a
 * token is refused with 429 `rateLimitExceeded` and changes nothing.
 *
 * @example
 * ```ts
 * const store = new MemoryStore({ buckets: ['test'], rateLimit: { perSecond: 1, burst: 2 } });
 * ```
 */
export interface RateLimit {
  /** Sustained mutations per second per object name. GCS: 1. */
  perSecond: number;
  /** Mutations that may come at once after a quiet spell. */
  burst: number;
}

/**
 * The realistic setting: one write a second with a small burst.
 *
 * @example
 * ```ts
 * await using server = await startServer({ buckets: ['test'], rateLimit: GCS_RATE_LIMIT });
 * ```
 */
export const GCS_RATE_LIMIT: RateLimit = { perSecond: 1, burst: 5 };

export class RateLimiter {
  readonly #limit: RateLimit;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(limit: RateLimit) {
    this.#limit = limit;
  }

  /** Takes a token for `key` at time `now` (ms); false when none is left. */
  take(key: string, now: number): boolean {
    const { perSecond, burst } = this.#limit;
    const bucket = this.#buckets.get(key) ?? { tokens: burst, at: now };
    // The server clock can be set back (clockOffsetMs): time running backwards refills nothing, and
    // must not drain tokens either, or one object would be refused for as long as the clock was moved.
    const elapsed = Math.max(0, now - bucket.at);
    bucket.tokens = Math.min(burst, bucket.tokens + (elapsed / 1000) * perSecond);
    bucket.at = now;
    if (bucket.tokens < 1) {
      this.#buckets.set(key, bucket);
      return false;
    }
    bucket.tokens -= 1;
    this.#buckets.set(key, bucket);
    return true;
  }
}
