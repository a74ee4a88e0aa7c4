import { Lock } from '../../src/lock/lock.js';
import { GcsStore } from '../../src/store/gcs-store.js';
import { CountingStore, type CountSnapshot } from '../counting-store.js';
import type { BenchEnv } from '../env.js';
import { measure, type Measure } from '../stats.js';
import { makeLocker, VARIANTS, type Locker, type VariantKey } from '../variants.js';
import { since, type WireCounts, type WireOp } from '../wire-counter.js';
import { fencedWrites, type FencedWriteCosts } from './fenced.js';
import { plantDeadHolder, takeOver, type TakeoverCosts } from './takeover.js';
import { waitThroughOne, type WaiterCosts } from './waiter.js';

/**
 * Which acquisition: the lock object's first ever (absent); cold (it exists, released, and this
 * process knows nothing of it: a new process); warm (this process released it last).
 */
export type CycleKind = 'first' | 'cold' | 'warm';
export const CYCLE_KINDS: readonly CycleKind[] = ['first', 'cold', 'warm'];

export interface CycleCosts {
  acquireMs: Measure;
  releaseMs: Measure;
  /** Per repetition: identical when the protocol is exact. */
  requests: number[];
  /** Write-class requests that changed an object. */
  mutations: number[];
  /** Every write-class request (mutations, plus resumable session starts and refusals). */
  writes: number[];
  reads: number[];
  /** The first repetition's requests by kind. */
  byOp: Record<WireOp, number>;
}

export interface CostsResult {
  cycles: Record<VariantKey, Record<CycleKind, CycleCosts>>;
  /** gcs-lock (defaults), its own store's view of one acquire + release of each kind. */
  store: Record<CycleKind, CountSnapshot>;
  /** gcs-lock: requests per heartbeat refresh, per repetition. */
  refresh: { patches: number[]; requests: number[] };
  takeover: TakeoverCosts;
  fencedWrite: FencedWriteCosts;
  waiter: Record<VariantKey, WaiterCosts>;
}

/** What one acquisition and release cost, in requests and time: exact counts, timed repetitions. */
export async function costs(env: BenchEnv): Promise<CostsResult> {
  const reps = env.quick ? 2 : 15;
  // Planted first: the dead holders' leases run out while the cycles are measured.
  const dead = await plantDeadHolder(env, env.quick ? 1 : 5);
  const cycles = {} as Record<VariantKey, Record<CycleKind, CycleCosts>>;
  for (const { key } of VARIANTS) {
    env.log(`costs: acquire + release, ${key}`);
    const coldObjects = await usedObjects(env, key, reps + 1);
    // A warm-up round: connection set-up and module warm-up are not what an acquisition costs.
    await round(env, key, coldObjects[0]!);
    const runs: Array<Record<CycleKind, Sample>> = [];
    for (let i = 1; i <= reps; i++) runs.push(await round(env, key, coldObjects[i]!));
    cycles[key] = Object.fromEntries(
      CYCLE_KINDS.map((kind) => [kind, summarise(runs.map((r) => r[kind]))]),
    ) as Record<CycleKind, CycleCosts>;
  }
  const store = await storeView(env);
  const waiter = {} as Record<VariantKey, WaiterCosts>;
  for (const { key } of VARIANTS) waiter[key] = await waitThroughOne(env, key);
  const refresh = await refreshes(env, env.quick ? 1 : 3);
  const takeover = await takeOver(env, dead);
  const fencedWrite = await fencedWrites(env, reps);
  return { cycles, store, refresh, takeover, fencedWrite, waiter };
}

interface Sample {
  acquireMs: number;
  releaseMs: number;
  wire: WireCounts;
}

function summarise(samples: readonly Sample[]): CycleCosts {
  return {
    acquireMs: measure(samples.map((s) => s.acquireMs)),
    releaseMs: measure(samples.map((s) => s.releaseMs)),
    requests: samples.map((s) => s.wire.total),
    mutations: samples.map((s) => s.wire.mutations),
    writes: samples.map((s) => s.wire.writes),
    reads: samples.map((s) => s.wire.reads),
    byOp: samples[0]!.wire.byOp,
  };
}

