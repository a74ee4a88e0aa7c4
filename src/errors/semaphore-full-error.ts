import type { LockInfo } from '../core/lock-info.js';
import { describeHolder, LockHeldError } from './lock-held-error.js';

/**
 * Every permit of a semaphore is held (contention, not failure). Thrown by
 * `semaphore.acquire({ timeout: 0 })`; `tryAcquire()` returns `null` instead. A `LockHeldError`, so
 * code that handles a held lock handles a full semaphore too; `holder` is the permit that expires
 * soonest.
 *
 * @example
 * ```ts
 * catch (error) {
 *   if (error instanceof SemaphoreFullError) console.log(`all ${error.limit} permits are held`);
 * }
 * ```
 */
export class SemaphoreFullError extends LockHeldError {
  override name = 'SemaphoreFullError';
  /** How many permits the semaphore has. */
  readonly limit: number;
  /** Who holds the permits, as last read (one entry per held permit). */
  readonly holders: LockInfo[];

  constructor(url: string, limit: number, holders: [LockInfo, ...LockInfo[]], options?: ErrorOptions) {
    const soonest = holders.reduce((a, b) => (b.expiresInMs < a.expiresInMs ? b : a));
    super(url, soonest, options);
    this.limit = limit;
    this.holders = holders;
    const shown = holders.slice(0, 3).map(describeHolder).join('; ');
    const more = holders.length > 3 ? `; and ${holders.length - 3} more` : '';
    this.message = `all ${limit} permits of ${url} are held: ${shown}${more}`;
  }
}
