import { GcsStore } from '../../src/store/gcs-store.js';
import { Lock } from '../../src/lock/lock.js';
import { CountingStore } from '../counting-store.js';
import type { BenchEnv } from '../env.js';
import { measure, sleep, type Measure } from '../stats.js';
import { makeLocker, VARIANTS, type VariantKey } from '../variants.js';
import { since, type WireOp } from '../wire-counter.js';

export interface CycleCosts {
  acquireMs: Measure;
  releaseMs: Measure;
  /** Requests per acquire + release, one entry per repetition: identical when the protocol is exact. */
  requests: number[];
  writes: number[];
  reads: number[];
  /** The first repetition's requests by kind. */
  byOp: Record<WireOp, number>;
}

/** Requests a waiter made while it waited through one holder and then acquired. */
export interface WaiterCosts {
  inserts: number;
  uploadSessions: number;
  gets: number;
  total: number;
  /** gcs-lock only (from its counting store): how many of its inserts answered 412. */
  inserts412?: number;
}

export interface UncontendedResult {
  cycles: Record<VariantKey, CycleCosts>;
  /** gcs-lock, seen by its counting store: one acquire + release. */
  store: { insert: number; patch: number; total: number };
  /** gcs-lock: requests per heartbeat refresh, per repetition. */
  refresh: { patches: number[]; requests: number[] };
  waiter: Record<VariantKey, WaiterCosts>;
}

/** Uncontended acquire + release, one refresh, and one waiter through one holder: the exact costs. */
export async function uncontended(env: BenchEnv): Promise<UncontendedResult> {
  const reps = env.quick ? 3 : 15;
  const cycles = {} as Record<VariantKey, CycleCosts>;
  for (const { key } of VARIANTS) {
    env.log(`uncontended: ${key}`);
    // A warm-up cycle: connection set-up and module warm-up are not what an acquisition costs.
    await cycle(env, key);
    const runs = [];
    for (let i = 0; i < reps; i++) runs.push(await cycle(env, key));
    cycles[key] = {
      acquireMs: measure(runs.map((r) => r.acquireMs)),
      releaseMs: measure(runs.map((r) => r.releaseMs)),
      requests: runs.map((r) => r.wire.total),
      writes: runs.map((r) => r.wire.writes),
      reads: runs.map((r) => r.wire.reads),
      byOp: runs[0]!.wire.byOp,
    };
  }

  const counted = new CountingStore(new GcsStore({ endpoint: env.endpoint }));
  const lock = makeLocker('gcs-lock', { ...target(env, 'store'), store: counted });
  await lock.acquire();
  await lock.release();
  const store = { insert: counted.count('insert'), patch: counted.count('patch'), total: counted.total };

  const waiter = {} as Record<VariantKey, WaiterCosts>;
  for (const { key } of VARIANTS) waiter[key] = await waitThroughOne(env, key);
  return { cycles, store, refresh: await refreshes(env, env.quick ? 1 : 3), waiter };
}

const target = (env: BenchEnv, prefix: string): { endpoint: string; bucket: string; object: string } => ({
  endpoint: env.endpoint,
  bucket: env.bucket,
  object: env.nextObject(prefix),
});

async function cycle(env: BenchEnv, key: VariantKey) {
  const locker = makeLocker(key, target(env, `uncontended-${key}`));
  const before = env.wire.snapshot();
  const t0 = performance.now();
  await locker.acquire();
  const t1 = performance.now();
  await locker.release();
  const t2 = performance.now();
  return { acquireMs: t1 - t0, releaseMs: t2 - t1, wire: since(env.wire.snapshot(), before) };
}

/** One holder holds for a while; a waiter arrives, waits it out and acquires. Counts the waiter only. */
async function waitThroughOne(env: BenchEnv, key: VariantKey): Promise<WaiterCosts> {
  env.log(`waiter through one holder: ${key}`);
  const where = target(env, `waiter-${key}`);
  const holder = makeLocker(key, where);
  const counted = new CountingStore(new GcsStore({ endpoint: env.endpoint }));
  const waiter = makeLocker(key, { ...where, store: counted });
  await holder.acquire();
  const before = env.wire.snapshot();
  const waiting = waiter.acquire();
  await sleep(600);
  await holder.release();
  await waiting;
  const wire = since(env.wire.snapshot(), before);
  await waiter.release();
  // The holder's release (one PATCH) happened inside the window; everything else is the waiter's.
  const costs: WaiterCosts = {
    inserts: wire.byOp.insert,
    uploadSessions: wire.byOp['upload-session'],
    gets: wire.byOp.get,
    total: wire.total - 1,
  };
  if (key === 'gcs-lock' || key === 'gcs-lock-fast') costs.inserts412 = counted.count('insert', 412);
  return costs;
}

/** gcs-lock: the requests one heartbeat refresh makes, with a short refresh interval to see one soon. */
async function refreshes(env: BenchEnv, reps: number): Promise<UncontendedResult['refresh']> {
  env.log('refresh');
  const patches: number[] = [];
  const requests: number[] = [];
  for (let i = 0; i < reps; i++) {
    let refreshed: () => void = () => undefined;
    const seen = new Promise<void>((resolve) => (refreshed = resolve));
    const counted = new CountingStore(new GcsStore({ endpoint: env.endpoint }));
    const lock = new Lock({
      ...target(env, 'refresh'),
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
    patches.push(counted.count('patch'));
    requests.push(since(env.wire.snapshot(), before).total);
    await lease.release();
  }
  return { patches, requests };
}
