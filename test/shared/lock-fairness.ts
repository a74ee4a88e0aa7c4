import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { LockEvent } from '../../src/core/events.js';
import { grantMetadata } from '../../src/core/lock-object.js';
import type { Lease } from '../../src/lease/lease.js';
import { Lock } from '../../src/lock/lock.js';
import type { LockOptions } from '../../src/lock/options.js';
import type { ObjectStore } from '../../src/store/object-store.js';
import type { Backend } from './lock-behaviour.js';

let sequence = 0;
const TTL = 3_000;

/**
 * Fair mode and in-process hand-off (issue 16), against any backend. Each "process" is a store of
 * its own over the same storage (`backend.peer()`): its own connections and its own in-process queue.
 */
export function lockFairness(name: string, backend: () => Backend): void {
  describe(`fairness on ${name}`, () => {
    const fresh = (): { object: string; lock: (store: ObjectStore, options?: LockOptions) => Lock } => {
      const object = `fair/${name.replace(/\W+/g, '-')}-${process.pid}-${++sequence}`;
      return {
        object,
        lock: (store, options = {}) =>
          new Lock(`gs://${backend().bucket}/${object}`, {
            store,
            ttl: TTL,
            poll: { initial: 50, max: 200 },
            ...options,
          }),
      };
    };

    it('serves waiters of other processes in arrival order; a releaser that comes back queues behind them', async () => {
      const { lock } = fresh();
      const holderLock = lock(backend().peer());
      const holder = await holderLock.acquire();
      const order: string[] = [];
      const turn = async (who: string, taking: Lock): Promise<void> => {
        const lease = await taking.acquire({ timeout: 30_000 });
        order.push(who);
        await sleep(100);
        await lease.release();
      };
      const waiters = ['a', 'b', 'c'].map(async (who, i) => {
        await sleep(300 * i); // they arrive in this order
        await turn(who, lock(backend().peer()));
      });
      // All three are queued, and the holder's refresh has met the head's flag.
      await sleep(1_800);
      await holder.release();
      // The releaser wants the lock again at once: in a loop, 0.1 took it back nine times in twelve.
      const again = turn('holder', holderLock);
      await Promise.all([...waiters, again]);
      expect(order).toEqual(['a', 'b', 'c', 'holder']);
    });

    /** Two processes: `a` holds, `b` queues behind it (and flags it), `a` releases: `b` is handed the lock. */
    const handOff = async () => {
      const { engine, bucket } = backend();
      const { object, lock } = fresh();
      const a = lock(backend().peer());
      const b = lock(backend().peer());
      const first = await a.acquire();
      const waiting = b.acquire({ timeout: 30_000 });
      await sleep(400); // b is at the head of the queue: it has flagged a's lease
      await first.release();
      return { engine, bucket, object, a, b, handed: await waiting };
    };

    it('a hand-off to another process reserves the next release for the queue, with no flag patch', async () => {
      // Two workers in a loop: the one that just got the lock had nobody behind it, so its grant was
      // not flagged, the releaser's queue flag had to come as a separate patch, and at two workers that
      // third write per grant spent the object's write budget: the releaser took the lock back 23
      // times in 109 (the benchmark's fairness loop). A hand-off now marks the grant queued itself.
      const { engine, bucket, object, a, b, handed } = await handOff();
      expect(engine.getObject(bucket, object).metadata['gcs-lock-queued']).toBe('1');
      // a wants it again while b holds it: it queues, and gets it when b releases; b's warm path is
      // closed too, so b, back at once, waits behind a.
      const order: string[] = [];
      const again = a.acquire({ timeout: 30_000 }).then((lease) => {
        order.push('a');
        return lease;
      });
      await sleep(400);
      await handed.release();
      const backAtOnce = b.acquire({ timeout: 30_000 }).then((lease) => {
        order.push('b');
        return lease;
      });
      await (await again).release();
      await (await backAtOnce).release();
      expect(order).toEqual(['a', 'b']);
    });

    it('a lone process that went through the queue does not keep paying for it', async () => {
      const { engine, bucket, object, b, handed } = await handOff();
      await handed.release(); // handed over: b's release is reserved for the queue
      // Contention is over; b comes back alone: through the queue once (the lock is reserved), and
      // its own released version is no hand-off, so the grant is not flagged and its next is warm.
      const alone = await b.acquire({ timeout: 30_000 });
      expect(engine.getObject(bucket, object).metadata['gcs-lock-queued']).toBeUndefined();
      await alone.release();
    });

    it('a waiter that crashed while queued holds up the queue for no longer than its ticket ttl', async () => {
      const { engine, bucket } = backend();
      const { object, lock } = fresh();
      const holder = await lock(backend().peer()).acquire();
      // A waiter that took its place and then crashed: its ticket is never refreshed or deleted.
      engine.insertObject(bucket, `${object}.queue/crashed`, {
        data: Buffer.alloc(0),
        metadata: grantMetadata(
          {
            ownerToken: 'gone',
            ttl: TTL,
            refreshInterval: TTL / 4,
            host: 'h',
            pid: 1,
            description: undefined,
            kind: 'ticket',
          },
          1n,
          false,
        ),
      });
      const crashedAt = performance.now();
      // It arrived first: queue order is the server's timeCreated (ms), ties broken by name.
      await sleep(20);
      const waiting = lock(backend().peer()).acquire({ timeout: 30_000 });
      await sleep(300);
      await holder.release();
      const lease = await waiting;
      // It waited for the crashed ticket to expire (one ttl, plus up to a second of Date rounding),
      // not longer than that plus a few polls.
      const waited = performance.now() - crashedAt;
      expect(waited).toBeGreaterThanOrEqual(TTL - 1_000);
      expect(waited).toBeLessThan(TTL + 1_000 + 5_000);
      await lease.release();
    });

    it("a waiter moves on when its predecessor's ticket is marked released rather than deleted", async () => {
      // Found by the torture harness: an expired ticket was marked released; the waiter behind it never
      // judged a released ticket gone (only a deleted or expired one), and the queue stalled.
      const { engine, bucket } = backend();
      const { object, lock } = fresh();
      const holder = await lock(backend().peer()).acquire();
      const ahead = `${object}.queue/ahead`;
      const ticket = { ownerToken: 'x', ttl: 600_000, refreshInterval: 1_000, host: 'h', pid: 1 };
      engine.insertObject(bucket, ahead, {
        data: Buffer.alloc(0),
        metadata: grantMetadata({ ...ticket, description: undefined, kind: 'ticket' }, 1n, false),
      });
      await sleep(20);
      const waiting = lock(backend().peer()).acquire({ timeout: 10_000 });
      await sleep(300); // it listed the queue: `ahead` is its predecessor, read every poll.max
      engine.patchObject(bucket, ahead, { metadata: { 'gcs-lock-state': 'released' } });
      await holder.release();
      // Before the fix: AcquireTimeoutError after 10 s (a released ticket never expires).
      const lease = await waiting;
      await lease.release();
    });

    it('hands the lock to a waiter of the same process with one write and no poll', async () => {
      const { faults } = backend();
      const { object, lock } = fresh();
      const store = backend().peer();
      const events: LockEvent[] = [];
      const first = await lock(store, { onEvent: (event) => events.push(event) }).acquire();
      const second = lock(store, { onEvent: (event) => events.push(event) }).acquire({ timeout: 30_000 });
      await sleep(200); // the second acquire waits in this process, at no cost
      // Count every request on the lock object (and its queue) from here on.
      const before = faults.delivered.latency;
      const rule = faults.add({ kind: 'latency', latencyMs: 0, objectPrefix: object });
      await first.release();
      const next: Lease = await second;
      const requests = faults.delivered.latency - before;
      faults.remove(rule);
      expect(requests).toBe(1); // the insert that is both the release and the next grant
      expect(BigInt(next.token)).toBe(BigInt(first.token) + 1n);
      expect(events.filter((event) => event.type === 'released')).toMatchObject([{ handedOff: true }]);
      expect(events.filter((event) => event.type === 'acquired').at(-1)).toMatchObject({ handedOver: true });
      expect(await next.release()).toBe(true);
    });

    it("in fair mode, a local hand-off yields to another process's queued waiter", async () => {
      const { lock } = fresh();
      const store = backend().peer();
      const order: string[] = [];
      const first = await lock(store).acquire();
      const local = lock(store)
        .acquire({ timeout: 30_000 })
        .then(async (lease) => {
          order.push('same process');
          await lease.release();
        });
      await sleep(200);
      const remote = lock(backend().peer())
        .acquire({ timeout: 30_000 })
        .then(async (lease) => {
          order.push('other process');
          await lease.release();
        });
      // The remote waiter is queued and has flagged the lock; the holder need not have refreshed.
      await sleep(400);
      await first.release();
      await Promise.all([local, remote]);
      expect(order).toEqual(['other process', 'same process']);
    });

    it('with fair: false, a release still hands over locally in one write', async () => {
      const { lock } = fresh();
      const store = backend().peer();
      const first = await lock(store, { fair: false }).acquire();
      const second = lock(store, { fair: false }).acquire({ timeout: 30_000 });
      await sleep(100);
      await first.release();
      const next = await second;
      expect(BigInt(next.token)).toBe(BigInt(first.token) + 1n);
      await next.release();
    });
  });
}
