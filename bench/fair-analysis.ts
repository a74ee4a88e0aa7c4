/**
 * The fairness loop's raw records (one per grant, written by each worker process) and what the bench
 * reads from them: shares, waits, hand-offs, overlaps. Pure functions, so they are tested apart.
 * Every time is on the machine's monotonic clock (`process.hrtime`, CLOCK_MONOTONIC on Linux), which
 * all processes share: a release in one process and the next grant in another compare directly.
 */
import { quantile } from './stats.js';
import type { CountSnapshot } from './counting-store.js';

/** One worker loop's settings; a worker process runs `workers` of them on one shared store. */
export interface FairWorkerConfig {
  endpoint: string;
  /**
   * The server itself, not the counting proxy: one request there before the start loads the HTTP
   * client (a first `fetch` costs a few hundred ms of CPU; a dozen processes doing it at the start
   * on 2 cores would be seconds of nothing, counted as waiting).
   */
  warmUpUrl: string;
  bucket: string;
  object: string;
  /** Worker ids of this process: `firstWorker` … `firstWorker + workers - 1`. */
  firstWorker: number;
  workers: number;
  fair: boolean;
  ttl: number;
  holdMs: number;
  thinkMs: number;
  /** Each worker's first acquire comes up to this long after the start (uniform), not in a stampede. */
  staggerMs: number;
  /**
   * At the end, let every waiting acquire finish (and release) instead of aborting it: the quick run
   * uses this so that every worker's requests are exercised however slow the machine; a full run
   * aborts them and reports their waits as still waiting.
   */
  drain: boolean;
}

/** One grant: when its worker asked, got it, called release() and saw release() resolve. */
export interface GrantRecord {
  worker: number;
  fence: string;
  asked: number;
  got: number;
  releaseAt: number;
  released: number;
  /** The grant was a local hand-off (the `acquired` event's `handedOver`). */
  handedOver: boolean;
  /** The lease was lost while held, or release() resolved false: must never happen here. */
  lost: boolean;
}

/** An acquire still waiting when the run ended: its wait so far counts (starvation shows here). */
export interface PendingWait {
  worker: number;
  asked: number;
  abortedAt: number;
}

/** What a worker process reports when it is done. */
export interface FairWorkerResult {
  grants: GrantRecord[];
  pending: PendingWait[];
  counts: CountSnapshot;
  errors: string[];
}

export interface FairnessStats {
  workers: number;
  seconds: number;
  grants: number;
  /** Grants after the window (a worker finishing its turn): their requests are counted, not their share. */
  lateGrants: number;
  grantsPerWorker: number[];
  /** The largest worker's share of the grants, against 1/N. */
  maxShare: number;
  /**
   * The longest wait, ms, of the acquires asked within the window (so not the cold start), counting
   * acquires still waiting at the end (censored).
   */
  longestWait: number;
  longestWaitCensored: boolean;
  /** Release → grant to another worker that was already waiting at the release, ms. */
  handoffs: number[];
  /** Grants that went to the worker that released the previous one (it came back and won again). */
  retakes: number;
  localHandOvers: number;
  /** Σ of every acquire's wait, s: the denominator of reads per waiter per second. */
  waiterSeconds: number;
  /** Grants whose holding interval overlaps the previous grant's, in fence order: must be 0. */
  overlaps: number;
  /** Fences that repeat: must be 0 (fences strictly increase along grants). */
  duplicateFences: number;
  lost: number;
}

/**
 * Orders the grants by fence (strictly increasing along grants, so this is the grant order, whatever
 * the clocks say) and measures the run. `start` and `end` bound the measured window (the bench starts
 * it after a warm-up: the first grants of a cell are cold, in processes that all start at once);
 * grants outside it are counted in requests, not in shares, waits or hand-offs.
 */
export function analyseFairness(
  results: readonly FairWorkerResult[],
  workers: number,
  start: number,
  end: number,
): FairnessStats {
  const grants = results.flatMap((r) => r.grants).sort((a, b) => compareFence(a.fence, b.fence));
  const pending = results.flatMap((r) => r.pending);
  const grantsPerWorker = Array.from({ length: workers }, () => 0);
  const handoffs: number[] = [];
  let overlaps = 0;
  let duplicateFences = 0;
  let retakes = 0;
  let latestRelease = Number.NEGATIVE_INFINITY;
  let longestWait = 0;
  let longestWaitCensored = false;
  let waiterSeconds = 0;
  let counted = 0;
  for (const [i, g] of grants.entries()) {
    const previous = i > 0 ? grants[i - 1] : undefined;
    if (previous && previous.fence === g.fence) duplicateFences += 1;
    // Granted before an earlier grant's holder had even called release(): two holders at once.
    if (g.got < latestRelease) overlaps += 1;
    latestRelease = Math.max(latestRelease, g.releaseAt);
    waiterSeconds += (g.got - g.asked) / 1000;
    if (g.got < start || g.got > end) continue;
    counted += 1;
    grantsPerWorker[g.worker] = (grantsPerWorker[g.worker] ?? 0) + 1;
    if (g.asked >= start && g.got - g.asked > longestWait) longestWait = g.got - g.asked;
    if (!previous) continue;
    if (previous.worker === g.worker) retakes += 1;
    else if (g.asked <= previous.releaseAt) handoffs.push(g.got - previous.releaseAt);
  }
  for (const p of pending) {
    waiterSeconds += (p.abortedAt - p.asked) / 1000;
    if (p.asked >= start && p.abortedAt - p.asked > longestWait) {
      longestWait = p.abortedAt - p.asked;
      longestWaitCensored = true;
    }
  }
  return {
    workers,
    seconds: (end - start) / 1000,
    grants: counted,
    lateGrants: grants.length - counted,
    grantsPerWorker,
    maxShare: counted ? Math.max(...grantsPerWorker) / counted : Number.NaN,
    longestWait,
    longestWaitCensored,
    handoffs,
    retakes,
    localHandOvers: grants.filter((g) => g.handedOver).length,
    waiterSeconds,
    overlaps,
    duplicateFences,
    lost: grants.filter((g) => g.lost).length,
  };
}

function compareFence(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Hand-off percentiles, each only when the sample is large enough to have one (NaN otherwise). */
export function handoffPercentiles(handoffs: readonly number[]): { p50: number; p99: number } {
  return {
    p50: handoffs.length >= 2 ? quantile(handoffs, 0.5) : Number.NaN,
    p99: handoffs.length >= MIN_SAMPLES_P99 ? quantile(handoffs, 0.99) : Number.NaN,
  };
}

/** A 99th percentile means something with at least 100 samples: below that it is the maximum. */
export const MIN_SAMPLES_P99 = 100;
