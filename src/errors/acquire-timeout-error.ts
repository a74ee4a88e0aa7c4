import type { LockInfo } from '../core/lock-info.js';
import { GcsLockError } from './gcs-lock-error.js';

/**
 * `acquire({ timeout })` waited the whole timeout and the lock stayed held.
 *
 * @example
 * ```ts
 * catch (error) {
 *   if (error instanceof AcquireTimeoutError) console.log(`gave up after ${error.waitedMs} ms`);
 * }
 * ```
 */
export class AcquireTimeoutError extends GcsLockError {
  override name = 'AcquireTimeoutError';
  readonly code = 'ACQUIRE_TIMEOUT';
  /** The lock's URL, `gs://bucket/object`. */
  readonly url: string;
  /** How long the caller waited, in milliseconds. */
  readonly waitedMs: number;
  /** The holder at the last poll, when one was seen. */
  readonly holder: LockInfo | undefined;

  constructor(url: string, waitedMs: number, holder: LockInfo | undefined, options?: ErrorOptions) {
    // When storage kept failing until the deadline, say so: an outage is not contention.
    const cause = options?.cause;
    const trouble =
      cause instanceof Error && cause.name === 'StorageError'
        ? ` (storage kept failing: ${cause.message})`
        : '';
    super(`timed out after ${Math.round(waitedMs)} ms waiting for ${url}${trouble}`, options);
    this.url = url;
    this.waitedMs = waitedMs;
    this.holder = holder;
  }
}
