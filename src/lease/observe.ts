import type { LockContext } from '../core/context.js';
import { parseLockObject, type LockRecord } from '../core/parse-lock.js';
import { retryTransient } from '../core/retry.js';
import { MalformedLockError } from '../errors/malformed-lock-error.js';
import type { StorageError } from '../errors/storage-error.js';
import { monotonicNow } from '../util/clock.js';
import { noteFence } from '../core/name-state.js';

/**
 * What a read of the lock object showed, and the server's clock at the time (from `Date`).
 * `sentAt` is when the read was sent, `observedAt` when its answer arrived (elapsed clock): the object
 * was as shown at some moment between the two, and an answer can arrive long after (a GC pause, a
 * stopped process, a slow network).
 */
export type Observation =
  | { state: 'absent'; serverTime: number | undefined }
  | {
      state: 'found';
      record: LockRecord;
      sentAt: number;
      observedAt: number;
      serverTime: number | undefined;
    };

/**
 * Reads the lock object (one GET; transient failures retried until `until`, each retry reported as a
 * `retrying` event). An object that is not a gcs-lock lock object is never ours to touch: that is a
 * `MalformedLockError`, not contention.
 */
export async function observe(ctx: LockContext, until: number, signal?: AbortSignal): Promise<Observation> {
  const sentAt = monotonicNow();
  const { object, serverTime } = await retryTransient(
    () => ctx.store.get(ctx.bucket, ctx.object, signal ? { signal } : {}),
    { until, signal, onRetry: retryReporter(ctx, `GET ${ctx.url}`) },
  );
  if (object === null) return { state: 'absent', serverTime };
  const parsed = parseLockObject(ctx.url, object, serverTime);
  if (!parsed.ok) throw new MalformedLockError(ctx.url, object.generation, parsed.problem);
  if (parsed.record.kind !== (ctx.kind ?? 'lock')) {
    throw new MalformedLockError(ctx.url, object.generation, `it is a fair-mode waiter's ticket, not a lock`);
  }
  noteFence(ctx.name, parsed.record.fence);
  return { state: 'found', record: parsed.record, sentAt, observedAt: monotonicNow(), serverTime };
}

/** An `onRetry` that reports each retry as a `retrying` event and in the debug log. */
export function retryReporter(
  ctx: LockContext,
  operation: string,
): (error: StorageError, delay: number, attempt: number) => void {
  return (error, delay, attempt) => {
    ctx.debug(`${operation} failed (${error.status ?? 'no response'}), retrying in ${Math.round(delay)} ms`);
    ctx.emit({ type: 'retrying', url: ctx.url, operation, error, attempt, retryInMs: delay });
  };
}

/** A held lease that has not expired, judged by the tracker. */
export function isLive(observation: Observation, tracker: StalenessTracker): boolean {
  return (
    observation.state === 'found' && observation.record.state === 'held' && !tracker.isExpired(observation)
  );
}

/**
 * Judges expiry twice, both free of clock skew between machines: on the server's clock (`updated`
 * against the response's `Date`, in `parseLockObject`), and on this waiter's own elapsed clock: a
 * lease whose refresh counter has been seen unchanged (same generation) for longer than its ttl has not
 * been refreshed for at least that long.
 *
 * Keyed on the refresh counter, not the metageneration: anyone's metadata patch (an operator's label,
 * a fair-mode waiter's flag) moves the metageneration and `updated`, but only the holder moves the
 * counter, so a foreign patch cannot keep a crashed holder's lease alive for a waiter that watches.
 */
export class StalenessTracker {
  #version: string | undefined;
  #firstSeenAt = 0;

  see(observation: Observation): void {
    if (observation.state === 'absent') {
      this.#version = undefined;
      return;
    }
    const version = versionOf(observation.record);
    if (version !== this.#version) {
      this.#version = version;
      this.#firstSeenAt = observation.observedAt;
    }
  }

  isExpired(observation: Observation): boolean {
    if (observation.state === 'absent' || observation.record.state !== 'held') return false;
    if (observation.record.info.expired) return true;
    // Up to the moment of the read at the latest, which is no later than its send: an answer that
    // arrived late says nothing about the time since, when the holder may have refreshed. (Judged
    // at the answer's arrival, a read answered a ttl late made a lease refreshed meanwhile look
    // stale, and the takeover, pinned to the generation only, made two holders: torture waiter-pause.)
    return (
      versionOf(observation.record) === this.#version &&
      observation.sentAt - this.#firstSeenAt > observation.record.info.ttl
    );
  }

  /** How long until the observed lease may be judged expired, at the earliest. */
  msUntilExpiry(observation: Observation): number {
    if (observation.state === 'absent' || observation.record.state !== 'held') return 0;
    const byServer = observation.record.info.expiresInMs;
    const byWatch =
      versionOf(observation.record) === this.#version
        ? this.#firstSeenAt + observation.record.info.ttl - monotonicNow()
        : observation.record.info.ttl;
    return Math.max(0, Math.min(byServer, byWatch));
  }
}

function versionOf(record: LockRecord): string {
  return `${record.generation}/${record.refreshCount}`;
}
