import { MalformedLockError } from '../errors/malformed-lock-error.js';
import { monotonicNow } from '../util/clock.js';
import type { LockContext } from '../core/context.js';
import { parseLockObject, type ParsedLock } from '../core/lock-object.js';
import { retryTransient } from '../core/retry.js';

/** What a read of the lock object showed. */
export type Observation = { state: 'absent' } | { state: 'held'; lock: ParsedLock; observedAt: number };

/**
 * Reads the lock object (one GET; transient failures retried until `until`). An object that is not a
 * gcs-lock lock object is never ours to touch: that is a `MalformedLockError`, not contention.
 */
export async function observe(ctx: LockContext, until: number, signal?: AbortSignal): Promise<Observation> {
  const { object, serverTime } = await retryTransient(
    () => ctx.store.get(ctx.bucket, ctx.object, signal ? { signal } : {}),
    { until, signal },
  );
  if (object === null) return { state: 'absent' };
  const parsed = parseLockObject(ctx.url, object, serverTime);
  if (!parsed.ok) throw new MalformedLockError(ctx.url, object.generation, parsed.problem);
  return { state: 'held', lock: parsed.lock, observedAt: monotonicNow() };
}

/**
 * Judges expiry twice, both free of clock skew between machines: on the server's clock (`updated`
 * against the response's `Date`, in `parseLockObject`), and, as a fallback for a server whose `Date`
 * is missing, on this waiter's monotonic clock: a version (generation and metageneration) seen
 * unchanged for longer than its ttl has not been refreshed for at least that long.
 */
export class StalenessTracker {
  #version: string | undefined;
  #firstSeenAt = 0;

  see(observation: Observation): void {
    if (observation.state === 'absent') {
      this.#version = undefined;
      return;
    }
    const version = `${observation.lock.generation}/${observation.lock.metageneration}`;
    if (version !== this.#version) {
      this.#version = version;
      this.#firstSeenAt = observation.observedAt;
    }
  }

  isExpired(observation: Observation): boolean {
    if (observation.state === 'absent') return false;
    if (observation.lock.info.expired) return true;
    const version = `${observation.lock.generation}/${observation.lock.metageneration}`;
    return version === this.#version && monotonicNow() - this.#firstSeenAt > observation.lock.info.ttl;
  }

  /** How long until the observed lease may be judged expired, at the earliest. */
  msUntilExpiry(observation: Observation): number {
    if (observation.state === 'absent') return 0;
    return Math.max(0, observation.lock.info.expiresInMs);
  }
}
