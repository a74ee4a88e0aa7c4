import { GcsStore } from '../../src/store/gcs-store.js';
import { CountingStore, countIn, type CountSnapshot } from '../counting-store.js';
import type { BenchEnv } from '../env.js';
import { sleep } from '../stats.js';
import { isClassic, makeLocker, type VariantKey } from '../variants.js';
import { since } from '../wire-counter.js';

/** The requests a waiter made while it waited through one holder and then acquired. */
export interface WaiterCosts {
  total: number;
  /** Writes that changed the lock object: gcs-lock's grant and queue flag; the classic create that won. */
  lockMutations: number;
  /** Write-class requests that changed nothing: refused writes (412, 429), resumable session starts. */
  changedNothing: number;
  /** Writes to the waiter's own ticket (fair mode): its insert, heartbeats and delete. */
  ticketWrites: number;
  /** GETs and LISTs. */
  reads: number;
  /** gcs-lock only: its store's view, by object, operation and outcome. */
  counts?: CountSnapshot;
}

/** How long the holder holds while the waiter waits: a few of the head's polls. */
const HOLD_MS = 600;

/**
 * One holder holds; a waiter arrives, waits it out and acquires. Counts the waiter only: gcs-lock's
 * through the waiter's own counting store (the holder's release conflicts with the queue's flag and is
 * retried, so the wire would mix the two up), the classic recipe's on the wire minus the holder's delete.
 */
export async function waitThroughOne(env: BenchEnv, key: VariantKey): Promise<WaiterCosts> {
  env.log(`waiter through one holder: ${key}`);
  const where = { endpoint: env.endpoint, bucket: env.bucket, object: env.nextObject(`waiter-${key}`) };
  const holder = makeLocker(key, where);
  const counted = new CountingStore(new GcsStore({ endpoint: env.endpoint }));
  const waiter = makeLocker(key, { ...where, store: counted });
  await holder.acquire();
  const before = env.wire.snapshot();
  const waiting = waiter.acquire();
  await sleep(HOLD_MS);
  await holder.release();
  await waiting;
  const wire = since(env.wire.snapshot(), before);
  // The ticket is deleted in the background once the grant is in: let it land before counting.
  await sleep(300);
  const counts = counted.snapshot();
  await waiter.release();
  if (isClassic(key)) {
    // The holder's release is one unconditional DELETE inside the window; everything else is the waiter's.
    return {
      total: wire.total - 1,
      lockMutations: wire.mutations - 1,
      changedNothing: wire.writes - wire.mutations,
      ticketWrites: 0,
      reads: wire.reads,
    };
  }
  return {
    total: countIn(counts),
    lockMutations: countIn(counts, { kind: 'lock', op: 'write', outcome: 'ok' }),
    changedNothing: countIn(counts, { op: 'write', outcome: 'refused' }),
    ticketWrites: countIn(counts, { kind: 'ticket', op: 'write' }),
    reads: countIn(counts, { op: 'read' }),
    counts,
  };
}
