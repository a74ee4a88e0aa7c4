import type { LockContext } from '../core/context.js';
import { parseLockObject } from '../core/parse-lock.js';
import { retryTransient } from '../core/retry.js';
import { slotName, slotOf, slotPrefix } from '../core/semaphore-header.js';
import { openContext } from '../core/target.js';
import { MalformedLockError } from '../errors/malformed-lock-error.js';
import type { StoredObject } from '../store/object-store.js';
import { monotonicNow } from '../util/clock.js';
import { noteFence } from '../core/name-state.js';
import { formatLockUrl } from '../util/lock-url.js';
import { observe, retryReporter, type Observation } from '../lease/observe.js';

/**
 * A semaphore's permits: `limit` slot objects beside its header, each a lock object of its own with
 * its own generation, fence chain and write budget, so that holders of different permits never
 * write to the same object.
 */
export class Slots {
  /** The semaphore's own context (its header object): its URL names it in events and errors. */
  readonly semaphore: LockContext;
  readonly limit: number;
  readonly readWith: 'get' | 'list';
  readonly #contexts: LockContext[] = [];

  constructor(semaphore: LockContext, limit: number, readWith: 'get' | 'list') {
    this.semaphore = semaphore;
    this.limit = limit;
    this.readWith = readWith;
  }

  /** The context of one slot: its own lock object, with the semaphore's options. */
  context(slot: number): LockContext {
    let ctx = this.#contexts[slot];
    if (!ctx) {
      const { bucket, object, store, options } = this.semaphore;
      const name = slotName(object, slot);
      ctx = openContext({ bucket, object: name, url: formatLockUrl(bucket, name) }, options, store);
      this.#contexts[slot] = ctx;
    }
    return ctx;
  }

  /**
   * Reads every slot: one GET each, all at once (the default up to 12 permits), or one LIST of
   * the slots' prefix (above; a LIST costs a Class A operation, about 12.5 GETs). Either way each slot
   * comes back as an observation, judged on the server's clock of its own response.
   */
  async read(until: number, signal: AbortSignal | undefined): Promise<Observation[]> {
    if (this.readWith === 'get') {
      return Promise.all(
        Array.from({ length: this.limit }, (_, slot) => observe(this.context(slot), until, signal)),
      );
    }
    return this.#list(until, signal);
  }

  async #list(until: number, signal: AbortSignal | undefined): Promise<Observation[]> {
    const { bucket, object, store } = this.semaphore;
    const found: Array<{ item: StoredObject; serverTime: number | undefined } | undefined> = [];
    let pageToken: string | undefined;
    let serverTime: number | undefined;
    // Staleness counts to when the listing was sent (observe.ts): its answer may arrive late.
    const sentAt = monotonicNow();
    do {
      const token = pageToken;
      const page = await retryTransient(
        () =>
          store.list(bucket, {
            prefix: slotPrefix(object),
            ...(token !== undefined && { pageToken: token }),
            ...(signal !== undefined && { signal }),
          }),
        { until, signal, onRetry: retryReporter(this.semaphore, `LIST ${this.semaphore.url}`) },
      );
      for (const item of page.items) {
        const slot = slotOf(object, item.name, this.limit);
        if (slot !== undefined) found[slot] = { item, serverTime: page.serverTime };
      }
      serverTime ??= page.serverTime;
      pageToken = page.nextPageToken;
    } while (pageToken !== undefined);
    const observedAt = monotonicNow();
    return Array.from({ length: this.limit }, (_, slot): Observation => {
      const entry = found[slot];
      if (!entry) return { state: 'absent', serverTime };
      const { url, name } = this.context(slot);
      const parsed = parseLockObject(url, entry.item, entry.serverTime);
      if (!parsed.ok) throw new MalformedLockError(url, entry.item.generation, parsed.problem);
      if (parsed.record.kind !== 'lock') {
        throw new MalformedLockError(
          url,
          entry.item.generation,
          `it is a fair-mode waiter's ticket, not a lock`,
        );
      }
      noteFence(name, parsed.record.fence);
      return { state: 'found', record: parsed.record, sentAt, observedAt, serverTime: entry.serverTime };
    });
  }
}
