import { randomUUID } from 'node:crypto';
import type { LockInfo } from '../core/lock-info.js';
import { META } from '../core/lock-object.js';
import { parseLockObject } from '../core/parse-lock.js';
import { ConfigurationError } from '../errors/configuration-error.js';
import { MalformedLockError } from '../errors/malformed-lock-error.js';
import { StorageError } from '../errors/storage-error.js';
import type { ObjectStore } from '../store/object-store.js';
import { formatLockUrl } from '../util/lock-url.js';

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
  /** The fencing token of the lease to end, as `gcs-lock status` shows it. */
  token: string;
  store: ObjectStore;
  /**
   * Break a lease that still looks alive (refreshed within its refresh interval, on the server's
   * clock). Its holder finds out at its next refresh, up to a refresh interval later, and may run on
   * until then: only fencing protects the resource meanwhile.
   * @default false
   */
  force?: boolean;
  signal?: AbortSignal;
}

/**
 * - `broken`: that lease was ended (marked released); the lock is free and its next holder gets a
 *   higher token;
 * - `live`: that lease was refreshed `refreshedMsAgo` ms ago, within its refresh interval: its holder
 *   is alive, so nothing was changed (pass `force` to break it anyway);
 * - `token-mismatch`: the lock is another lease now (or free); nothing was changed; `current` says what;
 * - `not-found`: there is no lock object at all; nothing was changed.
 *
 * @example
 * ```ts
 * const result = await breakLock({ bucket: 'my-locks', object: 'nightly', token, store });
 * switch (result.status) {
 *   case 'broken': console.log(`ended lease ${result.token}`); break;
 *   case 'live': console.log(`refreshed ${result.refreshedMsAgo} ms ago: its holder is alive`); break;
 *   case 'token-mismatch': console.log('the lock is another lease now; nothing changed'); break;
 *   case 'not-found': console.log('no lock there'); break;
 * }
 * ```
 */
export type BreakLockResult =
  | { status: 'broken'; token: string }
  | { status: 'live'; token: string; refreshedMsAgo: number; refreshInterval: number; holder: LockInfo }
  | { status: 'token-mismatch'; current: LockInfo | 'free' }
  | { status: 'not-found' };

const TOKEN = /^[1-9]\d{0,30}$/;
/** A 412 while breaking means the lease moved (a refresh); read again, a few times at most. */
const ATTEMPTS = 3;

/**
 * Force-releases exactly one lease, for the operator whose holder is gone for good. One read, then
 * one patch pinned to that lease's generation and metageneration that marks it released and replaces
 * its owner token, so that its holder, if it still runs, sees someone else's object at its next refresh
 * and declares the lease lost. The lock object is never deleted: the fence chain goes on, and the next
 * holder's token is higher than the broken one's.
 *
 * A lease that still looks alive (refreshed within its refresh interval, judged on the server's clock)
 * is not broken without `force`. A wrong or old token changes nothing. There is deliberately no "break
 * whatever is there" variant: that is how two holders happen.
 *
 * @throws ConfigurationError when `token` is not a fencing token (a positive decimal integer).
 * @throws MalformedLockError when the object is not a gcs-lock lock (it is never touched).
 * @throws StorageError for a failure other than the lease moving (403, 5xx...).
 *
 * @example
 * ```ts
 * const result = await breakLock({ bucket: 'my-locks', object: 'nightly', token: '1718000000000001', store });
 * if (result.status !== 'broken') console.error(`not broken: ${result.status}`);
 * ```
 */
export async function breakLock(options: BreakLockOptions): Promise<BreakLockResult> {
  const { bucket, object, token, store, signal, force = false } = options;
  if (typeof token !== 'string' || !TOKEN.test(token)) {
    throw new ConfigurationError(
      'token',
      `token ${JSON.stringify(token)} is not a fencing token: expected a positive decimal integer such as ` +
        '1764301234567890001, as `gcs-lock status` shows it',
    );
  }
  const url = formatLockUrl(bucket, object);
  const request = signal !== undefined ? { signal } : {};
  for (let attempt = 1; ; attempt++) {
    const { object: current, serverTime } = await store.get(bucket, object, request);
    if (current === null) return { status: 'not-found' };
    const parsed = parseLockObject(url, current, serverTime);
    if (!parsed.ok) throw new MalformedLockError(url, current.generation, parsed.problem);
    const { record } = parsed;
    if (record.fence.toString() !== token || record.state !== 'held') {
      return { status: 'token-mismatch', current: record.state === 'held' ? record.info : 'free' };
    }
    const refreshInterval = record.info.refreshInterval ?? Math.floor(record.info.ttl / 4);
    const refreshedMsAgo = (serverTime ?? Date.now()) - record.info.refreshedAt.getTime();
    if (!force && refreshedMsAgo <= refreshInterval) {
      return {
        status: 'live',
        token,
        refreshedMsAgo: Math.max(0, refreshedMsAgo),
        refreshInterval,
        holder: record.info,
      };
    }
    try {
      await store.patchMetadata(
        bucket,
        object,
        { [META.state]: 'released', [META.owner]: `broken-${randomUUID()}` },
        {
          preconditions: {
            ifGenerationMatch: record.generation,
            ifMetagenerationMatch: record.metageneration,
          },
          ...request,
        },
      );
      return { status: 'broken', token };
    } catch (error) {
      const moved = error instanceof StorageError && (error.status === 412 || error.status === 409);
      if (moved && attempt < ATTEMPTS) continue;
      if (error instanceof StorageError && error.status === 404) return { status: 'not-found' };
      throw error;
    }
  }
}
