import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { newLock, newStore, useFakeClock } from '../helpers/memory-lock.js';

beforeEach(useFakeClock);
afterEach(() => vi.useRealTimers());

describe('Lease', () => {
  it('reports the time left before it would be declared lost, and 0 once released', async () => {
    const store = newStore();
    const { lock } = newLock(store, { ttl: 10_000 });
    const lease = await lock.acquire();
    expect(lease.remainingMs).toBe(8_000);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(lease.remainingMs).toBe(7_000);
    await vi.advanceTimersByTimeAsync(2_000);
    // Refreshed at 2.5 s: the deadline moved to 10.5 s.
    expect(lease.remainingMs).toBe(7_500);
    expect(lease.released).toBe(false);
    await lease.release();
    expect(lease.released).toBe(true);
    expect(lease.remainingMs).toBe(0);
    expect(() => lease.throwIfLost()).not.toThrow();
  });

  it('exposes the fencing token as the decimal generation of its lock object', async () => {
    const store = newStore();
    const { lock } = newLock(store);
    const lease = await lock.acquire();
    expect(lease.token).toMatch(/^\d+$/);
    expect(lease.token).toBe(store.engine.listObjects('locks').items[0]!.generation.toString());
    await lease.release();
  });
});
