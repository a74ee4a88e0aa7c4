import { defaultStore } from '../store/default-store.js';
import type { ObjectStore } from '../store/object-store.js';

/**
 * The store every command uses: `--endpoint` when given; otherwise the library's own resolution
 * (STORAGE_EMULATOR_HOST, else storage.googleapis.com with Application Default Credentials).
 * One store per process, so credentials are loaded once.
 */
export function cliStore(endpoint: string | undefined): ObjectStore {
  return defaultStore(endpoint !== undefined ? { endpoint } : {});
}

/** The `--endpoint` option, shared by every command that talks to storage. */
export const ENDPOINT_OPTION = { endpoint: { type: 'string' } } as const;
