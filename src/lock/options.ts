import type { LeaseOptions, StorageOptions } from '../core/options.js';

export type { AcquireOptions } from '../core/options.js';

/**
 * How a `Lock` behaves: the lease options every primitive shares, and where the lock object lives
 * (`store`, `endpoint`, `authClient`). Every duration is in milliseconds.
 *
 * @example
 * ```ts
 * const lock = new Lock('gs://my-bucket/locks/deploy', {
 *   ttl: 60_000,
 *   description: `deploy ${process.env.GITHUB_RUN_ID}`,
 *   onEvent: (event) => console.log(event.type),
 * });
 * ```
 */
export interface LockOptions extends LeaseOptions, StorageOptions {}
