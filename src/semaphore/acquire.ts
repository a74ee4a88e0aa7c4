import type { LockInfo } from '../core/lock-info.js';
import { RATE_LIMITED_INITIAL } from '../core/retry.js';
import { AcquireTimeoutError } from '../errors/acquire-timeout-error.js';
import { SemaphoreFullError } from '../errors/semaphore-full-error.js';
import { attemptGrant, basisOf, warmBasis, type Grant, type GrantBasis } from '../lease/attempt.js';
import { observe, StalenessTracker, type Observation } from '../lease/observe.js';
import { announce, retryUntil, type Wait } from '../lease/wait.js';
import { backoffDelay } from '../util/backoff.js';
import { monotonicNow, sleep } from '../util/clock.js';
import { ensureHeader } from './header.js';
import type { Slots } from './slots.js';

/** A permit just won: which slot, and the grant of its lock object. */
export interface SlotGrant {
  slot: number;
  grant: Grant;
}

/**
 * Waits for a permit (run inside `boundedWait`, which bounds it by the caller's timeout and signal):
 * - the header first (one GET, once per process: the limit must match);
 * - warm: a slot this process released last, whose generation and fence it knows: one insert;
 * - cold: one GET of a random slot, and its grant if it is free;
 * - otherwise read every slot (`Slots.read`: GETs, or one LIST) and try the free or expired ones,
 *   from a random one on, so that contenders spread over the slots instead of all writing one; each
 *   try is the lock's own grant, an insert pinned to the generation it read. When none is free,
 *   sleep (backoff, never past the soonest expiry) and read again. Waiting costs reads only.
 */
export async function waitForSlot(wait: Wait, slots: Slots): Promise<SlotGrant> {
  await ensureHeader(slots.semaphore, slots.limit, retryUntil(wait), wait.signal);
  const trackers = Array.from({ length: slots.limit }, () => new StalenessTracker());
  const warm = await tryWarm(wait, slots);
  if (warm) return warm;

  let views: Array<Observation | undefined> = new Array<Observation | undefined>(slots.limit);
  const first = firstSlot(slots);
  views[first] = await observe(slots.context(first), retryUntil(wait), wait.signal);
  trackers[first]!.see(views[first]);
  let complete = slots.limit === 1;
  let lastHolders = '';
  for (let poll = 0; ;) {
    wait.signal?.throwIfAborted();
    let rateLimited = false;
    let sawFree = false;
    const start = Math.floor(Math.random() * slots.limit);
    for (let k = 0; k < slots.limit; k++) {
      const slot = (start + k) % slots.limit;
      const observation = views[slot];
      const tracker = trackers[slot]!;
      if (!observation || !isFree(observation, tracker)) continue;
      sawFree = true;
      const basis = basisOf(observation, false);
      const result = await attemptGrant(slots.context(slot), basis, retryUntil(wait), wait.signal);
      if ('granted' in result) return { slot, grant: announceSlot(wait, slots, slot, result.granted, basis) };
      // Someone else took this slot (412), or its write budget is spent (429): try the next free one.
      views[slot] = result.observation;
      tracker.see(result.observation);
      rateLimited ||= result.rateLimited;
    }
    if (!complete) {
      // The first look found its slot taken: read them all before judging the semaphore full.
      views = await readAll(wait, slots, trackers);
      complete = true;
      continue;
    }
    const holders = heldBy(views, trackers);
    if (holders.length > 0) wait.lastHolder = holders[0];
    const seen = holders.map((holder) => holder.token).join(',');
    if (seen !== lastHolders && holders.length === slots.limit) {
      lastHolders = seen;
      const { semaphore } = slots;
      semaphore.emit({ type: 'contended', url: semaphore.url, holder: holders[0]! });
      semaphore.debug(`all ${slots.limit} permits of ${semaphore.url} are held`);
    }
    if (wait.timeout === 0 && !sawFree && isNonEmpty(holders)) {
      throw new SemaphoreFullError(slots.semaphore.url, slots.limit, holders);
    }
    const polledAt = monotonicNow();
    if (polledAt >= wait.deadline) {
      throw new AcquireTimeoutError(slots.semaphore.url, polledAt - wait.startedAt, wait.lastHolder);
    }
    const { pollInitial, pollMax } = slots.semaphore.options;
    const backoff = backoffDelay(poll++, pollInitial, pollMax);
    // Never sleep past the moment the soonest permit can be judged expired: a crashed holder's
    // permit is taken over within about one ttl plus one poll.
    const soonest = Math.min(
      ...views.map((view, slot) =>
        view?.state === 'found' && view.record.state === 'held'
          ? trackers[slot]!.msUntilExpiry(view) + 25
          : Infinity,
      ),
    );
    const delay = rateLimited
      ? Math.max(backoff, backoffDelay(0, RATE_LIMITED_INITIAL, RATE_LIMITED_INITIAL))
      : Math.min(backoff, soonest);
    await sleep(Math.min(delay, wait.deadline - polledAt), wait.signal);
    views = await readAll(wait, slots, trackers);
  }
}

/** Warm: a slot this process released last (it knows its generation and fence) is one insert away. */
async function tryWarm(wait: Wait, slots: Slots): Promise<SlotGrant | undefined> {
  const released = [];
  for (let slot = 0; slot < slots.limit; slot++) {
    if (slots.context(slot).name.known?.state === 'released') released.push(slot);
  }
  if (released.length === 0) return undefined;
  const slot = released[Math.floor(Math.random() * released.length)]!;
  const ctx = slots.context(slot);
  const basis = warmBasis(ctx.name.known!);
  const result = await attemptGrant(ctx, basis, retryUntil(wait), wait.signal);
  return 'granted' in result
    ? { slot, grant: announceSlot(wait, slots, slot, result.granted, basis) }
    : undefined;
}

/** A random slot for the cold first look, avoiding the slots this process holds itself. */
function firstSlot(slots: Slots): number {
  const candidates: number[] = [];
  for (let slot = 0; slot < slots.limit; slot++) {
    if (slots.context(slot).name.known?.state !== 'held') candidates.push(slot);
  }
  const from = candidates.length > 0 ? candidates : [0];
  return from[Math.floor(Math.random() * from.length)]!;
}

async function readAll(wait: Wait, slots: Slots, trackers: StalenessTracker[]): Promise<Observation[]> {
  const views = await slots.read(retryUntil(wait), wait.signal);
  views.forEach((view, slot) => trackers[slot]!.see(view));
  return views;
}

function isFree(observation: Observation, tracker: StalenessTracker): boolean {
  if (observation.state === 'absent') return true;
  return observation.record.state === 'released' || tracker.isExpired(observation);
}

/** The live holders, soonest expiry first. */
function heldBy(views: Array<Observation | undefined>, trackers: StalenessTracker[]): LockInfo[] {
  const holders: LockInfo[] = [];
  views.forEach((view, slot) => {
    if (view?.state === 'found' && !isFree(view, trackers[slot]!)) holders.push(view.record.info);
  });
  return holders.sort((a, b) => a.expiresInMs - b.expiresInMs);
}

function isNonEmpty<T>(items: T[]): items is [T, ...T[]] {
  return items.length > 0;
}

/** Reports the grant under the slot's own URL (its events are the permit's, as a lock's are its lease's). */
function announceSlot(wait: Wait, slots: Slots, slot: number, grant: Grant, basis: GrantBasis): Grant {
  return announce({ ...wait, ctx: slots.context(slot) }, grant, basis);
}
