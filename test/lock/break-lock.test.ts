import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { META } from '../../src/core/lock-object.js';
import { ConfigurationError } from '../../src/errors/configuration-error.js';
import type { LockLostError } from '../../src/errors/lock-lost-error.js';
import { breakLock } from '../../src/lock/break-lock.js';
import { BUCKET, OBJECT, newLock, newStore, peer, useFakeClock } from '../helpers/memory-lock.js';

beforeEach(useFakeClock);
afterEach(() => vi.useRealTimers());

/** A lease held by a process that stopped refreshing (crashed): its lock object, and its token. */
async function setup(crashed = true) {
  const store = newStore();
  const { lock } = newLock(store, { ttl: 60_000 });
  const lease = await lock.acquire();
  if (crashed) store.faults.add({ kind: 'error', status: 503, ops: ['patch'] }); // no refresh gets through
  const operator = peer(store);
  return { store, operator, lease, token: lease.token };
}

const target = { bucket: BUCKET, object: OBJECT };

describe('breakLock', () => {
  it('ends exactly the named stale lease: one read, one patch pinned to it; the object stays', async () => {
    const { store, operator, lease, token } = await setup();
    await vi.advanceTimersByTimeAsync(30_000); // not refreshed for longer than its refresh interval
    await expect(breakLock({ ...target, token, store: operator })).resolves.toEqual({
      status: 'broken',
      token,
    });
    expect(operator.requests).toMatchObject({ get: 1, patch: 1, delete: 0 });
    const object = store.engine.getObject(BUCKET, OBJECT);
    expect(object.metadata[META.state]).toBe('released');
    expect(object.metadata[META.fence]).toBe(token);
    store.faults.clear();
    // Its holder, still running, learns at its next refresh: someone else's owner token.
    await vi.advanceTimersByTimeAsync(20_000);
    expect((lease.signal.reason as LockLostError).reason).toBe('taken');
    // The next holder continues the chain.
    const next = await newLock(operator).lock.acquire();
    expect(BigInt(next.token)).toBe(BigInt(token) + 1n);
  });

  it('refuses a lease refreshed within its refresh interval, unless forced', async () => {
    const { operator, lease, token } = await setup(false);
    await vi.advanceTimersByTimeAsync(16_000); // refreshed at 15 s: alive
    const refused = await breakLock({ ...target, token, store: operator });
    expect(refused).toMatchObject({ status: 'live', token, refreshInterval: 15_000 });
    expect(refused.status === 'live' && refused.refreshedMsAgo).toBeLessThanOrEqual(15_000);
    expect(operator.requests.patch).toBe(0);
    expect(lease.lost).toBe(false);
    await expect(breakLock({ ...target, token, store: operator, force: true })).resolves.toEqual({
      status: 'broken',
      token,
    });
  });

  it('changes nothing with a wrong or old token, and says what is there', async () => {
    const { operator, token } = await setup();
    await vi.advanceTimersByTimeAsync(30_000);
    const old = (BigInt(token) - 1n).toString();
    const result = await breakLock({ ...target, token: old, store: operator });
    expect(result).toMatchObject({ status: 'token-mismatch', current: { token } });
    expect(operator.requests.patch).toBe(0);
  });

  it('says so when there is no lock, or when it is free already', async () => {
    const { store, operator, lease, token } = await setup(false);
    await expect(breakLock({ bucket: BUCKET, object: 'nothing', token, store: operator })).resolves.toEqual({
      status: 'not-found',
    });
    await lease.release();
    await expect(breakLock({ ...target, token, store: operator })).resolves.toEqual({
      status: 'token-mismatch',
      current: 'free',
    });
    expect(store.engine.getObject(BUCKET, OBJECT).metadata[META.state]).toBe('released');
  });

  it.each(['', '0', 'abc', '-5', '12 ', '1e9'])('refuses token %j without any request', async (bad) => {
    const { operator } = await setup();
    await expect(breakLock({ ...target, token: bad, store: operator })).rejects.toBeInstanceOf(
      ConfigurationError,
    );
    expect(operator.requestCount).toBe(0);
  });

  it('passes other failures through', async () => {
    const { operator, token } = await setup();
    await vi.advanceTimersByTimeAsync(30_000);
    operator.faults.add({ kind: 'error', ops: ['patch'], status: 403 });
    await expect(breakLock({ ...target, token, store: operator })).rejects.toMatchObject({ status: 403 });
  });
});
