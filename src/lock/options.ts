import type { AuthClient } from '../store/auth.js';
import type { ObjectStore } from '../store/object-store.js';
import type { LeaseOptions } from '../core/options.js';

export type { AcquireOptions } from '../core/options.js';

/**
 * How a `Lock` behaves: the lease options every primitive shares, and where the lock object lives.
 * Every duration is in milliseconds.
 *
 * @example
 * ```ts
 * const lock = new Lock('gs://my-bucket/locks/deploy', {
 *   ttl: 60_000,
 *   description: `deploy ${process.env.GITHUB_RUN_ID}`,
 *   onEvent: (event) => console.log(event.type),
 * });
 * ```
 */
export interface LockOptions extends LeaseOptions {
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
