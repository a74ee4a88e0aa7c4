import { GcsLockError } from './gcs-lock-error.js';

/**
 * A request to the storage service failed for a reason other than contention: a 403, a 5xx that
 * kept failing after retries, a network error. Carries the HTTP status (undefined for a transport
 * failure), GCS's error reason when it gave one, and the underlying cause. Never contains a credential.
 *
 * @example
 * ```ts
 * catch (error) {
 *   if (error instanceof StorageError && error.status === 403) console.error('check IAM on the bucket');
 * }
 * ```
 */
export class StorageError extends GcsLockError {
  override name = 'StorageError';
  readonly code = 'STORAGE_ERROR';
  /** The HTTP status, or `undefined` when no response arrived (connection reset, timeout, DNS). */
  readonly status: number | undefined;
  /** GCS's `errors[0].reason` (`conditionNotMet`, `rateLimitExceeded`...) when the server sent one. */
  readonly reason: string | undefined;
  /** What was attempted, e.g. `PATCH gs://bucket/object`. */
  readonly operation: string;

  constructor(
    operation: string,
    status: number | undefined,
    message: string,
    options?: ErrorOptions & { reason?: string | undefined },
  ) {
    super(`${operation}: ${message}`, options);
    this.operation = operation;
    this.status = status;
    this.reason = options?.reason;
  }

  /**
   * Whether retrying may help: transport errors, 408, 429 and 5xx (GCS's retry strategy).
   * 400, 401, 403, 404 and 412 are answers, not accidents.
   */
  get retryable(): boolean {
    const status = this.status;
    return status === undefined || status === 408 || status === 429 || status >= 500;
  }

  /** The precondition did not hold (412), or the object the request named is gone (404). */
  get isConflict(): boolean {
    return this.status === 412 || this.status === 404 || this.status === 409;
  }
}
