import { Lock } from '../src/lock/lock.js';
import type { Lease } from '../src/lease/lease.js';
import { GcsStore } from '../src/store/gcs-store.js';
import type { ObjectStore } from '../src/store/object-store.js';
import { ClassicLock } from './baselines/classic.js';

export type VariantKey = 'gcs-lock' | 'gcs-lock-fast' | 'classic' | 'classic-1req';

export const VARIANTS: ReadonlyArray<{ key: VariantKey; label: string }> = [
  { key: 'gcs-lock', label: 'gcs-lock (defaults)' },
  { key: 'gcs-lock-fast', label: 'gcs-lock (poll 50→200 ms)' },
  { key: 'classic', label: 'classic (client defaults)' },
  { key: 'classic-1req', label: 'classic (resumable: false)' },
];

/** The short poll: what a user who cares about hand-off latency more than reads would set. */
export const FAST_POLL = { initial: 50, max: 200 };

/** The one shape every contender is driven through. */
export interface Locker {
  acquire(signal?: AbortSignal): Promise<void>;
  release(): Promise<void>;
}

export interface LockerOptions {
  endpoint: string;
  bucket: string;
  object: string;
  /** gcs-lock only: the store to use (a counting one), else a fresh `GcsStore` for the endpoint. */
  store?: ObjectStore;
  ttl?: number;
}

export function makeLocker(key: VariantKey, options: LockerOptions): Locker {
  if (key === 'classic' || key === 'classic-1req') {
    const classic = new ClassicLock(options.endpoint, options.bucket, options.object, {
      resumable: key === 'classic',
    });
    return { acquire: (signal) => classic.acquire(signal), release: () => classic.release() };
  }
  // A store of its own per locker, as a separate process would have.
  const lock = new Lock({
    bucket: options.bucket,
    object: options.object,
    store: options.store ?? new GcsStore({ endpoint: options.endpoint }),
    ...(options.ttl !== undefined && { ttl: options.ttl }),
    ...(key === 'gcs-lock-fast' && { poll: FAST_POLL }),
  });
  let lease: Lease | undefined;
  return {
    acquire: async (signal) => {
      lease = await lock.acquire(signal ? { signal } : {});
    },
    release: async () => {
      const held = lease;
      lease = undefined;
      if (held) await held.release();
    },
  };
}

export const isClassic = (key: VariantKey): boolean => key === 'classic' || key === 'classic-1req';
