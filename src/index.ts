export { Lock } from './lock/lock.js';
export { Lease } from './lease/lease.js';
export { Election } from './election/election.js';
export { Term } from './election/term.js';
export type { Leader } from './election/leader.js';
export type { ElectionOptions, ObserveOptions, RunForeverOptions, TermWork } from './election/options.js';
export { Semaphore } from './semaphore/semaphore.js';
export { Permit } from './semaphore/permit.js';
export type { SemaphoreOptions, PermitInfo } from './semaphore/options.js';
export * from './errors/index.js';
export type { LockInfo } from './core/lock-info.js';
export type { LockEvent, LockEventType } from './core/events.js';
export type { LockOptions } from './lock/options.js';
export type { LeaseOptions, AcquireOptions, StorageOptions } from './core/options.js';
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
  ComposeSource,
  ComposeRequest,
  BucketRequest,
  BucketInfo,
  BucketLifecycleRule,
} from './store/object-store.js';
export { listLocks, type ListLocksOptions, type LockListEntry } from './lock/list-locks.js';
export { breakLock, type BreakLockOptions, type BreakLockResult } from './lock/break-lock.js';
export { GcsStore, type GcsStoreOptions } from './store/gcs-store.js';
export { parseLockUrl, parseBucketUrl, formatLockUrl } from './util/lock-url.js';
export {
  doctor,
  type DoctorCheck,
  type DoctorOptions,
  type DoctorReport,
  type DoctorSettings,
  type DoctorStatus,
  type CostSummary,
  type RequestRate,
} from './doctor/index.js';
export {
  fencedWrite,
  DEFAULT_STAGING_PREFIX,
  type Fence,
  type FencedWriteOptions,
} from './lease/fenced-write.js';
