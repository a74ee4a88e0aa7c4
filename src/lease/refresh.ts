import { StorageError } from '../errors/storage-error.js';
import { META, parseLockObject } from '../core/lock-object.js';
import { RETRY_INITIAL, retryDelay } from '../core/retry.js';
import { monotonicNow, timeoutSignal } from '../util/clock.js';
import { scheduleHeartbeat } from './heartbeat.js';
import { lossDeadline, type LeaseState } from './lease-state.js';
import { declareLost } from './lose.js';

/**
 * One refresh: a metadata patch pinned to both generation and metageneration (generation alone would
 * let a stale holder patch a successor's object; metageneration alone is ABA-prone across
 * generations). The patch writes the next refresh count, so the metadata really changes and the
 * server moves `updated`. Never throws: the outcome is a new schedule, or a declared loss.
 */
export async function refresh(state: LeaseState): Promise<void> {
  const { ctx } = state;
  const sentAt = monotonicNow();
  state.roundStart ??= sentAt;
  const next = state.refreshCount + 1;
  const timeout = requestTimeout(state, 'refresh timed out');
  try {
    const { object } = await ctx.store.patchMetadata(
      ctx.bucket,
      ctx.object,
      { [META.refresh]: String(next) },
      {
        preconditions: { ifGenerationMatch: state.generation, ifMetagenerationMatch: state.metageneration },
        signal: timeout.signal,
      },
    );
    succeed(state, object.metageneration, next, sentAt);
  } catch (error) {
    if (error instanceof StorageError && error.status === 404) {
      declareLost(state, 'taken', 'the lock object was deleted (refresh answered 404)', error);
    } else if (error instanceof StorageError && (error.status === 412 || error.status === 409)) {
      await resolveConflict(state, error);
    } else {
      retryLater(state, error);
    }
  } finally {
    timeout.clear();
  }
}

/**
 * A refresh answered 412. Either the object changed hands, or an earlier patch of ours committed and
 * its response was lost, so our metageneration is behind. The owner token decides, never a guess.
 */
async function resolveConflict(state: LeaseState, conflict: StorageError): Promise<void> {
  const { ctx } = state;
  const timeout = requestTimeout(state, 'read timed out');
  try {
    const { object, serverTime } = await ctx.store.get(ctx.bucket, ctx.object, { signal: timeout.signal });
    const parsed = object === null ? undefined : parseLockObject(ctx.url, object, serverTime);
    const ours =
      parsed?.ok === true &&
      parsed.lock.generation === state.generation &&
      parsed.lock.ownerToken === state.ownerToken;
    if (!ours) {
      declareLost(
        state,
        'taken',
        'the lock object now belongs to someone else (refresh answered 412)',
        conflict,
      );
    } else if (parsed.lock.metageneration !== state.metageneration) {
      // Our earlier patch did commit. The lease runs from the first send of this run of attempts,
      // the earliest moment that commit can have happened.
      succeed(
        state,
        parsed.lock.metageneration,
        parsed.lock.refreshCount,
        state.roundStart ?? monotonicNow(),
      );
    } else {
      retryLater(state, conflict);
    }
  } catch (error) {
    retryLater(state, error);
  } finally {
    timeout.clear();
  }
}

function succeed(state: LeaseState, metageneration: string, refreshCount: number, validFrom: number): void {
  if (state.status !== 'held') return;
  state.metageneration = metageneration;
  state.refreshCount = refreshCount;
  state.roundStart = undefined;
  state.roundFailures = 0;
  // A response that arrives after the deadline (the process was paused while it travelled) extends
  // nothing: the lease already counts as lost, because a waiter may have judged it expired.
  if (monotonicNow() >= lossDeadline(state, validFrom)) {
    declareLost(state, 'expired', 'the refresh succeeded only after the lease deadline had passed');
    return;
  }
  state.validFrom = validFrom;
  const { ctx } = state;
  ctx.emit({ type: 'refreshed', url: ctx.url, token: state.generation });
  scheduleHeartbeat(state, validFrom + ctx.options.refreshInterval);
}

/** A transient (or unexpected) failure: report it and try again with backoff, inside the deadline. */
function retryLater(state: LeaseState, error: unknown): void {
  if (state.status !== 'held') return;
  const { ctx } = state;
  const storageError =
    error instanceof StorageError
      ? error
      : new StorageError(
          `PATCH ${ctx.url}`,
          undefined,
          error instanceof Error ? error.message : String(error),
          { cause: error },
        );
  const delay = Math.min(
    retryDelay(state.roundFailures++, storageError, RETRY_INITIAL, ctx.options.refreshInterval),
    Math.max(0, lossDeadline(state) - monotonicNow()),
  );
  ctx.debug(
    `refresh of ${ctx.url} failed (${storageError.status ?? 'no response'}), retrying in ${Math.round(delay)} ms`,
  );
  ctx.emit({
    type: 'refresh-failed',
    url: ctx.url,
    token: state.generation,
    error: storageError,
    retryInMs: delay,
  });
  scheduleHeartbeat(state, monotonicNow() + delay);
}

/** No request may outlive the lease: past the deadline its answer no longer matters. */
function requestTimeout(state: LeaseState, message: string): ReturnType<typeof timeoutSignal> {
  const remaining = lossDeadline(state) - monotonicNow();
  return timeoutSignal(Math.min(state.ctx.options.requestTimeout, remaining), message);
}
