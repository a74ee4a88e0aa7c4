import { describe, expect, it } from 'vitest';
import { FencedWriteRefusedError } from '../../src/errors/fenced-write-refused-error.js';
import { LockLostError } from '../../src/errors/lock-lost-error.js';
import { DEFAULT_STAGING_PREFIX, fencedWrite } from '../../src/lease/fenced-write.js';
import { breakLock } from '../../src/lock/break-lock.js';
import { Lock } from '../../src/lock/lock.js';
import type { LockOptions } from '../../src/lock/options.js';
import type { ObjectStore } from '../../src/store/object-store.js';
import type { Backend } from './lock-behaviour.js';

let sequence = 0;

/**
 * Fencing by contract (issue 12): tokens of one lock name grow by one per grant, across releases,
 * takeovers, lost responses and processes, whatever order the storage hands out generations in; and a
 * fenced write is refused by the storage itself once the lock has changed hands.
 */
export function lockFencing(name: string, backend: () => Backend): void {
  describe(`fencing on ${name}`, () => {
    const fresh = (): { object: string; lock: (store?: ObjectStore, options?: LockOptions) => Lock } => {
      const object = `fence/${name.replace(/\W+/g, '-')}-${process.pid}-${++sequence}`;
      return {
        object,
        lock: (store = backend().peer(), options = {}) =>
          new Lock(`gs://${backend().bucket}/${object}`, {
            store,
            ttl: 2_000,
            poll: { initial: 50, max: 200 },
            ...options,
          }),
      };
    };

    it('grows the token by one per grant: release, takeover, lost answers, other processes', async () => {
      const { faults, engine, bucket } = backend();
      const { object, lock } = fresh();
      const tokens: bigint[] = [];
      const hold = async (store?: ObjectStore): Promise<void> => {
        const lease = await lock(store).acquire({ timeout: 20_000 });
        tokens.push(BigInt(lease.token));
        await lease.release();
      };
      await hold(); // a first grant: the chain starts
      const same = backend().peer();
      await hold(same);
      await hold(same); // warm: one insert pinned to the generation it released
      // A grant whose answer is lost: resolved by the owner token, still one grant.
      faults.add({ kind: 'commit-then-drop', ops: ['insert'], object, count: 1 });
      await hold();
      // A release whose answer is lost.
      faults.add({ kind: 'commit-then-drop', ops: ['patch'], object, count: 1 });
      await hold();
      // A holder that stops refreshing (as a crashed one would): its lease is taken over once expired.
      const crashed = await lock().acquire();
      tokens.push(BigInt(crashed.token));
      faults.add({ kind: 'error', status: 503, ops: ['patch'], object });
      engine.clockOffsetMs += 10_000; // age it on the server's clock instead of waiting out the ttl
      try {
        const taker = await lock(undefined, { fair: false }).acquire({ timeout: 20_000 });
        tokens.push(BigInt(taker.token));
        faults.clear();
        expect(await crashed.release()).toBe(false);
        await taker.release();
      } finally {
        engine.clockOffsetMs -= 10_000;
        faults.clear();
      }
      await hold();
      expect(tokens.slice(1).map((token, i) => token - tokens[i]!)).toEqual(tokens.slice(1).map(() => 1n));
      expect(engine.getObject(bucket, object).metadata['gcs-lock-fence']).toBe(tokens.at(-1)!.toString());
    });

    it('starts a chain again above every fence it saw when someone deleted the lock object', async () => {
      // A new chain starts at the server's clock, which the Date header gives to the second only (and
      // which can go back): a holder whose object was deleted and who acquired again in the same second
      // got the same token (found by the `elect` CLI test). It now starts above the fences it has seen.
      const { engine, bucket } = backend();
      const { object, lock } = fresh();
      const same = backend().peer();
      const first = await lock(same).acquire({ timeout: 20_000 });
      await first.release();
      engine.deleteObject(bucket, object);
      engine.clockOffsetMs -= 3_600_000; // the worst case: the server's clock went back
      try {
        const again = await lock(same).acquire({ timeout: 20_000 });
        // Only the holder's own memory keeps the token growing here (the documented limit: a process
        // that never saw the old chain goes by the server's clock).
        expect(BigInt(again.token)).toBeGreaterThan(BigInt(first.token));
        await again.release();
        const other = lock(backend().peer()); // never saw the old chain: it can only go by the new one
        const next = await other.acquire({ timeout: 20_000 });
        expect(BigInt(next.token)).toBe(BigInt(again.token) + 1n);
        await next.release();
      } finally {
        engine.clockOffsetMs += 3_600_000;
      }
    });

    it('writes through the lock while it is held, and leaves no staged data behind', async () => {
      const { engine, bucket } = backend();
      const { object, lock } = fresh();
      const lease = await lock().acquire();
      const destination = `${object}-out/report.json`;
      const written = await lease.fencedWrite(destination, '{"rows":3}', { contentType: 'application/json' });
      const stored = engine.getObject(bucket, destination);
      expect(stored.data.toString()).toBe('{"rows":3}');
      expect(stored.metadata['gcs-lock-token']).toBe(lease.token);
      expect(written.generation).toBe(stored.generation.toString());
      expect(engine.listObjects(bucket, { prefix: DEFAULT_STAGING_PREFIX }).items).toEqual([]);
      // Bytes work too.
      await lease.fencedWrite(`${destination}.bin`, new Uint8Array([0, 255, 10]));
      expect([...engine.getObject(bucket, `${destination}.bin`).data]).toEqual([0, 255, 10]);
      await lease.release();
    });

    it('is refused by the storage once the lock changed hands: after a takeover, and after release and re-acquire', async () => {
      const { engine, bucket } = backend();
      const { object, lock } = fresh();
      const destination = `${object}-out/state`;
      const zombie = await lock().acquire();
      const fence = {
        store: backend().peer(),
        bucket,
        lockObject: object,
        generation: zombie.generation,
        token: zombie.token,
      };
      await fencedWrite(fence, destination, 'v1');
      // The holder pauses; an operator breaks its lease and a successor is granted the lock.
      await breakLock({ bucket, object, token: zombie.token, store: backend().peer(), force: true });
      const successor = await lock().acquire();
      await successor.fencedWrite(destination, 'v2');
      // The paused holder wakes up and writes as if it still held the lock: the storage refuses it.
      const refused = await fencedWrite(fence, destination, 'stale').catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(FencedWriteRefusedError);
      expect((refused as FencedWriteRefusedError).reason).toBe('lock-changed');
      expect(engine.getObject(bucket, destination).data.toString()).toBe('v2');
      // Released and granted again: the successor's generation is gone too.
      const successorFence = { ...fence, generation: successor.generation, token: successor.token };
      await successor.release();
      const third = await lock().acquire();
      await expect(fencedWrite(successorFence, destination, 'late')).rejects.toMatchObject({
        reason: 'lock-changed',
      });
      expect(engine.getObject(bucket, destination).data.toString()).toBe('v2');
      await third.release();
      await zombie.release().catch(() => false);
      expect(engine.listObjects(bucket, { prefix: DEFAULT_STAGING_PREFIX }).items).toEqual([]);
    });

    it('adds compare-and-swap on the destination when asked', async () => {
      const { object, lock } = fresh();
      const lease = await lock().acquire();
      const destination = `${object}-out/once`;
      await lease.fencedWrite(destination, 'first', { ifGenerationMatch: '0' });
      await expect(
        lease.fencedWrite(destination, 'second', { ifGenerationMatch: '0' }),
      ).rejects.toMatchObject({
        reason: 'destination-changed',
      });
      await lease.release();
    });

    it('refuses before any request once the lease is lost or released', async () => {
      const { engine, bucket } = backend();
      const { object, lock } = fresh();
      const lease = await lock(undefined, { refreshInterval: 200 }).acquire();
      engine.deleteObject(bucket, object);
      await new Promise((resolve) => lease.signal.addEventListener('abort', resolve));
      await expect(lease.fencedWrite(`${object}-out/x`, 'x')).rejects.toBeInstanceOf(LockLostError);
      const released = await lock().acquire();
      await released.release();
      await expect(released.fencedWrite(`${object}-out/y`, 'y')).rejects.toThrow(/released/);
      expect(engine.listObjects(bucket, { prefix: `${object}-out/` }).items).toEqual([]);
    });
  });
}
