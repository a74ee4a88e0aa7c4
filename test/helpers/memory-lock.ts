import { vi } from 'vitest';
import { Lock } from '../../src/lock/lock.js';
import type { LockEvent } from '../../src/core/events.js';
import type { LockOptions } from '../../src/lock/options.js';
import { MemoryStore } from '../../src/testing/memory-store.js';
import { createContext, type LockContext } from '../../src/core/context.js';
import { nameStateFor } from '../../src/core/name-state.js';
import { resolveLockOptions } from '../../src/core/resolve-options.js';

export const BUCKET = 'locks';
export const OBJECT = 'jobs/nightly';
export const URL = `gs://${BUCKET}/${OBJECT}`;

/** Fake timers for Date, timers and performance.now, so heartbeats and deadlines run in virtual time. */
export function useFakeClock(): void {
  vi.useFakeTimers({
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'],
    now: new Date('2026-01-01T00:00:00Z'),
  });
}

export function newStore(): MemoryStore {
  return new MemoryStore({ buckets: [BUCKET] });
}

/** A lock on the shared store, recording its events. */
export function newLock(store: MemoryStore, options: LockOptions = {}): { lock: Lock; events: LockEvent[] } {
  const events: LockEvent[] = [];
  const lock = new Lock(URL, {
    store,
    ttl: 60_000,
    ...options,
    onEvent: (event) => {
      events.push(event);
      options.onEvent?.(event);
    },
  });
  return { lock, events };
}

export const types = (events: LockEvent[]): string[] => events.map((event) => event.type);

/** A deterministic random source (mulberry32), so tests with fault rates never flake. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A lock context on `store` for the protocol's internals (attempt, observe, refresh...). */
export function lockContext(store: MemoryStore, options: LockOptions = {}): LockContext {
  return createContext({
    store,
    bucket: BUCKET,
    object: OBJECT,
    url: URL,
    options: resolveLockOptions({ ttl: 10_000, ...options }),
    debug: () => {},
    name: nameStateFor(store, BUCKET, OBJECT),
  });
}

/** Another "process" on the same storage: its own store over the same engine (and its own counts). */
export function peer(store: MemoryStore): MemoryStore {
  return new MemoryStore({ engine: store.engine });
}
