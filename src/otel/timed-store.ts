import { META } from '../core/lock-object.js';
import { StorageError } from '../errors/storage-error.js';
import type { ObjectStore } from '../store/object-store.js';
import { formatLockUrl } from '../util/lock-url.js';

/** What the timed store reports: one refresh request's latency, or the start of a release. */
export interface StoreTimings {
  refreshed(url: string, seconds: number, status: number | 'ok' | 'transport'): void;
  releasing(url: string, startedAt: number): void;
}

/** Fair-mode tickets live under `<lock>.queue/`: their refreshes are a waiter's, not a holder's. */
const isTicket = (name: string): boolean => name.includes('.queue/');

/**
 * The store, with the requests the lock's events cannot time measured: a refresh (a patch of only
 * the refresh counter) and the start of a release (a patch to `released`). Everything else passes
 * through untouched. Nothing of the request (metadata, owner token) is kept.
 */
export function timedStore(store: ObjectStore, timings: StoreTimings): ObjectStore {
  const timed: ObjectStore = {
    writeInterval: store.writeInterval,
    insert: (...args) => store.insert(...args),
    get: (...args) => store.get(...args),
    delete: (...args) => store.delete(...args),
    list: (...args) => store.list(...args),
    async patchMetadata(bucket, name, metadata, request) {
      const keys = Object.keys(metadata);
      if (keys.length === 1 && keys[0] === META.refresh && !isTicket(name)) {
        const started = performance.now();
        try {
          const result = await store.patchMetadata(bucket, name, metadata, request);
          timings.refreshed(formatLockUrl(bucket, name), (performance.now() - started) / 1000, 'ok');
          return result;
        } catch (error) {
          const status = error instanceof StorageError ? (error.status ?? 'transport') : 'transport';
          timings.refreshed(formatLockUrl(bucket, name), (performance.now() - started) / 1000, status);
          throw error;
        }
      }
      if (metadata[META.state] === 'released') timings.releasing(formatLockUrl(bucket, name), Date.now());
      return store.patchMetadata(bucket, name, metadata, request);
    },
  };
  if (store.compose) timed.compose = store.compose.bind(store);
  if (store.getBucket) timed.getBucket = store.getBucket.bind(store);
  if (store.testIamPermissions) timed.testIamPermissions = store.testIamPermissions.bind(store);
  return timed;
}
