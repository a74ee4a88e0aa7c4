import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Election } from '../../src/election/election.js';
import { Lock } from '../../src/lock/lock.js';
import type { Lease } from '../../src/lease/lease.js';
import { Semaphore } from '../../src/semaphore/semaphore.js';
import { GcsStore } from '../../src/store/gcs-store.js';
import type { BenchEnv } from '../env.js';
import { measure, sleep, type Measure } from '../stats.js';
import { since } from '../wire-counter.js';

const LEADER = fileURLToPath(new URL('./leader.ts', import.meta.url));

/** Requests of one operation, on the wire. */
export interface Requests {
  total: number;
  reads: number;
  writes: number;
}

export interface PrimitivesResult {
  /** Election: campaign + resign, first (cold) and again from the same process (warm). */
  electionCycle: { cold: Requests; warm: Requests };
  /** Semaphore: acquire + release on a new semaphore, by a new process (cold), and again (warm). */
  semaphoreCycle: { first: Requests; cold: Requests; warm: Requests };
  /** Reads per minute of one observer (default interval) and one waiting candidate, and their writes. */
  follower: { observeReadsPerMin: number; campaignReadsPerMin: number; writes: number };
  /** A waiter on a full semaphore of `limit` permits: reads per minute, and writes. */
  semaphoreWaiter: { limit: number; readsPerMin: number; writes: number };
  ttl: number;
  /** ms from the leader's SIGKILL to the next term (a waiting candidate), and to an observer seeing it. */
  afterCrash: { campaign: Measure; observer: Measure };
  /** ms from `resign()` to the next term, and to an observer seeing it. */
  afterResign: { campaign: Measure; observer: Measure };
  /** Cycles per second of `limit` contenders looping acquire / release, on a semaphore vs one mutex. */
  throughput: { limit: number; seconds: number; semaphore: number; mutex: number };
}

/** Election and semaphore: request counts, leader change latency, semaphore throughput (issue 13). */
export async function primitives(env: BenchEnv): Promise<PrimitivesResult> {
  // A ttl of 4 s refreshes once a second: within GCS's write rate for one object, as it must be.
  const ttl = 4_000;
  const reps = env.quick ? 2 : 5;
  env.log('primitives: request counts');
  const electionCycle = await electionCosts(env);
  const semaphoreCycle = await semaphoreCosts(env);
  const follower = await followerCosts(env, env.quick ? 3_000 : 30_000);
  const semaphoreWaiter = await semaphoreWaiterCosts(env, env.quick ? 3_000 : 30_000);
  const crash: Array<[number, number]> = [];
  const resign: Array<[number, number]> = [];
  for (let i = 0; i < reps; i++) {
    env.log(`primitives: leader change #${i + 1}`);
    crash.push(await leaderChange(env, ttl, 'crash'));
    resign.push(await leaderChange(env, ttl, 'resign'));
  }
  const pair = (runs: Array<[number, number]>): { campaign: Measure; observer: Measure } => ({
    campaign: measure(runs.map(([campaign]) => campaign)),
    observer: measure(runs.map(([, observer]) => observer)),
  });
  env.log('primitives: semaphore throughput');
  const throughput = await compareThroughput(env, 3, env.quick ? 3 : 20);
  return {
    electionCycle,
    semaphoreCycle,
    follower,
    semaphoreWaiter,
    ttl,
    afterCrash: pair(crash),
    afterResign: pair(resign),
    throughput,
  };
}

/** Requests `during` made on the wire. */
async function counted(env: BenchEnv, during: () => Promise<unknown>): Promise<Requests> {
  const before = env.wire.snapshot();
  await during();
  const { total, reads, writes } = since(env.wire.snapshot(), before);
  return { total, reads, writes };
}

/**
 * Cycles on one object are spaced by this much: GCS allows about one write per second to an object,
 * and a refused write (429) retried is a cost of the write budget, not of the protocol.
 */
const SPACING_MS = 2_500;

/** A client of its own (its own store and name state), as another process would be. */
const own = (env: BenchEnv): { store: GcsStore } => ({ store: new GcsStore({ endpoint: env.endpoint }) });

async function electionCosts(env: BenchEnv): Promise<PrimitivesResult['electionCycle']> {
  const election = new Election({ bucket: env.bucket, object: env.nextObject('election'), ...own(env) });
  const cycle = (): Promise<Requests> => counted(env, async () => (await election.campaign()).resign());
  const cold = await cycle();
  await sleep(SPACING_MS);
  return { cold, warm: await cycle() };
}

