import { describe, expect, it } from 'vitest';
import { LockLostError } from '../../src/errors/lock-lost-error.js';
import { MalformedLockError } from '../../src/errors/malformed-lock-error.js';
import { StorageError } from '../../src/errors/storage-error.js';
import type { Lease } from '../../src/lease/lease.js';
import type { LockEvent } from '../../src/core/events.js';
import { Lock } from '../../src/lock/lock.js';
import type { LockOptions } from '../../src/lock/options.js';
import type { StorageEngine } from '../../src/server/engine/engine.js';
import type { FaultPlan } from '../../src/server/fault-plan.js';
import type { ObjectStore } from '../../src/store/object-store.js';

/** One place to run the lock: a store, and the engine and faults behind it. */
export interface Backend {
  store: ObjectStore;
  engine: StorageEngine;
  faults: FaultPlan;
  bucket: string;
  /** A store for another process: the same storage, its own connections and in-process state. */
  peer: () => ObjectStore;
}

const TTL = 2_000;
let sequence = 0;

/**
 * The lock's behaviour, in real time, against any backend: the in-memory store and the local GCS
 * server over HTTP run the same cases, so the HTTP path cannot drift from the model.
 */
export function lockBehaviour(name: string, backend: () => Backend): void {
  describe(`lock behaviour on ${name}`, () => {
    const make = (options: LockOptions = {}): Lock => {
      const { store, bucket } = backend();
      return new Lock(`gs://${bucket}/behaviour/${name}-${process.pid}-${sequence}`, {
        store,
        ttl: TTL,
        poll: { initial: 50, max: 200 },
        ...options,
      });
    };
    const fresh = (options: LockOptions = {}): Lock => {
      sequence += 1;
      return make(options);
    };

    it('makes exactly two requests for an uncontended acquire and release, three the first time', async () => {
      const { faults } = backend();
      const lock = fresh();
      // A zero-latency rule matches every request for this lock and counts it.
      faults.add({ kind: 'latency', latencyMs: 0, object: lock.object });
      const counted = async (): Promise<number> => {
        const before = faults.delivered.latency;
        const lease = await lock.acquire();
        expect(await lease.release()).toBe(true);
        return faults.delivered.latency - before;
      };
      // Cold: a read (the lock object may exist, released), the grant, the release.
      expect(await counted()).toBe(3);
      // Warm: this process released it last and knows its generation: the grant, the release.
      expect(await counted()).toBe(2);
      expect(await counted()).toBe(2);
      faults.clear();
    });

    it('excludes: eight contenders, never two inside at once, every token distinct', async () => {
      const lock = fresh();
      const contenders = Array.from({ length: 8 }, () => make());
      let inside = 0;
      let overlaps = 0;
      const tokens: string[] = [];
      await Promise.all(
        contenders.map(async (contender) => {
          for (let round = 0; round < 2; round++) {
            await contender.run(async (_, lease) => {
              inside += 1;
              if (inside > 1) overlaps += 1;
              tokens.push(lease.token);
              await new Promise((resolve) => setTimeout(resolve, 5));
              inside -= 1;
            });
          }
        }),
      );
      expect(overlaps).toBe(0);
      expect(tokens).toHaveLength(16);
      expect(new Set(tokens).size).toBe(16);
      expect(await lock.inspect()).toBeNull();
    });

    it('takes over a crashed holder after its ttl, not before', async () => {
      const { engine, bucket } = backend();
      const lock = fresh();
      engine.insertObject(bucket, lock.object, {
        data: Buffer.from('{}'),
        metadata: { 'gcs-lock-version': '1', 'gcs-lock-owner': 'crashed', 'gcs-lock-ttl-ms': String(TTL) },
      });
      const events: LockEvent[] = [];
      const started = performance.now();
      const lease = await make({ onEvent: (event) => events.push(event) }).acquire();
      // The server clock's Date has whole seconds, so a takeover may come up to 1 s after the ttl.
      expect(performance.now() - started).toBeGreaterThanOrEqual(TTL - 1_000);
      // Fair mode (the default) queues the waiter; it takes the lock over as the queue's head.
      expect(events.map((event) => event.type)).toEqual(['contended', 'queued', 'took-over', 'acquired']);
      await lease.release();
    });

    it('lets exactly one of two waiters take over the same stale lease', async () => {
      const { engine, bucket } = backend();
      const lock = fresh();
      const stale = engine.insertObject(bucket, lock.object, {
        data: Buffer.from('{}'),
        metadata: { 'gcs-lock-version': '1', 'gcs-lock-owner': 'crashed', 'gcs-lock-ttl-ms': String(TTL) },
      });
      // Age the lease on the server's clock instead of waiting it out.
      engine.clockOffsetMs += 10 * TTL;
      try {
        const events: LockEvent[] = [];
        const onEvent = (event: LockEvent): number => events.push(event);
        const [a, b] = await Promise.all([make({ onEvent }).tryAcquire(), make({ onEvent }).tryAcquire()]);
        const winners = [a, b].filter((lease) => lease !== null);
        expect(winners).toHaveLength(1);
        expect(events.filter((event) => event.type === 'took-over')).toHaveLength(1);
        expect(BigInt(winners[0]!.token)).not.toBe(stale.generation);
        expect(await winners[0]!.release()).toBe(true);
      } finally {
        engine.clockOffsetMs -= 10 * TTL;
      }
    });

    it('waits for a refresh in flight before it releases', async () => {
      const { faults } = backend();
      const events: LockEvent[] = [];
      const lock = fresh({ refreshInterval: 100, onEvent: (event) => events.push(event) });
      const before = faults.delivered.latency;
      faults.add({ kind: 'latency', latencyMs: 300, ops: ['patch'], object: lock.object, count: 1 });
      const lease = await lock.acquire();
      // The slow refresh has reached the server: release now races it.
      while (faults.delivered.latency === before) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(await lease.release()).toBe(true);
      // The refresh's answer came before the release's delete; nothing was mistaken for a loss.
      const types = events.map((event) => event.type);
      expect(types).not.toContain('lost');
      expect(types).not.toContain('refresh-failed');
      expect(types.indexOf('refreshed')).toBeGreaterThan(0);
      expect(types.indexOf('refreshed')).toBeLessThan(types.indexOf('released'));
      expect(await lock.inspect()).toBeNull();
      faults.clear();
    });

    it('resolves a create whose response was lost', async () => {
      const { faults } = backend();
      const lock = fresh();
      faults.add({ kind: 'commit-then-drop', ops: ['insert'], object: lock.object, count: 1 });
      const lease = await lock.acquire();
      expect((await lock.inspect())?.token).toBe(lease.token);
      expect(await lease.release()).toBe(true);
    });

    it('tells the holder through its signal when the object is deleted under it', async () => {
      const { engine, bucket } = backend();
      const lock = fresh({ refreshInterval: 200 });
      const lease: Lease = await lock.acquire();
      engine.deleteObject(bucket, lock.object);
      const reason = await new Promise((resolve) =>
        lease.signal.addEventListener('abort', () => resolve(lease.signal.reason)),
      );
      expect(reason).toBeInstanceOf(LockLostError);
      expect((reason as LockLostError).reason).toBe('taken');
      expect(await lease.release()).toBe(false);
    });

    it('refuses to touch an object that is not a lock', async () => {
      const { engine, bucket } = backend();
      const lock = fresh();
      engine.insertObject(bucket, lock.object, { data: Buffer.from('not a lock') });
      await expect(lock.tryAcquire()).rejects.toBeInstanceOf(MalformedLockError);
      expect(engine.getObject(bucket, lock.object).data.toString()).toBe('not a lock');
      engine.deleteObject(bucket, lock.object);
    });

    it('fails at once on a 403, with one request', async () => {
      const { faults } = backend();
      const lock = fresh();
      faults.add({ kind: 'error', status: 403, object: lock.object, count: 1 });
      const error = await lock.acquire().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(StorageError);
      expect((error as StorageError).status).toBe(403);
      expect(await lock.inspect()).toBeNull();
    });

    it('leaves nothing behind when waiting is aborted', async () => {
      const lock = fresh();
      const holder = await lock.acquire();
      const controller = new AbortController();
      const waiting = make().acquire({ signal: controller.signal });
      setTimeout(() => controller.abort(new Error('stop')), 300);
      await expect(waiting).rejects.toThrow('stop');
      await holder.release();
      expect(await lock.inspect()).toBeNull();
    });
  });
}
