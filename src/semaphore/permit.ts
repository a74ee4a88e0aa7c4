import type { LockContext } from '../core/context.js';
import type { Grant } from '../lease/attempt.js';
import { Lease } from '../lease/lease.js';

/**
 * One of a semaphore's permits: a lease on one slot object, with everything a `Lease` has (`signal`
 * aborts when the permit is lost, a heartbeat keeps it, `release()` gives it back, `await using`
 * releases it at scope exit). `url` is the slot's own object; `token` is the fencing token of that
 * slot's chain: compare tokens per `slot`.
 *
 * @example
 * ```ts
 * await using permit = await sem.acquire({ timeout: 600_000 });
 * await load({ signal: permit.signal, fencingToken: `${permit.slot}:${permit.token}` });
 * ```
 */
export class Permit extends Lease {
  /** `gs://bucket/object` of the semaphore this permit belongs to. */
  readonly semaphore: string;
  /** Which permit: from 0 to `limit - 1`. Each slot has its own fencing-token chain. */
  readonly slot: number;

  /** @internal Created by `Semaphore`; not constructed by users. */
  constructor(ctx: LockContext, grant: Grant, semaphore: string, slot: number) {
    super(ctx, grant);
    this.semaphore = semaphore;
    this.slot = slot;
  }
}
