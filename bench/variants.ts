import { Lock } from '../src/lock/lock.js';
import type { Lease } from '../src/lease/lease.js';
import { GcsStore } from '../src/store/gcs-store.js';
import type { ObjectStore } from '../src/store/object-store.js';
import { ClassicLock } from './baselines/classic.js';

export type VariantKey = 'gcs-lock' | 'gcs-lock-unfair' | 'classic-1req' | 'classic';

/**
 * The headline baseline is the one-request recipe (`resumable: false`): what the recipe this project
 * grew from, and most hand-written code, does. The client's default (resumable) upload is shown beside
 * it, since it is what `file.save()` does when nobody turns the knob.
 */
export const VARIANTS: ReadonlyArray<{ key: VariantKey; label: string }> = [
  { key: 'gcs-lock', label: 'gcs-lock (defaults: fair)' },
  { key: 'gcs-lock-unfair', label: 'gcs-lock (fair: false)' },
  { key: 'classic-1req', label: 'classic (resumable: false)' },
  { key: 'classic', label: 'classic (client defaults)' },
];

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
    ...(key === 'gcs-lock-unfair' && { fair: false }),
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
