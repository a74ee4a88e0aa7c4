import { monotonicNow } from '../util/clock.js';
import type { LockContext } from '../core/context.js';
import type { LockInfo } from '../core/lock-info.js';
import { observe } from '../lease/observe.js';

/** Reads the lock's current holder (one GET, transient failures retried for a short while). */
export async function inspectLock(ctx: LockContext, signal?: AbortSignal): Promise<LockInfo | null> {
  const observation = await observe(ctx, monotonicNow() + ctx.options.requestTimeout, signal);
  return observation.state === 'held' ? observation.lock.info : null;
}
