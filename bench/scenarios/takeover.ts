import { StorageError } from '../../src/errors/storage-error.js';
import { Lock } from '../../src/lock/lock.js';
import { GcsStore } from '../../src/store/gcs-store.js';
import type { ObjectStore } from '../../src/store/object-store.js';
import type { BenchEnv } from '../env.js';
import { measure, sleep, type Measure } from '../stats.js';
import { since, type WireOp } from '../wire-counter.js';

/** The shortest ttl a lock accepts: the dead holder's lease runs out soonest. */
const DEAD_TTL = 1_000;
/** The server judges expiry on its Date header, whole seconds: one more second makes it certain. */
const EXPIRY_SLACK = 1_100;

/** gcs-lock: a cold process takes over a lease whose holder died, then releases. */
export interface TakeoverCosts {
  /** Requests of acquire + release, per repetition. */
  requests: number[];
  /** Of which the acquire. */
  acquireRequests: number[];
  mutations: number[];
  acquireMs: Measure;
  byOp: Record<WireOp, number>;
  /** Every acquire reported `took-over` (it did replace an expired lease). */
  tookOver: boolean;
}

export interface DeadHolders {
  objects: string[];
  expiredAt: number;
}

/**
 * Holders that "crash" while holding: each acquires through a store that then stops answering (as a
 * process that vanished would), so nothing of theirs reaches the wire again. Their leases stay on the
 * lock objects, held, until their ttl runs out on the server's clock.
 */
export async function plantDeadHolder(env: BenchEnv, count: number): Promise<DeadHolders> {
  const objects: string[] = [];
  for (let i = 0; i < count; i++) {
    const object = env.nextObject('takeover');
    const crash = crashable(new GcsStore({ endpoint: env.endpoint }));
    await new Lock({ bucket: env.bucket, object, store: crash.store, ttl: DEAD_TTL }).acquire();
    crash.crash();
    objects.push(object);
  }
  return { objects, expiredAt: performance.now() + DEAD_TTL + EXPIRY_SLACK };
}

/** A new process finds each dead holder's expired lease and takes it over: GET, insert; then release. */
export async function takeOver(env: BenchEnv, dead: DeadHolders): Promise<TakeoverCosts> {
  env.log('costs: takeover of an expired lease');
  await sleep(Math.max(0, dead.expiredAt - performance.now()));
  const requests: number[] = [];
  const acquireRequests: number[] = [];
  const mutations: number[] = [];
  const times: number[] = [];
  let byOp: Record<WireOp, number> | undefined;
  let tookOver = true;
  for (const object of dead.objects) {
    let took = false;
    const lock = new Lock({
      bucket: env.bucket,
      object,
      store: new GcsStore({ endpoint: env.endpoint }),
      onEvent: (event) => {
        if (event.type === 'took-over') took = true;
      },
    });
    const before = env.wire.snapshot();
    const t0 = performance.now();
    const lease = await lock.acquire();
    times.push(performance.now() - t0);
    acquireRequests.push(since(env.wire.snapshot(), before).total);
    await lease.release();
    const wire = since(env.wire.snapshot(), before);
    requests.push(wire.total);
    mutations.push(wire.mutations);
    byOp ??= wire.byOp;
    tookOver &&= took;
  }
  return { requests, acquireRequests, mutations, acquireMs: measure(times), byOp: byOp!, tookOver };
}

/** A store that, once crashed, answers nothing: every call fails as if the network were gone. */
function crashable(inner: ObjectStore): { store: ObjectStore; crash: () => void } {
  let crashed = false;
  const store = new Proxy(inner, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown =>
        crashed
          ? Promise.reject(new StorageError(String(property), undefined, 'the holder has crashed'))
          : (value as (...a: unknown[]) => unknown).apply(target, args);
    },
  });
  return { store, crash: () => (crashed = true) };
}
