import { DEFAULT_STAGING_PREFIX } from '../src/lease/fenced-write.js';
import type { StorageEngine } from '../src/server/engine/engine.js';
import { waitBound } from './check/wait-bound.js';
import type { CounterToken } from './history.js';

/** The run's variants besides the faults: how the server numbers generations, the bucket, fairness. */
export interface RunVariant {
  /** `startServer({ generations })`. @default 'increasing' */
  generations?: 'increasing' | 'unordered';
  /** The torture bucket has Object Versioning on. @default false */
  versioned?: boolean;
  /** Library workers wait in fair mode (the library's default). @default true */
  fair?: boolean;
  /** What workers hand the counter as the token; `generation` is a mutant. @default 'fence' */
  counterToken?: CounterToken;
}

/**
 * How long workers wait for a lock: longer than the wait bound the checker holds fair mode to (plus
 * two ttl), so that a starving waiter shows as a wait past the bound rather than as a timeout cut
 * short of it; at least the 5 ttl the harness always waited.
 */
export function waitPlan(workers: number, ttl: number, pollInitial: number): { waitTimeoutMs: number } {
  const bound = waitBound({ workers, ttl, pollInitial });
  return { waitTimeoutMs: Math.max(5 * ttl, bound.baseMs + 2 * ttl) };
}

/** What a run leaves besides locks and tickets: noncurrent versions (versioning), staged fenced data. */
export function litter(engine: StorageEngine, bucket: string): { noncurrent: number; staged: number } {
  const { noncurrent, objects } = engine.getBucket(bucket);
  let versions = 0;
  for (const list of noncurrent.values()) versions += list.length;
  const staged = [...objects.keys()].filter((name) => name.startsWith(DEFAULT_STAGING_PREFIX)).length;
  return { noncurrent: versions, staged };
}
