import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { META } from '../../src/core/lock-object.js';
import { attemptGrant, basisOf, type GrantBasis } from '../../src/lease/attempt.js';
import { settleCleanups } from '../../src/lease/abandon.js';
import { monotonicNow } from '../../src/util/clock.js';
import { BUCKET, OBJECT, lockContext, newStore, useFakeClock } from '../helpers/memory-lock.js';

beforeEach(useFakeClock);
afterEach(() => vi.useRealTimers());

const create: GrantBasis = { ifGenerationMatch: '0', fence: 7n, queued: false, previous: undefined };
const until = (): number => monotonicNow() + 10_000;

describe('attemptGrant', () => {
  it('creates with ifGenerationMatch=0, one insert, carrying the fence it was given', async () => {
    const store = newStore();
    const result = await attemptGrant(lockContext(store), create, until(), undefined);
    const object = store.engine.getObject(BUCKET, OBJECT);
    expect('granted' in result && result.granted).toMatchObject({
      generation: object.generation.toString(),
      fence: 7n,
    });
    expect(object.metadata).toMatchObject({ [META.state]: 'held', [META.fence]: '7', [META.version]: '2' });
    expect(object.data.length).toBe(0); // empty, so compose can use it as a zero-byte precondition
    expect(store.requests).toMatchObject({ insert: 1, get: 0 });
  });

  it('reports the holder after a 412, with one read', async () => {
    const store = newStore();
    const ctx = lockContext(store);
    await attemptGrant(ctx, create, until(), undefined);
    const second = await attemptGrant(ctx, create, until(), undefined);
    expect('observation' in second && second.observation.state).toBe('found');
    expect(store.requests).toMatchObject({ insert: 2, get: 1 });
  });

  it('continues the chain: replaces only the generation it read, with the fence one higher', async () => {
    const store = newStore();
    const ctx = lockContext(store);
    const first = await attemptGrant(ctx, create, until(), undefined);
    expect('granted' in first).toBe(true);
    const read = await attemptGrant(ctx, create, until(), undefined); // a 412 and a read: what is there
    if (!('observation' in read)) throw new Error('expected an observation');
    const next = basisOf(read.observation, false);
    expect(next).toMatchObject({ fence: 8n });
    const takeover = await attemptGrant(ctx, next, until(), undefined);
    expect('granted' in takeover && takeover.granted.fence).toBe(8n);
    // A second waiter that read the same version loses: the object has moved on.
    const late = await attemptGrant(ctx, next, until(), undefined);
    expect('observation' in late).toBe(true);
    expect(store.engine.getObject(BUCKET, OBJECT).metadata[META.fence]).toBe('8');
  });

  it('claims its own grant when the response was lost and the retry answers 412', async () => {
    const store = newStore();
    store.faults.add({ kind: 'reset', ops: ['insert'], count: 1 });
    store.faults.add({ kind: 'commit-then-drop', ops: ['insert'], count: 1 });
    const result = attemptGrant(lockContext(store), create, until(), undefined);
    await vi.advanceTimersByTimeAsync(5_000);
    const outcome = await result;
    expect('granted' in outcome && outcome.granted.fence).toBe(7n);
    expect(store.requests).toMatchObject({ insert: 3, get: 1 });
  });

  it('aborted in flight, it rejects at once and marks its own grant released in the background', async () => {
    const store = newStore();
    const ctx = lockContext(store);
    // The insert gets no answer for a minute: the caller gives up after a second.
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('caller gave up')), 1_000);
    store.faults.add({ kind: 'stall', ops: ['insert'], stallMs: 60_000, count: 1 });
    const outcome = attemptGrant(ctx, create, until(), controller.signal).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await outcome).toMatchObject({ message: 'caller gave up' });
    // The stalled insert never committed (the fault drops it): the clean-up finds nothing of ours.
    const settled = settleCleanups(ctx, 5_000);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(await settled).toBe('clean');
    expect(store.engine.getBucket(BUCKET).objects.has(OBJECT)).toBe(false);
  });

  it('a grant that committed before the caller gave up is released by the clean-up', async () => {
    const store = newStore();
    const ctx = lockContext(store);
    // Storage keeps failing after the first send committed: the attempt gives up at its deadline.
    store.faults.add({ kind: 'commit-then-drop', ops: ['insert'], count: 1 });
    store.faults.add({ kind: 'error', status: 503, ops: ['insert'] });
    const outcome = attemptGrant(ctx, create, monotonicNow() + 2_000, undefined).catch(
      (error: unknown) => error,
    );
    await vi.advanceTimersByTimeAsync(5_000);
    expect(await outcome).toMatchObject({ status: 503 });
    const settled = settleCleanups(ctx, 5_000);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(await settled).toBe('clean');
    expect(store.engine.getObject(BUCKET, OBJECT).metadata[META.state]).toBe('released');
  });
});
