import type { LockLostError } from '../errors/lock-lost-error.js';
import type { AuthClient } from '../store/auth.js';
import type { ObjectStore } from '../store/object-store.js';
import type { LockEvent } from './events.js';

/**
 * What every lease-based primitive (lock, election, semaphore) shares: how long a lease lives, how it
 * is kept, how waiters poll, and who is told about it. Every duration is in milliseconds, a whole number.
 *
 * @example
 * ```ts
 * const options: LeaseOptions = { ttl: 30_000, description: 'nightly report', onLost: () => process.exit(75) };
 * const lock = new Lock('gs://my-bucket/locks/report', options);
 * ```
 */
export interface LeaseOptions {
  /**
   * How long a lease lives after its last refresh. A holder that crashes blocks others for at most
   * about this long. At least 1000.
   * @default 60000
   */
  ttl?: number;
  /**
   * How often a held lease is refreshed (one metadata patch each time). Must be less than `ttl`.
   * @default ttl / 4
   */
  refreshInterval?: number;
  /**
   * The holder declares its lease lost when no refresh has succeeded for `ttl - lossMargin`, measured
   * on its own monotonic clock from the start of the last successful refresh; so it stops before any
   * waiter can judge the lease expired. Must be less than `ttl - refreshInterval`.
   * @default ttl / 5
   */
  lossMargin?: number;
  /**
   * Waiting: the first poll (a metadata GET) comes after `initial` ms, then the delay doubles up to
   * `max`, with equal jitter (half fixed, half random). When the holder's lease will expire sooner, the waiter polls then.
   * @default { initial: 250, max: 2000 }
   */
  poll?: { initial?: number; max?: number };
  /**
   * Serve waiters in arrival order, across processes: a waiter that finds the lock held takes a place
   * in a queue (a small ticket object of its own next to the lock), and a freed lock goes to the queue's
   * head, so a process that releases and acquires again in a loop cannot starve the others. It costs
   * the waiting side a few writes to its own ticket, never to the lock object's write budget, and
   * nothing when nobody waits. `false` serves whoever polls first after a release.
   * @default true
   */
  fair?: boolean;
  /** Free text shown to anyone who inspects the lock (`gcs-lock status`). At most 1024 characters. */
  description?: string;
  /** Called once when a held lease is lost, after `lease.signal` aborts. Errors it throws are ignored. */
  onLost?: (error: LockLostError, lease: { url: string; token: string }) => void;
  /** Called for every lock event (acquired, contended, took-over, refreshed, refresh-failed, lost, released). */
  onEvent?: (event: LockEvent) => void;
  /**
   * The longest a single request may take before it is abandoned (and, where safe, retried).
   * @default 10000
   */
  requestTimeout?: number;
}

/**
 * Where a primitive's objects live (every primitive takes these: `Lock`, `Election`, `Semaphore`).
 *
 * @example
 * ```ts
 * const where: StorageOptions = { endpoint: 'http://127.0.0.1:4443' };
 * const lock = new Lock('gs://my-bucket/locks/job', { ...where, ttl: 30_000 });
 * ```
 */
export interface StorageOptions {
  /**
   * The storage to use. By default a shared `GcsStore` built from `endpoint` / `authClient` /
   * `STORAGE_EMULATOR_HOST` / Application Default Credentials.
   */
  store?: ObjectStore;
  /**
   * The GCS JSON API's base URL, e.g. `http://127.0.0.1:4443` for a local server.
   * @default process.env.STORAGE_EMULATOR_HOST, else https://storage.googleapis.com
   */
  endpoint?: string;
  /**
   * Credentials: anything with google-auth-library's `getRequestHeaders()`.
   * @default Application Default Credentials (none when an emulator endpoint is used)
   */
  authClient?: AuthClient;
}

/**
 * How `lock.acquire()` waits.
 *
 * @example
 * ```ts
 * await using lease = await lock.acquire({ timeout: 300_000, signal: AbortSignal.timeout(600_000) });
 * ```
 */
export interface AcquireOptions {
  /**
   * Give up after this long with `AcquireTimeoutError`. `0` makes a single attempt (it throws
   * `LockHeldError` when the lock is held).
   * @default Infinity
   */
  timeout?: number;
  /** Abort waiting; `acquire` rejects with the signal's reason and leaves no lock object behind. */
  signal?: AbortSignal;
}

/** The options after defaults and validation. */
export interface ResolvedLockOptions {
  ttl: number;
  fair: boolean;
  refreshInterval: number;
  lossMargin: number;
  pollInitial: number;
  pollMax: number;
  description: string | undefined;
  requestTimeout: number;
  onLost: LeaseOptions['onLost'];
  onEvent: LeaseOptions['onEvent'];
}
