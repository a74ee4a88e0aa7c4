/**
 * A worker process of the fairness loop: `workers` loops on one lock, sharing one store (so that with
 * several of them the library coalesces them: one poller, local hand-off). Each loop: acquire → hold →
 * release → think → acquire again.
 *
 * Protocol with the bench (bench/scenarios/fairness.ts), one JSON line each way: this process says
 * `{"ready":true}` once loaded; the bench answers `{"start":ms,"end":ms}` on the shared monotonic clock;
 * at `end` every waiting acquire is aborted, holders finish their turn, and the process writes its
 * `FairWorkerResult` and exits.
 * Usage: fair-worker.ts '<FairWorkerConfig as JSON>'
 */
import { createInterface } from 'node:readline';
import { Lock } from '../../src/lock/lock.js';
import { GcsStore } from '../../src/store/gcs-store.js';
import { CountingStore, countsSince } from '../counting-store.js';
import type { FairWorkerConfig, FairWorkerResult, GrantRecord, PendingWait } from '../fair-analysis.js';
import { sleep } from '../stats.js';

const now = (): number => Number(process.hrtime.bigint()) / 1e6;

const config = JSON.parse(process.argv[2] ?? '') as FairWorkerConfig;
const store = new CountingStore(new GcsStore({ endpoint: config.endpoint }));
const grants: GrantRecord[] = [];
const pending: PendingWait[] = [];
const errors: string[] = [];

await fetch(config.warmUpUrl).then((response) => response.arrayBuffer());
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
const go = await new Promise<{ start: number; end: number }>((resolve, reject) => {
  const lines = createInterface({ input: process.stdin });
  lines.once('line', (line) => {
    resolve(JSON.parse(line) as { start: number; end: number });
    lines.close();
  });
  lines.once('close', () => reject(new Error('the bench closed stdin before the start')));
});

const stop = new AbortController();
const before = store.snapshot();
setTimeout(() => stop.abort(new Error('run over')), Math.max(0, go.end - now()));

async function loop(worker: number): Promise<void> {
  let handedOver = false;
  const lock = new Lock({
    bucket: config.bucket,
    object: config.object,
    store,
    ttl: config.ttl,
    fair: config.fair,
    onEvent: (event) => {
      if (event.type === 'acquired') handedOver = event.handedOver;
    },
  });
  await sleep(Math.max(0, go.start - now()) + Math.random() * config.staggerMs);
  while (!stop.signal.aborted) {
    const asked = now();
    handedOver = false;
    let lease;
    try {
      lease = await lock.acquire(config.drain ? {} : { signal: stop.signal });
    } catch (error) {
      if (stop.signal.aborted) pending.push({ worker, asked, abortedAt: now() });
      else errors.push(String(error));
      return;
    }
    const got = now();
    // A turn that began before the end is finished: release is part of what is measured.
    await sleep(config.holdMs);
    const releaseAt = now();
    let released = false;
    try {
      released = await lease.release();
    } catch (error) {
      errors.push(String(error));
    }
    grants.push({
      worker,
      fence: lease.token,
      asked,
      got,
      releaseAt,
      released: now(),
      handedOver,
      lost: lease.lost || !released,
    });
    await sleep(config.thinkMs);
  }
}

await Promise.all(Array.from({ length: config.workers }, (_, i) => loop(config.firstWorker + i)));
// Tickets are deleted in the background after a grant or an abort: let those requests finish, so
// that they are counted and leave no litter.
await sleep(500);
const result: FairWorkerResult = { grants, pending, counts: countsSince(store.snapshot(), before), errors };
process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
