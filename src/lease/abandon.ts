import type { LockContext } from '../core/context.js';
import { META } from '../core/lock-object.js';
import type { CleanupOutcome } from '../core/name-state.js';
import { parseLockObject } from '../core/parse-lock.js';
import { timeoutSignal } from '../util/clock.js';

/**
 * An attempt was given up after a send whose fate is unknown (aborted in flight, or storage kept
 * failing). If that insert committed, the lock object is ours: mark it released, pinned to its
 * generation and metageneration, so that giving up leaves nothing held. Runs in the background,
 * bounded by two request timeouts, without retries, so that giving up stays prompt; its outcome is
 * collected by `lock.settle()`. If storage is down, an orphaned grant expires after one ttl.
 *
 * A request the server is still working on may commit after this read: it then expires after one
 * ttl, like any crashed holder's lease. Nothing can close that window short of waiting for the server.
 */
export function abandon(ctx: LockContext, ownerToken: string): void {
  const cleanup = cleanUp(ctx, ownerToken);
  ctx.name.cleanups.add(cleanup);
  void cleanup.then((outcome) => {
    ctx.name.cleanups.delete(cleanup);
    ctx.name.finished.push(outcome);
  });
}

async function cleanUp(ctx: LockContext, ownerToken: string): Promise<CleanupOutcome> {
  const timeout = timeoutSignal(2 * ctx.options.requestTimeout, 'clean-up timed out');
  try {
    const { object, serverTime } = await ctx.store.get(ctx.bucket, ctx.object, { signal: timeout.signal });
    if (object === null) return 'clean';
    const parsed = parseLockObject(ctx.url, object, serverTime);
    if (!parsed.ok || parsed.record.ownerToken !== ownerToken || parsed.record.state !== 'held') {
      return 'clean';
    }
    const { generation, metageneration } = parsed.record;
    await ctx.store.patchMetadata(
      ctx.bucket,
      ctx.object,
      { [META.state]: 'released' },
      {
        preconditions: { ifGenerationMatch: generation, ifMetagenerationMatch: metageneration },
        signal: timeout.signal,
      },
    );
    ctx.debug(`released ${ctx.url} (generation ${generation}), granted to an abandoned attempt`);
    return 'clean';
  } catch (error) {
    ctx.debug(`could not clean up after an abandoned attempt on ${ctx.url}: ${String(error)}`);
    return 'unconfirmed';
  } finally {
    timeout.clear();
  }
}

/**
 * Waits, at most `timeout` ms, for the clean-ups still running on this lock name, and reports whether
 * every clean-up since the last call was confirmed.
 */
export async function settleCleanups(ctx: LockContext, timeout: number): Promise<CleanupOutcome> {
  const pending = [...ctx.name.cleanups];
  const timer = timeoutSignal(timeout, 'settle timed out');
  let timedOut = false;
  try {
    await Promise.race([
      Promise.all(pending),
      new Promise<void>((resolve) =>
        timer.signal.addEventListener('abort', () => ((timedOut = true), resolve()), { once: true }),
      ),
    ]);
  } finally {
    timer.clear();
  }
  const outcomes = ctx.name.finished.splice(0);
  return timedOut || outcomes.includes('unconfirmed') ? 'unconfirmed' : 'clean';
}
