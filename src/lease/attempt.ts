import { randomUUID } from 'node:crypto';
import type { LockContext } from '../core/context.js';
import type { LockInfo } from '../core/lock-info.js';
import { firstFence, grantMetadata, type Holder } from '../core/lock-object.js';
import { noteFence, type KnownVersion } from '../core/name-state.js';
import { isTransient, retryTransient } from '../core/retry.js';
import { StorageError } from '../errors/storage-error.js';
import { monotonicNow } from '../util/clock.js';
import { abandon } from './abandon.js';
import { observe, retryReporter, type Observation } from './observe.js';

/** A lease just won: everything the holder needs to refresh and release it. */
export interface Grant {
  generation: string;
  metageneration: string;
  /** The fencing token: one more than the fence of the version this grant replaced. */
  fence: bigint;
  ownerToken: string;
  refreshCount: number;
  /** Fair-mode waiters are queued behind this lease. */
  queued: boolean;
  /** Elapsed-clock time at which the grant was first sent: the lease is valid for ttl from no earlier. */
  validFrom: number;
}

/** What a grant replaces: the version it is pinned to, and the fence it continues. */
export interface GrantBasis {
  /** `0` when the lock object does not exist, else the generation that was read. */
  ifGenerationMatch: string;
  /**
   * Also pin the metageneration: for an in-process hand-off, so that a queue flag another process
   * patched in since the holder's last write makes the hand-off fail and the lock go to the queue.
   */
  ifMetagenerationMatch?: string;
  fence: bigint;
  /** Whether the grant records queued waiters (fair mode). */
  queued: boolean;
  /** The expired lease this grant takes over, if any (for the `took-over` event). */
  previous: LockInfo | undefined;
}

/**
 * Warm: the grant that continues a version this process released itself (it knows its generation and
 * fence), sent without a read.
 */
export function warmBasis(known: KnownVersion): GrantBasis {
  return { ifGenerationMatch: known.generation, fence: known.fence + 1n, queued: false, previous: undefined };
}

/** The grant that would replace what `observation` shows (the caller decides whether it may). */
export function basisOf(observation: Observation, queued: boolean): GrantBasis {
  if (observation.state === 'absent') {
    return { ifGenerationMatch: '0', fence: firstFence(observation.serverTime), queued, previous: undefined };
  }
  const { record } = observation;
  return {
    ifGenerationMatch: record.generation,
    fence: record.fence + 1n,
    queued,
    previous: record.state === 'held' ? record.info : undefined,
  };
}

export type AttemptResult =
  | { granted: Grant }
  | {
      observation: Observation;
      /** The insert was refused with 429: the object's write budget is spent for now. */
      rateLimited: boolean;
    };

/**
 * One grant attempt: a single insert pinned to `basis.ifGenerationMatch` (0 to create, the generation
 * that was read to continue its chain), carrying a fresh owner token and the next fence. Contention
 * answers 412; then one read tells who holds the lock.
 *
 * `signal` (the caller's, combined with its deadline) aborts the insert mid-flight: a caller's
 * deadline must bound the whole call. An insert whose fate is then unknown may have committed, so it
 * is cleaned up in the background (`abandon`): the caller is not kept waiting for storage that may not
 * answer, and `lock.settle()` tells whether the clean-up was confirmed.
 */
export async function attemptGrant(
  ctx: LockContext,
  basis: GrantBasis,
  until: number,
  signal: AbortSignal | undefined,
): Promise<AttemptResult> {
  const holder: Holder = {
    ownerToken: randomUUID(),
    ttl: ctx.options.ttl,
    refreshInterval: ctx.options.refreshInterval,
    host: ctx.host,
    pid: ctx.pid,
    description: ctx.options.description,
    candidate: ctx.candidate,
    kind: ctx.kind === 'ticket' ? 'ticket' : undefined,
  };
  // A new chain (no object: someone deleted it, or it never existed) starts at the server's clock, which
  // the `Date` header gives to the second only: a chain deleted and started again within that second
  // would repeat a fence. Starting above every fence this process has seen on the name closes that for
  // every process that saw the old chain (the holder that lost it included).
  const fence =
    basis.ifGenerationMatch === '0' && basis.fence <= ctx.name.highestFence
      ? ctx.name.highestFence + 1n
      : basis.fence;
  const sentAt = monotonicNow();
  // Set when a send may have committed without our hearing of it (lost response, 5xx after commit,
  // a send aborted in flight).
  let ambiguous = false;
  const reportRetry = retryReporter(ctx, `POST ${ctx.url}`);
  try {
    const { object } = await retryTransient(
      () =>
        ctx.store.insert(ctx.bucket, ctx.object, {
          metadata: grantMetadata(holder, fence, basis.queued),
          body: '',
          contentType: 'application/json',
          preconditions: {
            ifGenerationMatch: basis.ifGenerationMatch,
            ...(basis.ifMetagenerationMatch !== undefined && {
              ifMetagenerationMatch: basis.ifMetagenerationMatch,
            }),
          },
          ...(signal !== undefined && { signal }),
        }),
      {
        until,
        signal,
        // A 429 on a grant means others are writing this object: that is contention, handled by
        // polling with reads below, not by spending more of the object's write budget.
        retryIf: (error) => error.status !== 429,
        onRetry: (error, delay, attempt) => {
          ambiguous = true;
          reportRetry(error, delay, attempt);
        },
      },
    );
    const grant: Grant = {
      generation: object.generation,
      metageneration: object.metageneration,
      fence,
      ownerToken: holder.ownerToken,
      refreshCount: 0,
      queued: basis.queued,
      validFrom: sentAt,
    };
    remember(ctx, grant);
    return { granted: grant };
  } catch (error) {
    if (error instanceof StorageError && (error.status === 412 || error.status === 429)) {
      // Either someone else won, or an earlier send of ours committed and its response was lost:
      // only the owner token in the object can tell, never waiting out a ttl on our own lock.
      let observation: Observation;
      try {
        observation = await observe(ctx, until, signal);
      } catch (readError) {
        if (ambiguous) abandon(ctx, holder.ownerToken);
        throw readError;
      }
      const ours = claimIfOurs(observation, holder.ownerToken, sentAt);
      if (ours) remember(ctx, ours);
      return ours ? { granted: ours } : { observation, rateLimited: error.status === 429 };
    }
    // Aborted in flight (the caller's signal or deadline), or storage kept failing after a send
    // whose fate is unknown: whatever committed is ours to undo.
    if (ambiguous || signal?.aborted === true || isTransient(error)) abandon(ctx, holder.ownerToken);
    throw error;
  }
}

function claimIfOurs(observation: Observation, ownerToken: string, sentAt: number): Grant | undefined {
  if (observation.state !== 'found') return undefined;
  const { record } = observation;
  if (record.state !== 'held' || record.ownerToken !== ownerToken) return undefined;
  return {
    generation: record.generation,
    metageneration: record.metageneration,
    fence: record.fence,
    ownerToken,
    refreshCount: record.refreshCount,
    queued: record.queued,
    validFrom: sentAt,
  };
}

function remember(ctx: LockContext, grant: Grant): void {
  const { generation, metageneration, fence, queued } = grant;
  ctx.name.known = { generation, metageneration, fence, queued, state: 'held' };
  noteFence(ctx.name, fence);
}
