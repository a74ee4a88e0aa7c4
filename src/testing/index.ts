export { MemoryStore, type MemoryStoreOptions, type RequestCounts } from './memory-store.js';
export {
  StorageEngine,
  type EngineOptions,
  type BucketSpec,
  type BucketSettings,
  type LifecycleRule,
} from '../server/engine/engine.js';
export type { GenerationOrder } from '../server/engine/generations.js';
export { GCS_RATE_LIMIT, type RateLimit } from '../server/engine/rate-limiter.js';
export {
  FaultPlan,
  FAULT_KINDS,
  type FaultRule,
  type FaultKind,
  type FaultDecision,
  type FaultCounts,
  type Operation,
} from '../server/fault-plan.js';
export { startServer, type ServerOptions, type RunningServer } from '../server/start-server.js';
export { ControlClient, type ControlClientOptions } from '../server/control-client.js';
export { DEFAULT_LIMITS, type ServerLimits } from '../server/limits.js';
export { MAX_CLOCK_OFFSET_MS } from '../server/clock-offset.js';
