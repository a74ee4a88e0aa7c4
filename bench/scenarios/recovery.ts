import { spawn, type ChildProcess } from 'node:child_process';
import { bundled } from '../bundle.js';
import type { BenchEnv } from '../env.js';
import { measure, sleep, type Measure } from '../stats.js';
import { isClassic, makeLocker, VARIANTS, type VariantKey } from '../variants.js';

const HOLDER = new URL('./holder.ts', import.meta.url);
const CLASSIC_HOLDER = new URL('./classic-holder.ts', import.meta.url);

export interface RecoveryResult {
  ttl: number;
  /** ms from the holder's SIGKILL to the waiter's acquisition. */
  recoveryMs: Record<VariantKey, Measure | null>;
  /** The variants this run measured (a quick run: gcs-lock's only). */
  measured: VariantKey[];
  /** How long the classic waiter was given before the bench called it "never". */
  gaveUpAfterMs: number;
}

/**
 * A holder in a child process is killed with SIGKILL while a waiter is polling. gcs-lock's waiter
 * takes the stale lease over once its ttl has run out on the server's clock; the classic recipe has no
 * ttl, so its waiter waits until someone deletes the object by hand.
 */
export async function recovery(env: BenchEnv): Promise<RecoveryResult> {
  const ttl = env.quick ? 1_000 : 3_000;
  const reps = env.quick ? 1 : 5;
  const gaveUpAfterMs = 2 * ttl;
  const recoveryMs = {} as Record<VariantKey, Measure | null>;
  const measured: VariantKey[] = [];
  // The variants run side by side, each on its own objects: a crash and a takeover are a few requests,
  // and the time measured is ttl-sized, far above any interference.
  // Quick: gcs-lock only. That the classic recipe never recovers is the recipe's nature, shown by the
  // full run; loading the official client into child processes would cost CI seconds for nothing.
  const variants = VARIANTS.filter(({ key }) => !(env.quick && isClassic(key)));
  await Promise.all(
    variants.map(async ({ key }) => {
      const times: number[] = [];
      // One repetition is enough to show a recipe never recovers; it would cost gaveUpAfterMs each.
      const runs = isClassic(key) ? 1 : reps;
      for (let i = 0; i < runs; i++) {
        env.log(`recovery: ${key} #${i + 1}`);
        const ms = await once(env, key, ttl, gaveUpAfterMs);
        if (ms !== null) times.push(ms);
      }
      recoveryMs[key] = times.length === runs ? measure(times) : null;
      measured.push(key);
    }),
  );
  return { ttl, recoveryMs, measured, gaveUpAfterMs };
}

async function once(env: BenchEnv, key: VariantKey, ttl: number, limit: number): Promise<number | null> {
  const object = env.nextObject(`recovery-${key}`);
  const child = spawn(
    process.execPath,
    [
      await bundled(isClassic(key) ? CLASSIC_HOLDER : HOLDER),
      key,
      env.endpoint,
      env.bucket,
      object,
      String(ttl),
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  try {
    await held(child);
    const waiter = makeLocker(key, { endpoint: env.endpoint, bucket: env.bucket, object });
    const giveUp = new AbortController();
    const waiting = waiter.acquire(giveUp.signal).then(
      () => performance.now(),
      () => null,
    );
    // Let the waiter find the lock held and settle into polling; a random extra spreads the moment
    // of the crash over the holder's refresh cycle.
    await sleep(300 + Math.random() * (ttl / 4));
    child.kill('SIGKILL');
    const killedAt = performance.now();
    const timer = setTimeout(() => giveUp.abort(new Error('gave up')), limit);
    const acquiredAt = await waiting;
    clearTimeout(timer);
    if (acquiredAt === null) {
      // The human: nothing else ever removes a crashed classic holder's object. (Off the wire: the
      // scenario measures time, not requests.)
      env.server.engine.deleteObject(env.bucket, object);
      return null;
    }
    await waiter.release();
    return acquiredAt - killedAt;
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

function held(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('holder did not acquire within 30 s')), 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('held')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`holder exited with ${code}`));
    });
  });
}
