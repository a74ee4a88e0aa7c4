import { describe, expect, it } from 'vitest';
import type { LockEvent } from '../../src/core/events.js';
import { ConfigurationError } from '../../src/errors/configuration-error.js';
import type { LockLostError } from '../../src/errors/lock-lost-error.js';
import { MalformedLockError } from '../../src/errors/malformed-lock-error.js';
import { SemaphoreFullError } from '../../src/errors/semaphore-full-error.js';
import { Lock } from '../../src/lock/lock.js';
import type { Permit } from '../../src/semaphore/permit.js';
import { Semaphore } from '../../src/semaphore/semaphore.js';
import type { SemaphoreOptions } from '../../src/semaphore/options.js';
import type { Backend } from './lock-behaviour.js';
import { BeliefLog, countRequests, pause } from './primitive-helpers.js';

const TTL = 2_000;
let sequence = 0;

type Options = Partial<SemaphoreOptions> & { peer?: boolean };

/**
 * The counting semaphore against any backend: the mutex's failure cases, per permit, and the
 * promise that holds across them: never more than `limit` permits believed held at once.
 */
export function semaphoreBehaviour(name: string, backend: () => Backend): void {
  describe(`semaphore behaviour on ${name}`, () => {
    const fresh = (): { object: string; make: (options?: Options) => Semaphore } => {
      const object = `limits/${name.replace(/\W+/g, '-')}-${process.pid}-${++sequence}`;
      return {
        object,
        make: ({ peer, ...options } = {}) =>
          new Semaphore(`gs://${backend().bucket}/${object}`, {
            store: peer === true ? backend().peer() : backend().store,
            limit: 3,
            ttl: TTL,
            poll: { initial: 50, max: 200 },
            ...options,
          }),
      };
    };
    const crashedPermit = (object: string, slot: number): void => {
      const { engine, bucket } = backend();
      engine.insertObject(bucket, `${object}.slots/${slot}`, {
        data: Buffer.from(''),
        metadata: {
          'gcs-lock-version': '2',
          'gcs-lock-state': 'held',
          'gcs-lock-fence': '500',
          'gcs-lock-owner': 'crashed',
          'gcs-lock-ttl-ms': String(TTL),
          'gcs-lock-refresh': '0',
        },
      });
    };

    it('costs two requests for a warm acquire and release, and waiting costs reads only', async () => {
      const { object, make } = fresh();
      const sem = make();
      const cycle = async (): Promise<{ reads: number; writes: number }> =>
        countRequests(backend(), object, async () => {
          const permit = await sem.acquire();
          expect(await permit.release()).toBe(true);
        });
      // First ever: the header's GET and insert, one slot's GET, the grant, the release.
      expect(await cycle()).toEqual({ reads: 2, writes: 3, result: undefined });
      expect(await cycle()).toEqual({ reads: 0, writes: 2, result: undefined });
      expect(await cycle()).toEqual({ reads: 0, writes: 2, result: undefined });

      const permits = await Promise.all([sem.acquire(), sem.acquire(), sem.acquire()]);
      const controller = new AbortController();
      const { reads, writes } = await countRequests(backend(), object, async () => {
        const waiting = make({ peer: true, refreshInterval: 1_000 }).acquire({ signal: controller.signal });
        setTimeout(() => controller.abort(new Error('stop')), 400);
        await expect(waiting).rejects.toThrow('stop');
      });
      expect(reads).toBeGreaterThan(3);
      // The holders' refreshes (every 500 ms) are the only writes.
      expect(writes).toBeLessThanOrEqual(3);
      for (const permit of permits) await permit.release();
    });

    it('never lets more than limit hold: twelve contenders, three permits', async () => {
      const { make } = fresh();
      const log = new BeliefLog(3);
      const slotsUsed = new Set<number>();
      const grants = new Set<string>();
      await Promise.all(
        Array.from({ length: 12 }, async () => {
          const sem = make({ peer: true });
          for (let round = 0; round < 2; round++) {
            const permit = await sem.acquire();
            log.enter(permit);
            slotsUsed.add(permit.slot);
            // Each slot has a fence chain of its own: tokens are unique per slot.
            grants.add(`${permit.slot}:${permit.token}`);
            // The first round's holders wait (up to 10 s) until all three permits are held at once, so
            // that the limit is reached however slowly a loaded machine grants them.
            for (const until = Date.now() + 10_000; round === 0 && log.maxHeld < 3 && Date.now() < until;)
              await pause(20);
            await pause(10);
            log.leave(permit);
            await permit.release();
          }
        }),
      );
      expect(log.violations).toBe(0);
      expect(log.maxHeld).toBe(3);
      expect([...slotsUsed].sort()).toEqual([0, 1, 2]);
      expect(grants.size).toBe(24);
    });

    it('gives each slot its own strictly increasing fencing tokens', async () => {
      const { make } = fresh();
      const bySlot = new Map<number, bigint[]>();
      await Promise.all(
        Array.from({ length: 6 }, async () => {
          const sem = make({ peer: true });
          for (let round = 0; round < 3; round++) {
            await using permit = await sem.acquire();
            const tokens = bySlot.get(permit.slot) ?? [];
            tokens.push(BigInt(permit.token));
            bySlot.set(permit.slot, tokens);
          }
        }),
      );
      for (const tokens of bySlot.values()) {
        expect(tokens.every((token, i) => i === 0 || token > tokens[i - 1]!)).toBe(true);
      }
    });

    it('takes over a crashed holder’s permit after its ttl, not before', async () => {
      const { object, make } = fresh();
      await (await make().acquire()).release();
      for (const slot of [0, 1, 2]) crashedPermit(object, slot);
      const events: LockEvent[] = [];
      const started = performance.now();
      const permit = await make({ peer: true, onEvent: (event) => events.push(event) }).acquire();
      expect(performance.now() - started).toBeGreaterThanOrEqual(TTL - 1_000);
      expect(events.map((event) => event.type)).toEqual(['contended', 'took-over', 'acquired']);
      expect(permit.token).toBe('501');
      await permit.release();
    });

    it('says who holds the permits when full, and tryAcquire answers null', async () => {
      const { make } = fresh();
      const sem = make({ description: 'load' });
      const permits = await Promise.all([sem.acquire(), sem.acquire(), sem.acquire()]);
      expect((await sem.inspect()).map((permit) => permit.holder?.token)).toEqual(
        [...permits].sort((a, b) => a.slot - b.slot).map((permit) => permit.token),
      );
      expect(await make({ peer: true }).tryAcquire()).toBeNull();
      const error = await make({ peer: true })
        .acquire({ timeout: 0 })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(SemaphoreFullError);
      expect((error as SemaphoreFullError).holders).toHaveLength(3);
      expect((error as SemaphoreFullError).message).toMatch(/^all 3 permits of gs:\/\/.* are held: /);
      for (const permit of permits) await permit.release();
      expect((await sem.inspect()).every((permit) => permit.holder === null)).toBe(true);
    });

    it('refuses a contender that brings another limit, naming both', async () => {
      const { make } = fresh();
      // Two first contenders at once: one writes the header, the other reads it.
      const results = await Promise.allSettled([
        make({ limit: 2, peer: true }).acquire(),
        make({ limit: 5, peer: true }).acquire(),
      ]);
      const refused = results.filter((result) => result.status === 'rejected');
      expect(refused).toHaveLength(1);
      const reason: unknown = (refused[0] as PromiseRejectedResult).reason;
      expect(reason).toBeInstanceOf(ConfigurationError);
      expect(String(reason)).toMatch(/a semaphore of (2|5) permits .* given limit (5|2)/);
      for (const result of results) if (result.status === 'fulfilled') await result.value.release();
    });

    it('a holder paused past its deadline knows it lost its permit before it is taken over', async () => {
      const { faults } = backend();
      const { object, make } = fresh();
      const sem = make({ limit: 1, refreshInterval: 400, lossMargin: 400 });
      const permit = await sem.acquire();
      faults.add({ kind: 'error', status: 503, ops: ['patch'], objectPrefix: object });
      try {
        const next = await make({ limit: 1, peer: true }).acquire({ timeout: 20_000 });
        expect(permit.lost).toBe(true);
        faults.clear();
        await next.release();
      } finally {
        faults.clear();
      }
    });

    it('resolves a grant and a release whose answers were lost', async () => {
      const { faults } = backend();
      const { object, make } = fresh();
      const sem = make({ limit: 1 });
      faults.add({ kind: 'commit-then-drop', ops: ['insert'], objectPrefix: `${object}.slots/`, count: 1 });
      const permit = await sem.acquire();
      expect((await sem.inspect())[0]?.holder?.token).toBe(permit.token);
      faults.add({ kind: 'commit-then-drop', ops: ['patch'], objectPrefix: object, count: 1 });
      expect(await permit.release()).toBe(true);
      expect((await sem.inspect())[0]?.holder).toBeNull();
    });

    it('never lets more than limit hold through a storm of 503s, 429s and lost answers', async () => {
      const { faults } = backend();
      const { object, make } = fresh();
      faults.add({ kind: 'error', status: 503, objectPrefix: object, rate: 0.15 });
      faults.add({ kind: 'error', status: 429, ops: ['insert', 'patch'], objectPrefix: object, rate: 0.15 });
      faults.add({ kind: 'commit-then-drop', ops: ['insert', 'patch'], objectPrefix: object, rate: 0.1 });
      const log = new BeliefLog(2);
      try {
        await Promise.all(
          Array.from({ length: 6 }, async () => {
            const sem = make({ limit: 2, ttl: 4_000, peer: true });
            for (let round = 0; round < 2; round++) {
              const permit = await sem.acquire({ timeout: 60_000 });
              log.enter(permit);
              await pause(100);
              log.leave(permit);
              await permit.release().catch(() => false);
            }
          }),
        );
      } finally {
        faults.clear();
      }
      expect(faults.delivered.error).toBeGreaterThan(0);
      expect(faults.delivered['commit-then-drop']).toBeGreaterThan(0);
      expect(log.violations).toBe(0);
      expect(log.tokens).toHaveLength(12);
    });

    it('tells a holder when its slot object is deleted', async () => {
      const { engine, bucket } = backend();
      const { object, make } = fresh();
      const permit: Permit = await make({ refreshInterval: 200 }).acquire();
      engine.deleteObject(bucket, `${object}.slots/${permit.slot}`);
      const reason = await new Promise((resolve) =>
        permit.signal.addEventListener('abort', () => resolve(permit.signal.reason)),
      );
      expect((reason as LockLostError).reason).toBe('taken');
      expect(await permit.release()).toBe(false);
    });

    it('leaves nothing held when waiting is aborted', async () => {
      const { make } = fresh();
      const sem = make({ limit: 1 });
      const holder = await sem.acquire();
      const controller = new AbortController();
      const waiting = make({ limit: 1, peer: true }).acquire({ signal: controller.signal });
      setTimeout(() => controller.abort(new Error('stop')), 300);
      await expect(waiting).rejects.toThrow('stop');
      await holder.release();
      expect((await sem.inspect())[0]?.holder).toBeNull();
    });

    it('reads the slots with one LIST above twelve permits, and still never over-admits', async () => {
      const { make } = fresh();
      const log = new BeliefLog(13);
      const holders = await Promise.all(Array.from({ length: 13 }, () => make({ limit: 13 }).acquire()));
      holders.forEach((permit) => log.enter(permit));
      const { reads } = await countRequests(backend(), 'nothing-else/', async () => {
        expect(await make({ limit: 13, peer: true }).tryAcquire()).toBeNull();
      });
      // The header's GET is not counted here (another prefix); the full read is one LIST.
      expect(reads).toBe(1);
      const late = make({ limit: 13, peer: true }).acquire();
      await pause(200);
      log.leave(holders[4]!);
      await holders[4]!.release();
      const next = await late;
      log.enter(next);
      expect(next.slot).toBe(holders[4]!.slot);
      expect(log.violations).toBe(0);
      for (const permit of [...holders, next]) await permit.release();
    });

    it('keeps locks and semaphores apart, and refuses objects it did not write', async () => {
      const { engine, bucket, store } = backend();
      const { object, make } = fresh();
      await (await make().acquire()).release();
      const lock = new Lock(`gs://${bucket}/${object}`, { store });
      await expect(lock.tryAcquire()).rejects.toThrow(/semaphore's header/);
      const other = fresh();
      engine.insertObject(bucket, other.object, { data: Buffer.from('x') });
      await expect(other.make().acquire()).rejects.toBeInstanceOf(MalformedLockError);
      const third = fresh();
      engine.insertObject(bucket, `${third.object}.slots/0`, { data: Buffer.from('x') });
      await expect(third.make({ limit: 1 }).acquire({ timeout: 0 })).rejects.toBeInstanceOf(
        MalformedLockError,
      );
    });
  });
}
