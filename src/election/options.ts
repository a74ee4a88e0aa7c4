import { hostname } from 'node:os';
import type { LeaseOptions, StorageOptions } from '../core/options.js';
import { ConfigurationError } from '../errors/configuration-error.js';
import type { Term } from './term.js';

/** The longest candidate name: it is written into the election object's metadata with each term. */
export const MAX_CANDIDATE_LENGTH = 256;

/**
 * How an `Election` behaves: the lease options every primitive shares (a term is a lease), where the
 * election object lives, and this process's name as a candidate. Every duration is in milliseconds.
 * Elections are never fair-queued: followers only read.
 *
 * @example
 * ```ts
 * const options: ElectionOptions = { ttl: 30_000, candidate: process.env.K_REVISION ?? 'local' };
 * const election = new Election('gs://my-bucket/leaders/indexer', options);
 * ```
 */
export interface ElectionOptions extends Omit<LeaseOptions, 'fair'>, StorageOptions {
  /**
   * Who this process is, as everyone who observes the election sees it: a replica's name, a pod's.
   * 1 to 256 characters, no control characters.
   * @default `${hostname}:${pid}`
   */
  candidate?: string;
}

/**
 * How `election.observe()` watches.
 *
 * @example
 * ```ts
 * for await (const leader of election.observe({ signal: AbortSignal.timeout(60_000), interval: 1_000 })) {
 *   console.log(leader?.candidate ?? 'no leader');
 * }
 * ```
 */
export interface ObserveOptions {
  /** Ends the observation: the iteration simply stops (it does not throw). */
  signal?: AbortSignal;
  /**
   * How often to read the election object (one GET each). A change of leader is seen within this
   * long; the end of a term by expiry as soon as it expires, whatever the interval.
   * @default the election's poll.max (2000)
   */
  interval?: number;
}

/**
 * How `election.runForever()` runs the service loop.
 *
 * @example
 * ```ts
 * const options: RunForeverOptions = { signal: AbortSignal.timeout(600_000), backoff: 5_000 };
 * await election.runForever(async (signal) => indexUntil(signal), options);
 * ```
 */
export interface RunForeverOptions {
  /** Stops the loop: a campaign in progress ends, a term in progress is resigned after `work` returns. */
  signal?: AbortSignal;
  /**
   * How long to wait after a term ends (lost, resigned, or `work` returned) or storage failed,
   * before campaigning again.
   * @default the election's poll.max (2000)
   */
  backoff?: number;
  /**
   * Told of every storage failure the loop rides out (a campaign that failed, a resignation that
   * did not complete), before it backs off and campaigns again.
   */
  onError?: (error: unknown) => void;
}

/**
 * What `runForever` runs in each term: `signal` aborts when the term ends or the loop is stopped;
 * `term.token` is the term's fencing token.
 *
 * @example
 * ```ts
 * const work: TermWork = async (signal, term) => indexUntil(signal, { fencingToken: term.token });
 * await election.runForever(work, { signal });
 * ```
 */
export type TermWork = (signal: AbortSignal, term: Term) => unknown;

/** The candidate name: checked, or this host and process by default. */
export function resolveCandidate(candidate: unknown): string {
  if (candidate === undefined) return `${hostname()}:${process.pid}`;
  if (
    typeof candidate !== 'string' ||
    candidate.length === 0 ||
    candidate.length > MAX_CANDIDATE_LENGTH ||
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f\u007f]/.test(candidate)
  ) {
    throw new ConfigurationError(
      'candidate',
      `candidate must be a string of 1 to ${MAX_CANDIDATE_LENGTH} characters without control characters, ` +
        `got ${JSON.stringify(candidate)}`,
    );
  }
  return candidate;
}
