import type { LockContext } from '../core/context.js';
import { isTransient, RATE_LIMITED_INITIAL } from '../core/retry.js';
import { AcquireTimeoutError } from '../errors/acquire-timeout-error.js';
import { LockHeldError } from '../errors/lock-held-error.js';
import { StorageError } from '../errors/storage-error.js';
import { backoffDelay } from '../util/backoff.js';
import { monotonicNow, sleep, timeoutSignal } from '../util/clock.js';
import { attemptGrant, basisOf, warmBasis, type Grant } from './attempt.js';
import { observe, StalenessTracker, type Observation } from './observe.js';
import { waitInQueue } from './queue.js';
import { announce, isFree, reservedForQueue, retryUntil, type Wait } from './wait.js';

export interface AcquireRequest {
  /** ms; 0 for a single attempt, Infinity to wait for ever. */
  timeout: number;
  signal: AbortSignal | undefined;
}

/**
 * Acquires the lock, within the caller's timeout and signal: both bound the whole call, requests in
 * flight included (an insert cut short is cleaned up in the background). Warm (this process released
 * the lock last), this is one insert; cold, one read and one insert. Waiting costs reads, not writes:
 * see `waitFree` and, in fair mode, `waitInQueue`.
 */
export async function acquireGrant(ctx: LockContext, request: AcquireRequest): Promise<Grant> {
  return boundedWait(ctx, request, waitFree);
}

/**
 * Runs one way of waiting (`waitFree` for a lock; a semaphore's wait over its slots) within the
 * caller's timeout and signal, and turns what ends it into the caller's error: `AcquireTimeoutError`
 * when the deadline passed (or storage kept failing until it), a `StorageError` for a single attempt
 * that storage did not answer, the signal's reason when it aborted.
 */
export async function boundedWait<T>(
  ctx: LockContext,
  request: AcquireRequest,
  waitFor: (wait: Wait) => Promise<T>,
): Promise<T> {
  const startedAt = monotonicNow();
  // A single attempt is bounded by one request timeout in all: `-n` must fail at once, not after a
  // stalled create and then a stalled read.
  const budget = request.timeout === 0 ? ctx.options.requestTimeout : request.timeout;
  const bound = Number.isFinite(budget)
    ? timeoutSignal(budget, `no grant within ${budget} ms`, request.signal)
    : undefined;
  const wait: Wait = {
    ctx,
    startedAt,
    deadline: startedAt + budget,
    timeout: request.timeout,
    signal: bound?.signal ?? request.signal,
    tracker: new StalenessTracker(),
    lastHolder: undefined,
  };
  try {
    return await waitFor(wait);
  } catch (error) {
    if (request.signal?.aborted === true) throw error;
    const deadlinePassed = bound?.signal.aborted === true;
    if (request.timeout === 0) {
      // One attempt: an unanswered request is a storage failure, not a timeout of a wait.
      if (!deadlinePassed) throw error;
      throw new StorageError(`POST ${ctx.url}`, undefined, `storage did not answer within ${budget} ms`, {
        cause: error,
      });
    }
    // The caller's deadline bound the wait (storage kept failing until then, or it simply came).
    if (deadlinePassed || (isTransient(error) && Number.isFinite(budget))) {
      throw new AcquireTimeoutError(ctx.url, monotonicNow() - startedAt, wait.lastHolder, { cause: error });
    }
    throw error;
  } finally {
    bound?.clear();
  }
}

/**
 * Polls with GET (capped exponential backoff with jitter) and writes only when the lock is free or
 * expired on the server's clock; a takeover is an insert pinned to the stale generation, so of two
 * waiters that see the same stale lease, one wins and the other gets 412.
 */
async function waitFree(wait: Wait): Promise<Grant> {
  const { ctx } = wait;
  let observation = await firstLook(wait);
  if ('granted' in observation) return observation.granted;
  let rateLimited = false;
  let lastContender: string | undefined;
  for (let poll = 0; ; poll++) {
    wait.signal?.throwIfAborted();
    // A free or stale lock gets at most two immediate attempts before the waiter backs off: enough
    // to take a lock released between our 412 and our read, without spinning against other waiters.
    for (
      let immediate = 0;
      immediate < 2 && isFree(wait, observation) && !reservedForQueue(wait, observation);
      immediate++
    ) {
      const result = await attemptGrant(ctx, basisOf(observation, false), retryUntil(wait), wait.signal);
      if ('granted' in result) return announce(wait, result.granted, basisOf(observation, false));
      observation = result.observation;
      rateLimited = result.rateLimited;
      wait.tracker.see(observation);
      if (rateLimited) break;
    }
    if (observation.state === 'found' && observation.record.state === 'held') {
      const holder = observation.record.info;
      wait.lastHolder = holder;
      if (holder.token !== lastContender) {
        lastContender = holder.token;
        ctx.emit({ type: 'contended', url: ctx.url, holder });
        ctx.debug(
          `${ctx.url} is held (token ${holder.token}, expires in ${Math.round(holder.expiresInMs)} ms)`,
        );
      }
      if (wait.timeout === 0 && !isFree(wait, observation)) throw new LockHeldError(ctx.url, holder);
    }
    if (
      ctx.options.fair &&
      observation.state === 'found' &&
      (!isFree(wait, observation) || reservedForQueue(wait, observation))
    ) {
      // Held, or free but reserved for the queue: take a place in the queue (not for a single attempt).
      if (wait.timeout === 0) throw new LockHeldError(ctx.url, observation.record.info);
      return await waitInQueue(wait, observation);
    }
    const polledAt = monotonicNow();
    if (polledAt >= wait.deadline) {
      throw new AcquireTimeoutError(ctx.url, polledAt - wait.startedAt, wait.lastHolder);
    }
    const backoff = backoffDelay(poll, ctx.options.pollInitial, ctx.options.pollMax);
    // Poll no later than the moment the holder's lease runs out, so a crashed holder is taken over
    // within about one ttl plus one poll; but after a 429, give the object's write budget a second.
    const untilExpiry = wait.tracker.msUntilExpiry(observation) + 25;
    const delay = rateLimited
      ? Math.max(backoff, backoffDelay(0, RATE_LIMITED_INITIAL, RATE_LIMITED_INITIAL))
      : observation.state === 'found' && observation.record.state === 'held'
        ? Math.min(backoff, untilExpiry)
        : backoff;
    await sleep(Math.min(delay, wait.deadline - polledAt), wait.signal);
    observation = await observe(ctx, retryUntil(wait), wait.signal);
    rateLimited = false;
    wait.tracker.see(observation);
  }
}

/**
 * The first look at the lock. Warm, when this process itself released the lock last and knows its
 * generation and fence: try the grant straight away, one request in all. Cold: one read first,
 * because a lock object, once created, is never deleted, so a blind create would only answer 412.
 */
async function firstLook(wait: Wait): Promise<Observation | { granted: Grant }> {
  const { ctx } = wait;
  const known = ctx.name.known;
  // Fair mode: a lock we released with waiters queued is theirs first, not ours to take back.
  if (known?.state === 'released' && !(ctx.options.fair && known.queued)) {
    const basis = warmBasis(known);
    const result = await attemptGrant(ctx, basis, retryUntil(wait), wait.signal);
    if ('granted' in result) return { granted: announce(wait, result.granted, basis) };
    wait.tracker.see(result.observation);
    return result.observation;
  }
  const observation = await observe(ctx, retryUntil(wait), wait.signal);
  wait.tracker.see(observation);
  return observation;
}
