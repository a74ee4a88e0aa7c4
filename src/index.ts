export { Lock } from './lock/lock.js';
export { Lease } from './lease/lease.js';
export * from './errors/index.js';
export type { LockInfo } from './lock/lock-info.js';
export type { LockEvent, LockEventType } from './lock/events.js';
export type { LockOptions, AcquireOptions } from './lock/options.js';
export type { AuthClient } from './store/auth.js';
export type {
  ObjectStore,
  StoredObject,
  Observed,
  Preconditions,
  RequestOptions,
  InsertRequest,
  ListRequest,
  ListPage,
} from './store/object-store.js';
export { listLocks, type ListLocksOptions, type LockListEntry } from './lock/list-locks.js';
export { breakLock, type BreakLockOptions, type BreakLockResult } from './lock/break-lock.js';
export { GcsStore, type GcsStoreOptions } from './store/gcs-store.js';
export { parseLockUrl, parseBucketUrl, formatLockUrl } from './util/lock-url.js';
