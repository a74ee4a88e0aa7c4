import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { META } from '../../src/core/lock-object.js';
import { StorageError } from '../../src/errors/storage-error.js';
import { takeTicket } from '../../src/lease/ticket.js';
import { breakLock } from '../../src/lock/break-lock.js';
import { monotonicNow } from '../../src/util/clock.js';
import {
  BUCKET,
  OBJECT,
  lockContext,
  newLock,
  newStore,
  peer,
  types,
  useFakeClock,
} from '../helpers/memory-lock.js';

beforeEach(useFakeClock);
afterEach(() => vi.useRealTimers());

const record = (store: ReturnType<typeof newStore>) => store.engine.getObject(BUCKET, OBJECT);

describe('release', () => {
  it('waits for a refresh in flight, then marks the lock released: no false loss, no timer left', async () => {
    const store = newStore();
    const { lock, events } = newLock(store, { ttl: 20_000 });
    const lease = await lock.acquire();
    store.faults.add({ kind: 'latency', ops: ['patch'], latencyMs: 1_000, count: 1 });
    // The refresh goes out at 5 s and answers at 6 s; release is called in between.
    await vi.advanceTimersByTimeAsync(5_500);
    expect(store.requests.patch).toBe(1);
    const releasing = lease.release();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await releasing).toBe(true);
    expect(types(events)).toEqual(['acquired', 'refreshed', 'released']);
    // The object stays, released: it carries the fence for the next grant.
    expect(record(store).metadata[META.state]).toBe('released');
    expect(record(store).metadata[META.fence]).toBe(lease.token);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(store.requests.patch).toBe(2);
  });

  it('retries a transient failure of the release', async () => {
    const store = newStore();
    const { lock } = newLock(store);
    const lease = await lock.acquire();
    store.faults.add({ kind: 'error', ops: ['patch'], status: 503, count: 2 });
    const releasing = lease.release();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(await releasing).toBe(true);
    expect(store.requests.patch).toBe(3);
  });

  it('resolves a release whose answer was lost as a release, by re-reading', async () => {
    const store = newStore();
    const { lock } = newLock(store);
    const lease = await lock.acquire();
    store.faults.add({ kind: 'commit-then-drop', ops: ['patch'], count: 1 });
    const releasing = lease.release();
    await vi.advanceTimersByTimeAsync(5_000);
    // The retry answered 412; the re-read showed our owner token, released: ours committed.
    await expect(releasing).resolves.toBe(true);
    expect(record(store).metadata[META.state]).toBe('released');
  });

  it("adopts someone else's metadata patch and releases anyway", async () => {
    const store = newStore();
    const { lock } = newLock(store);
    const lease = await lock.acquire();
    store.engine.patchObject(BUCKET, OBJECT, { metadata: { team: 'data' } });
    expect(await lease.release()).toBe(true);
    expect(record(store).metadata).toMatchObject({ [META.state]: 'released', team: 'data' });
  });

  it('deletes a fair-mode ticket whose lease expired, never marks it released (a waiter behind it would wait on it)', async () => {
    // Found by the torture harness: a ticket lost by expiry was patched `released`; the waiter behind
    // it, polling it as its predecessor, never judged it gone, and the queue stalled until timeouts.
    const store = newStore();
    const ticket = await takeTicket(lockContext(store, { ttl: 10_000 }), monotonicNow() + 10_000, undefined);
    store.faults.add({ kind: 'error', ops: ['patch'], status: 503 });
    await vi.advanceTimersByTimeAsync(15_000);
    expect(ticket.lease.lost).toBe(true);
    store.faults.clear();
    expect(await ticket.lease.release()).toBe(false);
    await vi.advanceTimersByTimeAsync(1_000); // the background clean-up of an expired lease
    expect(store.engine.findObject(BUCKET, ticket.name)).toBeUndefined();
  });

  it('reports, not throws, a lease that was already gone, and never touches the successor', async () => {
    const store = newStore();
    const { lock, events } = newLock(store, { ttl: 10_000 });
    const lease = await lock.acquire();
    store.faults.add({ kind: 'error', ops: ['patch'], status: 503 });
    const successor = newLock(peer(store), { ttl: 10_000, fair: false }).lock.acquire();
    await vi.advanceTimersByTimeAsync(15_000);
    const next = await successor;
    expect(lease.lost).toBe(true);
    store.faults.clear();
    expect(await lease.release()).toBe(false);
    expect(events.at(-1)).toMatchObject({ type: 'released', alreadyLost: true });
    expect(record(store).generation.toString()).toBe(next.generation);
    expect(record(store).metadata[META.state]).toBe('held');
    await next.release();
  });

  it('a lease broken by an operator is gone: release says so and changes nothing', async () => {
    const store = newStore();
    const { lock } = newLock(store, { ttl: 10_000 });
    const lease = await lock.acquire();
    expect(
      await breakLock({ bucket: BUCKET, object: OBJECT, token: lease.token, store, force: true }),
    ).toMatchObject({
      status: 'broken',
    });
    const broken = record(store);
    expect(await lease.release()).toBe(false);
    expect(record(store).metageneration).toBe(broken.metageneration);
  });

  it('marks its own expired object released when nobody took it over', async () => {
    const store = newStore();
    const { lock } = newLock(store, { ttl: 10_000 });
    const lease = await lock.acquire();
    store.faults.add({ kind: 'error', ops: ['patch'], status: 503 });
    await vi.advanceTimersByTimeAsync(9_000);
    expect(lease.lost).toBe(true);
    store.faults.clear();
    expect(await lease.release()).toBe(false);
    await vi.advanceTimersByTimeAsync(0); // the courtesy release runs in the background
    expect(record(store).metadata[META.state]).toBe('released');
  });

  it('returns at once for a lease lost by expiry, even during an outage: its deadline has passed', async () => {
    const store = newStore();
    const { lock } = newLock(store, { ttl: 10_000 });
    const lease = await lock.acquire();
    store.faults.add({ kind: 'stall', ops: ['patch'], stallMs: 60_000 });
    await vi.advanceTimersByTimeAsync(9_000);
    expect(lease.lost).toBe(true);
    let settled = false;
    const releasing = lease.release().then((released) => ((settled = true), released));
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toBe(true);
    expect(await releasing).toBe(false);
    store.faults.clear();
  });

  it('gives up within its bound during an outage, says the lock is left to expire, and stops', async () => {
    const store = newStore();
    const { lock, events } = newLock(store, { ttl: 60_000 });
    const lease = await lock.acquire();
    store.faults.add({ kind: 'error', ops: ['patch'], status: 503 });
    let settled = false;
    const releasing = lease.release().finally(() => (settled = true));
    releasing.catch(() => undefined);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(settled).toBe(true);
    const error = await releasing.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).message).toMatch(/left to expire in \d+ s/);
    expect(events.at(-1)).toMatchObject({
      type: 'release-failed',
      expiresInMs: expect.any(Number) as number,
    });
    expect(lease.signal.aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects with the StorageError on a 403, once, and stops refreshing', async () => {
    const store = newStore();
    const { lock } = newLock(store);
    const lease = await lock.acquire();
    store.faults.add({ kind: 'error', ops: ['patch'], status: 403 });
    const error = await lease.release().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).status).toBe(403);
    expect(store.requests.patch).toBe(1);
    await expect(lease.release()).rejects.toBe(error);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(store.requests.patch).toBe(1);
  });

  it('aborts the signal on release with an AbortError, not a LockLostError', async () => {
    const store = newStore();
    const { lock } = newLock(store);
    const lease = await lock.acquire();
    const signal = lease.signal;
    await lease.release();
    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).name).toBe('AbortError');
    expect(lease.lost).toBe(false);
    expect(lease.released).toBe(true);
  });
});
