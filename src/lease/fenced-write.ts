import { randomUUID } from 'node:crypto';
import { ConfigurationError } from '../errors/configuration-error.js';
import { FencedWriteRefusedError } from '../errors/fenced-write-refused-error.js';
import { StorageError } from '../errors/storage-error.js';
import type { ObjectStore, StoredObject } from '../store/object-store.js';
import { timeoutSignal } from '../util/clock.js';
import { formatLockUrl } from '../util/lock-url.js';

/**
 * Where fenced writes stage their data: one prefix, so that one lifecycle rule can sweep what a crash
 * between staging and clean-up leaves behind.
 *
 * @example
 * ```ts
 * // A lifecycle rule for the lock bucket: delete staged data older than a day.
 * const rule = { action: { type: 'Delete' }, condition: { age: 1, matchesPrefix: [DEFAULT_STAGING_PREFIX] } };
 * ```
 */
export const DEFAULT_STAGING_PREFIX = 'gcs-lock-fenced-tmp/';

/**
 * How a fenced write is made.
 *
 * @example
 * ```ts
 * const options: FencedWriteOptions = { contentType: 'application/json', ifGenerationMatch: '0' };
 * await lease.fencedWrite('reports/2026-12-01.json', JSON.stringify(report), options);
 * ```
 */
export interface FencedWriteOptions {
  /** @default 'application/octet-stream' (bytes) or 'text/plain; charset=utf-8' (a string) */
  contentType?: string;
  /** Custom metadata for the destination; `gcs-lock-token` (the writer's fencing token) is added. */
  metadata?: Record<string, string>;
  /**
   * Compare-and-swap on the destination too: `'0'` to create it only if absent, or the generation it
   * must still have.
   */
  ifGenerationMatch?: string;
  /** Aborts the write (the staged data is still cleaned up). */
  signal?: AbortSignal;
  /** Where the data is staged, in the lock's bucket. @default 'gcs-lock-fenced-tmp/' */
  stagingPrefix?: string;
}

/**
 * The lease a write is fenced by: the lock object and the generation it was granted. A `Lease` makes
 * its own (`lease.fencedWrite`); build one by hand for a process that holds only the lease's facts,
 * such as a command under `gcs-lock run` (GCS_LOCK_URL, GCS_LOCK_GENERATION, GCS_LOCK_TOKEN).
 *
 * @example
 * ```ts
 * const fence: Fence = { store: new GcsStore(), bucket: 'my-locks', lockObject: 'report', generation, token };
 * await fencedWrite(fence, 'out/report.csv', csv);
 * ```
 */
export interface Fence {
  store: ObjectStore;
  bucket: string;
  /** The lock object's name. */
  lockObject: string;
  /** The generation the lease was granted: the write is refused once the lock object is another. */
  generation: string;
  /** The lease's fencing token, recorded on the destination. */
  token: string;
}

/**
 * Writes `data` to `destination` (in the lock's bucket) so that GCS itself refuses the write once the
 * lock has changed hands: the data is staged in a temporary object, then one `compose` request writes
 * the destination from two sources, the lock object pinned to the lease's generation (zero bytes: it
 * adds nothing) and the staged data. GCS checks the sources' preconditions and writes the destination
 * in that one request, so a paused ex-holder's write is refused as soon as a successor's grant has
 * replaced the lock object's generation. Not before: a lease that expired without anyone taking the
 * lock over still has its generation. Then the staged object is deleted.
 *
 * Three writes (stage, compose, delete); the destination becomes a composite object (crc32c, no md5).
 * Not retried: a compose whose answer was lost may have written; read the destination to know.
 *
 * @throws FencedWriteRefusedError when the lock changed hands, or the destination's precondition failed.
 * @example
 * ```ts
 * const fence = { store, bucket: 'my-locks', lockObject: 'report', generation: lease.generation, token: lease.token };
 * await fencedWrite(fence, 'out/report.json', JSON.stringify(report), { contentType: 'application/json' });
 * ```
 */
export async function fencedWrite(
  fence: Fence,
  destination: string,
  data: string | Uint8Array,
  options: FencedWriteOptions = {},
): Promise<StoredObject> {
  const { store, bucket, lockObject, generation, token } = fence;
  if (typeof store.compose !== 'function') {
    throw new ConfigurationError(
      'store',
      'a fenced write needs a store with compose (GcsStore and MemoryStore have it)',
    );
  }
  const staging = `${options.stagingPrefix ?? DEFAULT_STAGING_PREFIX}${randomUUID()}`;
  const contentType =
    options.contentType ??
    (typeof data === 'string' ? 'text/plain; charset=utf-8' : 'application/octet-stream');
  const signal = options.signal;
  const { object: staged } = await store.insert(bucket, staging, {
    body: data,
    contentType,
    metadata: {},
    preconditions: { ifGenerationMatch: '0' },
    ...(signal !== undefined && { signal }),
  });
  try {
    const { object } = await store.compose(
      bucket,
      destination,
      [
        { name: lockObject, ifGenerationMatch: generation },
        { name: staging, ifGenerationMatch: staged.generation },
      ],
      {
        contentType,
        metadata: { ...options.metadata, 'gcs-lock-token': token },
        ...(options.ifGenerationMatch !== undefined && {
          preconditions: { ifGenerationMatch: options.ifGenerationMatch },
        }),
        ...(signal !== undefined && { signal }),
      },
    );
    return object;
  } catch (error) {
    if (!(error instanceof StorageError) || error.status !== 412) throw error;
    // Which precondition failed? The lock object tells: another generation means another grant.
    const { object: lock } = await store.get(bucket, lockObject);
    const url = formatLockUrl(bucket, destination);
    if (lock === null || lock.generation !== generation) {
      throw new FencedWriteRefusedError(url, token, 'lock-changed', { cause: error });
    }
    if (options.ifGenerationMatch !== undefined) {
      throw new FencedWriteRefusedError(url, token, 'destination-changed', { cause: error });
    }
    throw error;
  } finally {
    // The staged object is litter whatever happened; delete it, bounded, pinned to its generation.
    const bound = timeoutSignal(10_000, 'clean-up of the staged data timed out');
    await store
      .delete(bucket, staging, {
        preconditions: { ifGenerationMatch: staged.generation },
        signal: bound.signal,
      })
      .catch(() => undefined)
      .finally(() => bound.clear());
  }
}
