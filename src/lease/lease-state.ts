import type { LockContext } from '../core/context.js';
import type { LockLostReason } from '../errors/lock-lost-error.js';
import type { Grant } from './attempt.js';

/** A held lease's mutable state, shared by the heartbeat, refresh, release and the `Lease` facade. */
export interface LeaseState {
  readonly ctx: LockContext;
  readonly generation: string;
  readonly fence: bigint;
  readonly ownerToken: string;
  metageneration: string;
  refreshCount: number;
  /** Fair-mode waiters are queued behind this lease (learned from its grant and from re-reads). */
  queued: boolean;
  /** Elapsed-clock start of the request that last extended the lease: it is valid for ttl from then. */
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
  /** Elapsed-clock time the current run of refresh attempts began (an earlier send may have committed). */
  roundStart: number | undefined;
  /** Failed refresh attempts in the current run, for backoff. */
  roundFailures: number;
  /**
   * How the lease ends: a lock is marked `released` (its object lives on, carrying the fence chain);
   * a fair-mode ticket is deleted (nothing of a waiter should outlive its wait).
   */
  readonly endBy: 'mark-released' | 'delete';
  /** Told once when the lease ends on our side (released, handed off, lost, or given up on). */
  onEnd: (() => void) | undefined;
}

export function createLeaseState(
  ctx: LockContext,
  grant: Grant,
  endBy: LeaseState['endBy'] = 'mark-released',
  onEnd?: () => void,
): LeaseState {
  return {
    ctx,
    endBy,
    onEnd,
    generation: grant.generation,
    fence: grant.fence,
    ownerToken: grant.ownerToken,
    metageneration: grant.metageneration,
    refreshCount: grant.refreshCount,
    queued: grant.queued,
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

/** The lease's fencing token, as users see it. */
export function tokenOf(state: LeaseState): string {
  return state.fence.toString();
}

/** Calls the lease's `onEnd` once; a throwing listener cannot break the lease. */
export function ended(state: LeaseState): void {
  const onEnd = state.onEnd;
  state.onEnd = undefined;
  try {
    onEnd?.();
  } catch (error) {
    state.ctx.debug(`onEnd threw: ${String(error)}`);
  }
}
