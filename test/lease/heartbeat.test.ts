import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BUCKET, newLock, newStore, types, useFakeClock } from '../helpers/memory-lock.js';

beforeEach(useFakeClock);
afterEach(() => vi.useRealTimers());

describe('heartbeat', () => {
  it('declares loss at the deadline even when a refresh never answers and ignores its abort', async () => {
    const store = newStore();
    const { lock, events } = newLock(store, { ttl: 10_000 });
    const lease = await lock.acquire();
    const hang = vi.spyOn(store, 'patchMetadata').mockImplementation(() => new Promise(() => {}));
    await vi.advanceTimersByTimeAsync(7_999);
    expect(lease.lost).toBe(false);
    expect(hang).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(lease.lost).toBe(true);
    expect(types(events)).toEqual(['acquired', 'lost']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('starts no second refresh while one is in flight', async () => {
    const store = newStore();
    const { lock } = newLock(store, { ttl: 60_000, refreshInterval: 1_000, requestTimeout: 30_000 });
    const lease = await lock.acquire();
    store.faults.add({ kind: 'latency', ops: ['patch'], latencyMs: 20_000, count: 1 });
    await vi.advanceTimersByTimeAsync(15_000);
    expect(store.requests.patch).toBe(1);
    await vi.advanceTimersByTimeAsync(7_000);
    expect(store.requests.patch).toBeGreaterThan(1);
    expect(lease.lost).toBe(false);
    await lease.release();
  });

  it('refreshes on the holder clock, whatever the server clock says', async () => {
    const store = newStore();
    store.engine.clockOffsetMs = -3_600_000;
    const { lock } = newLock(store, { ttl: 10_000 });
    const lease = await lock.acquire();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(store.requests.patch).toBe(12);
    expect(lease.lost).toBe(false);
    expect(store.engine.listObjects(BUCKET).items).toHaveLength(1);
    await lease.release();
  });
});
