import type { LockLostReason } from '../errors/lock-lost-error.js';
import type { Grant } from './attempt.js';
import type { LockContext } from '../core/context.js';

/** A held lease's mutable state, shared by the heartbeat, refresh, release and the `Lease` facade. */
export interface LeaseState {
  readonly ctx: LockContext;
  readonly generation: string;
  readonly ownerToken: string;
  metageneration: string;
  refreshCount: number;
  /** Monotonic start of the request that last extended the lease: it is valid for ttl from then. */
  validFrom: number;
  status: 'held' | 'lost' | 'released';
  lostReason: LockLostReason | undefined;
  /** Set by release: no refresh may start or be scheduled any more. */
  stopping: boolean;
  readonly controller: AbortController;
  /** The one timer a held lease owns: the next refresh, or the loss deadline, whichever is first. */
  timer: ReturnType<typeof setTimeout> | undefined;
  /** The refresh in flight, if any: release waits for it. */
  inflight: Promise<void> | undefined;
  /** Monotonic time the current run of failed refreshes began (an earlier send may have committed). */
  roundStart: number | undefined;
  /** Failed refresh attempts in the current run, for backoff. */
  roundFailures: number;
}

export function createLeaseState(ctx: LockContext, grant: Grant): LeaseState {
  return {
    ctx,
    generation: grant.generation,
    ownerToken: grant.ownerToken,
    metageneration: grant.metageneration,
    refreshCount: grant.refreshCount,
    validFrom: grant.validFrom,
    status: 'held',
    lostReason: undefined,
    stopping: false,
    controller: new AbortController(),
    timer: undefined,
    inflight: undefined,
    roundStart: undefined,
    roundFailures: 0,
  };
}

/**
 * The holder-side deadline: past it, without a successful refresh, the lease is declared lost. It
 * comes `lossMargin` before the earliest moment any waiter can judge the lease expired (validFrom +
 * ttl, since the server set `updated` no earlier than validFrom), so the holder hears first.
 */
export function lossDeadline(state: LeaseState, validFrom = state.validFrom): number {
  const { ttl, lossMargin } = state.ctx.options;
  return validFrom + ttl - lossMargin;
}
