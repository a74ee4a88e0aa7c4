import { setTimeout as sleep } from 'node:timers/promises';
import { GcsStore } from '../src/store/gcs-store.js';
import { increment } from './counter.js';
import { monoNow } from './history.js';
import { ProcessLog } from './process-log.js';
import { counterObject, lockName, stepSource, type StepConfig } from './worker-config.js';

/**
 * The command under `gcs-lock run`: it trusts the lock the way a shell script does, by running only
 * while gcs-lock holds it. It records that it runs (a `cs-tick` every 100 ms: each one is an act under
 * the lock), then increments the counter with the token from GCS_LOCK_TOKEN, and leaves. If it is
 * still ticking after the lease could have passed to someone else, `run` let it outlive the lease.
 */
const config = JSON.parse(process.env['TORTURE_STEP'] ?? '{}') as StepConfig;
const token = process.env['GCS_LOCK_TOKEN'] ?? '';
// The lock object's name under locks/ (a semaphore's slot, `<name>.slots/<i>`, for a permit).
const lock = lockName((process.env['GCS_LOCK_URL'] ?? '').replace(/^gs:\/\/[^/]+\//, '')) ?? '';
const log = new ProcessLog(config.dir, stepSource(config.worker, process.pid), config.worker);
const emit = log.emit.bind(log);
const TICK_MS = 100;

async function main(): Promise<void> {
  if (!/^\d+$/.test(token) || lock === '') {
    emit({ type: 'worker-error', message: 'GCS_LOCK_TOKEN or GCS_LOCK_URL missing from the environment' });
    process.exit(1);
  }
  emit({ type: 'cli-acquired', lock, token, plannedMs: config.plannedMs, stubborn: config.stubborn });
  // A stubborn command goes on after SIGTERM (it "cleans up"): only SIGKILL stops it.
  process.on('SIGTERM', () => {
    emit({ type: 'sigterm', lock, token });
    if (!config.stubborn) process.exit(143);
  });
  const start = monoNow();
  emit({ type: 'cs-enter', lock, token }, start);
  while (monoNow() < start + config.plannedMs) {
    await sleep(TICK_MS);
    emit({ type: 'cs-tick', lock, token });
  }
  let writes = 0;
  await increment({
    store: new GcsStore({ endpoint: config.endpoint }),
    bucket: config.bucket,
    name: counterObject(lock),
    // --counter-token generation: the mutant that hands the counter the lock's generation instead.
    token: config.counterToken === 'generation' ? (process.env['GCS_LOCK_GENERATION'] ?? '') : token,
    mode: config.counter,
    // No lease here: the command's promise is that gcs-lock ends it before the lease can pass on.
    guard: monoNow,
    nextId: () => `${log.source}.${writes++}`,
    report: (step) => {
      if (step.type === 'write-sent') {
        const { mono, ...rest } = step;
        emit({ ...rest, lock, token }, mono);
      } else emit({ ...step, lock, token });
    },
  });
  emit({ type: 'cs-leave', lock, token, aborted: false });
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    emit({ type: 'worker-error', message: String(error) });
    process.exit(1);
  },
);