async function semaphoreCosts(env: BenchEnv): Promise<PrimitivesResult['semaphoreCycle']> {
  const object = env.nextObject('semaphore');
  const make = (): Semaphore => new Semaphore({ bucket: env.bucket, object, limit: 3, ...own(env) });
  const cycle = (sem: Semaphore): Promise<Requests> =>
    counted(env, async () => (await sem.acquire()).release());
  // Uncontended, every path costs the same whatever the slot: the cold first look reads one random
  // slot (free), the warm acquire inserts into the slot this process released.
  const first = await cycle(make());
  await sleep(SPACING_MS);
  const sem = make();
  const cold = await cycle(sem);
  await sleep(SPACING_MS);
  return { first, cold, warm: await cycle(sem) };
}

async function followerCosts(env: BenchEnv, ms: number): Promise<PrimitivesResult['follower']> {
  const object = env.nextObject('election-followers');
  // The leader's refreshes are on the wire too: with a 10-minute ttl it refreshes every 150 s, never
  // within the two windows; any that did would be counted here and taken off the followers' writes.
  let refreshes = 0;
  const leader = await new Election({
    bucket: env.bucket,
    object,
    ttl: 600_000,
    ...own(env),
    onEvent: (event) => void (event.type === 'refreshed' && refreshes++),
  }).campaign();
  const stop = new AbortController();
  // Only the refreshes inside the counted windows are on their counts (one may fall between them).
  let inWindows = 0;
  const window = async (body: () => Promise<void>): Promise<void> => {
    const from = refreshes;
    await body();
    inWindows += refreshes - from;
  };
  const observed = await counted(env, () =>
    window(async () => {
      const observing = (async () => {
        for await (const _ of new Election({ bucket: env.bucket, object, ...own(env) }).observe({
          signal: stop.signal,
        }));
      })();
      await sleep(ms);
      stop.abort();
      await observing;
    }),
  );
  const waiting = new AbortController();
  const campaigned = await counted(env, () =>
    window(async () => {
      const campaign = new Election({ bucket: env.bucket, object, ...own(env) })
        .campaign({ signal: waiting.signal })
        .catch(() => undefined);
      await sleep(ms);
      waiting.abort();
      await campaign;
    }),
  );
  await leader.resign();
  return {
    observeReadsPerMin: Math.round((observed.reads * 60_000) / ms),
    campaignReadsPerMin: Math.round((campaigned.reads * 60_000) / ms),
    writes: observed.writes + campaigned.writes - inWindows,
  };
}

async function semaphoreWaiterCosts(env: BenchEnv, ms: number): Promise<PrimitivesResult['semaphoreWaiter']> {
  const object = env.nextObject('semaphore-full');
  const limit = 3;
  let refreshes = 0;
  const holders: Lease[] = [];
  for (let i = 0; i < limit; i++) {
    const sem = new Semaphore({
      bucket: env.bucket,
      object,
      limit,
      ...own(env),
      onEvent: (event) => void (event.type === 'refreshed' && refreshes++),
    });
    holders.push(await sem.acquire());
  }
  const stop = new AbortController();
  const waiter = new Semaphore({ bucket: env.bucket, object, limit, ...own(env) });
  const before = refreshes;
  const wire = await counted(env, async () => {
    await Promise.all([
      waiter.acquire({ signal: stop.signal }).catch(() => undefined),
      sleep(ms).then(() => stop.abort()),
    ]);
  });
  const during = refreshes - before;
  for (const holder of holders) await holder.release();
  // Its header GET (once per process) is a read of the wait too; every write is a holder's refresh.
  return {
    limit,
    readsPerMin: Math.round((wire.reads * 60_000) / ms),
    writes: wire.writes - during,
  };
}

