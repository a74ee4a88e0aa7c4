import type { ObjectStore, StoredObject } from '../store/object-store.js';
import type { LockInfo } from '../core/lock-info.js';
import { formatLockUrl } from '../util/lock-url.js';
import { parseLockObject } from '../core/lock-object.js';

/**
 * One object found under a prefix: a lock with its holder, or something that is not a lock.
 *
 * @example
 * ```ts
 * for (const entry of await listLocks({ bucket: 'my-locks', prefix: 'jobs/', store })) {
 *   if (entry.problem) console.log(`${entry.name}: not a lock (${entry.problem})`);
 *   else if (entry.info?.expired) console.log(`${entry.name}: stale`);
 * }
 * ```
 */
export interface LockListEntry {
  /** The object's name in the bucket. */
  name: string;
  /** `gs://bucket/name`. */
  url: string;
  /** The lock's holder and expiry, when the object is a gcs-lock lock object. `info.expired` marks a stale lock. */
  info?: LockInfo;
  /** What is wrong with it, when the object is not a gcs-lock lock object (written by someone else, or damaged). */
  problem?: string;
}

/**
 * What `listLocks` needs: where to look, and the storage to ask.
 *
 * @example
 * ```ts
 * const options: ListLocksOptions = { bucket: 'my-locks', prefix: 'jobs/', store: new GcsStore() };
 * const entries = await listLocks(options);
 * ```
 */
export interface ListLocksOptions {
  bucket: string;
  /** Only objects whose names start with this. @default '' (the whole bucket) */
  prefix?: string;
  store: ObjectStore;
  /** Objects per listing request. @default 1000 (GCS's maximum) */
  pageSize?: number;
  signal?: AbortSignal;
}

/**
 * Lists the locks under a prefix, across every page of the listing, in name order. Each entry is
 * either a lock (`info`, with `info.expired` set for a stale one) or a foreign or damaged object
 * (`problem`); nothing is ever changed.
 *
 * A listing response has no `Date` header worth trusting for expiry, so after listing, one metadata
 * GET of the first object reads the server's clock, and every entry is judged against it: expiry stays
 * free of client clock skew, at the cost of one extra (cheap, class B) request. Only when the server
 * sends no `Date` at all does the local clock stand in.
 *
 * @example
 * ```ts
 * for (const entry of await listLocks({ bucket: 'my-locks', prefix: 'jobs/', store })) {
 *   console.log(entry.name, entry.info?.expired ? 'stale' : entry.problem ?? 'held');
 * }
 * ```
 */
export async function listLocks(options: ListLocksOptions): Promise<LockListEntry[]> {
  const { bucket, prefix = '', store, pageSize, signal } = options;
  const objects: StoredObject[] = [];
  let pageToken: string | undefined;
  do {
    const page = await store.list(bucket, {
      prefix,
      ...(pageToken !== undefined && { pageToken }),
      ...(pageSize !== undefined && { maxResults: pageSize }),
      ...(signal !== undefined && { signal }),
    });
    objects.push(...page.items);
    pageToken = page.nextPageToken;
  } while (pageToken !== undefined);

  const first = objects[0];
  if (first === undefined) return [];
  const { serverTime } = await store.get(bucket, first.name, signal ? { signal } : {});
  const now = serverTime ?? Date.now();

  return objects.map((object): LockListEntry => {
    const url = formatLockUrl(bucket, object.name);
    const parsed = parseLockObject(url, object, now);
    return parsed.ok
      ? { name: object.name, url, info: parsed.lock.info }
      : { name: object.name, url, problem: parsed.problem };
  });
}
