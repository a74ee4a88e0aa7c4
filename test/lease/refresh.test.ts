import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LockLostError } from '../../src/errors/lock-lost-error.js';
import { FaultPlan } from '../../src/server/fault-plan.js';
import { MemoryStore } from '../../src/testing/memory-store.js';
import {
  BUCKET,
  OBJECT,
  newLock,
  newStore,
  peer,
  seededRandom,
  types,
  useFakeClock,
} from '../helpers/memory-lock.js';

beforeEach(useFakeClock);
afterEach(() => vi.useRealTimers());

describe('refresh', () => {
  it('patches metadata pinned to generation and metageneration every refreshInterval', async () => {
    const store = newStore();
    const { lock, events } = newLock(store, { ttl: 60_000 });
    const lease = await lock.acquire();
    const created = store.engine.getObject(BUCKET, OBJECT);
    await vi.advanceTimersByTimeAsync(60_000);
    // The default refreshInterval is ttl / 4: four refreshes a ttl.
    expect(store.requests.patch).toBe(4);
    const refreshed = store.engine.getObject(BUCKET, OBJECT);
    expect(refreshed.generation).toBe(created.generation);
    expect(refreshed.metageneration).toBe(5n);
    expect(refreshed.updated).toBeGreaterThan(created.updated);
    expect(types(events).filter((type) => type === 'refreshed')).toHaveLength(4);
    expect(lease.lost).toBe(false);
    await lease.release();
  });

  it('keeps a lease whose refresh committed but whose response was lost (ambiguous patch)', async () => {
    const store = newStore();
    const { lock, events } = newLock(store, { ttl: 20_000 });
    const lease = await lock.acquire();
    store.faults.add({ kind: 'commit-then-drop', ops: ['patch'], count: 1 });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(lease.lost).toBe(false);
    expect(types(events)).not.toContain('lost');
    // The retry answered 412 and a read showed our own refresh count: the patch had committed.
    expect(types(events)).toContain('refresh-failed');
    expect(store.requests.get).toBe(2); // the cold acquire's read, and the re-read
    expect(await lease.release()).toBe(true);
  });

  it('declares the lease lost at once when the object is taken over by someone else', async () => {
    const store = newStore();
    const onLost = vi.fn();
    const { lock } = newLock(store, { ttl: 20_000, onLost });
    const lease = await lock.acquire();
    // An operator overwrites the lock object: a new generation that is not ours.
    store.engine.insertObject(BUCKET, OBJECT, {
      data: Buffer.from('{}'),
      metadata: { 'gcs-lock-version': '1', 'gcs-lock-owner': 'other', 'gcs-lock-ttl-ms': '20000' },
    });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(lease.signal.aborted).toBe(true);
    const reason = lease.signal.reason as LockLostError;
    expect(reason).toBeInstanceOf(LockLostError);
    expect(reason.reason).toBe('taken');
    expect(reason.token).toBe(lease.token);
    expect(onLost).toHaveBeenCalledTimes(1);
    expect(() => lease.throwIfLost()).toThrow(LockLostError);
    // Release of a lost lease touches nobody else's lock.
    expect(await lease.release()).toBe(false);
    expect(store.engine.getObject(BUCKET, OBJECT).metadata['gcs-lock-owner']).toBe('other');
  });

  it("does not count someone else's metadata patch as a refresh: it re-refreshes at once", async () => {
    const store = newStore();
    const { lock, events } = newLock(store, { ttl: 20_000 });
    const lease = await lock.acquire();
    const before = lease.remainingMs;
    // An operator labels the lock object just before the first refresh; every refresh after the one
    // that meets the label fails.
    store.engine.patchObject(BUCKET, OBJECT, { metadata: { team: 'data' } });
    store.faults.add({ kind: 'error', status: 503, ops: ['patch'], skip: 1 });
    await vi.advanceTimersByTimeAsync(5_100);
    // The refresh met the foreign change (412), re-read it, extended nothing, and tried again at once.
    expect(types(events)).not.toContain('refreshed');
    expect(store.requests.patch).toBeGreaterThanOrEqual(2);
    expect(lease.remainingMs).toBeLessThanOrEqual(before - 5_100);
    // So the lease ends at the deadline of the grant: 20 000 - 4 000 after acquiring.
    await vi.advanceTimersByTimeAsync(10_900);
    expect(lease.lost).toBe(true);
    store.faults.clear();
    await lease.release();
  });

  it('rides out a 429/503 storm on refresh without losing the lease', async () => {
    // Seeded, so the storm is the same every run: a third of refreshes answer 429.
    const store = new MemoryStore({ buckets: [BUCKET], faults: new FaultPlan({ random: seededRandom(7) }) });
    const { lock, events } = newLock(store, { ttl: 60_000 });
    const lease = await lock.acquire();
    const storm = store.faults.add({ kind: 'error', status: 429, ops: ['patch'], rate: 0.33 });
    store.faults.add({ kind: 'error', status: 503, ops: ['patch'], count: 3 });
    await vi.advanceTimersByTimeAsync(300_000);
    store.faults.remove(storm);
    expect(lease.lost).toBe(false);
    expect(types(events).filter((type) => type === 'refresh-failed').length).toBeGreaterThan(3);
    expect(types(events).filter((type) => type === 'refreshed').length).toBeGreaterThan(5);
    const failed = events.find((event) => event.type === 'refresh-failed');
    expect(failed).toMatchObject({
      error: { status: expect.any(Number) as number },
      retryInMs: expect.any(Number) as number,
    });
    await lease.release();
  });

  it('declares the lease lost before its deadline passes when no refresh succeeds, before anyone can take over', async () => {
    const store = newStore();
    const { lock } = newLock(store, { ttl: 10_000 });
    const lease = await lock.acquire();
    const acquiredAt = performance.now();
    let lostAt = 0;
    lease.signal.addEventListener('abort', () => (lostAt = performance.now()));
    store.faults.add({ kind: 'error', status: 503, ops: ['patch'] });
    const rival = newLock(peer(store), { ttl: 10_000, fair: false });
    const rivalLease = rival.lock.acquire();
    let rivalAt = 0;
    void rivalLease.then(() => (rivalAt = performance.now()));
    await vi.advanceTimersByTimeAsync(20_000);
    expect(lease.lost).toBe(true);
    expect((lease.signal.reason as LockLostError).reason).toBe('expired');
    // ttl - lossMargin (10 000 - 2 000) after the create was sent.
    expect(lostAt - acquiredAt).toBe(8_000);
    expect(rivalAt).toBeGreaterThan(lostAt);
    expect(rivalAt - acquiredAt).toBeGreaterThanOrEqual(10_000);
    store.faults.clear();
    await (await rivalLease).release();
  });

  it('declares a paused holder lost: a refresh answered only after the deadline extends nothing', async () => {
    const store = newStore();
    const { lock, events } = newLock(store, { ttl: 10_000 });
    const lease = await lock.acquire();
    // The first refresh goes out at 2.5 s and its answer takes 30 s to come back, as if the
    // process had been stopped while it travelled.
    store.faults.add({ kind: 'latency', ops: ['patch'], latencyMs: 30_000, count: 1 });
    await vi.advanceTimersByTimeAsync(8_000);
    expect(lease.lost).toBe(true);
    expect(types(events)).toContain('lost');
    await vi.advanceTimersByTimeAsync(30_000);
    expect(types(events).filter((type) => type === 'lost')).toHaveLength(1);
    expect(types(events)).not.toContain('refreshed');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('sees a passed deadline synchronously, before the timer gets to run', async () => {
    const store = newStore();
    const { lock } = newLock(store, { ttl: 10_000 });
    const lease = await lock.acquire();
    store.faults.add({ kind: 'error', status: 503, ops: ['patch'] });
    // Move the clocks without running any timer: a process resuming from SIGSTOP.
    vi.setSystemTime(Date.now() + 60_000);
    const clock = vi.spyOn(performance, 'now').mockReturnValue(performance.now() + 60_000);
    expect(lease.signal.aborted).toBe(true);
    expect(() => lease.throwIfLost()).toThrow(/no refresh succeeded/);
    clock.mockRestore();
  });
});

/**
 * A store whose patch answers only when the test says so, and ignores abort: the answer is already in
 * the socket buffer when the process resumes.
 */
function answeredOnDemand(): { store: MemoryStore; answer: { readonly pending: boolean; now: () => void } } {
  const store = newStore();
  let release: (() => void) | undefined;
  const patchMetadata = store.patchMetadata.bind(store);
  store.patchMetadata = (...args) =>
    new Promise((resolve, reject) => {
      release = () => {
        patchMetadata(args[0], args[1], args[2], { preconditions: args[3]!.preconditions! }).then(
          resolve,
          reject,
        );
      };
    });
  return {
    store,
    answer: {
      get pending() {
        return release !== undefined;
      },
      now: () => release?.(),
    },
  };
}

describe('refresh after a pause', () => {
  it('does not accept an answer processed after the deadline of the lease it was meant to extend', async () => {
    const { store, answer } = answeredOnDemand();
    const { lock, events } = newLock(store, { ttl: 10_000 });
    const lease = await lock.acquire();
    // The refresh goes out at 2.5 s. The process is suspended; it resumes at 8.5 s, past the grant's
    // deadline (8 s) but before the deadline the refresh would give (2.5 + 8 = 10.5 s). The answer is
    // in the socket: it committed at a moment we cannot know, perhaps after a waiter judged the lease
    // expired (at 10 s on the server) and just before its takeover. It must extend nothing.
    await vi.advanceTimersByTimeAsync(2_500);
    expect(answer.pending).toBe(true);
    vi.setSystemTime(Date.now() + 6_000);
    answer.now();
    for (let i = 0; i < 10; i++) await Promise.resolve();
    expect(types(events)).not.toContain('refreshed');
    expect(lease.lost).toBe(true);
  });

  it('does not extend the lease with an answer processed after the deadline', async () => {
    const { store, answer } = answeredOnDemand();
    const { lock, events } = newLock(store, { ttl: 10_000 });
    const lease = await lock.acquire();
    await vi.advanceTimersByTimeAsync(2_500);
    expect(answer.pending).toBe(true);
    const clock = vi.spyOn(performance, 'now').mockReturnValue(performance.now() + 60_000);
    answer.now();
    for (let i = 0; i < 10; i++) await Promise.resolve();
    expect(types(events)).not.toContain('refreshed');
    expect(types(events)).toContain('lost');
    expect(lease.lost).toBe(true);
    clock.mockRestore();
  });
});
