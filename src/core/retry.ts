import { StorageError } from '../errors/storage-error.js';
import { backoffDelay } from '../util/backoff.js';
import { monotonicNow, sleep } from '../util/clock.js';

/** Backoff between retries of a failed request: GCS's retry strategy asks for truncated exponential. */
export const RETRY_INITIAL = 200;
export const RETRY_MAX = 5_000;
/**
 * A 429 says the object's write budget (about one a second) is spent: retrying sooner than that only
 * spends the next second's budget too, so rate-limited requests start backing off at a second.
 */
export const RATE_LIMITED_INITIAL = 1_000;

/** The wait before retry number `attempt` (from 0) of a request that failed with `error`. */
export function retryDelay(
  attempt: number,
  error: StorageError,
  initial = RETRY_INITIAL,
  max = RETRY_MAX,
): number {
  return backoffDelay(attempt, error.status === 429 ? Math.max(initial, RATE_LIMITED_INITIAL) : initial, max);
}

export interface RetryPolicy {
  /** Monotonic time after which no retry starts: the last error is thrown instead. */
  until: number;
  /** Aborts the wait between attempts. */
  signal?: AbortSignal | undefined;
  /** Told before each retry (attempt counts from 1 for the first retry). */
  onRetry?: (error: StorageError, delayMs: number, attempt: number) => void;
  /** Which transient errors to retry. @default all of them */
  retryIf?: (error: StorageError) => boolean;
}

export function isTransient(error: unknown): error is StorageError {
  return error instanceof StorageError && error.retryable;
}

/**
 * Runs `request` until it succeeds or fails with an answer (anything but 408, 429, 5xx or a transport
 * error). Transient failures are retried with backoff while time remains before `policy.until`.
 */
export async function retryTransient<T>(request: () => Promise<T>, policy: RetryPolicy): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await request();
    } catch (error) {
      if (!isTransient(error) || policy.retryIf?.(error) === false) throw error;
      const delay = retryDelay(attempt, error);
      if (monotonicNow() + delay > policy.until) throw error;
      policy.onRetry?.(error, delay, attempt + 1);
      await sleep(delay, policy.signal);
    }
  }
}
