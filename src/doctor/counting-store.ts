import type { ObjectStore } from '../store/object-store.js';

/** Requests by operation. */
export interface RequestCounts {
  insert: number;
  get: number;
  patch: number;
  delete: number;
  list: number;
}

/**
 * The store with every object request counted (retries included): how the doctor reports what an
 * acquire, a refresh and a release cost.
 */
export function countingStore(store: ObjectStore): { store: ObjectStore; counts: RequestCounts } {
  const counts: RequestCounts = { insert: 0, get: 0, patch: 0, delete: 0, list: 0 };
  const counted: ObjectStore = {
    writeInterval: store.writeInterval,
    insert: (...args) => ((counts.insert += 1), store.insert(...args)),
    get: (...args) => ((counts.get += 1), store.get(...args)),
    patchMetadata: (...args) => ((counts.patch += 1), store.patchMetadata(...args)),
    delete: (...args) => ((counts.delete += 1), store.delete(...args)),
    list: (...args) => ((counts.list += 1), store.list(...args)),
  };
  return { store: counted, counts };
}

/** `1 GET, 2 inserts, 3 patches`: the non-zero counts. */
export function describeCounts(counts: RequestCounts): string {
  const names: Record<keyof RequestCounts, [string, string]> = {
    get: ['GET', 'GETs'],
    insert: ['insert', 'inserts'],
    patch: ['patch', 'patches'],
    delete: ['delete', 'deletes'],
    list: ['list', 'lists'],
  };
  const parts = (Object.keys(names) as Array<keyof RequestCounts>)
    .filter((key) => counts[key] > 0)
    .map((key) => `${counts[key]} ${names[key][counts[key] === 1 ? 0 : 1]}`);
  return parts.join(', ') || 'no requests';
}

/** All requests counted. */
export function totalOf(counts: RequestCounts): number {
  return counts.insert + counts.get + counts.patch + counts.delete + counts.list;
}
