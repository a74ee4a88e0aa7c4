import { META } from '../core/lock-object.js';
import { parseLockObject } from '../core/parse-lock.js';
import { StorageError } from '../errors/storage-error.js';
import { backoffDelay } from '../util/backoff.js';
import { monotonicNow, sleep } from '../util/clock.js';
import { formatLockUrl } from '../util/lock-url.js';
import { announce, isFree, retryUntil, type Wait } from './wait.js';
import { attemptGrant, basisOf, type Grant } from './attempt.js';
import type { Lease } from './lease.js';
import { observe, StalenessTracker, type Observation } from './observe.js';
import { readQueue, sweep, takeTicket, type QueueEntry } from './ticket.js';

/**
 * Fair mode: waits for the lock in arrival order across processes. The waiter takes a ticket (a small
 * lease of its own next to the lock), finds its place with one LIST, and then:
 * - behind someone, it reads only its predecessor's ticket (one GET every `poll.max`), and looks again
 *   when that ticket is gone or expired: a crashed waiter holds up the queue for one ttl at most;
 * - at the head, it reads the lock object every `poll.initial`, flags the lock as queued (one patch
 *   per holder, so that a releaser reserves the freed lock for the queue instead of taking it back),
 *   and takes the lock when it is free or expired.
 * Safety never rests on the queue: it only decides who tries; the insert's precondition decides who wins.
 */
export async function waitInQueue(wait: Wait, first: Observation): Promise<Grant> {
  const { ctx } = wait;
  let ticket = await takeTicket(ctx, retryUntil(wait), wait.signal);
  let observation = first;
  let lastPosition = 0;
  const dead = new Set<string>();
  try {
    for (;;) {
      const queue = await readQueue(ctx, retryUntil(wait), wait.signal);
      sweep(ctx, queue.expired);
      const live = queue.live.filter((entry) => !dead.has(entry.name));
      const position = live.findIndex((entry) => entry.name === ticket.name);
      if (position === -1 || ticket.lease.lost) {
        // Our ticket expired (a long pause, an outage): take a new place, at the back.
        void ticket.lease.release().catch(() => false);
        ticket = await takeTicket(ctx, retryUntil(wait), wait.signal);
        continue;
      }
      if (position + 1 !== lastPosition) {
        lastPosition = position + 1;
        ctx.emit({ type: 'queued', url: ctx.url, position: lastPosition });
      }
      if (position === 0) {
        const outcome = await leadQueue(wait, ticket.lease, live.length - 1, observation);
        if (outcome !== 'requeue') return outcome;
        continue;
      }
      const predecessor = live[position - 1]!;
      if (await predecessorGone(wait, predecessor, ticket.lease)) dead.add(predecessor.name);
      observation = { state: 'absent', serverTime: undefined };
    }
  } finally {
    // Leave the queue: delete the ticket, in the background (a grant or a timeout must not wait on it).
    void ticket.lease.release().catch(() => false);
  }
}

/**
 * At the head of the queue: polls the lock object and takes it when free or expired. Returns
 * 'requeue' if our own ticket was lost meanwhile (we would no longer be the head others wait for).
 */
async function leadQueue(
  wait: Wait,
  ticket: Lease,
  behind: number,
  first: Observation,
): Promise<Grant | 'requeue'> {
  const { ctx } = wait;
  let observation =
    first.state === 'absent' && first.serverTime === undefined
      ? await observe(ctx, retryUntil(wait), wait.signal)
      : first;
  let flagged: string | undefined;
  for (;;) {
    if (ticket.lost) return 'requeue';
    wait.tracker.see(observation);
    if (isFree(wait, observation)) {
      const basis = basisOf(observation, behind > 0 || releasedByAnother(wait, observation));
      const result = await attemptGrant(ctx, basis, retryUntil(wait), wait.signal);
      if ('granted' in result) return announce(wait, result.granted, basis);
      observation = result.observation;
      continue;
    }
    if (
      observation.state === 'found' &&
      !observation.record.queued &&
      flagged !== observation.record.generation
    ) {
      flagged = observation.record.generation;
      await flagQueued(wait, observation);
    }
    // Short polls at the head only: the hand-off latency is about half of one, while everyone behind
    // reads once every poll.max.
    await sleep(backoffDelay(0, ctx.options.pollInitial, ctx.options.pollInitial), wait.signal);
    observation = await observe(ctx, retryUntil(wait), wait.signal);
  }
}

