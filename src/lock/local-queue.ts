import type { LockContext } from '../core/context.js';
import type { NameState } from '../core/name-state.js';
import { AcquireTimeoutError } from '../errors/acquire-timeout-error.js';
import { acquireGrant, type AcquireRequest } from '../lease/acquire.js';
import { attemptGrant, type Grant } from '../lease/attempt.js';
import { Lease } from '../lease/lease.js';
import type { LeaseState } from '../lease/lease-state.js';
import { abortReason, monotonicNow } from '../util/clock.js';

/** One `acquire` waiting behind another of the same lock name in this process. */
interface LocalWaiter {
  ctx: LockContext;
  request: AcquireRequest;
  startedAt: number;
  resolve: (lease: Lease) => void;
  reject: (error: unknown) => void;
  /** Stops the waiter's own timeout and abort listener. */
  detach: () => void;
  /** Why it gave up (timeout, abort) while a hand-off to it was in flight. */
  gaveUp?: unknown;
}

const queues = new WeakMap<NameState, LocalQueue>();

/** The local queue of a lock name in this process (one per store, bucket and object). */
export function localQueueFor(name: NameState): LocalQueue {
  let queue = queues.get(name);
  if (!queue) {
    queue = new LocalQueue();
    queues.set(name, queue);
  }
  return queue;
}

/**
 * Coalesces the `acquire` calls of one lock name in one process. Only one of them at a time talks to
 * storage (polls, queues, holds); the others wait here, in arrival order, at no cost. When the holder
 * releases, the next local waiter gets the lock in the same single write: an insert pinned to the
 * holder's generation that is the waiter's own grant, with its own owner token and the next fence,
 * where a release and a new grant would take two writes and a poll. In fair mode this happens only
 * while no other process is queued (the lock is not flagged): otherwise the release leaves the lock to
 * the queue's head, and the local waiters take their place in the queue like everyone else.
 */
export class LocalQueue {
  /** An acquire of this process is talking to storage, or a lease of this process holds the lock. */
  #busy = false;
  /** The lease the queue handed the lock to last, whose end lets the next waiter go. */
  #holder: object | undefined;
  readonly #waiters: LocalWaiter[] = [];

  /** Local waiters, for tests and metrics. */
  get waiting(): number {
    return this.#waiters.length;
  }

  acquire(ctx: LockContext, request: AcquireRequest): Promise<Lease> {
    // A single attempt never waits behind anyone: it reads, and answers at once.
    if (request.timeout === 0) return this.#single(ctx, request);
    if (!this.#busy) {
      this.#busy = true;
      return this.#activate(ctx, request, monotonicNow());
    }
    return new Promise<Lease>((resolve, reject) => this.#enqueue({ ctx, request, resolve, reject }));
  }

  async #single(ctx: LockContext, request: AcquireRequest): Promise<Lease> {
    return new Lease(ctx, await acquireGrant(ctx, request));
  }

  /** Talks to storage for this waiter; on failure the next local waiter gets its turn. */
  async #activate(ctx: LockContext, request: AcquireRequest, startedAt: number): Promise<Lease> {
    const elapsed = monotonicNow() - startedAt;
    const remaining: AcquireRequest = { ...request, timeout: Math.max(1, request.timeout - elapsed) };
    try {
      const grant = await acquireGrant(ctx, remaining);
      return this.#hold(ctx, grant);
    } catch (error) {
      this.#busy = false;
      this.#next();
      throw error;
    }
  }

  #hold(ctx: LockContext, grant: Grant): Lease {
    const token = {};
    this.#holder = token;
    return new Lease(ctx, grant, {
      handOff: (state, signal) => this.#handOff(state, signal),
      onEnd: () => {
        // A lease handed off has already passed the turn on; any other end frees it.
        if (this.#holder !== token) return;
        this.#holder = undefined;
        this.#busy = false;
        this.#next();
      },
    });
  }

  #enqueue(entry: Omit<LocalWaiter, 'startedAt' | 'detach'>): void {
    const { request } = entry;
    const waiter: LocalWaiter = { ...entry, startedAt: monotonicNow(), detach: () => undefined };
    const leave = (error: unknown): void => {
      const at = this.#waiters.indexOf(waiter);
      // Not queued: a hand-off to it is in flight; it settles that way, or gives up after.
      if (at === -1) {
        waiter.gaveUp ??= error;
        return;
      }
      this.#waiters.splice(at, 1);
      waiter.detach();
      waiter.reject(error);
    };
    const timer = Number.isFinite(request.timeout)
      ? setTimeout(
          () => leave(new AcquireTimeoutError(entry.ctx.url, monotonicNow() - waiter.startedAt, undefined)),
          request.timeout,
        )
      : undefined;
    const onAbort = (): void => leave(abortReason(request.signal!));
    request.signal?.addEventListener('abort', onAbort, { once: true });
    waiter.detach = () => {
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
    };
    if (request.signal?.aborted) {
      waiter.reject(abortReason(request.signal));
      return;
    }
    this.#waiters.push(waiter);
  }

  /** Gives the turn to the next local waiter, which starts talking to storage. */
  #next(): void {
    const waiter = this.#waiters.shift();
    if (!waiter) return;
    waiter.detach();
    this.#busy = true;
    this.#activate(waiter.ctx, waiter.request, waiter.startedAt).then(waiter.resolve, waiter.reject);
  }

  /**
   * The holder releases: if a local waiter is next (and, in fair mode, no other process is queued),
   * the release is that waiter's grant. Resolves false to let the release mark the lock released.
   */
  async #handOff(state: LeaseState, signal: AbortSignal): Promise<boolean> {
    const waiter = this.#waiters[0];
    if (!waiter || (state.ctx.options.fair && state.queued)) return false;
    // Out of the queue while the hand-off is in flight; its timeout and signal stay armed.
    this.#waiters.shift();
    const basis = {
      ifGenerationMatch: state.generation,
      // Pinned to our last write too: if another process flagged the lock as queued since, the
      // hand-off fails, the release sees the flag, and the lock goes to the queue's head.
      ifMetagenerationMatch: state.metageneration,
      fence: state.fence + 1n,
      queued: state.queued,
      previous: undefined,
    };
    try {
      const result = await attemptGrant(
        waiter.ctx,
        basis,
        monotonicNow() + waiter.ctx.options.requestTimeout,
        signal,
      );
      if (!('granted' in result)) {
        // The releasing lease was gone already (taken over, broken): the waiter starts afresh.
        this.#requeue(waiter);
        return false;
      }
      waiter.detach();
      const { ctx } = waiter;
      ctx.emit({
        type: 'acquired',
        url: ctx.url,
        token: result.granted.fence.toString(),
        generation: result.granted.generation,
        tookOver: false,
        handedOver: true,
        waitedMs: monotonicNow() - waiter.startedAt,
      });
      waiter.resolve(this.#hold(ctx, result.granted));
      return true;
    } catch (error) {
      this.#requeue(waiter);
      throw error;
    }
  }

  /** Puts a waiter back at the front after a failed hand-off, unless it gave up meanwhile. */
  #requeue(waiter: LocalWaiter): void {
    if (waiter.gaveUp === undefined) {
      this.#waiters.unshift(waiter);
      return;
    }
    waiter.detach();
    waiter.reject(waiter.gaveUp);
  }
}
