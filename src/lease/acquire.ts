import { AcquireTimeoutError } from '../errors/acquire-timeout-error.js';
import { LockHeldError } from '../errors/lock-held-error.js';
import { backoffDelay } from '../util/backoff.js';
import { monotonicNow, sleep } from '../util/clock.js';
import { attemptCreate, type Grant } from './attempt.js';
import type { LockContext } from '../core/context.js';
import type { LockInfo } from '../core/lock-info.js';
import { observe, StalenessTracker, type Observation } from './observe.js';
import { RATE_LIMITED_INITIAL } from '../core/retry.js';

export interface AcquireRequest {
  /** ms; 0 for a single attempt, Infinity to wait for ever. */
  timeout: number;
  signal: AbortSignal | undefined;
}

/**
 * Acquires the lock, waiting as long as `timeout` allows. Uncontended, this is one insert. Waiting
 * costs reads, not writes: the waiter polls with GET (capped exponential backoff with jitter) and
 * writes only when the object is absent, or expired on the server's clock; a takeover is an insert
 * pinned to the stale generation, so of two waiters that see the same stale lease, one wins and the
 * other gets 412.
 */
export async function acquireGrant(ctx: LockContext, request: AcquireRequest): Promise<Grant> {
  const { timeout, signal } = request;
  const startedAt = monotonicNow();
  const deadline = startedAt + timeout;
  const tracker = new StalenessTracker();
  // Optimistic: assume the lock is free, so an uncontended acquire is a single request.
  let observation: Observation = { state: 'absent' };
  let lastContender: string | undefined;
  let rateLimited = false;

  for (let poll = 0; ; poll++) {
    signal?.throwIfAborted();
    // Transient storage errors are ridden out until the caller's deadline; without one, for a ttl
    // at a time; for a single attempt, for one request timeout. An outage longer than that is
    // reported as a StorageError, not passed off as contention.
    const now = monotonicNow();
    const retryUntil =
      timeout === 0
        ? now + ctx.options.requestTimeout
        : Number.isFinite(deadline)
          ? deadline
          : now + ctx.options.ttl;
    // A free or stale lock gets at most two immediate attempts before the waiter backs off: enough
    // to take a lock released between our 412 and our read, without spinning against other waiters.
    for (
      let immediate = 0;
      immediate < 2 && (observation.state === 'absent' || tracker.isExpired(observation));
      immediate++
    ) {
      const previous = observation.state === 'held' ? observation.lock : undefined;
      const result = await attemptCreate(ctx, previous?.generation ?? '0', retryUntil, signal);
      if ('granted' in result) {
        announce(ctx, result.granted, previous?.info, monotonicNow() - startedAt);
        return result.granted;
      }
      observation = result.observation;
      rateLimited = result.rateLimited;
      tracker.see(observation);
      if (rateLimited) break;
    }

    if (observation.state === 'held') {
      const holder = observation.lock.info;
      if (holder.token !== lastContender) {
        lastContender = holder.token;
        ctx.emit({ type: 'contended', url: ctx.url, holder });
        ctx.debug(
          `${ctx.url} is held (token ${holder.token}, expires in ${Math.round(holder.expiresInMs)} ms)`,
        );
      }
      if (timeout === 0) throw new LockHeldError(ctx.url, holder);
    }
    const polledAt = monotonicNow();
    if (polledAt >= deadline) {
      throw new AcquireTimeoutError(
        ctx.url,
        polledAt - startedAt,
        observation.state === 'held' ? observation.lock.info : undefined,
      );
    }
    const backoff = backoffDelay(poll, ctx.options.pollInitial, ctx.options.pollMax);
    // Poll no later than the moment the holder's lease runs out, so a crashed holder is taken over
    // within about one ttl plus one poll; but after a 429, give the object's write budget a second.
    const untilExpiry = observation.state === 'held' ? tracker.msUntilExpiry(observation) + 25 : Infinity;
    const wait = rateLimited
      ? Math.max(backoff, backoffDelay(0, RATE_LIMITED_INITIAL, RATE_LIMITED_INITIAL))
      : Math.min(backoff, untilExpiry);
    await sleep(Math.min(wait, deadline - polledAt), signal);
    observation = await observe(ctx, retryUntil, signal);
    rateLimited = false;
    tracker.see(observation);
  }
}

/** Reports a won lease: a takeover first, when it replaced a stale one. */
function announce(ctx: LockContext, grant: Grant, previous: LockInfo | undefined, waitedMs: number): void {
  const token = grant.generation;
  if (previous) ctx.emit({ type: 'took-over', url: ctx.url, token, previous });
  ctx.emit({ type: 'acquired', url: ctx.url, token, tookOver: previous !== undefined, waitedMs });
  ctx.debug(`acquired ${ctx.url} token ${token}${previous ? ' (took over a stale lease)' : ''}`);
}
