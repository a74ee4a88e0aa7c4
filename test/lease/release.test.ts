import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StorageError } from '../../src/errors/storage-error.js';
import { BUCKET, OBJECT, newLock, newStore, types, useFakeClock } from '../helpers/memory-lock.js';

beforeEach(useFakeClock);
afterEach(() => vi.useRealTimers());

describe('release', () => {
  it('waits for a refresh in flight, then deletes: no false loss, no timer left', async () => {
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
    expect(store.engine.listObjects(BUCKET).items).toHaveLength(0);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(store.requests.patch).toBe(1);
  });

  it('retries a transient failure of the delete', async () => {
    const store = newStore();
    const { lock } = newLock(store);
    const lease = await lock.acquire();
    store.faults.add({ kind: 'error', ops: ['delete'], status: 503, count: 2 });
    const releasing = lease.release();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(await releasing).toBe(true);
    expect(store.requests.delete).toBe(3);
  });

  it('resolves a delete whose response was lost', async () => {
    const store = newStore();
    const { lock } = newLock(store);
    const lease = await lock.acquire();
    store.faults.add({ kind: 'commit-then-drop', ops: ['delete'], count: 1 });
    const releasing = lease.release();
    await vi.advanceTimersByTimeAsync(5_000);
    // The retry answered 404: the lease is gone either way, and nothing else was touched.
    await expect(releasing).resolves.toBe(false);
    expect(store.engine.listObjects(BUCKET).items).toHaveLength(0);
  });

  it('reports, not throws, a lease that was already gone, and never deletes the successor', async () => {
    const store = newStore();
    const { lock, events } = newLock(store, { ttl: 10_000 });
    const lease = await lock.acquire();
    store.faults.add({ kind: 'error', ops: ['patch'], status: 503 });
    const successor = newLock(store, { ttl: 10_000 }).lock.acquire();
    await vi.advanceTimersByTimeAsync(15_000);
    const next = await successor;
    expect(lease.lost).toBe(true);
    expect(await lease.release()).toBe(false);
    expect(events.at(-1)).toMatchObject({ type: 'released', alreadyLost: true });
    expect(store.engine.getObject(BUCKET, OBJECT).generation.toString()).toBe(next.token);
    store.faults.clear();
    await next.release();
  });

  it('deletes its own expired object on release when nobody took it over', async () => {
    const store = newStore();
    const { lock } = newLock(store, { ttl: 10_000 });
    const lease = await lock.acquire();
    store.faults.add({ kind: 'error', ops: ['patch'], status: 503 });
    await vi.advanceTimersByTimeAsync(9_000);
    expect(lease.lost).toBe(true);
    expect(await lease.release()).toBe(false);
    expect(store.engine.listObjects(BUCKET).items).toHaveLength(0);
  });

  it('rejects with the StorageError on a 403, once, and stops refreshing', async () => {
    const store = newStore();
    const { lock } = newLock(store);
    const lease = await lock.acquire();
    store.faults.add({ kind: 'error', ops: ['delete'], status: 403 });
    const error = await lease.release().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).status).toBe(403);
    expect(store.requests.delete).toBe(1);
    await expect(lease.release()).rejects.toBe(error);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(store.requests.patch).toBe(0);
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
