import { GcsLockError } from './gcs-lock-error.js';

/**
 * Why GCS refused a fenced write:
 * - `lock-changed`: the lock object is no longer the version the lease was granted (someone else was
 *   granted the lock since): this writer's lease is over, and GCS itself kept its write out;
 * - `destination-changed`: the destination's own precondition (`ifGenerationMatch`) did not hold.
 *
 * @example
 * ```ts
 * const reason: FencedWriteRefusal = 'lock-changed';
 * ```
 */
export type FencedWriteRefusal = 'lock-changed' | 'destination-changed';

/**
 * A fenced write was refused by GCS, in the same request that would have written it: nothing was
 * written to the destination.
 *
 * @example
 * ```ts
 * try {
 *   await lease.fencedWrite('reports/today.json', JSON.stringify(report));
 * } catch (error) {
 *   if (error instanceof FencedWriteRefusedError && error.reason === 'lock-changed') stopWorking();
 * }
 * ```
 */
export class FencedWriteRefusedError extends GcsLockError {
  override name = 'FencedWriteRefusedError';
  readonly code = 'FENCED_WRITE_REFUSED';
  /** The destination, `gs://bucket/object`. */
  readonly url: string;
  /** The fencing token of the lease that tried to write. */
  readonly token: string;
  readonly reason: FencedWriteRefusal;

  constructor(url: string, token: string, reason: FencedWriteRefusal, options?: ErrorOptions) {
    super(
      reason === 'lock-changed'
        ? `write to ${url} refused: the lock changed hands since the lease with token ${token} was granted`
        : `write to ${url} refused: the destination changed (its ifGenerationMatch did not hold)`,
      options,
    );
    this.url = url;
    this.token = token;
    this.reason = reason;
  }
}
