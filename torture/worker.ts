import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { AcquireTimeoutError, LockHeldError, LockLostError } from '../src/errors/index.js';
import type { Lease } from '../src/lease/lease.js';
import { Lock } from '../src/lock/lock.js';
import { GcsStore } from '../src/store/gcs-store.js';
import { fencedIncrement, type CounterStep } from './fenced-counter.js';
import { monoNow, type WorkerEvent } from './history.js';
import { counterObject, lockObject, type WorkerConfig } from './worker-config.js';

type Fields<E> = E extends WorkerEvent ? Omit<E, 't' | 'mono' | 'worker' | 'pid'> : never;

const config = JSON.parse(process.argv[2] ?? '{}') as WorkerConfig;

/**
 * Events go to stdout, one JSON line each. On Linux a write to a pipe is synchronous, so an event is
 * in the orchestrator's hands once `emit` returns, even if this process is SIGKILLed right after.
 */
function emit(fields: Fields<WorkerEvent>, mono = monoNow()): void {
  const event = { t: Date.now(), mono, worker: config.worker, pid: process.pid, ...fields };
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

async function waitForGo(): Promise<number> {
  if (config.endMono !== undefined) return config.endMono;
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    const [word, at] = line.split(' ');
    if (word === 'go' && at !== undefined) {
      lines.close();
      return Number(at);
    }
  }
  return monoNow(); // stdin closed without a go: do nothing
}

let writeSeq = 0;
let current: Lease | undefined;
/** What the lock's own 'acquired' event said (it fires before `acquire` resolves with the lease). */
const grants = new Map<string, { tookOver: boolean; waitedMs: number }>();

const store = new GcsStore({ endpoint: config.endpoint });
const locks = config.locks.map(
  (name) =>
    new Lock(`gs://${config.bucket}/${lockObject(name)}`, {
      ttl: config.ttl,
      poll: { initial: config.pollInitial, max: config.pollMax },
      endpoint: config.endpoint,
      description: `torture worker ${config.worker}.${config.incarnation}`,
      onEvent: (event) => {
        // The deadline is read from the lease itself, so the checker knows when this holder
        // considers the lease over, on the clock all processes share.
        if (event.type === 'acquired') grants.set(event.token, event);
        else if (event.type === 'refreshed' && current?.token === event.token) {
          emit({
            type: 'refreshed',
            lock: name,
            token: event.token,
            deadline: monoNow() + current.remainingMs,
          });
        }
      },
    }),
);

/** One round: acquire, critical section, release. Resolves whether the lock was acquired. */
async function iteration(end: number): Promise<boolean> {
  const pick = Math.floor(Math.random() * locks.length);
  const lock = locks[pick]!;
  const name = config.locks[pick]!;
  const timeout = Math.max(0, Math.min(5 * config.ttl, end - monoNow()));
  emit({ type: 'acquire-attempt', lock: name });
  let lease: Lease;
  try {
    lease = await lock.acquire({ timeout });
  } catch (error) {
    const expected = error instanceof AcquireTimeoutError || error instanceof LockHeldError;
    emit({ type: 'acquire-failed', lock: name, error: expected ? error.name : String(error) });
    if (!expected) await sleep(100);
    return false;
  }
  current = lease;
  const token = lease.token;
  const grant = grants.get(token);
  grants.clear();
  emit({
    type: 'acquired',
    lock: name,
    token,
    deadline: monoNow() + lease.remainingMs,
    tookOver: grant?.tookOver ?? false,
    waitedMs: Math.round(grant?.waitedMs ?? 0),
  });
  const onAbort = (): void => {
    const reason: unknown = lease.signal.reason;
    if (reason instanceof LockLostError) emit({ type: 'lost', lock: name, token, reason: reason.reason });
  };
  // Paused between the grant and here, the lease may be lost already: its signal will not fire again.
  if (lease.signal.aborted) onAbort();
  else lease.signal.addEventListener('abort', onAbort, { once: true });
  // Read the time, then check the lease: a recorded time is never later than a moment the lease held.
  const guard = (): number => {
    const mono = monoNow();
    lease.throwIfLost();
    return mono;
  };
  let entered = false;
  try {
    emit({ type: 'cs-enter', lock: name, token }, guard());
    entered = true;
    // Sometimes hold long enough for a refresh or two, mostly briefly; the first pause leaves the
    // orchestrator time to arm a fault on this holder's counter write.
    await sleep(30 + Math.random() * (Math.random() < 0.15 ? config.ttl * 0.8 : 150));
    await fencedIncrement({
      store,
      bucket: config.bucket,
      name: counterObject(name),
      token,
      guard,
      nextId: () => `${config.worker}.${config.incarnation}.${writeSeq++}`,
      report: (step: CounterStep) => {
        if (step.type === 'write-sent') {
          const { mono, ...rest } = step;
          emit({ ...rest, lock: name, token }, mono);
        } else emit({ ...step, lock: name, token });
      },
    });
    await sleep(Math.random() * 80);
    emit({ type: 'cs-leave', lock: name, token, aborted: false });
  } catch (error) {
    if (entered) emit({ type: 'cs-leave', lock: name, token, aborted: true });
    if (!(error instanceof LockLostError)) emit({ type: 'worker-error', message: String(error) });
  } finally {
    emit({ type: 'release-start', lock: name, token });
    const deleted = await lease.release().catch(() => null);
    emit({ type: 'released', lock: name, token, deleted });
    current = undefined;
  }
  return true;
}

async function main(): Promise<void> {
  emit({ type: 'ready', incarnation: config.incarnation });
  const end = await waitForGo();
  let done = 0;
  // Bounded by the quota or the end time, whichever comes first.
  while ((config.quota === null || done < config.quota) && monoNow() < end) {
    if (await iteration(end)) done++;
  }
  emit({ type: 'done', iterations: done });
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    emit({ type: 'worker-error', message: String(error) });
    process.exit(1);
  },
);
