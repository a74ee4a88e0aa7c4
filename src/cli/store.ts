import { MAX_TTL } from '../core/resolve-options.js';
import { defaultStore } from '../store/default-store.js';
import type { ObjectStore } from '../store/object-store.js';
import { parseDuration } from './args.js';

/** Where storage is and how long one request may take, from the command line. */
export interface StoreSettings {
  endpoint: string | undefined;
  /** ms; undefined for the library's default (10 s). */
  requestTimeout: number | undefined;
}

/**
 * The store every command uses: `--endpoint` when given; otherwise the library's own resolution
 * (STORAGE_EMULATOR_HOST, else storage.googleapis.com with Application Default Credentials).
 * One store per process, so credentials are loaded once.
 */
export function cliStore(endpoint: string | undefined, requestTimeout?: number): ObjectStore {
  return defaultStore({
    ...(endpoint !== undefined && { endpoint }),
    ...(requestTimeout !== undefined && { requestTimeout }),
  });
}

/** The store for parsed `STORE_OPTIONS`. */
export function storeFor(settings: StoreSettings): ObjectStore {
  return cliStore(settings.endpoint, settings.requestTimeout);
}

/** `--endpoint` and `--request-timeout`, read from parsed `STORE_OPTIONS` values. */
export function storeSettings(values: { endpoint?: string; 'request-timeout'?: string }): StoreSettings {
  const timeout = values['request-timeout'];
  return {
    endpoint: values.endpoint,
    requestTimeout:
      timeout === undefined
        ? undefined
        : parseDuration('--request-timeout', timeout, { min: 1, max: MAX_TTL }),
  };
}

/** The `--endpoint` option alone (for commands not yet given `--request-timeout`). */
export const ENDPOINT_OPTION = { endpoint: { type: 'string' } } as const;

/** The options shared by every command that talks to storage. */
export const STORE_OPTIONS = {
  ...ENDPOINT_OPTION,
  'request-timeout': { type: 'string' },
} as const;
