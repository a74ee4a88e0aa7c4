import type { AuthClient } from './auth.js';
import { resolveEndpoint } from './endpoint.js';
import { DEFAULT_REQUEST_TIMEOUT, GcsStore } from './gcs-store.js';
import type { ObjectStore } from './object-store.js';

const withoutClient = new Map<string, GcsStore>();
// Keyed weakly by the auth client: a client the application drops takes its stores with it.
const byClient = new WeakMap<AuthClient, Map<string, GcsStore>>();

/**
 * The store a `Lock` uses when none is given: one shared `GcsStore` per (resolved endpoint,
 * authClient, requestTimeout), so a thousand `Lock`s in a process share one store, one credential
 * cache and fetch's one connection pool. The endpoint is resolved first (including
 * `STORAGE_EMULATOR_HOST`, read at each call), so `"http://localhost:4443"` and `"http://localhost:4443/"`
 * share a store, and a changed environment gets a new one.
 *
 * @default requestTimeout: 10000
 * @throws ConfigurationError for an invalid endpoint or timeout
 * @example
 * ```ts
 * const store = defaultStore({ endpoint: 'http://127.0.0.1:4443' });
 * store === defaultStore({ endpoint: 'http://127.0.0.1:4443/' }); // true
 * ```
 */
export function defaultStore(
  options: {
    endpoint?: string | undefined;
    authClient?: AuthClient | undefined;
    requestTimeout?: number | undefined;
  } = {},
): ObjectStore {
  const resolved = resolveEndpoint({ endpoint: options.endpoint });
  const timeout = options.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT;
  const key = `${resolved.source}|${resolved.base}|${timeout}`;
  let stores = withoutClient;
  if (options.authClient !== undefined) {
    stores = byClient.get(options.authClient) ?? new Map<string, GcsStore>();
    byClient.set(options.authClient, stores);
  }
  let store = stores.get(key);
  if (!store) {
    // The endpoint is passed on only when it was an option: a store built from STORAGE_EMULATOR_HOST
    // must know that, because such an endpoint never gets credentials.
    store = new GcsStore({
      ...(resolved.source === 'option' && { endpoint: options.endpoint }),
      authClient: options.authClient,
      requestTimeout: timeout,
    });
    stores.set(key, store);
  }
  return store;
}
