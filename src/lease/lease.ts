import type { LockContext } from '../core/context.js';
import { monotonicNow } from '../util/clock.js';
import type { Grant } from './attempt.js';
import { scheduleHeartbeat } from './heartbeat.js';
import { createLeaseState, lossDeadline, tokenOf, type LeaseState } from './lease-state.js';
import { checkDeadline } from './lose.js';
import { releaseLease, type HandOff } from './release.js';
import { fencedWrite, type FencedWriteOptions } from './fenced-write.js';
import type { StoredObject } from '../store/object-store.js';

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
   * The fencing token, as a decimal string: greater than the token of every earlier lease of this lock,
   * by the protocol (each grant is pinned to the version whose token it continues; see
   * docs/protocol.md), whatever order GCS hands out generations in. Pass it to the resource you protect
   * and have it reject writes carrying an older token (compare as `BigInt`): that is what keeps a
   * paused ex-holder from doing harm.
   */
  readonly token: string;
  /** The lock object's generation: what every request on this lease is pinned to. */
  readonly generation: string;
  readonly #state: LeaseState;
  readonly #handOff: HandOff | undefined;
  #release: Promise<boolean> | undefined;

  /** @internal Created by `Lock`; not constructed by users. */
  constructor(
    ctx: LockContext,
    grant: Grant,
    options: { handOff?: HandOff; endBy?: 'mark-released' | 'delete'; onEnd?: () => void } = {},
  ) {
    const { handOff, endBy, onEnd } = options;
    this.url = ctx.url;
    this.#state = createLeaseState(ctx, grant, endBy, onEnd);
    this.token = tokenOf(this.#state);
    this.generation = grant.generation;
    this.#handOff = handOff;
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
   * Stops refreshing and marks the lock object released, pinned to this lease's generation (or, when
   * another `acquire` of this lock is waiting in this process, hands the lock to it in the same single
   * write). Safe to call more than once (later calls return the first call's result).
   *
   * Resolves `true` if this call released the lease, `false` if the lease had already been lost.
   * Bounded: during an outage it tries for at most 5 s and never past the lease's deadline; then it
   * rejects with a `StorageError` saying the lock is left to expire (it does, one ttl after its last
   * refresh). `signal` aborts it sooner. Either way `lease.signal` has aborted when it settles.
   *
   * @example
   * ```ts
   * await lease.release({ signal: AbortSignal.timeout(2_000) }).catch((error) => console.warn(error.message));
   * ```
   */
  release(options: { signal?: AbortSignal } = {}): Promise<boolean> {
    this.#release ??= releaseLease(this.#state, { signal: options.signal, handOff: this.#handOff });
    return this.#release;
  }

  /**
   * Writes `data` to `name` in the lock's bucket so that GCS itself refuses the write once the lock
   * has changed hands, however long this process was paused (see `fencedWrite` in docs/protocol.md):
   * the write and the check of the lock's generation are one request. Refused before any request when
   * the lease is lost or released. Costs three writes; the destination becomes a composite object.
   *
   * @throws LockLostError when the lease is lost; `FencedWriteRefusedError` when GCS refused it.
   * @example
   * ```ts
   * await lease.fencedWrite('state/terraform.tfstate', state, { contentType: 'application/json' });
   * ```
   */
  async fencedWrite(
    name: string,
    data: string | Uint8Array,
    options: FencedWriteOptions = {},
  ): Promise<StoredObject> {
    this.throwIfLost();
    if (this.released)
      throw new Error(`the lease on ${this.url} was released: a fenced write needs a held lease`);
    const { ctx } = this.#state;
    return fencedWrite(
      {
        store: ctx.store,
        bucket: ctx.bucket,
        lockObject: ctx.object,
        generation: this.generation,
        token: this.token,
      },
      name,
      data,
      options,
    );
  }

  /** `await using lease = await lock.acquire()` releases at scope exit. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.release();
  }
}