/**
 * Objects acquired and released once by another process, for cold acquisitions. Prepared ahead, so
 * that no object takes more writes at once than GCS's burst allows (first + warm + cold on one object
 * would be six writes in a fraction of a second: a 429, which is not what an acquisition costs).
 */
async function usedObjects(env: BenchEnv, key: VariantKey, count: number): Promise<string[]> {
  const objects: string[] = [];
  for (let i = 0; i < count; i++) {
    const object = env.nextObject(`cold-${key}`);
    const other = makeLocker(key, { endpoint: env.endpoint, bucket: env.bucket, object });
    await other.acquire();
    await other.release();
    objects.push(object);
  }
  return objects;
}

/** The first acquisition ever of a fresh object, the same locker again (warm), and a new one (cold). */
async function round(env: BenchEnv, key: VariantKey, coldObject: string): Promise<Record<CycleKind, Sample>> {
  const target = { endpoint: env.endpoint, bucket: env.bucket };
  const first = makeLocker(key, { ...target, object: env.nextObject(`cycle-${key}`) });
  return {
    first: await cycle(env, first),
    warm: await cycle(env, first),
    cold: await cycle(env, makeLocker(key, { ...target, object: coldObject })),
  };
}

async function cycle(env: BenchEnv, locker: Locker): Promise<Sample> {
  const before = env.wire.snapshot();
  const t0 = performance.now();
  await locker.acquire();
  const t1 = performance.now();
  await locker.release();
  const t2 = performance.now();
  return { acquireMs: t1 - t0, releaseMs: t2 - t1, wire: since(env.wire.snapshot(), before) };
}

/** The lock's own view (its ObjectStore) of the three kinds of acquisition: agrees with the wire. */
async function storeView(env: BenchEnv): Promise<Record<CycleKind, CountSnapshot>> {
  const view = async (store: CountingStore, locker: Locker): Promise<CountSnapshot> => {
    store.reset();
    await locker.acquire();
    await locker.release();
    return store.snapshot();
  };
  const target = { endpoint: env.endpoint, bucket: env.bucket };
  const [coldObject] = await usedObjects(env, 'gcs-lock', 1);
  const a = new CountingStore(new GcsStore({ endpoint: env.endpoint }));
  const b = new CountingStore(new GcsStore({ endpoint: env.endpoint }));
  const first = makeLocker('gcs-lock', { ...target, object: env.nextObject('store-view'), store: a });
  return {
    first: await view(a, first),
    warm: await view(a, first),
    cold: await view(b, makeLocker('gcs-lock', { ...target, object: coldObject!, store: b })),
  };
}

/** gcs-lock: the requests one heartbeat refresh makes, with a short refresh interval to see one soon. */
async function refreshes(env: BenchEnv, reps: number): Promise<CostsResult['refresh']> {
  env.log('costs: refresh');
  const patches: number[] = [];
  const requests: number[] = [];
  for (let i = 0; i < reps; i++) {
    let refreshed: () => void = () => undefined;
    const seen = new Promise<void>((resolve) => (refreshed = resolve));
    const counted = new CountingStore(new GcsStore({ endpoint: env.endpoint }));
    const lock = new Lock({
      bucket: env.bucket,
      object: env.nextObject('refresh'),
      store: counted,
      ttl: 4_000,
      refreshInterval: 500,
      onEvent: (event) => {
        if (event.type === 'refreshed') refreshed();
      },
    });
    const lease = await lock.acquire();
    counted.reset();
    const before = env.wire.snapshot();
    await seen;
    patches.push(counted.count({ op: 'patch-refresh' }));
    requests.push(since(env.wire.snapshot(), before).total);
    await lease.release();
  }
  return { patches, requests };
}
