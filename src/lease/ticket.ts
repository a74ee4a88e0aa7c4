import { randomUUID } from 'node:crypto';
import { createContext, type LockContext } from '../core/context.js';
import { nameStateFor } from '../core/name-state.js';
import { parseLockObject, type LockRecord } from '../core/parse-lock.js';
import { retryTransient } from '../core/retry.js';
import { StorageError } from '../errors/storage-error.js';
import { backoffDelay } from '../util/backoff.js';
import { monotonicNow, sleep } from '../util/clock.js';
import { formatLockUrl } from '../util/lock-url.js';
import { attemptGrant } from './attempt.js';
import { Lease } from './lease.js';
import { retryReporter } from './observe.js';

/** Where a lock's fair-mode queue lives: tickets named `<lock>.queue/<random>`, next to the lock. */
export function queuePrefix(object: string): string {
  return `${object}.queue/`;
}

/** Our own place in the queue: the ticket's object name and the lease that keeps it. */
export interface Ticket {
  name: string;
  lease: Lease;
}

/** A ticket as listed: a waiter's place in the queue. */
export interface QueueEntry {
  name: string;
  record: LockRecord;
  timeCreated: number;
}

/** The queue in arrival order (the server's `timeCreated`, then the name): live and expired tickets. */
export interface Queue {
  live: QueueEntry[];
  expired: QueueEntry[];
}

/**
 * The context of a ticket: the lock's store, options and bucket, the ticket's own object, and no
 * listener (a ticket's refreshes are not the lock's events).
 */
export function ticketContext(ctx: LockContext, name: string): LockContext {
  return createContext({
    store: ctx.store,
    bucket: ctx.bucket,
    object: name,
    url: formatLockUrl(ctx.bucket, name),
    options: { ...ctx.options, onEvent: undefined, onLost: undefined },
    debug: ctx.debug,
    name: nameStateFor(ctx.store, ctx.bucket, name),
    kind: 'ticket',
  });
}

/**
 * Takes a place in the queue: one insert of a new ticket (`ifGenerationMatch=0` on a fresh random
 * name), which is then a lease of its own: refreshed by the same heartbeat as a lock, so that a
 * crashed waiter's ticket expires after one ttl; deleted when the wait ends.
 */
export async function takeTicket(
  ctx: LockContext,
  until: number,
  signal: AbortSignal | undefined,
): Promise<Ticket> {
  const name = `${queuePrefix(ctx.object)}${randomUUID()}`;
  const ticketCtx = ticketContext(ctx, name);
  for (let attempt = 0; ; attempt++) {
    const result = await attemptGrant(
      ticketCtx,
      { ifGenerationMatch: '0', fence: 1n, queued: false, previous: undefined },
      until,
      signal,
    );
    if ('granted' in result)
      return { name, lease: new Lease(ticketCtx, result.granted, { endBy: 'delete' }) };
    // A fresh random name cannot be taken by anyone else: a 412 means our own earlier send committed,
    // which `attemptGrant` recognised by the owner token. What is left is a 429 (storage's rate limit,
    // which `attemptGrant` leaves to its caller, as contention): try again after a back-off, within the
    // wait's deadline. (Found by the torture harness: a 429 fault on the ticket's insert failed the
    // whole acquire with "refused although its name is new", and the lock waited for nobody.)
    if (!result.rateLimited) throw new Error(`ticket ${name} was refused although its name is new`);
    const delay = backoffDelay(attempt, ctx.options.pollInitial, ctx.options.pollMax);
    if (monotonicNow() + delay >= until) {
      throw new StorageError(`POST ${ticketCtx.url}`, 429, 'rate limited until the wait ran out', {
        reason: 'rateLimitExceeded',
      });
    }
    await sleep(delay, signal);
  }
}

/** One LIST of the queue (one request per 1000 tickets). */
export async function readQueue(
  ctx: LockContext,
  until: number,
  signal: AbortSignal | undefined,
): Promise<Queue> {
  const prefix = queuePrefix(ctx.object);
  const entries: Array<QueueEntry & { expired: boolean }> = [];
  let pageToken: string | undefined;
  do {
    const page = await retryTransient(
      () =>
        ctx.store.list(ctx.bucket, {
          prefix,
          ...(pageToken !== undefined && { pageToken }),
          ...(signal !== undefined && { signal }),
        }),
      { until, signal, onRetry: retryReporter(ctx, `GET ${formatLockUrl(ctx.bucket, prefix)}`) },
    );
    for (const object of page.items) {
      const parsed = parseLockObject(formatLockUrl(ctx.bucket, object.name), object, page.serverTime);
      // Only tickets count; anything else under the prefix is not ours to judge or touch.
      if (!parsed.ok || parsed.record.kind !== 'ticket' || parsed.record.state !== 'held') continue;
      entries.push({
        name: object.name,
        record: parsed.record,
        timeCreated: object.timeCreated,
        expired: parsed.record.info.expired,
      });
    }
    pageToken = page.nextPageToken;
  } while (pageToken !== undefined);
  entries.sort((a, b) => a.timeCreated - b.timeCreated || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    live: entries.filter((entry) => !entry.expired),
    expired: entries.filter((entry) => entry.expired),
  };
}

/**
 * Deletes tickets that expired (their waiters crashed), pinned to their generation, so that the queue
 * does not collect litter. Best effort and in the background: a failure leaves litter, never harm.
 */
export function sweep(ctx: LockContext, expired: readonly QueueEntry[]): void {
  for (const entry of expired.slice(0, 2)) {
    void ctx.store
      .delete(ctx.bucket, entry.name, { preconditions: { ifGenerationMatch: entry.record.generation } })
      .catch(() => undefined);
  }
}
