import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { META } from '../../src/core/lock-object.js';
import { AcquireTimeoutError } from '../../src/errors/acquire-timeout-error.js';
import { LockHeldError } from '../../src/errors/lock-held-error.js';
import { MalformedLockError } from '../../src/errors/malformed-lock-error.js';
import { StorageError } from '../../src/errors/storage-error.js';
import { BUCKET, OBJECT, newLock, newStore, peer, types, useFakeClock } from '../helpers/memory-lock.js';

beforeEach(useFakeClock);
afterEach(() => vi.useRealTimers());

/** A lock object as a crashed 0.1 holder leaves it: nobody refreshes it any more. */
function crashedHolder(store: ReturnType<typeof newStore>, ttl = 10_000): string {
  const object = store.engine.insertObject(
    BUCKET,
    OBJECT,
    {
      data: Buffer.from('{}'),
      metadata: { 'gcs-lock-version': '1', 'gcs-lock-owner': 'crashed', 'gcs-lock-ttl-ms': String(ttl) },
    },
    { ifGenerationMatch: '0' },
  );
  return object.generation.toString();
}

const state = (store: ReturnType<typeof newStore>): string | undefined =>
  store.engine.getObject(BUCKET, OBJECT).metadata[META.state];

describe('acquire', () => {
  it('waits by polling with reads, and writes only when the lock is free (fair: false)', async () => {
    const store = newStore();
    const holder = await newLock(store).lock.acquire();
    const other = peer(store);
    const { lock, events } = newLock(other, { fair: false });
    const waiting = lock.acquire();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(other.requests.insert).toBe(0);
    await holder.release();
    await vi.advanceTimersByTimeAsync(3_000);
    const lease = await waiting;
    // Cold, it read first and saw the lock held: its only write is the grant after the release.
    expect(other.requests.insert).toBe(1);
    expect(other.requests.patch).toBe(0);
    expect(other.requests.get).toBeGreaterThanOrEqual(15);
    expect(BigInt(lease.token)).toBe(BigInt(holder.token) + 1n);
    expect(types(events)).toEqual(['contended', 'acquired']);
    await lease.release();
  });

  it('takes over a crashed 0.1 holder within about one ttl plus one poll, judged on the server clock', async () => {
    const store = newStore();
    // The server's clock is an hour ahead of this machine's: a client-clock judgement would take over
    // at once; a correct one waits out the ttl.
    store.engine.clockOffsetMs = 3_600_000;
    const stale = crashedHolder(store, 10_000);
    const { lock, events } = newLock(store, { fair: false });
    const started = performance.now();
    const waiting = lock.acquire();
    let acquiredAt = 0;
    void waiting.then(() => (acquiredAt = performance.now()));
    await vi.advanceTimersByTimeAsync(9_000);
    expect(acquiredAt).toBe(0);
    await vi.advanceTimersByTimeAsync(6_000);
    const lease = await waiting;
    // The server's Date has whole seconds, so expiry is seen up to a second late; polls cap at 2 s.
    expect(acquiredAt - started).toBeGreaterThanOrEqual(10_000);
    expect(acquiredAt - started).toBeLessThanOrEqual(10_000 + 1_000 + 2_000);
    expect(types(events)).toEqual(['contended', 'took-over', 'acquired']);
    expect(events[1]).toMatchObject({ previous: { token: stale } });
    // 0.1's token was its generation: the chain continues above it.
    expect(BigInt(lease.token)).toBe(BigInt(stale) + 1n);
    await lease.release();
  });

  it('lets exactly one of two waiters take over the same stale lease', async () => {
    const store = newStore();
    crashedHolder(store, 5_000);
    await vi.advanceTimersByTimeAsync(7_000);
    const a = newLock(peer(store));
    const b = newLock(peer(store));
    const results = await Promise.allSettled([
      a.lock.acquire({ timeout: 0 }),
      b.lock.acquire({ timeout: 0 }),
    ]);
    const won = results.filter((result) => result.status === 'fulfilled');
    const lost = results.filter((result) => result.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect((lost[0] as PromiseRejectedResult).reason).toBeInstanceOf(LockHeldError);
    expect(types([...a.events, ...b.events]).filter((type) => type === 'took-over')).toHaveLength(1);
    const winner = (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof a.lock.acquire>>>).value;
    expect(store.engine.getObject(BUCKET, OBJECT).generation.toString()).toBe(winner.generation);
    await winner.release();
  });

  it('throws LockHeldError with the holder for timeout 0, and AcquireTimeoutError after a timeout', async () => {
    const store = newStore();
    const holder = await newLock(store, { description: 'deploy 42' }).lock.acquire();
    const { lock } = newLock(peer(store));
    const held = await lock.acquire({ timeout: 0 }).catch((error: unknown) => error);
    expect(held).toBeInstanceOf(LockHeldError);
    expect((held as LockHeldError).holder).toMatchObject({ token: holder.token, description: 'deploy 42' });
    expect((held as LockHeldError).message).toContain('deploy 42');

    const timedOut = lock.acquire({ timeout: 5_000 }).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(6_000);
    const error = await timedOut;
    expect(error).toBeInstanceOf(AcquireTimeoutError);
    expect((error as AcquireTimeoutError).waitedMs).toBeGreaterThanOrEqual(5_000);
    expect((error as AcquireTimeoutError).holder?.token).toBe(holder.token);
    await holder.release();
  });

  it('gives up on abort while waiting and leaves nothing held', async () => {
    const store = newStore();
    const holder = await newLock(store).lock.acquire();
    const { lock } = newLock(peer(store));
    const controller = new AbortController();
    const waiting = lock.acquire({ signal: controller.signal }).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(3_000);
    controller.abort(new Error('SIGINT'));
    expect(await waiting).toMatchObject({ message: 'SIGINT' });
    await holder.release();
    await vi.advanceTimersByTimeAsync(1_000);
    // The lock object stays (released: it carries the token chain); the waiter's ticket is gone.
    expect(store.engine.listObjects(BUCKET).items.map((item) => item.name)).toEqual([OBJECT]);
    expect(state(store)).toBe('released');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('resolves an ambiguous create by the owner token, not by waiting a ttl', async () => {
    const store = newStore();
    // The create commits but its response is lost; the retry answers 412.
    store.faults.add({ kind: 'commit-then-drop', ops: ['insert'], count: 1 });
    const { lock, events } = newLock(store);
    const started = performance.now();
    const acquiring = lock.acquire();
    await vi.advanceTimersByTimeAsync(2_000);
    const lease = await acquiring;
    expect(performance.now() - started).toBeLessThan(5_000);
    // Cold: a read (absent), the create, its retry (412), one read that shows our owner token.
    expect(store.requests).toMatchObject({ insert: 2, get: 2 });
    expect(lease.generation).toBe(store.engine.getObject(BUCKET, OBJECT).generation.toString());
    expect(types(events)).toEqual(['retrying', 'acquired']);
    expect(await lease.release()).toBe(true);
  });

  it('marks its own orphan released when aborted after an ambiguous create', async () => {
    const store = newStore();
    store.faults.add({ kind: 'commit-then-drop', ops: ['insert'], count: 1 });
    const { lock } = newLock(store);
    const controller = new AbortController();
    const acquiring = lock.acquire({ signal: controller.signal }).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(0);
    controller.abort(new Error('cancelled'));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await acquiring).toMatchObject({ message: 'cancelled' });
    expect(await lock.settle()).toBe('clean');
    expect(state(store)).toBe('released');
  });

  it('rides out a 429/503 storm on create', async () => {
    const store = newStore();
    store.faults.add({ kind: 'error', status: 429, ops: ['insert'], count: 3 });
    store.faults.add({ kind: 'error', status: 503, ops: ['insert'], count: 2 });
    const { lock } = newLock(store);
    const acquiring = lock.acquire();
    await vi.advanceTimersByTimeAsync(30_000);
    const lease = await acquiring;
    expect(store.requests.insert).toBe(6);
    // Each 429 is contention for the object's write budget: answered by a read, not another write.
    expect(store.requests.get).toBeGreaterThanOrEqual(4);
    await lease.release();
  });

  it('waits at least half a second after a 429 before it writes again', async () => {
    const store = newStore();
    store.faults.add({ kind: 'error', status: 429, ops: ['insert'], count: 1 });
    const { lock } = newLock(store);
    const acquiring = lock.acquire();
    await vi.advanceTimersByTimeAsync(499);
    expect(store.requests.insert).toBe(1);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(store.requests.insert).toBe(2);
    await (await acquiring).release();
  });

  it('reports an outage longer than a ttl as a StorageError, not as contention', async () => {
    const store = newStore();
    store.faults.add({ kind: 'error', status: 503 });
    const { lock } = newLock(store, { ttl: 10_000 });
    const acquiring = lock.acquire().catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(20_000);
    const error = await acquiring;
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).status).toBe(503);
  });

  it("stops riding out an outage at the caller's timeout, with an AcquireTimeoutError that says why", async () => {
    const store = newStore();
    store.faults.add({ kind: 'error', status: 503 });
    const { lock } = newLock(store, { ttl: 60_000 });
    let settledAt = 0;
    const started = performance.now();
    const acquiring = lock.acquire({ timeout: 5_000 }).catch((error: unknown) => {
      settledAt = performance.now();
      return error;
    });
    await vi.advanceTimersByTimeAsync(60_000);
    const error = await acquiring;
    expect(error).toBeInstanceOf(AcquireTimeoutError);
    expect((error as Error).message).toMatch(/storage kept failing.*503/);
    expect(settledAt - started).toBeLessThanOrEqual(5_000);
  });

  it('does not retry a 403', async () => {
    const store = newStore();
    store.faults.add({ kind: 'error', status: 403, count: 1 });
    const { lock } = newLock(store);
    const error = await lock.acquire().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).status).toBe(403);
    expect(store.requestCount).toBe(1);
  });

  it.each([
    ['no gcs-lock metadata at all', {}],
    [
      'an unknown format version',
      { 'gcs-lock-version': '9', 'gcs-lock-owner': 'x', 'gcs-lock-ttl-ms': '1000' },
    ],
    ['no owner', { 'gcs-lock-version': '1', 'gcs-lock-ttl-ms': '1000' }],
    [
      'a ttl that is not a number',
      { 'gcs-lock-version': '1', 'gcs-lock-owner': 'x', 'gcs-lock-ttl-ms': 'soon' },
    ],
    ['a ttl of zero', { 'gcs-lock-version': '1', 'gcs-lock-owner': 'x', 'gcs-lock-ttl-ms': '0' }],
    [
      'a fractional ttl',
      {
        'gcs-lock-version': '2',
        'gcs-lock-state': 'held',
        'gcs-lock-fence': '3',
        'gcs-lock-owner': 'x',
        'gcs-lock-ttl-ms': '30000.5',
      },
    ],
    [
      'a fair-mode ticket where the lock should be',
      {
        'gcs-lock-version': '2',
        'gcs-lock-kind': 'ticket',
        'gcs-lock-state': 'held',
        'gcs-lock-fence': '1',
        'gcs-lock-owner': 'x',
        'gcs-lock-ttl-ms': '1000',
      },
    ],
  ])('never overwrites a malformed lock object (%s)', async (_, metadata) => {
    const store = newStore();
    const foreign = store.engine.insertObject(BUCKET, OBJECT, { data: Buffer.from('precious'), metadata });
    await vi.advanceTimersByTimeAsync(3_600_000);
    const { lock } = newLock(store);
    for (const attempt of [
      () => lock.acquire({ timeout: 10_000 }),
      () => lock.tryAcquire(),
      () => lock.inspect(),
    ]) {
      const error = await attempt().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(MalformedLockError);
      expect((error as MalformedLockError).message).toContain(`gs://${BUCKET}/${OBJECT}`);
    }
    const after = store.engine.getObject(BUCKET, OBJECT);
    expect(after.generation).toBe(foreign.generation);
    expect(after.data.toString()).toBe('precious');
  });

  it('gives successive holders fencing tokens one apart, across processes', async () => {
    const store = newStore();
    const tokens: bigint[] = [];
    for (let i = 0; i < 6; i++) {
      await newLock(i % 2 === 0 ? store : peer(store)).lock.run((_, lease) => {
        tokens.push(BigInt(lease.token));
      });
    }
    expect(tokens.slice(1).map((token, i) => token - tokens[i]!)).toEqual([1n, 1n, 1n, 1n, 1n]);
  });
});

