import type { LockContext } from '../core/context.js';
import type { LockInfo } from '../core/lock-info.js';
import { observe } from '../lease/observe.js';
import { monotonicNow } from '../util/clock.js';

/**
 * Reads the lock's current holder (one GET, transient failures retried for a short while): its info,
 * `expired` included, or `null` when the lock is free (released, or no lock object yet).
 */
export async function inspectLock(ctx: LockContext, signal?: AbortSignal): Promise<LockInfo | null> {
  const observation = await observe(ctx, monotonicNow() + ctx.options.requestTimeout, signal);
  return observation.state === 'found' && observation.record.state === 'held'
    ? observation.record.info
    : null;
}
