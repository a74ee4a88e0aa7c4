import type { LockLostError } from '../errors/lock-lost-error.js';
import type { StorageError } from '../errors/storage-error.js';
import type { LockInfo } from './lock-info.js';

/**
 * What a lock reports through `LockOptions.onEvent`. Every event names the lock's URL; none carries
 * an owner token or a credential. The fencing `token` is public (it is the object's generation).
 *
 * @example
 * ```ts
 * const lock = new Lock('gs://my-bucket/locks/job', {
 *   onEvent: (event) => {
 *     if (event.type === 'contended') console.log(`waiting for ${event.holder.host}`);
 *     if (event.type === 'lost') console.error(event.error.message);
 *   },
 * });
 * ```
 */
export type LockEvent =
  | { type: 'acquired'; url: string; token: string; tookOver: boolean; waitedMs: number }
  | { type: 'contended'; url: string; holder: LockInfo }
  | { type: 'took-over'; url: string; token: string; previous: LockInfo }
  | { type: 'refreshed'; url: string; token: string }
  | { type: 'refresh-failed'; url: string; token: string; error: StorageError; retryInMs: number }
  | { type: 'lost'; url: string; token: string; error: LockLostError }
  | { type: 'released'; url: string; token: string; alreadyLost: boolean };

/**
 * The `type` of a `LockEvent`: `acquired`, `contended`, `took-over`, `refreshed`, `refresh-failed`, `lost` or `released`.
 *
 * @example
 * ```ts
 * const counts: Partial<Record<LockEventType, number>> = {};
 * const lock = new Lock('gs://my-bucket/locks/job', {
 *   onEvent: (event) => (counts[event.type] = (counts[event.type] ?? 0) + 1),
 * });
 * ```
 */
export type LockEventType = LockEvent['type'];
