import { setMaxListeners } from 'node:events';
import type { BenchEnv } from '../env.js';
import { sleep } from '../stats.js';
import { isClassic, makeLocker, VARIANTS, type VariantKey } from '../variants.js';
import { since, WireCounter } from '../wire-counter.js';

export const LEVELS_FULL = [1, 2, 4, 8, 16] as const;
export const LEVELS_QUICK = [2] as const;
/** Per level: about 18 acquisitions a variant at the write limit's 0.6/s; medians, not tail percentiles. */
export const SECONDS_FULL = 30;

/** How long each contender holds the lock, and thinks between its turns (uniform in the range). */
export const HOLD_MS = 100;
export const THINK_MS: [number, number] = [100, 400];

export interface ContentionCell {
  variant: VariantKey;
  processes: number;
  seconds: number;
  acquisitions: number;
  perSecond: number;
  /** Write-class requests that changed the lock object, per acquisition. */
  lockMutationsPerAcq: number;
  /** Write-class requests that changed nothing (refused, or a resumable session start), per acquisition. */
  changedNothingPerAcq: number;
  /** Write-class requests to fair-mode tickets (their own objects and write budgets), per acquisition. */
  ticketWritesPerAcq: number;
  readsPerAcq: number;
  tooManyPerAcq: number;
  /** Every hand-off: from the holder's release() call to the next waiter's acquire() resolving, ms. */
  handoffMs: number[];
  /** The longest any one acquire() waited, ms: fairness. */
  longestWait: number;
  /**
   * Classic only: releases whose unconditional delete failed (429), leaving the lock held by nobody.
   * The bench then plays the human who deletes the object; that delete goes over the wire and is
   * counted like every other request.
   */
  failedReleases: number;
  /** Acquire attempts that threw (classic: the client's 429 retries ran out). */
  failedAcquires: number;
  /** Two holders at once: must be 0. */
  overlaps: number;
  /** The first few errors thrown to the caller, for the record. */
  errors: string[];
}

/**
 * `processes` contenders on one lock object for a fixed time, each looping acquire → hold → release →
 * think. They are separate lockers (each its own store or `Storage` client) in this one process: on a
 * 2-core machine that also runs the server, 16 real processes would measure the scheduler, and one
 * process gives every hand-off a single clock.
 */
export async function contentionCell(
  env: BenchEnv,
  variant: VariantKey,
  processes: number,
  seconds: number,
): Promise<ContentionCell> {
  const object = env.nextObject(`contention-${variant}-${processes}`);
  const lockers = Array.from({ length: processes }, () =>
    makeLocker(variant, { endpoint: env.endpoint, bucket: env.bucket, object }),
  );
  const stop = new AbortController();
  // Every contender listens on the one stop signal: 16 listeners are expected, not a leak.
  setMaxListeners(4 * processes + 10, stop.signal);
  let holder: number | undefined;
  let lastRelease: { at: number; by: number } | undefined;
  let acquisitions = 0;
  let overlaps = 0;
  let failedReleases = 0;
  let failedAcquires = 0;
  const handoffs: number[] = [];
  const errors: string[] = [];
  let longestWait = 0;
  const before = env.wire.snapshot();
  const started = performance.now();

  const contender = async (me: number): Promise<void> => {
    // Staggered arrivals, so the first round is not one synchronized stampede.
    await sleep(Math.random() * THINK_MS[1]);
    while (!stop.signal.aborted) {
      const asked = performance.now();
      try {
        await lockers[me]!.acquire(stop.signal);
      } catch (error) {
        if (stop.signal.aborted) return;
        // The classic client gave up retrying a 429 on the create: the recipe's caller sees an error.
        // (gcs-lock waits through 429s; an error from it is counted the same way, and asserted 0.)
        failedAcquires += 1;
        errors.push(String(error));
        continue;
      }
      const got = performance.now();
      if (holder !== undefined) overlaps += 1;
      holder = me;
      if (!stop.signal.aborted) {
        acquisitions += 1;
        longestWait = Math.max(longestWait, got - asked);
        // A hand-off: someone else released while this contender was already waiting.
        if (lastRelease && lastRelease.by !== me && lastRelease.at >= asked)
          handoffs.push(got - lastRelease.at);
      }
      await sleep(HOLD_MS);
      holder = undefined;
      lastRelease = { at: performance.now(), by: me };
      try {
        await lockers[me]!.release();
      } catch (error) {
        failedReleases += 1;
        errors.push(String(error));
        // The recipe's delete is unconditional, so the client does not retry its 429: the object
        // stays and nobody holds it. The bench plays the human who deletes it by hand. (A gcs-lock
        // release that gave up leaves a lease that expires by itself.)
        if (isClassic(variant)) await humanDelete(env.endpoint, env.bucket, object);
      }
      await sleep(THINK_MS[0] + Math.random() * (THINK_MS[1] - THINK_MS[0]));
    }
  };

  const running = Promise.all(lockers.map((_, i) => contender(i)));
  await sleep(seconds * 1000);
  const wire = since(env.wire.snapshot(), before);
  const elapsed = (performance.now() - started) / 1000;
  stop.abort(new Error('benchmark cell over'));
  await running;
  const per = (n: number): number => (acquisitions ? n / acquisitions : Number.NaN);
  return {
    variant,
    processes,
    seconds: elapsed,
    acquisitions,
    perSecond: acquisitions / elapsed,
    lockMutationsPerAcq: per(wire.mutations - wire.ticketMutations),
    changedNothingPerAcq: per(wire.writes - wire.mutations - (wire.ticketWrites - wire.ticketMutations)),
    ticketWritesPerAcq: per(wire.ticketWrites),
    readsPerAcq: per(wire.reads),
    tooManyPerAcq: per(wire.tooMany),
    handoffMs: handoffs,
    longestWait,
    failedReleases,
    failedAcquires,
    overlaps,
    errors: errors.slice(0, 5),
  };
}

/**
 * Per level, the four variants run at once, each on its own lock object (GCS's limit is per object)
 * and behind its own counting proxy: four times the samples in the same wall time. They share this
 * process's event loop, which is lightly loaded (the requests wait on injected latency, not CPU).
 */
export async function contention(env: BenchEnv): Promise<ContentionCell[]> {
  const levels = env.quick ? LEVELS_QUICK : LEVELS_FULL;
  const seconds = env.quick ? 2 : SECONDS_FULL;
  const wires = await Promise.all(VARIANTS.map(() => WireCounter.start(env.server.url)));
  const cells: ContentionCell[] = [];
  try {
    for (const processes of levels) {
      env.log(`contention: ${processes} contender(s), all variants at once`);
      const level = await Promise.all(
        VARIANTS.map(({ key }, i) => {
          const wire = wires[i]!;
          return contentionCell({ ...env, wire, endpoint: wire.url }, key, processes, seconds);
        }),
      );
      cells.push(...level);
    }
  } finally {
    await Promise.all(wires.map((wire) => wire.close()));
  }
  return cells;
}

/**
 * What someone has to do when the classic recipe's release failed: delete the object by hand. Over the
 * wire, so it is counted; retried (after a second) while the object's write budget is spent.
 */
async function humanDelete(endpoint: string, bucket: string, object: string): Promise<void> {
  const url = `${endpoint}/storage/v1/b/${encodeURIComponent(bucket)}/o/${encodeURIComponent(object)}`;
  for (let attempt = 0; attempt < 30; attempt++) {
    await sleep(1_000);
    const response = await fetch(url, { method: 'DELETE' });
    await response.arrayBuffer();
    if (response.status !== 429) return;
  }
}
