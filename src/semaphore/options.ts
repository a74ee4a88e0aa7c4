import type { LockInfo } from '../core/lock-info.js';
import type { LeaseOptions, StorageOptions } from '../core/options.js';
import { MAX_LIMIT } from '../core/semaphore-header.js';
import { ConfigurationError } from '../errors/configuration-error.js';

/**
 * Up to this many permits, a waiter reads the slots with one GET each; above it, with one LIST.
 * GCS bills a LIST (Class A) like about 12.5 GETs (Class B), so up to 12 slots the GETs are cheaper,
 * and they need only `storage.objects.get`.
 */
export const GET_SLOTS_UP_TO = 12;

/**
 * How a `Semaphore` behaves: how many permits, the lease options every primitive shares (each permit
 * is a lease), and where its objects live. Every duration is in milliseconds. Semaphores are not
 * fair-queued: a freed permit goes to whichever waiter reads it first.
 *
 * @example
 * ```ts
 * const options: SemaphoreOptions = { limit: 3, ttl: 60_000, description: 'bq load' };
 * const sem = new Semaphore('gs://my-bucket/limits/bq-loads', options);
 * ```
 */
export interface SemaphoreOptions extends Omit<LeaseOptions, 'fair'>, StorageOptions {
  /**
   * How many permits: at most this many holders at once. Stored with the semaphore by its first
   * contender; a contender that brings another limit gets a `ConfigurationError`. 1 to 1000.
   */
  limit: number;
  /**
   * How a waiter reads the permits: `get` (one GET per permit, Class B, needs `storage.objects.get`)
   * or `list` (one LIST of them all, Class A, needs `storage.objects.list`).
   * @default 'get' up to 12 permits, 'list' above
   */
  readSlotsWith?: 'get' | 'list';
}

/**
 * One permit of a semaphore, as `semaphore.inspect()` reads it: its slot, and who holds it.
 *
 * @example
 * ```ts
 * for (const permit of await sem.inspect()) {
 *   console.log(permit.slot, permit.holder ? `${permit.holder.host} until ${permit.holder.expiresAt.toISOString()}` : 'free');
 * }
 * ```
 */
export interface PermitInfo {
  /** The permit's number, from 0 to `limit - 1`. */
  slot: number;
  /** `gs://bucket/object` of the permit's own lock object. */
  url: string;
  /** Its holder (`holder.expired` for a stale one, which the next acquirer takes over); `null` when free. */
  holder: LockInfo | null;
}

/** The limit and read mode, checked. */
export function resolveSemaphoreOptions(options: SemaphoreOptions): {
  limit: number;
  readSlotsWith: 'get' | 'list';
} {
  const { limit, readSlotsWith } = options;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new ConfigurationError(
      'limit',
      `limit must be a whole number of permits from 1 to ${MAX_LIMIT}, got ${JSON.stringify(limit)}`,
    );
  }
  if (readSlotsWith !== undefined && readSlotsWith !== 'get' && readSlotsWith !== 'list') {
    throw new ConfigurationError(
      'readSlotsWith',
      `readSlotsWith must be "get" or "list", got ${JSON.stringify(readSlotsWith)}`,
    );
  }
  return { limit, readSlotsWith: readSlotsWith ?? (limit <= GET_SLOTS_UP_TO ? 'get' : 'list') };
}
