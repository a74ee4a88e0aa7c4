export { GcsLockError } from './gcs-lock-error.js';
export { ConfigurationError } from './configuration-error.js';
export { StorageError } from './storage-error.js';
export { LockHeldError } from './lock-held-error.js';
export { AcquireTimeoutError } from './acquire-timeout-error.js';
export { LockLostError, type LockLostReason } from './lock-lost-error.js';
export { MalformedLockError } from './malformed-lock-error.js';
export { SemaphoreFullError } from './semaphore-full-error.js';
export { FencedWriteRefusedError, type FencedWriteRefusal } from './fenced-write-refused-error.js';
