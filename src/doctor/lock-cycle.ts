import type { LockEvent } from '../core/events.js';
import { StorageError } from '../errors/storage-error.js';
import type { Lease } from '../lease/lease.js';
import { Lock } from '../lock/lock.js';
import { sleep } from '../util/clock.js';
import { formatLockUrl } from '../util/lock-url.js';
import { countingStore, describeCounts, totalOf, type RequestCounts } from './counting-store.js';
import { formatMs } from './format-ms.js';
import { verdict, type DoctorCheck, type DoctorContext } from './types.js';

/** The test lock lives briefly: if the doctor dies holding it, it expires 10 s later. */
const TEST_TTL = 10_000;

/** One step of the cycle and the requests it made. */
interface Step {
  name: string;
  requests: number;
}

/** What the clean-up of the test object may do, and what is known of the bucket. */
export interface CleanupPlan {
  /** The caller holds storage.objects.delete (or it is unknown). */
  canDelete: boolean;
  /** The bucket keeps noncurrent versions (undefined: unknown). */
  versioned: boolean | undefined;
}

/**
 * A real lock on `name`: acquire, one refresh, release, acquire again (a grant that replaces the
 * lock object, as every grant after a lock's first does, and as a takeover does), release, each
 * request counted. Then the doctor deletes its own test object, pinned to the generation it wrote:
 * gcs-lock never deletes a lock object, but this one is the doctor's, and nobody else knows its name.
 * Writes are spaced by the store's write interval (GCS: one a second per object), so the count is
 * what a lock costs and not a 429's retries.
 */
export async function lockCycleCheck(
  ctx: DoctorContext,
  name: string,
  cleanup: CleanupPlan,
): Promise<DoctorCheck> {
  const { store, counts } = countingStore(ctx.store);
  const spacing = ctx.store.writeInterval ?? 0;
  const refreshed = eventWaiter();
  const lock = new Lock({
    bucket: ctx.bucket,
    object: name,
    store,
    ttl: TEST_TTL,
    refreshInterval: Math.max(spacing, 200),
    fair: false,
    description: 'gcs-lock doctor: test lock, deleted when done',
    onEvent: refreshed.onEvent,
  });
  const url = formatLockUrl(ctx.bucket, name);
  const steps: Step[] = [];
  const started = performance.now();
  let lease: Lease | undefined;
  let generation: string | undefined;
  const step = async <T>(stepName: string, run: () => Promise<T>): Promise<T> => {
    const before = totalOf(counts);
    try {
      return await run();
    } finally {
      steps.push({ name: stepName, requests: totalOf(counts) - before });
    }
  };
  const signal = ctx.signal;
  try {
    lease = await step('acquire', () => lock.acquire({ timeout: 30_000, ...(signal && { signal }) }));
    generation = lease.generation;
    await step('refresh', () => refreshed.next(TEST_TTL));
    await sleep(spacing, signal);
    await step('release', () => released(lease!));
    await sleep(spacing, signal);
    lease = await step('acquire again', () => lock.acquire({ timeout: 30_000, ...(signal && { signal }) }));
    generation = lease.generation;
    await sleep(spacing, signal);
    await step('release', () => released(lease!));
  } catch (error) {
    if (lease && !lease.released) await lease.release().catch(() => false);
    const failed = steps.at(-1)?.name ?? 'acquire';
    const note = await cleanUp(ctx, name, generation, cleanup);
    return verdict(
      'lock-cycle',
      'lock cycle',
      'fail',
      `${failed} failed on ${url}${stepsDone(steps)}: ${messageOf(error)}. ${note}`,
      { fix: fixFor(error, ctx.bucket), details: cycleDetails(steps, counts, false) },
    );
  }
  const elapsed = performance.now() - started;
  const note = await cleanUp(ctx, name, generation, cleanup);
  return verdict(
    'lock-cycle',
    'lock cycle',
    'pass',
    `${steps.map((s) => `${s.name} ${s.requests}`).join(', ')}: ${totalOf(counts)} requests ` +
      `(${describeCounts(counts)}) in ${formatMs(elapsed)} on ${url}. ${note}`,
    { details: { ...cycleDetails(steps, counts, true), elapsedMs: Math.round(elapsed) } },
  );
}

async function released(lease: Lease): Promise<void> {
  if (!(await lease.release())) throw new Error('the lease was lost before its release');
}

/** Resolves at the next `refreshed` event; rejects at `refresh-failed`'s final word (`lost`) or a timeout. */
function eventWaiter(): { onEvent: (event: LockEvent) => void; next(timeoutMs: number): Promise<void> } {
  let settle: ((error?: Error) => void) | undefined;
  return {
    onEvent(event) {
      if (event.type === 'refreshed') settle?.();
      if (event.type === 'lost') settle?.(event.error);
    },
    next(timeoutMs) {
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => settle?.(new Error(`no refresh within ${timeoutMs} ms`)), timeoutMs);
        settle = (error) => {
          clearTimeout(timer);
          settle = undefined;
          if (error) reject(error);
          else resolve();
        };
      });
    },
  };
}

async function cleanUp(
  ctx: DoctorContext,
  name: string,
  generation: string | undefined,
  plan: CleanupPlan,
): Promise<string> {
  const where = formatLockUrl(ctx.bucket, name);
  if (generation === undefined) return 'Nothing was written.';
  const byHand = `gcloud storage rm --all-versions ${where}`;
  if (!plan.canDelete) {
    return `The test object stays (released): the doctor deletes it only with storage.objects.delete; remove it with ${byHand}.`;
  }
  try {
    await ctx.store.delete(ctx.bucket, name, { preconditions: { ifGenerationMatch: generation } });
  } catch (error) {
    return `The test object could not be deleted (${messageOf(error)}); remove it later with ${byHand}.`;
  }
  if (plan.versioned === true) {
    return `The test object was deleted (pinned to its generation); its noncurrent versions stay until a lifecycle rule trims them (or ${byHand}).`;
  }
  return 'The test object was deleted (pinned to its generation).';
}

function stepsDone(steps: readonly Step[]): string {
  const done = steps.slice(0, -1).map((s) => s.name);
  return done.length > 0 ? ` (${done.join(', ')} had worked)` : '';
}

function cycleDetails(steps: readonly Step[], counts: RequestCounts, ok: boolean): Record<string, unknown> {
  return { ok, steps, requests: { ...counts }, total: totalOf(counts) };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function fixFor(error: unknown, bucket: string): string {
  if (error instanceof StorageError && (error.status === 401 || error.status === 403)) {
    return (
      'see the permissions, retention policy and event-based hold lines; ' +
      `gcloud storage buckets describe gs://${bucket} shows the bucket's settings`
    );
  }
  return 'run again with GCS_LOCK_DEBUG=1 to see every request';
}
