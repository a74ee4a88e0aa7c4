import type { ObjectStore } from '../store/object-store.js';

/** What this process last knew of a lock object, from its own writes and reads. A hint, never proof. */
export interface KnownVersion {
  generation: string;
  metageneration: string;
  fence: bigint;
  state: 'held' | 'released';
  queued: boolean;
}

/** How an attempt that was given up with a create in flight ended up. */
export type CleanupOutcome = 'clean' | 'unconfirmed';

/**
 * What every `Lock` of one lock name in this process shares (one per store, bucket and object): the
 * last version this process knew, so that acquiring again after our own release is one insert with no
 * read; and the clean-ups still running for attempts given up mid-request.
 */
export interface NameState {
  known: KnownVersion | undefined;
  /**
   * The highest fence this process has seen on this name (its reads and its own grants), 0 before any.
   * A new chain (the object was deleted) starts above it, so that fences keep growing in every process
   * that saw the old chain, whatever the server's clock says (see `firstFence`).
   */
  highestFence: bigint;
  readonly cleanups: Set<Promise<CleanupOutcome>>;
  /** Outcomes of clean-ups that finished since the last `settle`. */
  readonly finished: CleanupOutcome[];
}

const registry = new WeakMap<ObjectStore, Map<string, NameState>>();

export function nameStateFor(store: ObjectStore, bucket: string, object: string): NameState {
  let names = registry.get(store);
  if (!names) {
    names = new Map();
    registry.set(store, names);
  }
  const key = `${bucket}/${object}`;
  let state = names.get(key);
  if (!state) {
    state = { known: undefined, highestFence: 0n, cleanups: new Set(), finished: [] };
    names.set(key, state);
  }
  return state;
}

/** Records a fence seen on the name (read or granted): new chains start above the highest. */
export function noteFence(name: NameState, fence: bigint): void {
  if (fence > name.highestFence) name.highestFence = fence;
}
