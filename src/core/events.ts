import type { LockLostError } from '../errors/lock-lost-error.js';
import type { StorageError } from '../errors/storage-error.js';
import type { LockInfo } from './lock-info.js';

/**
 * What a lock reports through `LockOptions.onEvent`. Every event names the lock's URL; none carries
 * an owner token or a credential. The fencing `token` is public.
 *
 * - `acquired`: a lease was granted (`handedOver` when a lease of this process handed it over locally);
 * - `contended`: the lock is held by someone else (once per holder);
 * - `queued`: fair mode: this process took its place in the queue (`position` 1 is next);
 * - `took-over`: the grant replaced a lease that had expired;
 * - `refreshed`, `refresh-failed`: the heartbeat;
 * - `retrying`: a request failed transiently (an outage, a 503, a reset) and will be retried;
 * - `lost`: the lease was lost (see `LockLostError`);
 * - `released`: the lease ended by release (`handedOff` when it went straight to a local waiter);
 * - `release-failed`: release gave up; the lock is left to expire `expiresInMs` from now.
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
  | {
      type: 'acquired';
      url: string;
      token: string;
      generation: string;
      tookOver: boolean;
      handedOver: boolean;
      waitedMs: number;
    }
  | { type: 'contended'; url: string; holder: LockInfo }
  | { type: 'queued'; url: string; position: number }
  | { type: 'took-over'; url: string; token: string; previous: LockInfo }
  | { type: 'refreshed'; url: string; token: string }
  | { type: 'refresh-failed'; url: string; token: string; error: StorageError; retryInMs: number }
  | {
      type: 'retrying';
      url: string;
      operation: string;
      error: StorageError;
      attempt: number;
      retryInMs: number;
    }
  | { type: 'lost'; url: string; token: string; error: LockLostError }
  | { type: 'released'; url: string; token: string; alreadyLost: boolean; handedOff: boolean }
  | { type: 'release-failed'; url: string; token: string; error: StorageError; expiresInMs: number };

/**
 * The `type` of a `LockEvent`: `acquired`, `contended`, `queued`, `took-over`, `refreshed`, `refresh-failed`,
 * `retrying`, `lost`, `released` or `release-failed`.
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
