import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { attemptCreate } from '../../src/lease/attempt.js';
import { createContext } from '../../src/core/context.js';
import { resolveLockOptions } from '../../src/core/resolve-options.js';
import { BUCKET, OBJECT, URL, newStore, useFakeClock } from '../helpers/memory-lock.js';

beforeEach(useFakeClock);
afterEach(() => vi.useRealTimers());

function context(store: ReturnType<typeof newStore>) {
  return createContext({
    store,
    bucket: BUCKET,
    object: OBJECT,
    url: URL,
    options: resolveLockOptions({ ttl: 10_000 }),
    debug: () => {},
  });
}

describe('attemptCreate', () => {
  it('creates with ifGenerationMatch=0 and reports the generation it won', async () => {
    const store = newStore();
    const result = await attemptCreate(context(store), '0', performance.now() + 10_000, undefined);
    expect('granted' in result && result.granted.generation).toBe(
      store.engine.getObject(BUCKET, OBJECT).generation.toString(),
    );
    expect(store.requests).toMatchObject({ insert: 1, get: 0 });
  });

  it('reports the holder after a 412, with one read', async () => {
    const store = newStore();
    const ctx = context(store);
    await attemptCreate(ctx, '0', performance.now() + 10_000, undefined);
    const second = await attemptCreate(ctx, '0', performance.now() + 10_000, undefined);
    expect('observation' in second && second.observation.state).toBe('held');
    expect(store.requests).toMatchObject({ insert: 2, get: 1 });
  });

  it('overwrites only the stale generation it names', async () => {
    const store = newStore();
    const ctx = context(store);
    const first = await attemptCreate(ctx, '0', performance.now() + 10_000, undefined);
    const stale = 'granted' in first ? first.granted.generation : '';
    const takeover = await attemptCreate(ctx, stale, performance.now() + 10_000, undefined);
    expect('granted' in takeover).toBe(true);
    // A second waiter that saw the same stale generation loses: the object has moved on.
    const late = await attemptCreate(ctx, stale, performance.now() + 10_000, undefined);
    expect('observation' in late).toBe(true);
  });

  it('claims its own create when the response was lost and the retry answers 412', async () => {
    const store = newStore();
    store.faults.add({ kind: 'reset', ops: ['insert'], count: 1 });
    store.faults.add({ kind: 'commit-then-drop', ops: ['insert'], count: 1 });
    const result = attemptCreate(context(store), '0', performance.now() + 10_000, undefined);
    await vi.advanceTimersByTimeAsync(5_000);
    const outcome = await result;
    expect('granted' in outcome).toBe(true);
    expect(store.requests).toMatchObject({ insert: 3, get: 1 });
  });
});
