import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StorageError } from '../../src/errors/storage-error.js';
import { takeTicket } from '../../src/lease/ticket.js';
import { monotonicNow } from '../../src/util/clock.js';
import { BUCKET, lockContext, newLock, newStore, peer, useFakeClock } from '../helpers/memory-lock.js';

beforeEach(useFakeClock);
afterEach(() => vi.useRealTimers());

describe('takeTicket', () => {
  it('tries again after a back-off when storage answers 429, within the wait', async () => {
    // Found by the torture harness: a 429 on the ticket's insert failed the whole acquire with
    // "refused although its name is new".
    const store = newStore();
    store.faults.add({ kind: 'error', status: 429, ops: ['insert'], count: 2 });
    const taking = takeTicket(lockContext(store), monotonicNow() + 30_000, undefined);
    await vi.advanceTimersByTimeAsync(5_000);
    const ticket = await taking;
    expect(ticket.name).toMatch(/\.queue\/[0-9a-f-]{36}$/);
    expect(store.engine.findObject(BUCKET, ticket.name)?.metadata['gcs-lock-kind']).toBe('ticket');
    expect(await ticket.lease.release()).toBe(true);
  });

  it('takes a ticket whose insert committed but whose answer was lost: one ticket, ours', async () => {
    // The retried insert meets 412 on a name nobody else can know: the re-read finds our owner token.
    const store = newStore();
    store.faults.add({ kind: 'commit-then-drop', ops: ['insert'], count: 1 });
    const taking = takeTicket(lockContext(store), monotonicNow() + 30_000, undefined);
    await vi.advanceTimersByTimeAsync(5_000);
    const ticket = await taking;
    const tickets = store.engine.listObjects(BUCKET, { prefix: ticket.name.replace(/[^/]+$/, '') }).items;
    expect(tickets.map((object) => object.name)).toEqual([ticket.name]);
    expect(ticket.lease.lost).toBe(false);
    expect(await ticket.lease.release()).toBe(true);
    expect(store.engine.findObject(BUCKET, ticket.name)).toBeUndefined();
  });

  it('gives up with a StorageError 429 once the wait has run out', async () => {
    const store = newStore();
    store.faults.add({ kind: 'error', status: 429, ops: ['insert'] });
    const taking = takeTicket(lockContext(store), monotonicNow() + 3_000, undefined);
    const outcome = taking.catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(5_000);
    const error = await outcome;
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).status).toBe(429);
  });

  it('a fair waiter whose ticket insert is rate limited still gets the lock', async () => {
    const store = newStore();
    const holder = await newLock(store).lock.acquire();
    const other = peer(store); // another process: its own connection, and its own faults
    other.faults.add({ kind: 'error', status: 429, ops: ['insert'], count: 2 });
    const { lock, events } = newLock(other, { fair: true });
    const waiting = lock.acquire({ timeout: 60_000 });
    const settled = waiting.then(
      (lease) => lease,
      (error: unknown) => error,
    );
    await vi.advanceTimersByTimeAsync(5_000);
    expect(events.filter((event) => event.type === 'queued')).not.toEqual([]); // it waits in the queue
    await holder.release();
    await vi.advanceTimersByTimeAsync(5_000);
    const lease = await settled;
    // Before the fix: Error("ticket ... was refused although its name is new").
    expect(lease).not.toBeInstanceOf(Error);
    await (lease as Awaited<typeof waiting>).release();
  });
});
