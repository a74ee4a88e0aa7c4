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
  /**
   * The fencing token of this lease, as a decimal string: it grows by one with every grant of the lock,
   * whatever order GCS hands out generations in (for a lock written by gcs-lock 0.1: its generation).
   * Compare tokens as `BigInt`.
   */
  token: string;
  /** The lock object's generation: what every request on this lease is pinned to. */
  generation: string;
  /** The holder's host name, as it reported it. */
  host: string | undefined;
  /** The holder's process id, as it reported it. */
  pid: number | undefined;
  /** The holder's free-text description (`LockOptions.description`). */
  description: string | undefined;
  /** An election's candidate name, when the lock is an election's. */
  candidate: string | undefined;
  /** The lease's time to live in ms: it expires this long after its last refresh. */
  ttl: number;
  /** How often the holder refreshes, in ms, as it wrote it (`undefined` for a 0.1 holder). */
  refreshInterval: number | undefined;
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
