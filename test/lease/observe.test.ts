import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Observation } from '../../src/lease/observe.js';
import { StalenessTracker } from '../../src/lease/observe.js';
import type { ParsedLock } from '../../src/core/lock-object.js';
import { useFakeClock } from '../helpers/memory-lock.js';

beforeEach(useFakeClock);
afterEach(() => vi.useRealTimers());

function held(metageneration: string, expiresInMs: number, ttl = 10_000): Observation {
  const lock = {
    generation: '100',
    metageneration,
    ownerToken: 'x',
    refreshCount: 0,
    info: { ttl, expiresInMs, expired: expiresInMs < 0 },
  } as unknown as ParsedLock;
  return { state: 'held', lock, observedAt: performance.now() };
}

describe('StalenessTracker', () => {
  it('trusts the server clock when it says expired', () => {
    const tracker = new StalenessTracker();
    const observation = held('1', -1);
    tracker.see(observation);
    expect(tracker.isExpired(observation)).toBe(true);
  });

  it('falls back to the local monotonic clock: a version unchanged for longer than its ttl is stale', () => {
    const tracker = new StalenessTracker();
    // A server without a Date header: the lease always looks unexpired on the server clock.
    tracker.see(held('1', 10_000));
    vi.advanceTimersByTime(10_001);
    const later = held('1', 10_000);
    tracker.see(later);
    expect(tracker.isExpired(later)).toBe(true);
  });

  it('restarts the local clock when the holder refreshes (a new metageneration)', () => {
    const tracker = new StalenessTracker();
    tracker.see(held('1', 10_000));
    vi.advanceTimersByTime(8_000);
    tracker.see(held('2', 10_000));
    vi.advanceTimersByTime(8_000);
    const latest = held('2', 10_000);
    tracker.see(latest);
    expect(tracker.isExpired(latest)).toBe(false);
  });

  it('never calls an absent lock expired, and polls no later than the expiry', () => {
    const tracker = new StalenessTracker();
    expect(tracker.isExpired({ state: 'absent' })).toBe(false);
    expect(tracker.msUntilExpiry(held('1', 3_000))).toBe(3_000);
    expect(tracker.msUntilExpiry(held('1', -50))).toBe(0);
  });
});
