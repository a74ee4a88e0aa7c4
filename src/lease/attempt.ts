import { randomUUID } from 'node:crypto';
import { StorageError } from '../errors/storage-error.js';
import { monotonicNow } from '../util/clock.js';
import type { LockContext } from '../core/context.js';
import { lockBody, lockMetadata, type Holder } from '../core/lock-object.js';
import { observe, type Observation } from './observe.js';
import { isTransient, retryTransient } from '../core/retry.js';

/** A lease just won: everything the holder needs to refresh and release it. */
export interface Grant {
  generation: string;
  metageneration: string;
  ownerToken: string;
  refreshCount: number;
  /** Monotonic time at which the create was first sent: the lease is valid for ttl from no earlier. */
  validFrom: number;
}

export type AttemptResult =
  | { granted: Grant }
  | {
      observation: Observation;
      /** The create was refused with 429: the object's write budget is spent for now. */
      rateLimited: boolean;
    };

/**
 * One acquisition attempt: a single insert pinned to `ifGenerationMatch` (0 to create, the stale
 * generation to take over), carrying a fresh owner token. Contention answers 412; then one read tells
 * who holds the lock.
 */
export async function attemptCreate(
  ctx: LockContext,
  ifGenerationMatch: string,
  until: number,
  signal: AbortSignal | undefined,
): Promise<AttemptResult> {
  const holder: Holder = {
    ownerToken: randomUUID(),
    ttl: ctx.options.ttl,
    host: ctx.host,
    pid: ctx.pid,
    description: ctx.options.description,
  };
  const sentAt = monotonicNow();
  // Set when a send may have committed without our hearing of it (lost response, 5xx after commit).
  let ambiguous = false;
  try {
    const { object } = await retryTransient(
      // The caller's signal is deliberately not passed to the insert: aborting it mid-flight could
      // leave a committed lock object nobody knows about. Only the waits between retries abort.
      () =>
        ctx.store.insert(ctx.bucket, ctx.object, {
          metadata: lockMetadata(holder),
          body: lockBody(holder),
          contentType: 'application/json',
          preconditions: { ifGenerationMatch },
        }),
      {
        until,
        signal,
        // A 429 on a create means others are writing this object: that is contention, handled by
        // polling with reads below, not by spending more of the object's write budget.
        retryIf: (error) => error.status !== 429,
        onRetry: (error, delay) => {
          ambiguous = true;
          ctx.debug(
            `create ${ctx.url} failed (${error.status ?? 'no response'}), retrying in ${Math.round(delay)} ms`,
          );
        },
      },
    );
    return {
      granted: {
        generation: object.generation,
        metageneration: object.metageneration,
        ownerToken: holder.ownerToken,
        refreshCount: 0,
        validFrom: sentAt,
      },
    };
  } catch (error) {
    if (error instanceof StorageError && (error.status === 412 || error.status === 429)) {
      // Either someone else holds it, or an earlier send of ours committed and its response was
      // lost: only the owner token in the object can tell, never waiting out a ttl on our own lock.
      const observation = await observe(ctx, until, signal);
      return (
        claimIfOurs(observation, holder.ownerToken, sentAt) ?? {
          observation,
          rateLimited: error.status === 429,
        }
      );
    }
    if (ambiguous || isTransient(error)) await abandon(ctx, holder.ownerToken);
    throw error;
  }
}

function claimIfOurs(
  observation: Observation,
  ownerToken: string,
  sentAt: number,
): AttemptResult | undefined {
  if (observation.state !== 'held' || observation.lock.ownerToken !== ownerToken) return undefined;
  const { generation, metageneration, refreshCount } = observation.lock;
  return { granted: { generation, metageneration, ownerToken, refreshCount, validFrom: sentAt } };
}

/**
 * The attempt is being given up (aborted, or storage kept failing) after a send whose fate is unknown.
 * If it did commit, the object is ours: delete it, pinned to its generation, so that giving up leaves
 * nothing behind. Best effort, one read and one delete without retries, so that giving up stays
 * prompt: if storage is down, the orphan expires after one ttl.
 */
async function abandon(ctx: LockContext, ownerToken: string): Promise<void> {
  try {
    const observation = await observe(ctx, 0);
    if (observation.state !== 'held' || observation.lock.ownerToken !== ownerToken) return;
    await ctx.store.delete(ctx.bucket, ctx.object, {
      preconditions: { ifGenerationMatch: observation.lock.generation },
    });
    ctx.debug(`deleted ${ctx.url} token ${observation.lock.generation}, created by an abandoned attempt`);
  } catch (error) {
    ctx.debug(`could not clean up after an abandoned attempt on ${ctx.url}: ${String(error)}`);
  }
}
