import type { Lease } from '../lease/lease.js';
import { localQueueFor } from './local-queue.js';
import type { LockContext } from '../core/context.js';
import { inspectLock } from './inspect.js';
import type { LockInfo } from '../core/lock-info.js';
import type { AcquireOptions, LockOptions } from './options.js';
import { resolveAcquireTimeout, resolveLockOptions } from '../core/resolve-options.js';
import { openContext, openStore, resolveTarget } from '../core/target.js';
import type { CleanupOutcome } from '../core/name-state.js';
import { settleCleanups } from '../lease/abandon.js';
import { duration } from '../util/duration.js';
import { AcquireTimeoutError } from '../errors/acquire-timeout-error.js';
import { LockHeldError } from '../errors/lock-held-error.js';
import { abortReason } from '../util/clock.js';

/**
 * A named lock: one object in a GCS bucket. Creating a `Lock` makes no request and starts no timer;
 * only a held lease has one.
 *
 * @example
 * ```ts
 * import { Lock } from 'gcs-lock';
 *
 * const lock = new Lock('gs://my-bucket/locks/nightly-report', { ttl: 60_000 });
 * await using lease = await lock.acquire({ timeout: 300_000 });
 * await buildReport({ signal: lease.signal, fencingToken: lease.token });
 * ```
 */
export class Lock {
  /** `gs://bucket/object`. */
  readonly url: string;
  readonly bucket: string;
  readonly object: string;
  readonly #ctx: LockContext;

  /**
   * @param url `gs://bucket/object`; or pass `{ bucket, object, ...options }` as the only argument.
   * @throws ConfigurationError for an invalid URL, name or option.
   */
  constructor(url: string, options?: LockOptions);
  constructor(options: LockOptions & { bucket: string; object: string });
  constructor(
    target: string | (LockOptions & { bucket: string; object: string }),
    options: LockOptions = {},
  ) {
    const resolvedTarget = resolveTarget('Lock', target, options);
    const { bucket, object, url } = resolvedTarget.target;
    options = resolvedTarget.options;
    const resolved = resolveLockOptions(options);
    const store = openStore(options, resolved);
    this.bucket = bucket;
    this.object = object;
    this.url = url;
    this.#ctx = openContext(resolvedTarget.target, resolved, store);
  }

  /**
   * Acquires the lock, waiting for it as long as `timeout` allows (for ever by default).
   *
   * @throws AcquireTimeoutError when the timeout passes; `LockHeldError` when `timeout` is 0 and the
   * lock is held; the signal's reason when it aborts (no lock object is left behind);
   * `MalformedLockError` when the object is not a gcs-lock lock; `StorageError` for failures.
   * @example
   * ```ts
   * await using lease = await lock.acquire({ timeout: 60_000, signal: AbortSignal.timeout(90_000) });
   * ```
   */
  async acquire(options: AcquireOptions = {}): Promise<Lease> {
    const timeout = resolveAcquireTimeout(options.timeout);
    const { signal } = options;
    const lease = await localQueueFor(this.#ctx.name).acquire(this.#ctx, { timeout, signal });
    if (signal?.aborted) {
      // The caller gave up just as the grant came back: hand the lock straight back rather than leave
      // it held.
      await lease.release().catch(() => false);
      throw abortReason(signal);
    }
    return lease;
  }

  /**
   * One attempt: the lease, or `null` when someone else holds a valid lease. A stale lease is taken
   * over in the same attempt.
   *
   * @example
   * ```ts
   * const lease = await lock.tryAcquire();
   * if (!lease) return console.log('another run is in progress');
   * ```
   */
  async tryAcquire(options: { signal?: AbortSignal } = {}): Promise<Lease | null> {
    try {
      return await this.acquire({ ...options, timeout: 0 });
    } catch (error) {
      // A lock seen free but lost to a faster contender in the same attempt is "held" too.
      if (error instanceof LockHeldError || error instanceof AcquireTimeoutError) return null;
      throw error;
    }
  }

  /**
   * Acquires, runs `fn`, and releases, even when `fn` throws. Rejects with `fn`'s error if it threw;
   * otherwise with the `LockLostError` if the lease was lost while `fn` ran; otherwise resolves
   * with `fn`'s result.
   *
   * @example
   * ```ts
   * const rows = await lock.run(async (signal, lease) => migrate({ signal, token: lease.token }));
   * ```
   */
  async run<T>(
    fn: (signal: AbortSignal, lease: Lease) => Promise<T> | T,
    options: AcquireOptions = {},
  ): Promise<T> {
    const lease = await this.acquire(options);
    let result: T;
    try {
      result = await fn(lease.signal, lease);
    } catch (error) {
      await lease.release().catch(() => false);
      throw error;
    }
    const lost = lease.lost;
    await lease.release();
    if (lost) lease.throwIfLost();
    return result;
  }

  /**
   * Who holds the lock, since when, until when, and the fencing token; `null` when it is free. One GET.
   *
   * @throws MalformedLockError when the object there is not a gcs-lock lock object.
   * @example
   * ```ts
   * const info = await lock.inspect();
   * if (info && !info.expired) console.log(`held by ${info.host}, expires in ${info.expiresInMs} ms`);
   * ```
   */
  async inspect(options: { signal?: AbortSignal } = {}): Promise<LockInfo | null> {
    return inspectLock(this.#ctx, options.signal);
  }

  /**
   * Waits, at most `timeout` ms, for the clean-up of attempts given up with a create in flight (an
   * `acquire` that timed out or was aborted while its insert had not answered), and says whether it
   * was confirmed: `'clean'` when nothing of this process is left holding the lock, `'unconfirmed'`
   * when a create may have committed and could not be undone (storage did not answer): that lease then
   * expires by itself, one ttl after it was granted.
   *
   * @example
   * ```ts
   * try {
   *   await lock.acquire({ timeout: 5_000 });
   * } catch (error) {
   *   if ((await lock.settle({ timeout: 2_000 })) === 'unconfirmed') console.warn('the lock may stay held for one ttl');
   * }
   * ```
   */
  async settle(options: { timeout?: number } = {}): Promise<CleanupOutcome> {
    const timeout = duration(
      'timeout',
      options.timeout ?? 2 * this.#ctx.options.requestTimeout,
      0,
      Number.MAX_SAFE_INTEGER,
    );
    return settleCleanups(this.#ctx, timeout);
  }
}
