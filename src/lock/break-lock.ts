import { ConfigurationError } from '../errors/configuration-error.js';
import { StorageError } from '../errors/storage-error.js';
import type { ObjectStore } from '../store/object-store.js';

/**
 * What `breakLock` needs: the lock, the exact lease to end, and the storage to ask.
 *
 * @example
 * ```ts
 * const info = await lock.inspect();
 * if (info) await breakLock({ bucket: lock.bucket, object: lock.object, token: info.token, store: new GcsStore() });
 * ```
 */
export interface BreakLockOptions {
  bucket: string;
  object: string;
  /** The fencing token of the lease to end (its generation, as `gcs-lock status` shows it). */
  token: string;
  store: ObjectStore;
  signal?: AbortSignal;
}

/**
 * - `broken`: that lease's object was deleted; the lock is free.
 * - `token-mismatch`: the lock object is another lease (or another object) now; nothing was changed.
 * - `not-found`: there is no object at all; nothing was changed.
 *
 * @example
 * ```ts
 * const result = await breakLock({ bucket: 'my-locks', object: 'nightly', token, store });
 * switch (result.status) {
 *   case 'broken': console.log(`ended lease ${result.token}`); break;
 *   case 'token-mismatch': console.log('the lock is another lease now; nothing changed'); break;
 *   case 'not-found': console.log('no lock there'); break;
 * }
 * ```
 */
export type BreakLockResult =
  { status: 'broken'; token: string } | { status: 'token-mismatch' } | { status: 'not-found' };

const GENERATION = /^[1-9]\d{0,19}$/;

/**
 * Force-releases exactly one lease, for the operator whose holder is gone for good: ONE delete pinned
 * to `ifGenerationMatch=token`. Because the precondition is checked atomically by the server, a lease
 * that was already released, taken over or re-acquired since the operator read its token is never
 * touched: a wrong or old token changes nothing and resolves `token-mismatch` (or `not-found`).
 * There is deliberately no "break whatever is there" variant: that is how two holders happen.
 *
 * A holder whose lease is broken while it still runs finds out at its next refresh (412) and
 * declares the lease lost; fencing tokens are what protect the resource in between.
 *
 * @throws ConfigurationError when `token` is not a generation (a positive decimal integer).
 * @throws StorageError for anything but a precondition failure or a missing object (403, 5xx...).
 *
 * @example
 * ```ts
 * const result = await breakLock({ bucket: 'my-locks', object: 'nightly', token: '1718000000000001', store });
 * if (result.status !== 'broken') console.error('that lease is gone already; nothing changed');
 * ```
 */
export async function breakLock(options: BreakLockOptions): Promise<BreakLockResult> {
  const { bucket, object, token, store, signal } = options;
  if (!GENERATION.test(token)) {
    throw new ConfigurationError(
      'token',
      `token ${JSON.stringify(token)} is not a fencing token: expected the lock's generation, a positive decimal ` +
        'integer such as 1718000000000001, as `gcs-lock status` shows it',
    );
  }
  try {
    await store.delete(bucket, object, {
      preconditions: { ifGenerationMatch: token },
      ...(signal !== undefined && { signal }),
    });
    return { status: 'broken', token };
  } catch (error) {
    if (error instanceof StorageError && error.status === 412) return { status: 'token-mismatch' };
    if (error instanceof StorageError && error.status === 404) return { status: 'not-found' };
    throw error;
  }
}
