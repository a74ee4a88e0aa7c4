import { Lock } from '../../src/lock/lock.js';
import { GcsStore } from '../../src/store/gcs-store.js';
import { CountingStore, type CountSnapshot } from '../counting-store.js';
import type { BenchEnv } from '../env.js';
import { measure, type Measure } from '../stats.js';
import { since } from '../wire-counter.js';

/** A fenced write (issue 12 §3): upload to a temporary, compose with the lock pinned, delete the temporary. */
export interface FencedWriteCosts {
  /** Per repetition, on the wire. */
  requests: number[];
  mutations: number[];
  /** The first repetition, as the lock's store saw it (by object: temp, data). */
  counts: CountSnapshot;
  ms: Measure;
  /** For scale: one plain upload of the same bytes (no fence), ms. */
  plainMs: Measure;
}

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
      counted.reset();
      const before = env.wire.snapshot();
      const t1 = performance.now();
      await lease.fencedWrite(destination, DATA, { contentType: 'application/json' });
      const ms = performance.now() - t1;
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
    requests,
    mutations,
    counts,
    ms: measure(times),
    plainMs: measure(plainTimes),
  };
}
