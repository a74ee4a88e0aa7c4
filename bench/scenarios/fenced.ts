import { Lock } from '../../src/lock/lock.js';
import type { Lease } from '../../src/lease/lease.js';
import { GcsStore } from '../../src/store/gcs-store.js';
import { CountingStore, type CountSnapshot } from '../counting-store.js';
import type { BenchEnv } from '../env.js';
import { measure, sleep, type Measure } from '../stats.js';
import { since } from '../wire-counter.js';

/** A fenced write (issue 12 §3): upload to a temporary, compose with the lock pinned, delete the temporary. */
export interface FencedWriteCosts {
  /** `false` while `lease.fencedWrite` is not in the library: the row is pending. */
  available: boolean;
  /** Per repetition, on the wire. */
  requests: number[];
  mutations: number[];
  /** The first repetition, as the lock's store saw it (by object: temp, data). */
  counts: CountSnapshot;
  ms: Measure | null;
  /** For scale: one plain upload of the same bytes (no fence), ms. */
  plainMs: Measure;
}

type FencedWrite = (name: string, data: string) => Promise<unknown>;

const DATA = JSON.stringify({ report: 'nightly', rows: 1234 });

/** Holds one lease and writes through it `reps` times, each to a fresh destination. */
export async function fencedWrites(env: BenchEnv, reps: number): Promise<FencedWriteCosts> {
  env.log('costs: fenced write');
  const destinations = Array.from({ length: reps + 1 }, () => env.nextObject('fenced-data'));
  const counted = new CountingStore(new GcsStore({ endpoint: env.endpoint }), {
    dataObjects: destinations,
  });
  const lease = await new Lock({
    bucket: env.bucket,
    object: env.nextObject('fenced'),
    store: counted,
  }).acquire();
  const write = fencedWriteOf(lease);
  const plain = new GcsStore({ endpoint: env.endpoint });
  const plainTimes: number[] = [];
  const times: number[] = [];
  const requests: number[] = [];
  const mutations: number[] = [];
  let counts: CountSnapshot = {};
  try {
    for (const [i, destination] of destinations.entries()) {
      const t0 = performance.now();
      await plain.insert(env.bucket, `${destination}-plain`, {
        metadata: {},
        body: DATA,
        contentType: 'application/json',
      });
      if (i > 0) plainTimes.push(performance.now() - t0);
      if (!write) continue;
      counted.reset();
      const before = env.wire.snapshot();
      const t1 = performance.now();
      await write(destination, DATA);
      const ms = performance.now() - t1;
      // The temporary object's delete may finish after the write resolves: count it too.
      await sleep(200);
      const wire = since(env.wire.snapshot(), before);
      // The first is a warm-up (connections), like every timed row.
      if (i === 0) continue;
      times.push(ms);
      requests.push(wire.total);
      mutations.push(wire.mutations);
      if (i === 1) counts = counted.snapshot();
    }
  } finally {
    await lease.release();
  }
  return {
    available: write !== undefined,
    requests,
    mutations,
    counts,
    ms: write ? measure(times) : null,
    plainMs: measure(plainTimes),
  };
}

/** The library's fenced write, when it has one (the lead is adding it on main). */
function fencedWriteOf(lease: Lease): FencedWrite | undefined {
  const method = (lease as unknown as { fencedWrite?: FencedWrite }).fencedWrite;
  return typeof method === 'function' ? (name, data) => method.call(lease, name, data) : undefined;
}
