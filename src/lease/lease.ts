import { monotonicNow } from '../util/clock.js';
import type { Grant } from './attempt.js';
import type { LockContext } from '../core/context.js';
import { scheduleHeartbeat } from './heartbeat.js';
import { createLeaseState, lossDeadline, type LeaseState } from './lease-state.js';
import { checkDeadline } from './lose.js';
import { releaseLease } from './release.js';

/**
 * A held lock. Refreshed in the background until released or lost; release it with `await using`,
 * `release()`, or let `lock.run` do it. Like an open socket, a held lease keeps the process alive
 * until it is released or lost.
 *
 * @example
 * ```ts
 * await using lease = await lock.acquire();
 * await migrate({ signal: lease.signal, fencingToken: lease.token });
 * ```
 */
export class Lease implements AsyncDisposable {
  /** `gs://bucket/object`. */
  readonly url: string;
  /**
   * The fencing token: the lock object's generation, as a decimal string. Unique to this lease. Pass
   * it to the resource you protect and have it reject writes carrying an older token (compare as
   * `BigInt`): that is what keeps a paused ex-holder from doing harm. GCS documents generations as
   * unique, not as increasing; they are microsecond timestamps in practice (see docs/protocol.md).
   */
  readonly token: string;
  readonly #state: LeaseState;
  #release: Promise<boolean> | undefined;

  /** @internal Created by `Lock`; not constructed by users. */
  constructor(ctx: LockContext, grant: Grant) {
    this.url = ctx.url;
    this.token = grant.generation;
    this.#state = createLeaseState(ctx, grant);
    scheduleHeartbeat(this.#state, grant.validFrom + ctx.options.refreshInterval);
  }

  /**
   * Aborts when the lease is lost (reason: a `LockLostError`) or released (reason: an `AbortError`).
   * Hand it to every operation done under the lock.
   */
  get signal(): AbortSignal {
    checkDeadline(this.#state);
    return this.#state.controller.signal;
  }

  /** Whether the lease has been lost (taken over, deleted, or its deadline passed without a refresh). */
  get lost(): boolean {
    checkDeadline(this.#state);
    return this.#state.status === 'lost';
  }

  /** Whether `release()` has run. */
  get released(): boolean {
    return this.#state.stopping;
  }

  /**
   * Milliseconds until this holder would declare the lease lost if no further refresh succeeded
   * (0 once lost or released). Judged on this process's monotonic clock.
   */
  get remainingMs(): number {
    checkDeadline(this.#state);
    if (this.#state.status !== 'held' || this.#state.stopping) return 0;
    return Math.max(0, lossDeadline(this.#state) - monotonicNow());
  }

  /**
   * Throws the `LockLostError` if the lease is lost, checking the deadline now; call it right before
   * a step that must not run without the lock.
   */
  throwIfLost(): void {
    checkDeadline(this.#state);
    if (this.#state.status === 'lost') throw this.#state.controller.signal.reason;
  }

  /**
   * Stops refreshing and deletes the lock object, pinned to this lease's generation. Safe to call more
   * than once (later calls return the first call's result). Resolves `true` if this call deleted the
   * lock object, `false` if the lease had already been lost; rejects only on a storage failure
   * (e.g. 403), in which case the lock expires after its ttl.
   */
  release(): Promise<boolean> {
    this.#release ??= releaseLease(this.#state);
    return this.#release;
  }

  /** `await using lease = await lock.acquire()` releases at scope exit. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.release();
  }
}
