/**
 * What anyone can read about a lock's current holder: from `lock.inspect()`, `LockHeldError.holder`,
 * events and `gcs-lock status`. Never includes the holder's owner token.
 *
 * @example
 * ```ts
 * const info = await lock.inspect();
 * if (info) console.log(`${info.host} pid ${info.pid} holds it until ${info.expiresAt.toISOString()}`);
 * ```
 */
export interface LockInfo {
  /** `gs://bucket/object`. */
  url: string;
  /** The fencing token: the lock object's generation, as a decimal string. */
  token: string;
  /** The holder's host name, as it reported it. */
  host: string | undefined;
  /** The holder's process id, as it reported it. */
  pid: number | undefined;
  /** The holder's free-text description (`LockOptions.description`). */
  description: string | undefined;
  /** The lease's time to live in ms: it expires this long after its last refresh. */
  ttl: number;
  /** When the lease was acquired (server clock). */
  acquiredAt: Date;
  /** When the lease was last refreshed (server clock). */
  refreshedAt: Date;
  /** When the lease expires unless refreshed again (server clock). */
  expiresAt: Date;
  /**
   * Milliseconds until it expires, judged on the server's clock at the time of the read (negative once
   * expired). Free of client clock skew; rounded toward "not yet expired" by up to a second, because
   * the server's `Date` header has whole seconds.
   */
  expiresInMs: number;
  /** Whether the lease had expired at the time of the read: it may be taken over. */
  expired: boolean;
}
