import type { ObjectStore, StoredObject } from '../store/object-store.js';
import type { LockInfo } from '../core/lock-info.js';
import { formatLockUrl } from '../util/lock-url.js';
import { parseLockObject } from '../core/parse-lock.js';
import { META } from '../core/lock-object.js';
import { parseSemaphoreHeader, SEMAPHORE_KIND } from '../core/semaphore-header.js';

/**
 * One object found under a prefix: a lock with its holder, a free lock, a fair-mode waiter's ticket,
 * or something that is not a lock.
 *
 * @example
 * ```ts
 * for (const entry of await listLocks({ bucket: 'my-locks', prefix: 'jobs/', store })) {
 *   if (entry.state === 'not-a-lock') console.log(`${entry.name}: not a lock (${entry.problem})`);
 *   else if (entry.state === 'held' && entry.info?.expired) console.log(`${entry.name}: stale`);
 * }
 * ```
 */
export interface LockListEntry {
  /** The object's name in the bucket. */
  name: string;
  /** `gs://bucket/name`. */
  url: string;
  /**
   * - `held`: a lease (`info.expired` marks a stale one, which the next acquirer takes over);
   * - `free`: released (`info` describes its last holder; `info.token` is the last token granted);
   * - `waiting`: a fair-mode waiter's ticket (`info` describes the waiter);
   * - `semaphore`: a semaphore's header (`limit` says how many permits; each permit is a lock
   *   object of its own, `NAME.slots/N`, listed beside it);
   * - `not-a-lock`: an object gcs-lock did not write, or a damaged one (`problem` says why).
   */
  state: 'held' | 'free' | 'waiting' | 'semaphore' | 'not-a-lock';
  /** For a semaphore's header: its number of permits. */
  limit?: number;
  /** The holder (or last holder, or waiter), judged on the server's clock. */
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
 * Lists the locks under a prefix, across every page of the listing, in name order: held, free,
 * waiting (fair-mode tickets), semaphore headers, or not a lock; nothing is ever changed.
 *
 * Expiry is judged against the server's clock from the listing's own `Date` header (the first page's:
 * a long listing's later pages do not move the judgement forward), so it stays free of client clock
 * skew. Only when the server sends no `Date` at all does the local clock stand in.
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
  let serverTime: number | undefined;
  do {
    const page = await store.list(bucket, {
      prefix,
      ...(pageToken !== undefined && { pageToken }),
      ...(pageSize !== undefined && { maxResults: pageSize }),
      ...(signal !== undefined && { signal }),
    });
    objects.push(...page.items);
    serverTime ??= page.serverTime;
    pageToken = page.nextPageToken;
  } while (pageToken !== undefined);

  const now = serverTime ?? Date.now();
  return objects.map((object): LockListEntry => {
    const url = formatLockUrl(bucket, object.name);
    if (object.metadata[META.kind] === SEMAPHORE_KIND) {
      const header = parseSemaphoreHeader(object);
      if (header.ok) return { name: object.name, url, state: 'semaphore', limit: header.limit };
      return { name: object.name, url, state: 'not-a-lock', problem: header.problem };
    }
    const parsed = parseLockObject(url, object, now);
    if (!parsed.ok) return { name: object.name, url, state: 'not-a-lock', problem: parsed.problem };
    const { record } = parsed;
    const state = record.kind === 'ticket' ? 'waiting' : record.state === 'held' ? 'held' : 'free';
    return { name: object.name, url, state, info: record.info };
  });
}
