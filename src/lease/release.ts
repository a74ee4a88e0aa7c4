import { META } from '../core/lock-object.js';
import { parseLockObject } from '../core/parse-lock.js';
import { retryDelay } from '../core/retry.js';
import { StorageError } from '../errors/storage-error.js';
import { monotonicNow, sleep, timeoutSignal } from '../util/clock.js';
import { ended, lossDeadline, tokenOf, type LeaseState } from './lease-state.js';
import { checkDeadline } from './lose.js';
import { unwatch } from './resume-watch.js';

/** How long a release keeps trying during an outage, at most (never past the lease's own deadline). */
export const RELEASE_TIMEOUT = 5_000;

/** How a release may hand the lock straight to a waiter in this process (in-process hand-off). */
export type HandOff = (state: LeaseState, signal: AbortSignal) => Promise<boolean>;

export interface ReleaseOptions {
  /** Aborts a release that storage does not answer; the lock is then left to expire. */
  signal?: AbortSignal | undefined;
  handOff?: HandOff | undefined;
}

/**
 * Releases the lease: stops the heartbeat, waits for a refresh still in flight (so its answer cannot
 * be mistaken for a loss, nor re-arm a timer after release), then marks the lock object released with
 * one patch pinned to our generation and metageneration; or, when a waiter in this process is next,
 * hands it over with one insert (the waiter's grant). Whoever holds the lock now is never touched.
 *
 * Bounded: during an outage it tries for at most `RELEASE_TIMEOUT`, and never past the lease's own
 * deadline (after that the lease expires by itself, and a late release could only confuse). Resolves
 * `true` when this call released the lease (an answer lost after the patch committed included),
 * `false` when the lease had already been lost; rejects with a `StorageError` saying the lock is left
 * to expire when storage did not let it release.
 */
export async function releaseLease(state: LeaseState, options: ReleaseOptions = {}): Promise<boolean> {
  state.stopping = true;
  clearTimeout(state.timer);
  state.timer = undefined;
  unwatch(state);
  // Wait for an in-flight refresh to finish before deciding anything.
  await state.inflight;
  checkDeadline(state);
  const { ctx } = state;
  const expiresAt = lossDeadline(state) + ctx.options.lossMargin;

  if (state.status === 'lost') {
    // An expired lease may still be our object, if nobody took it over: mark it released (pinned, so
    // never anyone else's) to spare the next holder the wait. Past the deadline the lease is over
    // whatever storage says, so this is a courtesy: one attempt, in the background, never retried and
    // never waited for (during an outage it would only hold up the caller). A taken lease is gone.
    if (state.lostReason === 'expired') markExpiredReleased(state);
    finish(state, { alreadyLost: true, handedOff: false });
    return false;
  }
  const until = Math.min(monotonicNow() + RELEASE_TIMEOUT, lossDeadline(state));
  const bound = timeoutSignal(until - monotonicNow(), 'release timed out', options.signal);
  try {
    if (options.handOff && (await options.handOff(state, bound.signal))) {
      finish(state, { alreadyLost: false, handedOff: true });
      return true;
    }
    const released = await markReleased(state, until, bound.signal);
    finish(state, { alreadyLost: !released, handedOff: false });
    return released;
  } catch (error) {
    const expiresInMs = Math.max(0, expiresAt - monotonicNow());
    const storageError = leftToExpire(state, error, expiresInMs);
    ctx.emit({
      type: 'release-failed',
      url: ctx.url,
      token: tokenOf(state),
      error: storageError,
      expiresInMs,
    });
    finish(state, 'failed');
    throw storageError;
  } finally {
    bound.clear();
  }
}

/**
 * One attempt, bounded by a request timeout, to mark an expired lease of ours released; a fair-mode
 * ticket (`endBy: 'delete'`) is deleted instead, as its release would: a ticket marked released stays
 * in the queue's way, since the waiter behind it waits for it to be deleted or to expire, and a
 * released ticket does neither (found by the torture harness: the queue stalled until timeouts).
 */
function markExpiredReleased(state: LeaseState): void {
  const { ctx } = state;
  const bound = timeoutSignal(ctx.options.requestTimeout, 'release of an expired lease timed out');
  const preconditions = { ifGenerationMatch: state.generation, ifMetagenerationMatch: state.metageneration };
  const attempt =
    state.endBy === 'delete'
      ? ctx.store.delete(ctx.bucket, ctx.object, {
          preconditions: { ifGenerationMatch: state.generation },
          signal: bound.signal,
        })
      : ctx.store
          .patchMetadata(
            ctx.bucket,
            ctx.object,
            { [META.state]: 'released' },
            { preconditions, signal: bound.signal },
          )
          .then((answer) => remember(state, answer.object.metageneration));
  void attempt
    .then(
      () => undefined,
      () => undefined,
    )
    .finally(() => bound.clear());
}

