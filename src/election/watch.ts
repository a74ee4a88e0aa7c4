import type { LockContext } from '../core/context.js';
import { observe, StalenessTracker } from '../lease/observe.js';
import { monotonicNow, sleep } from '../util/clock.js';
import { leaderOf, type Leader } from './leader.js';

/**
 * The read loop behind `election.observe()`: one GET per `interval`, and one more as soon as the
 * current term can have expired, so that the end of a term by expiry is seen promptly whatever the
 * interval. Yields the leader (or `null`) first, then every change: a new term (another
 * generation of the election object), a resignation, an expiry. Observers never write.
 *
 * Expiry is judged as waiters judge it: on the server's clock, or on this observer's own clock when
 * it has watched the same refresh counter for longer than the ttl.
 */
export async function* watchLeader(
  ctx: LockContext,
  interval: number,
  signal: AbortSignal | undefined,
): AsyncGenerator<Leader | null, void, undefined> {
  const tracker = new StalenessTracker();
  // Each term is one generation of the election object: its key. Undefined until the first yield.
  let last: string | undefined;
  while (!aborted(signal)) {
    let leader: Leader | null;
    let untilExpiry = Infinity;
    try {
      // Transient failures are ridden out for a ttl at a time, as a waiter does; longer is an error.
      const observation = await observe(ctx, monotonicNow() + ctx.options.ttl, signal);
      tracker.see(observation);
      leader = leaderOf(observation, tracker);
      if (leader) untilExpiry = tracker.msUntilExpiry(observation) + 25;
    } catch (error) {
      if (aborted(signal)) return;
      throw error;
    }
    const key = leader === null ? 'none' : leader.generation;
    if (key !== last) {
      last = key;
      yield leader;
    }
    try {
      await sleep(Math.min(interval, untilExpiry), signal);
    } catch {
      return;
    }
  }
}

/** Read through a call, so that the compiler does not take one reading for the next. */
function aborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}
