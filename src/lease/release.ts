import { StorageError } from '../errors/storage-error.js';
import { retryTransient } from '../core/retry.js';
import { monotonicNow } from '../util/clock.js';
import type { LeaseState } from './lease-state.js';
import { checkDeadline } from './lose.js';

/**
 * Releases the lease: stops the heartbeat, waits for a refresh still in flight (so its answer cannot
 * be mistaken for a loss, nor re-arm a timer after release), then deletes the object pinned to our
 * generation. A 412 or 404 means the lease was already gone: reported, not thrown, and whoever holds
 * the lock now is untouched. Resolves `true` when this call deleted the lock object.
 */
export async function releaseLease(state: LeaseState): Promise<boolean> {
  state.stopping = true;
  clearTimeout(state.timer);
  state.timer = undefined;
  // Wait for an in-flight refresh to finish before deciding anything.
  await state.inflight;
  checkDeadline(state);

  if (state.status === 'lost') {
    // An expired lease may still be our object, if nobody took it over: delete it (pinned to our
    // generation, so never anyone else's) to spare the next holder the wait. A taken lease is gone.
    if (state.lostReason === 'expired') await deletePinned(state).catch(() => false);
    finish(state, true);
    return false;
  }
  let deleted = false;
  try {
    deleted = await deletePinned(state);
  } finally {
    finish(state, !deleted);
  }
  return deleted;
}

async function deletePinned(state: LeaseState): Promise<boolean> {
  const { ctx } = state;
  try {
    await retryTransient(
      () =>
        ctx.store.delete(ctx.bucket, ctx.object, { preconditions: { ifGenerationMatch: state.generation } }),
      { until: monotonicNow() + ctx.options.ttl },
    );
    return true;
  } catch (error) {
    if (error instanceof StorageError && (error.status === 412 || error.status === 404)) return false;
    throw error;
  }
}

function finish(state: LeaseState, alreadyLost: boolean): void {
  const { ctx } = state;
  if (state.status === 'held') state.status = 'released';
  ctx.debug(`released ${ctx.url} token ${state.generation}${alreadyLost ? ' (it was already gone)' : ''}`);
  ctx.emit({ type: 'released', url: ctx.url, token: state.generation, alreadyLost });
  if (!state.controller.signal.aborted) {
    // Work that outlives the lease should stop too; the reason is not a LockLostError, because
    // nothing was lost.
    state.controller.abort(new DOMException(`the lease on ${ctx.url} was released`, 'AbortError'));
  }
}
