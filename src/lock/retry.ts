import { StorageError } from '../errors/storage-error.js';
import { backoffDelay } from '../util/backoff.js';
import { monotonicNow, sleep } from '../util/clock.js';

/** Backoff between retries of a failed request: GCS's retry strategy asks for truncated exponential. */
export const RETRY_INITIAL = 200;
export const RETRY_MAX = 5_000;

export interface RetryPolicy {
  /** Monotonic time after which no retry starts: the last error is thrown instead. */
  until: number;
  /** Aborts the wait between attempts. */
  signal?: AbortSignal | undefined;
  /** Told before each retry. */
  onRetry?: (error: StorageError, delayMs: number) => void;
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
      if (!isTransient(error)) throw error;
      const delay = backoffDelay(attempt, RETRY_INITIAL, RETRY_MAX);
      if (monotonicNow() + delay > policy.until) throw error;
      policy.onRetry?.(error, delay);
      await sleep(delay, policy.signal);
    }
  }
}
