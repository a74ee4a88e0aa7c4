import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigurationError } from '../../src/errors/configuration-error.js';
import { LockLostError } from '../../src/errors/lock-lost-error.js';
import { Lock } from '../../src/lock/lock.js';
import { BUCKET, OBJECT, URL, newLock, newStore, peer, types, useFakeClock } from '../helpers/memory-lock.js';

beforeEach(useFakeClock);
afterEach(() => vi.useRealTimers());

describe('Lock', () => {
  it('acquires and releases with one read, one grant and one release the first time, two after', async () => {
    const store = newStore();
    const { lock, events } = newLock(store);
    const lease = await lock.acquire();
    expect(store.engine.getObject(BUCKET, OBJECT).generation.toString()).toBe(lease.generation);
    expect(await lease.release()).toBe(true);
    expect(store.requests).toMatchObject({ get: 1, insert: 1, patch: 1, delete: 0 });
    expect(store.engine.getObject(BUCKET, OBJECT).metadata['gcs-lock-state']).toBe('released');
    expect(types(events)).toEqual(['acquired', 'released']);
    // Warm: this process released it last, so it knows the generation and the fence.
    const again = await lock.acquire();
    expect(await again.release()).toBe(true);
    expect(store.requests).toMatchObject({ get: 1, insert: 2, patch: 2, delete: 0 });
    expect(BigInt(again.token)).toBe(BigInt(lease.token) + 1n);
  });

  it('makes no request and arms no timer until asked, however many locks exist', () => {
    const store = newStore();
    const locks = Array.from({ length: 1000 }, (_, i) => new Lock(`gs://${BUCKET}/lock-${i}`, { store }));
    expect(locks).toHaveLength(1000);
    expect(store.requestCount).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('holds exactly one timer per held lease (and one for the process), and none after release', async () => {
    const store = newStore();
    const leases = await Promise.all(
      Array.from({ length: 20 }, (_, i) => new Lock(`gs://${BUCKET}/lock-${i}`, { store }).acquire()),
    );
    // One timer per lease, and one process-wide watch that sees a resume from suspend.
    expect(vi.getTimerCount()).toBe(21);
    await Promise.all(leases.map((lease) => lease.release()));
    expect(vi.getTimerCount()).toBe(0);
  });

  it('accepts { bucket, object, ...options } as well as a gs:// URL', async () => {
    const store = newStore();
    const lock = new Lock({ bucket: BUCKET, object: OBJECT, store, ttl: 5_000 });
    expect(lock.url).toBe(URL);
    const lease = await lock.acquire();
    expect(lease.url).toBe(URL);
    await lease.release();
  });

  it('tryAcquire returns null while someone holds the lock, without writing twice', async () => {
    const store = newStore();
    const holder = await newLock(store).lock.acquire();
    const other = peer(store);
    const { lock, events } = newLock(other, { description: 'second' });
    expect(await lock.tryAcquire()).toBeNull();
    // It read the lock, saw it held, and wrote nothing.
    expect(other.requests).toMatchObject({ get: 1, insert: 0 });
    expect(events[0]).toMatchObject({ type: 'contended', holder: { token: holder.token, pid: process.pid } });
    await holder.release();
  });

  it('releases on scope exit with await using, and release is safe to call twice', async () => {
    const store = newStore();
    const { lock } = newLock(store);
    let token: string;
    {
      await using lease = await lock.acquire();
      token = lease.token;
    }
    expect(store.engine.getObject(BUCKET, OBJECT).metadata['gcs-lock-state']).toBe('released');
    const lease = await lock.acquire();
    expect(lease.token).not.toBe(token);
    const [first, second] = await Promise.all([lease.release(), lease.release()]);
    expect([first, second]).toEqual([true, true]);
    expect(await lease.release()).toBe(true);
    expect(store.requests.patch).toBe(2);
  });

  it('run releases even when fn throws, and keeps the error of fn', async () => {
    const store = newStore();
    const { lock } = newLock(store);
    const failure = new Error('the job failed');
    await expect(lock.run(() => Promise.reject(failure))).rejects.toBe(failure);
    expect(store.engine.getObject(BUCKET, OBJECT).metadata['gcs-lock-state']).toBe('released');
    await expect(
      lock.run(async (signal, lease) => `${signal.aborted} ${lease.token.length > 0}`),
    ).resolves.toBe('false true');
  });

  it('run rejects with LockLostError when the lease is lost while fn runs', async () => {
    const store = newStore();
    const onLost = vi.fn();
    const { lock } = newLock(store, { onLost });
    const outcome = lock.run(async (signal) => {
      // Someone deletes the lock object by hand; the next refresh answers 404.
      store.engine.deleteObject(BUCKET, OBJECT);
      await new Promise((resolve) => signal.addEventListener('abort', resolve));
      return 'finished';
    });
    const assertion = expect(outcome).rejects.toBeInstanceOf(LockLostError);
    await vi.advanceTimersByTimeAsync(20_000);
    await assertion;
    expect(onLost).toHaveBeenCalledTimes(1);
    expect((onLost.mock.calls[0]![0] as LockLostError).reason).toBe('taken');
  });

  it('inspect tells who holds the lock and until when, or null', async () => {
    const store = newStore();
    const { lock } = newLock(store, { description: 'nightly report', ttl: 30_000 });
    expect(await lock.inspect()).toBeNull();
    const lease = await lock.acquire();
    await vi.advanceTimersByTimeAsync(1_000);
    const info = await lock.inspect();
    expect(info).toMatchObject({
      url: URL,
      token: lease.token,
      description: 'nightly report',
      pid: process.pid,
      ttl: 30_000,
      expired: false,
    });
    expect(info!.expiresAt.getTime() - info!.refreshedAt.getTime()).toBe(30_000);
    expect(info!.expiresInMs).toBeGreaterThan(28_000);
    expect(info!.expiresInMs).toBeLessThanOrEqual(30_000);
    expect(JSON.stringify(info)).not.toContain(
      store.engine.getObject(BUCKET, OBJECT).metadata['gcs-lock-owner'],
    );
    await lease.release();
  });

  it.each([
    ['ttl 0', { ttl: 0 }, 'ttl'],
    ['ttl NaN', { ttl: Number.NaN }, 'ttl'],
    ['ttl as a string', { ttl: '60s' as unknown as number }, 'ttl'],
    ['refreshInterval beyond the ttl', { ttl: 10_000, refreshInterval: 9_000 }, 'refreshInterval'],
    ['a negative poll', { poll: { initial: -1 } }, 'poll.initial'],
    ['a huge description', { description: 'x'.repeat(5000) }, 'description'],
  ])('rejects %s with a ConfigurationError naming the option', (_, options, option) => {
    const error = (() => {
      try {
        new Lock(URL, { store: newStore(), ...options });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).option).toBe(option);
    expect((error as ConfigurationError).message).toContain(option);
  });

  it.each(['my-bucket/x', 'gs://', 'gs://Bad_Bucket/x', 'gs://ok-bucket/', 'gs://ok-bucket/a\nb'])(
    'rejects the lock URL %j',
    (url) => {
      expect(() => new Lock(url, { store: newStore() })).toThrow(ConfigurationError);
    },
  );

  it('rejects an invalid acquire timeout', async () => {
    const { lock } = newLock(newStore());
    await expect(lock.acquire({ timeout: Number.NaN })).rejects.toBeInstanceOf(ConfigurationError);
    await expect(lock.acquire({ timeout: -5 })).rejects.toThrow(/timeout/);
  });
});
