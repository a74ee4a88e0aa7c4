import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LockLostError } from '../../src/errors/lock-lost-error.js';
import { BUCKET, OBJECT, newLock, newStore, types, useFakeClock } from '../helpers/memory-lock.js';

beforeEach(useFakeClock);
afterEach(() => vi.useRealTimers());

describe('declaring a lease lost', () => {
  it('happens once, and a throwing onLost or onEvent cannot break the lock', async () => {
    const store = newStore();
    const onLost = vi.fn(() => {
      throw new Error('listener bug');
    });
    const { lock, events } = newLock(store, {
      ttl: 10_000,
      onLost,
      onEvent: () => {
        throw new Error('listener bug');
      },
    });
    const lease = await lock.acquire();
    store.engine.deleteObject(BUCKET, OBJECT);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(onLost).toHaveBeenCalledTimes(1);
    expect(onLost.mock.calls[0]).toEqual([expect.any(LockLostError), { url: lease.url, token: lease.token }]);
    expect(types(events).filter((type) => type === 'lost')).toHaveLength(1);
    expect(lease.signal.reason).toBeInstanceOf(LockLostError);
    // A later acquire by the same Lock works: loss is per lease, not per lock.
    const next = await lock.acquire();
    expect(next.token).not.toBe(lease.token);
    await next.release();
  });

  it('never puts the owner token into events, errors or the debug log', async () => {
    const lines: string[] = [];
    vi.stubEnv('GCS_LOCK_DEBUG', '1');
    const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      const store = newStore();
      const { lock, events } = newLock(store, { ttl: 10_000 });
      const lease = await lock.acquire();
      const ownerToken = store.engine.getObject(BUCKET, OBJECT).metadata['gcs-lock-owner']!;
      expect(ownerToken.length).toBeGreaterThan(10);
      const rival = newLock(store, { ttl: 10_000 }).lock;
      const held = await rival.acquire({ timeout: 0 }).catch((error: unknown) => error);
      store.faults.add({ kind: 'error', status: 503, ops: ['patch'], count: 2 });
      await vi.advanceTimersByTimeAsync(5_000);
      store.engine.deleteObject(BUCKET, OBJECT);
      await vi.advanceTimersByTimeAsync(10_000);
      await lease.release();
      expect(types(events)).toEqual(
        expect.arrayContaining(['acquired', 'refresh-failed', 'refreshed', 'lost', 'released']),
      );
      expect(lines.length).toBeGreaterThan(3);
      const everything = [
        JSON.stringify(events),
        String(held),
        JSON.stringify(held),
        lines.join(''),
        String(lease.signal.reason),
      ];
      for (const text of everything) expect(text).not.toContain(ownerToken);
    } finally {
      write.mockRestore();
      vi.unstubAllEnvs();
    }
  });
});
