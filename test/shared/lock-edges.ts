import { describe, expect, it } from 'vitest';
import { AcquireTimeoutError } from '../../src/errors/acquire-timeout-error.js';
import type { LockEvent } from '../../src/core/events.js';
import { Lock } from '../../src/lock/lock.js';
import type { LockOptions } from '../../src/lock/options.js';
import type { Backend } from './lock-behaviour.js';

let sequence = 0;

/**
 * The edges of the safety promise (issue 10), against any backend: each case here was a way for two
 * holders to believe in one lock, or for a wait or a release to outlast what the caller asked for.
 */
export function lockEdges(name: string, backend: () => Backend): void {
  describe(`lock edges on ${name}`, () => {
    const lockFor = (object: string, options: LockOptions = {}): Lock => {
      const { store, bucket } = backend();
      return new Lock(`gs://${bucket}/edges/${object}`, {
        store,
        poll: { initial: 50, max: 200 },
        ...options,
      });
    };
    const fresh = (options: LockOptions = {}): { make: (extra?: LockOptions) => Lock; object: string } => {
      const object = `${name.replace(/\W+/g, '-')}-${process.pid}-${++sequence}`;
      return { make: (extra = {}) => lockFor(object, { ...options, ...extra }), object: `edges/${object}` };
    };

    it('a foreign metadata patch does not extend the holder past a waiter taking over', async () => {
      const { engine, faults, bucket } = backend();
      // The refresh comes late in the lease, so that a refresh wrongly counted from its own send time
      // would outlast the server's view of the lease by seconds.
      const { make, object } = fresh({ ttl: 4_000, refreshInterval: 3_000, lossMargin: 800 });
      const holder = await make().acquire();
      try {
        // An operator labels the object (gcloud storage objects update --custom-metadata): a new
        // metageneration and `updated`, no precondition.
        engine.patchObject(bucket, object, { metadata: { team: 'data' } });
        // The holder's next refresh reaches the server (and meets the foreign change); every later one fails.
        faults.add({ kind: 'error', status: 503, ops: ['patch'], object, skip: 1 });
        const waiter = await make().acquire({ timeout: 20_000 });
        // The waiter's grant came after the lease expired on the server's clock: the holder must have
        // said so already.
        expect(holder.lost).toBe(true);
        faults.clear();
        await waiter.release();
      } finally {
        faults.clear();
        await holder.release().catch(() => false);
      }
    });

    it("a waiter's read answered after a ttl does not make a refreshed lease look stale", async () => {
      // The model checker's trail (model/README.md, MUT_STALE_AT_ARRIVAL), and the torture harness's
      // waiter-pause fault: the waiter sees the lease, sends its next read at once, and the answer
      // (showing the same, unrefreshed lease) arrives more than a ttl later, the holder having
      // refreshed meanwhile. Judged at the answer's arrival, the lease looked a ttl stale, and the
      // takeover, pinned only to the generation, made two holders.
      const { make, object } = fresh({ ttl: 2_000, refreshInterval: 1_000, lossMargin: 400 });
      const holder = await make().acquire();
      const { bucket } = backend();
      const slow = backend().peer();
      const get = slow.get.bind(slow);
      let reads = 0;
      slow.get = async (...args: Parameters<typeof slow.get>) => {
        const answer = await get(...args);
        // The waiter's second read: read at once, answered 2.6 s later (a pause, a slow network).
        if (++reads === 2) await new Promise((resolve) => setTimeout(resolve, 2_600));
        return answer;
      };
      const waiter = new Lock(`gs://${bucket}/${object}`, {
        store: slow,
        ttl: 2_000,
        fair: false,
        poll: { initial: 50, max: 200 },
      });
      const waiting = waiter.acquire({ timeout: 4_000 }).then(
        (lease) => lease,
        (error: unknown) => error,
      );
      try {
        const outcome = await waiting;
        // The holder kept refreshing: nobody may take its lease over, and it never lost it.
        expect(outcome).toBeInstanceOf(AcquireTimeoutError);
        expect(holder.lost).toBe(false);
      } finally {
        const outcome = await waiting;
        if (!(outcome instanceof Error)) await (outcome as { release(): Promise<boolean> }).release();
        await holder.release().catch(() => false);
      }
    });

    it('counts suspended time: a wall-clock jump past the deadline ends the lease at once', async () => {
      const { make } = fresh({ ttl: 10_000 });
      const lease = await make().acquire();
      const realNow = Date.now.bind(Date);
      try {
        // After a suspend the monotonic clock has not moved but the wall clock has (CLOCK_MONOTONIC
        // stops in suspend on Linux).
        Date.now = () => realNow() + 60_000;
        expect(lease.lost).toBe(true);
        expect(() => lease.throwIfLost()).toThrow(/deadline/);
      } finally {
        Date.now = realNow;
        await lease.release().catch(() => false);
      }
    });

    it('writes a fractional ttl as whole milliseconds, readable by every contender', async () => {
      const { make } = fresh();
      const lease = await make({ ttl: 0.1 * 3 * 100_000 }).acquire();
      const info = await make().inspect();
      expect(info?.ttl).toBe(30_000);
      expect(await lease.release()).toBe(true);
    });

    it('bounds acquire by its timeout while a create is stuck in flight', async () => {
      const { faults } = backend();
      const { make, object } = fresh();
      const requestTimeout = 20_000;
      faults.add({ kind: 'stall', ops: ['insert'], object, stallMs: 60_000, count: 1 });
      const lock = make({ requestTimeout });
      const started = performance.now();
      const error = await lock.acquire({ timeout: 300 }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(AcquireTimeoutError);
      // Not a whole request timeout: the caller's 300 ms bound the call.
      expect(performance.now() - started).toBeLessThan(requestTimeout);
      faults.clear();
      // The stalled create never committed (the server dropped it): the clean-up finds nothing of ours.
      expect(await lock.settle()).toBe('clean');
    });

    it('bounds acquire by its signal while a create is stuck in flight', async () => {
      const { faults } = backend();
      const { make, object } = fresh();
      faults.add({ kind: 'stall', ops: ['insert'], object, stallMs: 60_000, count: 1 });
      const controller = new AbortController();
      setTimeout(() => controller.abort(new Error('interrupted')), 200);
      const started = performance.now();
      await expect(make({ requestTimeout: 20_000 }).acquire({ signal: controller.signal })).rejects.toThrow(
        'interrupted',
      );
      expect(performance.now() - started).toBeLessThan(20_000);
      faults.clear();
    });

    it('bounds release during an outage by the lease deadline, and says the lock is left to expire', async () => {
      const { faults } = backend();
      const events: LockEvent[] = [];
      const { make, object } = fresh({ ttl: 20_000, onEvent: (event) => events.push(event) });
      const lease = await make().acquire();
      faults.add({ kind: 'reset', ops: ['patch', 'delete'], object });
      const remaining = lease.remainingMs;
      const started = performance.now();
      try {
        await expect(lease.release()).rejects.toThrow(/left to expire/);
        expect(performance.now() - started).toBeLessThan(remaining);
        expect(events.map((event) => event.type)).toContain('release-failed');
      } finally {
        faults.clear();
      }
    });

    it('lets the caller abort a release that storage does not answer', async () => {
      const { faults } = backend();
      const { make, object } = fresh({ ttl: 20_000 });
      const lease = await make().acquire();
      faults.add({ kind: 'stall', ops: ['patch', 'delete'], object, stallMs: 60_000 });
      const controller = new AbortController();
      setTimeout(() => controller.abort(new Error('stop')), 200);
      try {
        await expect(lease.release({ signal: controller.signal })).rejects.toThrow();
        expect(lease.signal.aborted).toBe(true);
      } finally {
        faults.clear();
      }
    });

    it('reports a release whose answer was lost as a release', async () => {
      const { faults } = backend();
      const { make, object } = fresh({ ttl: 20_000 });
      const lock = make();
      const lease = await lock.acquire();
      faults.add({ kind: 'commit-then-drop', ops: ['patch', 'delete'], object, count: 1 });
      expect(await lease.release()).toBe(true);
      expect(await lock.inspect()).toBeNull();
    });

    it('says it is retrying when storage does not answer', async () => {
      const { faults } = backend();
      const events: LockEvent[] = [];
      const { make, object } = fresh({ onEvent: (event) => events.push(event) });
      faults.add({ kind: 'reset', object, count: 2 });
      const lease = await make().acquire({ timeout: 10_000 });
      const retrying = events.filter((event) => event.type === 'retrying');
      expect(retrying.length).toBeGreaterThan(0);
      expect(retrying[0]).toMatchObject({ url: lease.url });
      await lease.release();
    });
  });
}
