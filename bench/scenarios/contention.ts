import { setMaxListeners } from 'node:events';
import type { BenchEnv } from '../env.js';
import { quantile, sleep } from '../stats.js';
import { isClassic, makeLocker, VARIANTS, type VariantKey } from '../variants.js';
import { since, WireCounter } from '../wire-counter.js';

export const LEVELS_FULL = [1, 2, 4, 8, 16] as const;
export const LEVELS_QUICK = [1, 2] as const;

/** How long each contender holds the lock, and thinks between its turns (uniform in the range). */
const HOLD_MS = 100;
const THINK_MS: [number, number] = [100, 400];

export interface ContentionCell {
  variant: VariantKey;
  processes: number;
  seconds: number;
  acquisitions: number;
  perSecond: number;
  writesPerAcq: number;
  readsPerAcq: number;
  tooManyPerAcq: number;
  /** From the holder's release() call to the next waiter's acquire() resolving, ms. */
  handoffMedian: number;
  handoffP99: number;
  handoffs: number;
  /** The longest any one acquire() waited, ms: fairness. */
  longestWait: number;
  /** Classic only: releases whose unconditional delete failed (429), leaving the lock held by nobody. */
  failedReleases: number;
  /** Classic only: acquire attempts that failed with an error other than 412 (the client's 429 retries ran out). */
  failedAcquires: number;
  /** Two holders at once: must be 0. */
  overlaps: number;
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
        if (!isClassic(variant)) throw error;
        // The client gave up retrying a 429 on the create: the recipe's caller sees an error.
        failedAcquires += 1;
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
        if (!isClassic(variant)) throw error;
        // The recipe's delete is unconditional, so the client does not retry its 429: the object
        // stays and nobody holds it. The bench plays the human who deletes it by hand (uncounted).
        failedReleases += 1;
        await sleep(1_000);
        try {
          env.server.engine.deleteObject(env.bucket, object);
        } catch {
          // already gone
        }
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
    writesPerAcq: per(wire.writes),
    readsPerAcq: per(wire.reads),
    tooManyPerAcq: per(wire.tooMany),
    handoffMedian: quantile(handoffs, 0.5),
    handoffP99: quantile(handoffs, 0.99),
    handoffs: handoffs.length,
    longestWait,
    failedReleases,
    failedAcquires,
    overlaps,
  };
}

/**
 * Per level, the four variants run at once, each on its own lock object (GCS's limit is per object)
 * and behind its own counting proxy: four times the samples in the same wall time. They share this
 * process's event loop, which is lightly loaded (the requests wait on injected latency, not CPU).
 */
export async function contention(env: BenchEnv): Promise<ContentionCell[]> {
  const levels = env.quick ? LEVELS_QUICK : LEVELS_FULL;
  const seconds = env.quick ? 2 : 20;
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
