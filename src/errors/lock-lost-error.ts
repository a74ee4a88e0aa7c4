import { GcsLockError } from './gcs-lock-error.js';

/**
 * Why a lease ended without being released:
 * - `taken`: the lock object now belongs to someone else, or was deleted (a refresh answered 412 or 404);
 * - `expired`: no refresh succeeded before the holder-side deadline (network trouble, or the process
 *   was paused), so another process may take the lock over at any moment.
 *
 * @example
 * ```ts
 * lease.signal.addEventListener('abort', () => {
 *   const reason: LockLostReason | undefined = lease.lost ? (lease.signal.reason as LockLostError).reason : undefined;
 *   if (reason === 'expired') console.error('no refresh got through in time');
 * });
 * ```
 */
export type LockLostReason = 'taken' | 'expired';

/**
 * The lease is gone: `lease.signal` aborts with this error as its reason, and `lock.run` rejects with it
 * when the lease was lost while its function ran. Never thrown out of band.
 *
 * @example
 * ```ts
 * lease.signal.addEventListener('abort', () => {
 *   const error = lease.signal.reason as LockLostError;
 *   console.error(error.reason); // 'taken' or 'expired'
 * });
 * ```
 */
export class LockLostError extends GcsLockError {
  override name = 'LockLostError';
  readonly code = 'LOCK_LOST';
  /** The lock's URL, `gs://bucket/object`. */
  readonly url: string;
  /** The fencing token of the lease that was lost. */
  readonly token: string;
  /** Why it was lost. */
  readonly reason: LockLostReason;

  constructor(url: string, token: string, reason: LockLostReason, message: string, options?: ErrorOptions) {
    super(`lost ${url} (token ${token}): ${message}`, options);
    this.url = url;
    this.token = token;
    this.reason = reason;
  }
}
