import type { LockContext } from '../core/context.js';
import type { AcquireOptions } from '../core/options.js';
import { resolveAcquireTimeout, resolveLockOptions } from '../core/resolve-options.js';
import { openContext, openStore, resolveTarget } from '../core/target.js';
import { acquireGrant } from '../lease/acquire.js';
import { observe, StalenessTracker } from '../lease/observe.js';
import { abortReason, monotonicNow } from '../util/clock.js';
import { duration } from '../util/duration.js';
import { MAX_TTL } from '../core/resolve-options.js';
import { leaderOf, type Leader } from './leader.js';
import {
  resolveCandidate,
  type ElectionOptions,
  type ObserveOptions,
  type RunForeverOptions,
  type TermWork,
} from './options.js';
import { runForever } from './run-forever.js';
import { Term } from './term.js';
import { watchLeader } from './watch.js';

/**
 * Leader election on one object in a GCS bucket: at most one candidate leads at a time, everyone can
 * see who, and a leader that crashes is replaced about one ttl later. A term is a lease on the
 * election object (the same protocol as `Lock`, never fair-queued): campaigning and observing cost
 * reads only; a leader writes one refresh per refresh interval. Creating an `Election` makes no
 * request.
 *
 * @example
 * ```ts
 * import { Election } from 'gcs-lock';
 *
 * const election = new Election('gs://my-bucket/leaders/indexer', { ttl: 30_000, candidate: 'replica-7' });
 * const term = await election.campaign({ signal: AbortSignal.timeout(60_000) });
 * try {
 *   await indexUntil(term.signal, { fencingToken: term.token });
 * } finally {
 *   await term.resign();
 * }
 * ```
 */
export class Election {
  /** `gs://bucket/object`: the election object. */
  readonly url: string;
  /** This process's candidate name. */
  readonly candidate: string;
  readonly #ctx: LockContext;

  /**
   * @param url `gs://bucket/object`; or pass `{ bucket, object, ...options }` as the only argument.
   * @throws ConfigurationError for an invalid URL, name or option.
   */
  constructor(url: string, options?: ElectionOptions);
  constructor(options: ElectionOptions & { bucket: string; object: string });
  constructor(
    target: string | (ElectionOptions & { bucket: string; object: string }),
    options: ElectionOptions = {},
  ) {
    const resolvedTarget = resolveTarget('Election', target, options);
    options = resolvedTarget.options;
    const candidate = resolveCandidate(options.candidate);
    // No queue: followers only read, and a queue's tickets would be writes.
    const resolved = { ...resolveLockOptions(options), fair: false };
    const store = openStore(options, resolved);
    this.url = resolvedTarget.target.url;
    this.candidate = candidate;
    this.#ctx = openContext(resolvedTarget.target, resolved, store, { candidate });
  }

  /**
   * Waits until this process leads, as `lock.acquire()` waits: reading, never writing, until the
   * election object is free (resigned, or its term expired), then one write to take it.
   *
   * @throws AcquireTimeoutError when `timeout` passes; `LockHeldError` when `timeout` is 0 and
   * someone leads; the signal's reason when it aborts; `MalformedLockError` when the object is not a
   * gcs-lock object; `StorageError` for failures.
   * @example
   * ```ts
   * const term = await election.campaign({ signal });
   * console.log(`leading with token ${term.token}`);
   * ```
   */
  async campaign(options: AcquireOptions = {}): Promise<Term> {
    const timeout = resolveAcquireTimeout(options.timeout);
    const { signal } = options;
    const grant = await acquireGrant(this.#ctx, { timeout, signal });
    const term = new Term(this.#ctx, grant, this.candidate);
    if (signal?.aborted) {
      // Told to stop just as the term began: step down rather than lead unasked.
      await term.resign().catch(() => false);
      throw abortReason(signal);
    }
    return term;
  }

  /**
   * Who leads now, or `null`: one GET (transient failures retried for one request timeout). A term
   * that has expired on the server's clock is no leader.
   *
   * @example
   * ```ts
   * const leader = await election.leader();
   * console.log(leader ? `${leader.candidate} leads` : 'no leader');
   * ```
   */
  async leader(options: { signal?: AbortSignal } = {}): Promise<Leader | null> {
    const ctx = this.#ctx;
    const observation = await observe(ctx, monotonicNow() + ctx.options.requestTimeout, options.signal);
    return leaderOf(observation, new StalenessTracker());
  }

  /**
   * Every change of leader, from reads alone: the current leader (or `null`) first, then each new
   * term, resignation and expiry, seen within one `interval`. Ends quietly when `signal` aborts;
   * throws `StorageError` when storage fails for longer than a ttl.
   *
   * @example
   * ```ts
   * for await (const leader of election.observe({ signal })) {
   *   console.log(leader ? `${leader.candidate} leads since ${leader.since.toISOString()}` : 'no leader');
   * }
   * ```
   */
  observe(options: ObserveOptions = {}): AsyncGenerator<Leader | null, void, undefined> {
    const interval =
      options.interval === undefined
        ? this.#ctx.options.pollMax
        : duration('interval', options.interval, 1, MAX_TTL);
    return watchLeader(this.#ctx, interval, options.signal);
  }

  /**
   * The service loop: campaign; run `work(signal, term)` while leading (`signal` aborts when the
   * term ends or the loop is stopped); when the term ends (lost, or `work` returned), resign, wait
   * `backoff`, and campaign again; until `options.signal` aborts. Storage failures are ridden out and
   * reported to `onError`; an error thrown by `work` while it still leads ends the loop with it.
   *
   * @example
   * ```ts
   * const stop = new AbortController();
   * process.once('SIGTERM', () => stop.abort());
   * await election.runForever(async (signal, term) => indexUntil(signal, { fencingToken: term.token }), {
   *   signal: stop.signal,
   * });
   * ```
   */
  async runForever(work: TermWork, options: RunForeverOptions = {}): Promise<void> {
    const backoff =
      options.backoff === undefined
        ? this.#ctx.options.pollMax
        : duration('backoff', options.backoff, 0, MAX_TTL);
    if (typeof work !== 'function') {
      throw new TypeError('runForever(work): work must be a function (signal, term) => ...');
    }
    await runForever((campaign) => this.campaign(campaign), work, { ...options, backoff });
  }
}
