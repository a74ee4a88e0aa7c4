import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LockRecord } from '../../src/core/parse-lock.js';
import { StalenessTracker, type Observation } from '../../src/lease/observe.js';
import { monotonicNow } from '../../src/util/clock.js';
import { useFakeClock } from '../helpers/memory-lock.js';

beforeEach(useFakeClock);
afterEach(() => vi.useRealTimers());

/** A held lease as read: `refreshCount` is what only its holder moves, `metageneration` anyone can. */
function held(refreshCount: number, expiresInMs: number, metageneration = '1', ttl = 10_000): Observation {
  const record = {
    state: 'held',
    generation: '100',
    metageneration,
    ownerToken: 'x',
    refreshCount,
    info: { ttl, expiresInMs, expired: expiresInMs < 0 },
  } as unknown as LockRecord;
  const now = monotonicNow();
  return { state: 'found', record, sentAt: now, observedAt: now, serverTime: undefined };
}

describe('StalenessTracker', () => {
  it('trusts the server clock when it says expired', () => {
    const tracker = new StalenessTracker();
    const observation = held(0, -1);
    tracker.see(observation);
    expect(tracker.isExpired(observation)).toBe(true);
  });

  it('falls back to its own clock: a refresh count unchanged for longer than the ttl is stale', () => {
    const tracker = new StalenessTracker();
    // A server without a Date header: the lease always looks unexpired on the server clock.
    tracker.see(held(0, 10_000));
    vi.advanceTimersByTime(10_001);
    const later = held(0, 10_000);
    tracker.see(later);
    expect(tracker.isExpired(later)).toBe(true);
  });

  it('judges a late answer by when its read was sent, not when it arrived', () => {
    const tracker = new StalenessTracker();
    tracker.see(held(0, 10_000));
    vi.advanceTimersByTime(5_000);
    const sentAt = monotonicNow();
    vi.advanceTimersByTime(6_000); // the answer arrives 11 s after the first sighting, read at 5 s
    const late = { ...held(0, 10_000), sentAt } as Observation;
    tracker.see(late);
    expect(tracker.isExpired(late)).toBe(false);
  });

  it('restarts its own clock when the holder refreshes (the count moves)', () => {
    const tracker = new StalenessTracker();
    tracker.see(held(0, 10_000));
    vi.advanceTimersByTime(8_000);
    tracker.see(held(1, 10_000, '2'));
    vi.advanceTimersByTime(8_000);
    const latest = held(1, 10_000, '2');
    tracker.see(latest);
    expect(tracker.isExpired(latest)).toBe(false);
  });

  it("does not restart for someone else's metadata patch: only the holder's count keeps a lease alive", () => {
    const tracker = new StalenessTracker();
    tracker.see(held(0, 10_000, '1'));
    vi.advanceTimersByTime(6_000);
    tracker.see(held(0, 10_000, '2')); // an operator's label: a new metageneration, the same count
    vi.advanceTimersByTime(6_000);
    const latest = held(0, 10_000, '3');
    tracker.see(latest);
    expect(tracker.isExpired(latest)).toBe(true);
  });

  it('never calls an absent or released lock expired, and polls no later than the expiry', () => {
    const tracker = new StalenessTracker();
    expect(tracker.isExpired({ state: 'absent', serverTime: undefined })).toBe(false);
    const released = held(0, -5_000);
    (released as { record: { state: string } }).record.state = 'released';
    expect(tracker.isExpired(released)).toBe(false);
    expect(tracker.msUntilExpiry(held(0, 3_000))).toBe(3_000);
    expect(tracker.msUntilExpiry(held(0, -50))).toBe(0);
  });
});
