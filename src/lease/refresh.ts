import { META } from '../core/lock-object.js';
import { parseLockObject } from '../core/parse-lock.js';
import { RETRY_INITIAL, retryDelay } from '../core/retry.js';
import { StorageError } from '../errors/storage-error.js';
import { monotonicNow, timeoutSignal } from '../util/clock.js';
import { scheduleHeartbeat } from './heartbeat.js';
import { lossDeadline, tokenOf, type LeaseState } from './lease-state.js';
import { declareLost } from './lose.js';

/**
 * One refresh: a metadata patch pinned to both generation and metageneration (generation alone would
 * let a stale holder patch a successor's object; metageneration alone is ABA-prone across
 * generations). The patch writes the next refresh count, so the metadata really changes, the server
 * moves `updated`, and a re-read can tell our write from anyone else's. Never throws: the outcome is
 * a new schedule, or a declared loss.
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
    succeed(state, object.metageneration, next, state.roundStart);
  } catch (error) {
    if (error instanceof StorageError && error.status === 404) {
      declareLost(state, 'taken', 'the lock object was deleted (refresh answered 404)', error);
    } else if (error instanceof StorageError && (error.status === 412 || error.status === 409)) {
      await resolveConflict(state, next, error);
    } else {
      retryLater(state, error);
    }
  } finally {
    timeout.clear();
  }
}

/**
 * A refresh answered 412: the object changed since our last write. Three cases, told apart by a
 * re-read and never by a guess:
 * - another generation, owner or state: the lease changed hands (taken over, broken): lost;
 * - our generation and owner, with the refresh count this round wrote: our earlier patch committed
 *   and its answer was lost: refreshed, counted from the first send of the round;
 * - our generation and owner with the old count: someone else patched the metadata (an operator's
 *   label, a fair-mode waiter's flag). That extends NOTHING: `updated` moved, but the server set it
 *   at a moment we do not know, and a waiter judges expiry from it. Adopt the new metageneration and
 *   refresh again at once.
 */
async function resolveConflict(state: LeaseState, pending: number, conflict: StorageError): Promise<void> {
  const { ctx } = state;
  const timeout = requestTimeout(state, 'read timed out');
  try {
    const { object, serverTime } = await ctx.store.get(ctx.bucket, ctx.object, { signal: timeout.signal });
    const parsed = object === null ? undefined : parseLockObject(ctx.url, object, serverTime);
    const record = parsed?.ok === true ? parsed.record : undefined;
    if (
      record === undefined ||
      record.generation !== state.generation ||
      record.ownerToken !== state.ownerToken ||
      record.state !== 'held'
    ) {
      declareLost(
        state,
        'taken',
        'the lock object now belongs to someone else (refresh answered 412)',
        conflict,
      );
      return;
    }
    state.queued = record.queued;
    if (record.refreshCount === pending) {
      // Our earlier patch did commit. The lease runs from the first send of this run of attempts,
      // the earliest moment that commit can have happened.
      succeed(state, record.metageneration, record.refreshCount, state.roundStart ?? monotonicNow());
    } else if (record.metageneration !== state.metageneration) {
      state.metageneration = record.metageneration;
      ctx.debug(
        `${ctx.url} was patched by someone else (metageneration ${record.metageneration}); refreshing again`,
      );
      if (state.status === 'held' && !state.stopping) scheduleHeartbeat(state, monotonicNow());
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
  if (monotonicNow() >= lossDeadline(state)) {
    declareLost(state, 'expired', 'the refresh succeeded only after the lease deadline had passed');
    return;
  }
  state.validFrom = Math.max(state.validFrom, validFrom);
  const { ctx } = state;
  ctx.emit({ type: 'refreshed', url: ctx.url, token: tokenOf(state) });
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
          {
            cause: error,
          },
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
    token: tokenOf(state),
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