/**
 * The release patch, retried on transient failures until `until`. A 412 is resolved by a re-read:
 * our own release committed (its answer lost), someone else's metadata patch (adopt it and patch
 * again), or a lease that changed hands.
 */
async function markReleased(state: LeaseState, until: number, signal: AbortSignal): Promise<boolean> {
  const { ctx } = state;
  for (let attempt = 0; ; attempt++) {
    try {
      if (state.endBy === 'delete') {
        await ctx.store.delete(ctx.bucket, ctx.object, {
          preconditions: { ifGenerationMatch: state.generation },
          signal,
        });
        return true;
      }
      const { object } = await ctx.store.patchMetadata(
        ctx.bucket,
        ctx.object,
        { [META.state]: 'released' },
        {
          preconditions: { ifGenerationMatch: state.generation, ifMetagenerationMatch: state.metageneration },
          signal,
        },
      );
      remember(state, object.metageneration);
      return true;
    } catch (error) {
      // A deleted ticket whose answer was lost reads as 404 on the retry: gone either way.
      if (error instanceof StorageError && error.status === 404)
        return attempt > 0 && state.endBy === 'delete';
      if (error instanceof StorageError && (error.status === 412 || error.status === 409)) {
        if (state.endBy === 'delete') return false;
        const verdict = await reread(state, signal);
        if (verdict === 'released' || verdict === 'gone') return verdict === 'released';
        if (verdict === 'retry') continue;
        // Unchanged, yet refused: a conflict we cannot see. Back off and try again, within the bound.
      }
      const retryable = error instanceof StorageError && (error.retryable || error.status === 412);
      if (!retryable || signal.aborted) throw error;
      const delay = retryDelay(attempt, error);
      if (monotonicNow() + delay > until) throw error;
      ctx.emit({
        type: 'retrying',
        url: ctx.url,
        operation: `${state.endBy === 'delete' ? 'DELETE' : 'PATCH'} ${ctx.url}`,
        error,
        attempt: attempt + 1,
        retryInMs: delay,
      });
      await sleep(delay, signal);
    }
  }
}

async function reread(
  state: LeaseState,
  signal: AbortSignal,
): Promise<'released' | 'gone' | 'retry' | 'unchanged'> {
  const { ctx } = state;
  const { object, serverTime } = await ctx.store.get(ctx.bucket, ctx.object, { signal });
  const parsed = object === null ? undefined : parseLockObject(ctx.url, object, serverTime);
  const record = parsed?.ok === true ? parsed.record : undefined;
  if (!record || record.generation !== state.generation || record.ownerToken !== state.ownerToken)
    return 'gone';
  if (record.state === 'released') {
    // Our release committed and its answer was lost (only we write `released` with our owner token;
    // a break replaces the owner).
    remember(state, record.metageneration);
    return 'released';
  }
  if (record.state !== 'held') return 'gone';
  if (record.metageneration === state.metageneration) return 'unchanged';
  state.metageneration = record.metageneration;
  state.queued = record.queued;
  return 'retry';
}

function remember(state: LeaseState, metageneration: string): void {
  const { generation, fence, queued } = state;
  state.ctx.name.known = { generation, metageneration, fence, queued, state: 'released' };
}

function leftToExpire(state: LeaseState, error: unknown, expiresInMs: number): StorageError {
  const { ctx } = state;
  const why = error instanceof Error ? error.message : String(error);
  return new StorageError(
    `PATCH ${ctx.url}`,
    error instanceof StorageError ? error.status : undefined,
    `could not release (${why}); the lock is left to expire in ${Math.ceil(expiresInMs / 1000)} s`,
    { cause: error },
  );
}

/** Ends the lease on our side: after a release (reported), or a release that gave up ('failed'). */
function finish(state: LeaseState, outcome: { alreadyLost: boolean; handedOff: boolean } | 'failed'): void {
  const { ctx } = state;
  if (state.status === 'held') state.status = 'released';
  if (outcome !== 'failed') {
    const { alreadyLost, handedOff } = outcome;
    ctx.debug(`released ${ctx.url} token ${tokenOf(state)}${alreadyLost ? ' (it was already gone)' : ''}`);
    ctx.emit({ type: 'released', url: ctx.url, token: tokenOf(state), alreadyLost, handedOff });
  }
  if (!state.controller.signal.aborted) {
    // Work that outlives the lease should stop too; the reason is not a LockLostError, because
    // nothing was lost.
    state.controller.abort(new DOMException(`the lease on ${ctx.url} was released`, 'AbortError'));
  }
  ended(state);
}
