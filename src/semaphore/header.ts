import type { LockContext } from '../core/context.js';
import { retryTransient } from '../core/retry.js';
import { headerMetadata, parseSemaphoreHeader } from '../core/semaphore-header.js';
import { ConfigurationError } from '../errors/configuration-error.js';
import { MalformedLockError } from '../errors/malformed-lock-error.js';
import { StorageError } from '../errors/storage-error.js';
import type { ObjectStore } from '../store/object-store.js';
import { retryReporter } from '../lease/observe.js';

/** The limits this process has confirmed, per store and semaphore: the header never changes. */
const confirmed = new WeakMap<ObjectStore, Map<string, number>>();

/**
 * Makes sure the semaphore's header holds `limit`: reads it (one GET, the first time in this
 * process only) and creates it when absent, with one insert pinned to generation 0, so that of two
 * first contenders exactly one writes the limit and the other reads it. A contender that brings
 * another limit is refused with a `ConfigurationError` naming both: a second limit would let
 * `limit` holders of each in at once.
 *
 * gcs-lock never deletes or rewrites a header. Someone who deletes it while permits are held lets
 * the next contender write a limit of its own; like deleting a lock object, that voids the promise.
 */
export async function ensureHeader(
  ctx: LockContext,
  limit: number,
  until: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  const { store, bucket, object, url } = ctx;
  let known = confirmed.get(store);
  if (!known) {
    known = new Map();
    confirmed.set(store, known);
  }
  const key = `${bucket}/${object}`;
  const cached = known.get(key);
  if (cached !== undefined) return checkLimit(url, cached, limit);
  const policy = { until, signal, onRetry: retryReporter(ctx, `GET ${url}`) };
  for (;;) {
    const { object: found } = await retryTransient(
      () => store.get(bucket, object, signal ? { signal } : {}),
      policy,
    );
    if (found === null) {
      try {
        await retryTransient(
          () =>
            store.insert(bucket, object, {
              metadata: headerMetadata(limit),
              body: '',
              contentType: 'application/json',
              preconditions: { ifGenerationMatch: '0' },
              ...(signal !== undefined && { signal }),
            }),
          { ...policy, onRetry: retryReporter(ctx, `POST ${url}`) },
        );
        ctx.debug(`created the header of semaphore ${url}: limit ${limit}`);
        known.set(key, limit);
        return;
      } catch (error) {
        // Another first contender wrote it first (or our own insert did, its answer lost): read it.
        if (error instanceof StorageError && error.status === 412) continue;
        throw error;
      }
    }
    const header = parseSemaphoreHeader(found);
    if (!header.ok) throw new MalformedLockError(url, found.generation, header.problem);
    known.set(key, header.limit);
    return checkLimit(url, header.limit, limit);
  }
}

function checkLimit(url: string, stored: number, limit: number): void {
  if (stored === limit) return;
  throw new ConfigurationError(
    'limit',
    `${url} is a semaphore of ${stored} permits (its limit is stored with it), but this Semaphore ` +
      `was given limit ${limit}: every contender must use the same limit. Use limit ${stored}, or ` +
      `another name for a semaphore of ${limit}`,
  );
}