describe('acquire, judging a lease expired on its own clock', () => {
  it('counts staleness up to the read, not to a late answer: no takeover of a lease refreshed meanwhile', async () => {
    // Found by the torture harness (waiter-pause): a waiter's read, answered from the state at the
    // read and processed a ttl later (a GC pause, a stopped process, a slow network), was judged on
    // the clock at processing: the lease looked unrefreshed for a ttl although its holder had
    // refreshed meanwhile, and the takeover, pinned to the generation only, made two holders.
    const store = newStore();
    const holder = await newLock(store).lock.acquire(); // ttl 60 s: refreshes every 15 s
    const slow = peer(store);
    let delayNext = 0;
    const get = slow.get.bind(slow);
    slow.get = async (...args: Parameters<typeof slow.get>) => {
      const answer = await get(...args);
      const delay = delayNext;
      delayNext = 0;
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      return answer;
    };
    const { lock } = newLock(slow, { fair: false, poll: { initial: 1_000, max: 1_000 } });
    let won = false;
    const waiting = lock.acquire().then((lease) => {
      won = true;
      return lease;
    });
    await vi.advanceTimersByTimeAsync(20_000); // it has seen refresh 1 (at 15 s) for a few polls
    delayNext = 70_000; // its next read's answer arrives 70 s later: more than a ttl after it first saw it
    await vi.advanceTimersByTimeAsync(75_000);
    expect(holder.lost).toBe(false);
    expect(won).toBe(false);
    await holder.release();
    await vi.advanceTimersByTimeAsync(5_000);
    await (await waiting).release();
  });
});

describe('acquire, cancelled while its create is in flight', () => {
  it('aborts the create and rejects at once with the abort reason, leaving nothing held', async () => {
    const store = newStore();
    store.faults.add({ kind: 'latency', ops: ['insert'], latencyMs: 1_000, count: 1 });
    const { lock } = newLock(store);
    const controller = new AbortController();
    const acquiring = lock.acquire({ signal: controller.signal }).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(500);
    controller.abort(new Error('SIGINT'));
    await vi.advanceTimersByTimeAsync(0);
    expect(await acquiring).toMatchObject({ message: 'SIGINT' });
    expect(await lock.settle()).toBe('clean');
    expect(store.engine.getBucket(BUCKET).objects.has(OBJECT)).toBe(false);
  });
});
