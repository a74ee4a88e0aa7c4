import type { LockContext } from '../core/context.js';
import type { LockInfo } from '../core/lock-info.js';
import { monotonicNow } from '../util/clock.js';
import type { Grant, GrantBasis } from './attempt.js';
import type { Observation, StalenessTracker } from './observe.js';

/** One acquisition: its deadline, the signal that carries it, and what it has seen so far. */
export interface Wait {
  readonly ctx: LockContext;
  readonly startedAt: number;
  /** Elapsed-clock deadline; Infinity when waiting for ever. */
  readonly deadline: number;
  /** 0 for a single attempt. */
  readonly timeout: number;
  /** The caller's signal, aborted too when the deadline passes: every request and sleep honours it. */
  readonly signal: AbortSignal | undefined;
  readonly tracker: StalenessTracker;
  lastHolder: LockInfo | undefined;
}

/**
 * Transient storage errors are ridden out until the caller's deadline; without one, for a ttl at a
 * time. An outage longer than that is a StorageError, not passed off as contention.
 */
export function retryUntil(wait: Wait): number {
  return Number.isFinite(wait.deadline) ? wait.deadline : monotonicNow() + wait.ctx.options.ttl;
}

/** Whether a grant may replace what `observation` shows: free, released, or expired. */
export function isFree(wait: Wait, observation: Observation): boolean {
  if (observation.state === 'absent') return true;
  return observation.record.state === 'released' || wait.tracker.isExpired(observation);
}

/** Fair mode: a lock flagged as queued, when free, is reserved for the queue's head. */
export function reservedForQueue(wait: Wait, observation: Observation): boolean {
  return wait.ctx.options.fair && observation.state === 'found' && observation.record.queued;
}

/** Reports a won lease: a takeover first, when it replaced an expired one. */
export function announce(wait: Wait, grant: Grant, basis: GrantBasis, handedOver = false): Grant {
  const { ctx } = wait;
  const token = grant.fence.toString();
  const previous = basis.previous;
  if (previous) ctx.emit({ type: 'took-over', url: ctx.url, token, previous });
  ctx.emit({
    type: 'acquired',
    url: ctx.url,
    token,
    generation: grant.generation,
    tookOver: previous !== undefined,
    handedOver,
    waitedMs: monotonicNow() - wait.startedAt,
  });
  ctx.debug(`acquired ${ctx.url} token ${token}${previous ? ' (took over an expired lease)' : ''}`);
  return grant;
}