/** One leader change: ms to the next term, and to an observer (interval 250 ms) seeing it. */
async function leaderChange(env: BenchEnv, ttl: number, how: 'crash' | 'resign'): Promise<[number, number]> {
  const object = env.nextObject(`leader-${how}`);
  const options = { bucket: env.bucket, object, ttl };
  let resign: (() => Promise<unknown>) | undefined;
  let kill: (() => void) | undefined;
  if (how === 'crash') {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', LEADER, env.endpoint, env.bucket, object, String(ttl)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('held') && resolve());
      child.once('exit', (code) => reject(new Error(`leader exited with ${code}`)));
    });
    kill = () => child.kill('SIGKILL');
  } else {
    const term = await new Election({ ...options, ...own(env) }).campaign();
    resign = () => term.resign();
  }
  const stop = new AbortController();
  let seenAt = 0;
  let changeAt = 0;
  const observer = (async () => {
    for await (const leader of new Election({ ...options, ...own(env) }).observe({
      signal: stop.signal,
      interval: 250,
    })) {
      if (changeAt > 0 && leader?.candidate === 'heir' && seenAt === 0) seenAt = performance.now();
    }
  })();
  const heir = new Election({ ...options, candidate: 'heir', ...own(env) }).campaign();
  // Let the heir and the observer settle into polling; a random extra spreads the change over the
  // leader's refresh cycle.
  await sleep(300 + Math.random() * (ttl / 4));
  changeAt = performance.now();
  if (kill) kill();
  else await resign?.();
  const term = await heir;
  const termAt = performance.now();
  while (seenAt === 0) await sleep(20);
  stop.abort();
  await observer;
  await term.resign().catch(() => false);
  return [termAt - changeAt, seenAt - changeAt];
}

/** `limit` contenders, each looping acquire → release (50 ms of other work between) for `seconds`. */
async function compareThroughput(
  env: BenchEnv,
  limit: number,
  seconds: number,
): Promise<PrimitivesResult['throughput']> {
  const run = async (make: () => { acquire(): Promise<Lease> }): Promise<number> => {
    const end = performance.now() + seconds * 1000;
    let cycles = 0;
    await Promise.all(
      Array.from({ length: limit }, async () => {
        const holder = make();
        while (performance.now() < end) {
          const lease = await holder.acquire();
          await lease.release();
          cycles += 1;
          await sleep(50);
        }
      }),
    );
    return cycles / seconds;
  };
  const semObject = env.nextObject('throughput-semaphore');
  const lockObject = env.nextObject('throughput-mutex');
  const semaphore = await run(
    () => new Semaphore({ bucket: env.bucket, object: semObject, limit, ...own(env) }),
  );
  const mutex = await run(
    () => new Lock({ bucket: env.bucket, object: lockObject, fair: false, ...own(env) }),
  );
  return { limit, seconds, semaphore, mutex };
}

/** The rows for the report. */
export function primitivesTable(result: PrimitivesResult): string {
  const req = (r: Requests): string => `${r.total} (${r.reads} R + ${r.writes} W)`;
  const ms = (m: Measure): string =>
    `${Math.round(m.median)} ms (${Math.round(m.low)}–${Math.round(m.high)}, n=${m.samples})`;
  const rows: Array<[string, string]> = [
    ['election: campaign + resign, cold', req(result.electionCycle.cold)],
    ['election: campaign + resign, warm', req(result.electionCycle.warm)],
    ['semaphore of 3: acquire + release, first ever (creates the header)', req(result.semaphoreCycle.first)],
    ['semaphore: acquire + release, cold (a new process)', req(result.semaphoreCycle.cold)],
    ['semaphore: acquire + release, warm', req(result.semaphoreCycle.warm)],
    ['election: an observer (interval 2 s), reads per minute', String(result.follower.observeReadsPerMin)],
    ['election: a waiting candidate, reads per minute', String(result.follower.campaignReadsPerMin)],
    [
      `semaphore: a waiter on ${result.semaphoreWaiter.limit} held permits, reads per minute`,
      String(result.semaphoreWaiter.readsPerMin),
    ],
    ['followers and waiters: writes', String(result.follower.writes + result.semaphoreWaiter.writes)],
    [`leader change after a crash (ttl ${result.ttl / 1000} s): next term`, ms(result.afterCrash.campaign)],
    ['leader change after a crash: an observer sees it (interval 250 ms)', ms(result.afterCrash.observer)],
    ['leader change after resign: next term', ms(result.afterResign.campaign)],
    ['leader change after resign: an observer sees it (interval 250 ms)', ms(result.afterResign.observer)],
    [
      `throughput, ${result.throughput.limit} contenders looping (${result.throughput.seconds} s): semaphore of ${result.throughput.limit}`,
      `${result.throughput.semaphore.toFixed(2)} cycles/s`,
    ],
    [
      `throughput, the same contenders on one mutex (fair: false)`,
      `${result.throughput.mutex.toFixed(2)} cycles/s`,
    ],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return [
    `| ${'primitive'.padEnd(width)} | value |`,
    `| ${'-'.repeat(width)} | ----- |`,
    ...rows.map(([l, v]) => `| ${l.padEnd(width)} | ${v} |`),
  ].join('\n');
}
