import type { LockContext } from '../core/context.js';
import type { AcquireOptions } from '../core/options.js';
import { resolveAcquireTimeout, resolveLockOptions } from '../core/resolve-options.js';
import { slotName } from '../core/semaphore-header.js';
import { openContext, openStore, resolveTarget } from '../core/target.js';
import { ConfigurationError } from '../errors/configuration-error.js';
import { LockHeldError } from '../errors/lock-held-error.js';
import { AcquireTimeoutError } from '../errors/acquire-timeout-error.js';
import { boundedWait } from '../lease/acquire.js';
import { abortReason, monotonicNow } from '../util/clock.js';
import { objectNameProblem } from '../util/names.js';
import { waitForSlot } from './acquire.js';
import { resolveSemaphoreOptions, type PermitInfo, type SemaphoreOptions } from './options.js';
import { Permit } from './permit.js';
import { Slots } from './slots.js';

/**
 * A counting semaphore on GCS: at most `limit` holders at once, each with a permit that has every
 * property of a `Lock`'s lease (heartbeat, loss signal, takeover of a crashed holder's permit after
 * its ttl on the server's clock, a fencing token). The permits are `limit` lock objects of their
 * own (`NAME.slots/0` ...), so holders acquire and release independently, each on its own object's
 * write budget; the limit is stored in a header object at `NAME`, so that every contender counts
 * the same permits. Creating a `Semaphore` makes no request.
 *
 * @example
 * ```ts
 * import { Semaphore } from 'gcs-lock';
 *
 * const sem = new Semaphore('gs://my-bucket/limits/bq-loads', { limit: 3, ttl: 60_000 });
 * await using permit = await sem.acquire({ timeout: 600_000 });
 * await load({ signal: permit.signal, fencingToken: permit.token });
 * ```
 */
export class Semaphore {
  /** `gs://bucket/object`: the semaphore's header. */
  readonly url: string;
  /** How many permits. */
  readonly limit: number;
  readonly #ctx: LockContext;
  readonly #slots: Slots;

  /**
   * @param url `gs://bucket/object`; or pass `{ bucket, object, ...options }` as the only argument.
   * @throws ConfigurationError for an invalid URL, name, limit or option.
   */
  constructor(url: string, options: SemaphoreOptions);
  constructor(options: SemaphoreOptions & { bucket: string; object: string });
  constructor(
    target: string | (SemaphoreOptions & { bucket: string; object: string }),
    options?: SemaphoreOptions,
  ) {
    if (typeof target === 'string' && options === undefined) {
      throw new ConfigurationError('limit', 'new Semaphore(url, { limit }) needs a limit: how many permits');
    }
    const resolvedTarget = resolveTarget('Semaphore', target, options ?? ({} as SemaphoreOptions));
    const { limit, readSlotsWith } = resolveSemaphoreOptions(resolvedTarget.options);
    const lastSlot = slotName(resolvedTarget.target.object, limit - 1);
    const problem = objectNameProblem(lastSlot);
    if (problem) {
      throw new ConfigurationError(
        'url',
        `the semaphore's permit objects (${lastSlot}) would be invalid: ${problem}`,
      );
    }
    // No fair queue across slots: a freed permit goes to whichever waiter reads it first.
    const resolved = { ...resolveLockOptions(resolvedTarget.options), fair: false };
    const store = openStore(resolvedTarget.options, resolved);
    this.url = resolvedTarget.target.url;
    this.limit = limit;
    this.#ctx = openContext(resolvedTarget.target, resolved, store);
    this.#slots = new Slots(this.#ctx, limit, readSlotsWith);
  }

  /**
   * Waits for a permit, as long as `timeout` allows (for ever by default). Waiting costs reads only.
   *
   * @throws AcquireTimeoutError when the timeout passes; `SemaphoreFullError` (a `LockHeldError`)
   * when `timeout` is 0 and every permit is held; the signal's reason when it aborts;
   * `ConfigurationError` when the semaphore was created with another limit; `MalformedLockError`
   * when an object there is not gcs-lock's; `StorageError` for failures.
   * @example
   * ```ts
   * await using permit = await sem.acquire({ timeout: 600_000, signal });
   * ```
   */
  async acquire(options: AcquireOptions = {}): Promise<Permit> {
    const timeout = resolveAcquireTimeout(options.timeout);
    const { signal } = options;
    const { slot, grant } = await boundedWait(this.#ctx, { timeout, signal }, (wait) =>
      waitForSlot(wait, this.#slots),
    );
    const permit = new Permit(this.#slots.context(slot), grant, this.url, slot);
    if (signal?.aborted) {
      // The caller gave up just as the permit came: give it back rather than leave it held.
      await permit.release().catch(() => false);
      throw abortReason(signal);
    }
    return permit;
  }

  /**
   * One attempt: a permit, or `null` when every permit is held (an expired one is taken over).
   *
   * @example
   * ```ts
   * const permit = await sem.tryAcquire();
   * if (!permit) return console.log('three loads are running already');
   * ```
   */
  async tryAcquire(options: { signal?: AbortSignal } = {}): Promise<Permit | null> {
    try {
      return await this.acquire({ ...options, timeout: 0 });
    } catch (error) {
      if (error instanceof LockHeldError || error instanceof AcquireTimeoutError) return null;
      throw error;
    }
  }

  /**
   * Who holds which permit: one entry per permit, in slot order, `holder: null` for a free one. Reads
   * every slot (GETs, or one LIST above 12 permits); changes nothing.
   *
   * @example
   * ```ts
   * const held = (await sem.inspect()).filter((permit) => permit.holder && !permit.holder.expired);
   * console.log(`${held.length} of ${sem.limit} permits held`);
   * ```
   */
  async inspect(options: { signal?: AbortSignal } = {}): Promise<PermitInfo[]> {
    const views = await this.#slots.read(monotonicNow() + this.#ctx.options.requestTimeout, options.signal);
    return views.map((view, slot) => ({
      slot,
      url: this.#slots.context(slot).url,
      holder: view.state === 'found' && view.record.state === 'held' ? view.record.info : null,
    }));
  }
}
