import { describe, expect, it } from 'vitest';
import type { LockEvent } from '../../src/core/events.js';
import { Election } from '../../src/election/election.js';
import type { Leader } from '../../src/election/leader.js';
import type { ElectionOptions } from '../../src/election/options.js';
import type { Term } from '../../src/election/term.js';
import { LockLostError } from '../../src/errors/lock-lost-error.js';
import { MalformedLockError } from '../../src/errors/malformed-lock-error.js';
import type { Backend } from './lock-behaviour.js';
import { BeliefLog, countRequests, pause } from './primitive-helpers.js';

const TTL = 2_000;
let sequence = 0;

/**
 * Leader election against any backend (MemoryStore, the local server over HTTP): the mutex's
 * failure cases (crash, pause past the deadline, lost responses, 429/503 storms, foreign deletion,
 * abort while waiting) seen through terms and observers.
 */
export function electionBehaviour(name: string, backend: () => Backend): void {
  describe(`election behaviour on ${name}`, () => {
    // Each election made is another "process" (a store of its own), unless `shared`.
    const fresh = (): {
      object: string;
      make: (options?: ElectionOptions & { shared?: boolean }) => Election;
    } => {
      const object = `elections/${name.replace(/\W+/g, '-')}-${process.pid}-${++sequence}`;
      return {
        object,
        make: ({ shared, ...options } = {}) =>
          new Election(`gs://${backend().bucket}/${object}`, {
            store: shared === true ? backend().store : backend().peer(),
            ttl: TTL,
            poll: { initial: 50, max: 200 },
            ...options,
          }),
      };
    };
    const crashedTerm = (object: string, candidate: string): void => {
      const { engine, bucket } = backend();
      engine.insertObject(bucket, object, {
        data: Buffer.from(''),
        metadata: {
          'gcs-lock-version': '2',
          'gcs-lock-state': 'held',
          'gcs-lock-fence': '1000',
          'gcs-lock-owner': 'crashed',
          'gcs-lock-ttl-ms': String(TTL),
          'gcs-lock-refresh': '0',
          'gcs-lock-candidate': candidate,
        },
      });
    };

    it('costs two requests to lead and resign when warm, and followers only read', async () => {
      const { object, make } = fresh();
      const leader = make({ candidate: 'a' });
      const cycle = async (): Promise<number> => {
        const { reads, writes } = await countRequests(backend(), object, async () => {
          const term = await leader.campaign();
          expect(await term.resign()).toBe(true);
        });
        return reads + writes;
      };
      expect(await cycle()).toBe(3);
      expect(await cycle()).toBe(2);

      const term = await leader.campaign();
      const stop = new AbortController();
      const follower = make({ candidate: 'b' });
      const { reads, writes } = await countRequests(backend(), object, async () => {
        const waiting = follower.campaign({ signal: stop.signal }).catch(() => undefined);
        const seen: Array<string | null> = [];
        for await (const leader of follower.observe({ signal: stop.signal, interval: 50 })) {
          seen.push(leader?.candidate ?? null);
          if (seen.length === 1) setTimeout(() => stop.abort(), 500);
        }
        await waiting;
        expect(seen).toEqual(['a']);
      });
      expect(reads).toBeGreaterThan(2);
      // The leader's own refreshes are the only writes: refreshInterval is ttl / 4 = 500 ms.
      expect(writes).toBeLessThanOrEqual(2);
      expect(await make().leader()).toMatchObject({ candidate: 'a', token: term.token });
      await term.resign();
    });

    it('never has two leaders: eight candidates take turns, terms strictly increase', async () => {
      const { make } = fresh();
      const log = new BeliefLog(1);
      await Promise.all(
        Array.from({ length: 8 }, async (_, index) => {
          // Half of them campaign from one "process", the others each from their own.
          const election = make({ candidate: `c${index}`, shared: index % 2 === 0 });
          for (let round = 0; round < 2; round++) {
            const term = await election.campaign();
            log.enter(term);
            expect(term.candidate).toBe(`c${index}`);
            expect((await election.leader())?.candidate).toBe(`c${index}`);
            await pause(5);
            log.leave(term);
            await term.resign();
          }
        }),
      );
      expect(log.violations).toBe(0);
      expect(log.tokens).toHaveLength(16);
      const tokens = log.tokens.map(BigInt);
      expect(tokens.every((token, i) => i === 0 || token > tokens[i - 1]!)).toBe(true);
    });

    it('replaces a crashed leader after its ttl, and observers see the change', async () => {
      const { object, make } = fresh();
      crashedTerm(object, 'crashed');
      const stop = new AbortController();
      const seen: Array<Leader | null> = [];
      const watching = (async () => {
        for await (const leader of make().observe({ signal: stop.signal, interval: 100 })) seen.push(leader);
      })();
      const events: LockEvent[] = [];
      const term = await make({ candidate: 'heir', onEvent: (event) => events.push(event) }).campaign();
      expect(events.map((event) => event.type)).toEqual(['contended', 'took-over', 'acquired']);
      expect(BigInt(term.token)).toBe(1001n);
      await pause(300);
      stop.abort();
      await watching;
      expect(seen[0]?.candidate).toBe('crashed');
      // The expiry may be seen as "no leader" before the heir's term, or not, depending on the poll.
      expect(seen.at(-1)?.candidate).toBe('heir');
      expect(seen.filter((leader) => leader !== null).map((leader) => leader.candidate)).toEqual([
        'crashed',
        'heir',
      ]);
      await term.resign();
    });

    it('observers see a resignation as no leader, and an expiry too', async () => {
      const { object, make } = fresh();
      const stop = new AbortController();
      const seen: Array<string | null> = [];
      const term = await make({ candidate: 'a' }).campaign();
      const watching = (async () => {
        for await (const leader of make().observe({ signal: stop.signal, interval: 50 })) {
          seen.push(leader?.candidate ?? null);
        }
      })();
      await pause(200);
      await term.resign();
      await pause(200);
      crashedTerm(object, 'ghost');
      // No one campaigns: the ghost's term ends by expiry alone, seen without a write.
      const { writes } = await countRequests(backend(), object, () => pause(TTL + 1_500));
      stop.abort();
      await watching;
      expect(writes).toBe(0);
      expect(seen).toEqual(['a', null, 'ghost', null]);
    });

    it('a leader paused past its deadline knows it lost before the next term begins', async () => {
      const { faults } = backend();
      const { object, make } = fresh();
      const term = await make({ candidate: 'a', refreshInterval: 400, lossMargin: 400 }).campaign();
      // Every refresh fails from now on, as if the leader's process were frozen.
      faults.add({ kind: 'error', status: 503, ops: ['patch'], object });
      try {
        const next = await make({ candidate: 'b' }).campaign({ timeout: 20_000 });
        expect(term.lost).toBe(true);
        expect((term.signal.reason as LockLostError).reason).toBe('expired');
        faults.clear();
        await next.resign();
      } finally {
        faults.clear();
      }
    });

    it('resolves a campaign whose answer was lost, and a resignation whose answer was lost', async () => {
      const { faults } = backend();
      const { object, make } = fresh();
      const election = make({ candidate: 'a' });
      faults.add({ kind: 'commit-then-drop', ops: ['insert'], object, count: 1 });
      const term = await election.campaign();
      expect((await election.leader())?.token).toBe(term.token);
      faults.add({ kind: 'commit-then-drop', ops: ['patch'], object, count: 1 });
      expect(await term.resign()).toBe(true);
      expect(await election.leader()).toBeNull();
    });

    it('never has two leaders through a storm of 503s and 429s', async () => {
      const { faults } = backend();
      const { object, make } = fresh();
      faults.add({ kind: 'error', status: 503, objectPrefix: object, rate: 0.2 });
      faults.add({ kind: 'error', status: 429, ops: ['insert', 'patch'], objectPrefix: object, rate: 0.2 });
      const log = new BeliefLog(1);
      try {
        await Promise.all(
          Array.from({ length: 5 }, async (_, index) => {
            const election = make({ candidate: `c${index}`, ttl: 4_000 });
            for (let round = 0; round < 2; round++) {
              const term = await election.campaign({ timeout: 60_000 });
              log.enter(term);
              await pause(100);
              log.leave(term);
              await term.resign().catch(() => false);
            }
          }),
        );
      } finally {
        faults.clear();
      }
      expect(faults.delivered.error).toBeGreaterThan(0);
      expect(log.violations).toBe(0);
      expect(log.tokens).toHaveLength(10);
      expect(new Set(log.tokens).size).toBe(10);
    });

    it('tells the leader when the election object is deleted, and observers see no leader', async () => {
      const { engine, bucket } = backend();
      const { object, make } = fresh();
      const term: Term = await make({ candidate: 'a', refreshInterval: 200 }).campaign();
      engine.deleteObject(bucket, object);
      expect(await make().leader()).toBeNull();
      const reason = await new Promise((resolve) =>
        term.signal.addEventListener('abort', () => resolve(term.signal.reason)),
      );
      expect(reason).toBeInstanceOf(LockLostError);
      expect((reason as LockLostError).reason).toBe('taken');
      expect(await term.resign()).toBe(false);
    });

    it('leaves nothing behind when a campaign is aborted, having written nothing', async () => {
      const { object, make } = fresh();
      const term = await make({ candidate: 'a' }).campaign();
      const controller = new AbortController();
      const { writes } = await countRequests(backend(), object, async () => {
        const waiting = make({ candidate: 'b', refreshInterval: 1_000 }).campaign({
          signal: controller.signal,
        });
        setTimeout(() => controller.abort(new Error('stop')), 300);
        await expect(waiting).rejects.toThrow('stop');
      });
      // The leader's refreshes (ttl / 4 = 500 ms) at most; the waiter wrote nothing.
      expect(writes).toBeLessThanOrEqual(1);
      expect((await make().leader())?.candidate).toBe('a');
      await term.resign();
    });

    it('refuses an object that is not an election', async () => {
      const { engine, bucket } = backend();
      const { object, make } = fresh();
      engine.insertObject(bucket, object, { data: Buffer.from('not a lock') });
      await expect(make().campaign({ timeout: 0 })).rejects.toBeInstanceOf(MalformedLockError);
      await expect(make().leader()).rejects.toBeInstanceOf(MalformedLockError);
    });

    it('runForever leads again after a loss, and stops on its signal with the term resigned', async () => {
      const { engine, bucket } = backend();
      const { object, make } = fresh();
      const election = make({ candidate: 'a', refreshInterval: 200 });
      const stop = new AbortController();
      const terms: string[] = [];
      const loop = election.runForever(
        async (signal, term) => {
          terms.push(term.token);
          if (terms.length === 1) engine.deleteObject(bucket, object);
          else if (terms.length === 2) stop.abort();
          if (!signal.aborted) {
            await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
          }
        },
        { signal: stop.signal, backoff: 50 },
      );
      await loop;
      expect(terms).toHaveLength(2);
      expect(await election.leader()).toBeNull();
    });
  });
}
