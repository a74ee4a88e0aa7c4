import type { LockInfo } from '../core/lock-info.js';
import { GcsLockError } from './gcs-lock-error.js';

/**
 * The lock is held by someone else (contention, not failure). Thrown by `acquire({ timeout: 0 })`;
 * `tryAcquire()` returns `null` instead.
 *
 * @example
 * ```ts
 * catch (error) {
 *   if (error instanceof LockHeldError) console.log(`held by ${error.holder.host} pid ${error.holder.pid}`);
 * }
 * ```
 */
export class LockHeldError extends GcsLockError {
  override name = 'LockHeldError';
  readonly code = 'LOCK_HELD';
  /** The lock's URL, `gs://bucket/object`. */
  readonly url: string;
  /** Who holds it, as last read. */
  readonly holder: LockInfo;

  constructor(url: string, holder: LockInfo, options?: ErrorOptions) {
    super(`${url} is held by ${describeHolder(holder)}`, options);
    this.url = url;
    this.holder = holder;
  }
}

/** A one-line description of a holder for messages: never includes the owner token. */
export function describeHolder(holder: LockInfo): string {
  const who = [holder.host && `host ${holder.host}`, holder.pid !== undefined && `pid ${holder.pid}`]
    .filter(Boolean)
    .join(' ');
  const what = holder.description ? ` (${JSON.stringify(holder.description)})` : '';
  return `${who || 'an unknown holder'}${what}, token ${holder.token}`;
}