/**
 * Whether the lock was released by another process while we queued for it: a hand-off. The grant is
 * then marked queued even with nobody behind us, so that the releaser, who in a loop comes back within
 * moments, queues behind us next time instead of taking the lock back with its one-write warm grant.
 * Flagging it later would cost a patch per grant on the lock object, which at two workers spends the
 * object's write budget (1 write/s) and let the releaser win a fifth of the hand-offs (the fairness
 * loop of the benchmark). Our own released version is not a hand-off: flagging it would keep a lone
 * process on the queue path after contention ends.
 */
function releasedByAnother(wait: Wait, observation: Observation): boolean {
  return (
    observation.state === 'found' &&
    observation.record.state === 'released' &&
    observation.record.generation !== wait.ctx.name.known?.generation
  );
}

/**
 * Marks the held lock as queued: one metadata patch, pinned to the version we read, so it never
 * lands on a lease that changed meanwhile. Its holder's next refresh meets the changed metageneration,
 * re-reads, and learns the flag; its release then leaves the lock reserved for the queue. A refusal
 * changes nothing and is ignored: the next poll sees what happened.
 */
async function flagQueued(wait: Wait, observation: Observation): Promise<void> {
  if (observation.state !== 'found') return;
  const { ctx } = wait;
  const { generation, metageneration } = observation.record;
  try {
    await ctx.store.patchMetadata(
      ctx.bucket,
      ctx.object,
      { [META.queued]: '1' },
      {
        preconditions: { ifGenerationMatch: generation, ifMetagenerationMatch: metageneration },
        ...(wait.signal !== undefined && { signal: wait.signal }),
      },
    );
  } catch (error) {
    if (!(error instanceof StorageError)) throw error;
    ctx.debug(
      `could not flag ${ctx.url} as queued (${error.status ?? 'no response'}); the next poll decides`,
    );
  }
}

/**
 * Behind someone: reads the predecessor's ticket every poll.max until it is gone, replaced, or
 * expired (on the server's clock, or unchanged for a ttl on ours). Resolves `true` when it judged the
 * ticket dead (so the caller can skip it even if a listing without a server clock still shows it).
 */
async function predecessorGone(wait: Wait, predecessor: QueueEntry, ticket: Lease): Promise<boolean> {
  const { ctx } = wait;
  const tracker = new StalenessTracker();
  const url = formatLockUrl(ctx.bucket, predecessor.name);
  for (;;) {
    if (ticket.lost) return false;
    await sleep(backoffDelay(0, ctx.options.pollMax, ctx.options.pollMax), wait.signal);
    const sentAt = monotonicNow();
    const { object, serverTime } = await ctx.store
      .get(ctx.bucket, predecessor.name, {
        ...(wait.signal !== undefined && { signal: wait.signal }),
      })
      .catch((error: unknown) => {
        if (error instanceof StorageError && error.retryable)
          return { object: undefined, serverTime: undefined };
        throw error;
      });
    if (object === undefined) continue; // a transient failure: read again at the next poll
    if (object === null) return false;
    const parsed = parseLockObject(url, object, serverTime);
    if (!parsed.ok || parsed.record.generation !== predecessor.record.generation) return false;
    // No longer held: that place is gone too (a released ticket never expires, and listings skip it).
    if (parsed.record.state !== 'held') return false;
    const observation: Observation = {
      state: 'found',
      record: parsed.record,
      sentAt,
      observedAt: monotonicNow(),
      serverTime,
    };
    tracker.see(observation);
    if (tracker.isExpired(observation)) return true;
  }
}
