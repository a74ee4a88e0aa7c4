import { setTimeout as sleep } from 'node:timers/promises';
import { AcquireTimeoutError, LockHeldError, LockLostError } from '../src/errors/index.js';
import type { Lease } from '../src/lease/lease.js';
import { GcsStore } from '../src/store/gcs-store.js';
import { installClockShim, type SuspendVariant } from './clock-shim.js';
import { increment, type CounterStep } from './counter.js';
import { writeReport } from './fenced-report.js';
import { StalledReads } from './stalled-reads.js';
import { monoNow } from './history.js';
import { ProcessLog } from './process-log.js';
import { heldName, holdable } from './primitives.js';
import { runWorkerLoop } from './worker-loop.js';
import { counterObject, lockObject, workerSource, type WorkerConfig } from './worker-config.js';

/** A library worker: acquire, critical section, counter increment, release, in a loop. */
const config = JSON.parse(process.argv[2] ?? '{}') as WorkerConfig;
const log = new ProcessLog(config.dir, workerSource(config.worker, config.incarnation), config.worker);
const emit = log.emit.bind(log);
const clock = installClockShim();

/** Library events the checker counts (the rest are in the history through their own records). */
const COUNTED = new Set(['retrying', 'refresh-failed', 'release-failed', 'queued']);

let writeSeq = 0;
/** The lease held now, the deadline it last reported (mono), and whether it outlived it already. */
let current: { lease: Lease; lock: string; deadline: number; probed: boolean } | undefined;
/** A suspend the orchestrator asked for, to happen at the next lease check (before it reads time). */
let armed: { variant: SuspendVariant; ms: number } | undefined;
/** The orchestrator asked the current holder to stay in its critical section until then (mono). */
let holdUntil = 0;
/** What the lock's own 'acquired' event said (it fires before `acquire` resolves with the lease). */
const grants = new Map<string, { tookOver: boolean; waitedMs: number }>();
/** A zombie-write fault: stop in the next critical section, then write through the fenced path. */
let zombieArmed = false;

/**
 * The mono time by which the lease will have declared itself lost: its remaining time is read first,
 * then the clock, so that a preemption between the two (seen at 200 ms on a loaded machine) can only
 * make the reported deadline later than the lease's own, never earlier.
 */
function deadlineOf(lease: Lease): number {
  const remaining = lease.remainingMs;
  return monoNow() + remaining;
}

/** The orchestrator's commands: "suspend <ms> <variant>", "hold <ms>", "zombie". */
function onCommand([word, a, b]: string[]): void {
  if (word === 'zombie') zombieArmed = true;
  if (word === 'stall-read') reads.armed = true;
  if (word === 'suspend' && a !== undefined && b !== undefined) {
    const command = { variant: b as SuspendVariant, ms: Number(a) };
    if (command.variant === 'guard') armed = command;
    else suspend(command);
  }
  if (word === 'hold' && a !== undefined) holdUntil = monoNow() + Number(a);
}

/** Runs a suspend or wall step now, recording it before and after (the file is written synchronously). */
function suspend({ variant, ms }: { variant: SuspendVariant; ms: number }): void {
  const held = current ? { lock: current.lock, token: current.lease.token } : {};
  emit({ type: 'suspend', ...held, variant, ms });
  if (variant === 'wall-forward') clock.stepWall(ms);
  else if (variant === 'wall-back') clock.stepWall(-ms);
  else clock.suspend(ms);
  emit({ type: 'suspend-end', variant });
}

const store = new GcsStore({ endpoint: config.endpoint });
/** The locks' storage: the same, with a waiter-pause fault's stop after a read (stalled-reads.ts). */
const reads = new StalledReads(emit);
const lockStore = reads.wrap(new GcsStore({ endpoint: config.endpoint }));
// --primitive: a lock, an election or a semaphore of that name (primitives.ts).
const locks = config.locks.map((name) =>
  holdable(config, name, {
    ttl: config.ttl,
    ...(config.refreshInterval !== undefined && { refreshInterval: config.refreshInterval }),
    poll: { initial: config.pollInitial, max: config.pollMax },
    fair: config.fair ?? true,
    store: lockStore,
    description: `torture worker ${config.worker}.${config.incarnation}`,
    onEvent: (event) => {
      // The deadline is read from the lease itself, so the checker knows when this holder
      // considers the lease over, on the clock all processes share.
      if (event.type === 'acquired') grants.set(event.token, event);
      else if (
        event.type === 'refreshed' &&
        current?.lease.token === event.token &&
        current.lease.url === event.url
      ) {
        current.deadline = deadlineOf(current.lease);
        emit({ type: 'refreshed', lock: current.lock, token: event.token, deadline: current.deadline });
      } else if (COUNTED.has(event.type)) {
        const token = 'token' in event && typeof event.token === 'string' ? { token: event.token } : {};
        emit({ type: 'lock-event', lock: name, ...token, name: event.type });
      }
    },
  }),
);

/** Stays in the critical section for `ms`, or longer if the orchestrator asks (a fault waits for it). */
async function hold(ms: number): Promise<void> {
  const until = monoNow() + ms;
  for (;;) {
    // The time first, then the lease: a lease that says held was held at that time or later.
    const now = monoNow();
    // A holder that learns of its loss stops holding: its next lease check will tell it so.
    if (!current || now >= Math.max(until, holdUntil) || current.lease.lost) return;
    if (zombieArmed) return zombie(current);
    // The lease says it is held after the deadline it reported: its clock disagrees with ours.
    if (!current.probed && now >= current.deadline) {
      current.probed = true;
      emit({ type: 'still-held', lock: current.lock, token: current.lease.token }, now);
    }
    await sleep(Math.min(50, Math.max(until, holdUntil) - monoNow()));
  }
}

/**
 * A zombie: the process stops itself (SIGSTOP) in its critical section, and the orchestrator resumes
 * it once a successor was granted (or after 1.5 ttl). Its first act on resuming, before any timer of
 * the lease can run, is a fenced write with its old lease: GCS must refuse it if a successor holds.
 */
async function zombie(held: NonNullable<typeof current>): Promise<void> {
  zombieArmed = false;
  emit({ type: 'zombie-stop', lock: held.lock, token: held.lease.token });
  process.kill(process.pid, 'SIGSTOP');
  await writeReport(reportWrite(held.lock, held.lease, true, () => monoNow()));
}

function reportWrite(lock: string, lease: Lease, zombie: boolean, guard: () => number) {
  return {
    store,
    bucket: config.bucket,
    lock,
    lockObject: lockObject(lock),
    lease,
    id: `${log.source}.f${writeSeq++}`,
    zombie,
    guard,
    emit,
  };
}

/** One round: acquire, critical section, release. Resolves whether the lock was acquired. */
async function iteration(end: number): Promise<boolean> {
  const pick = Math.floor(Math.random() * locks.length);
  const lock = locks[pick]!;
  const semaphoreOrLock = config.locks[pick]!;
  const timeout = Math.max(0, Math.min(config.waitTimeout ?? 5 * config.ttl, end - monoNow()));
  emit({ type: 'acquire-attempt', lock: semaphoreOrLock, timeoutMs: Math.round(timeout) });
  let lease: Lease;
  reads.waitingOn = semaphoreOrLock;
  try {
    lease = await lock.acquire(timeout);
  } catch (error) {
    const expected = error instanceof AcquireTimeoutError || error instanceof LockHeldError;
    emit({ type: 'acquire-failed', lock: semaphoreOrLock, error: expected ? error.name : String(error) });
    if (!expected) await sleep(100);
    return false;
  } finally {
    reads.waitingOn = undefined;
  }
  // A permit is a lease on one slot: the history names the slot's lock object.
  const name = heldName(semaphoreOrLock, lease);
  current = { lease, lock: name, deadline: deadlineOf(lease), probed: false };
  const token = lease.token;
  // --counter-token generation: the mutant that hands the counter 0.1's token (the generation).
  const counterToken = config.counterToken === 'generation' ? lease.generation : token;
  const grant = grants.get(token);
  grants.clear();
  emit({
    type: 'acquired',
    lock: name,
    token,
    deadline: current.deadline,
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
  // A suspend armed for this moment comes first; then read the time, then check the lease: a
  // recorded time is never later than a moment the lease held.
  const guard = (): number => {
    const suspendNow = armed;
    armed = undefined;
    if (suspendNow) suspend(suspendNow);
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
    await hold(30 + Math.random() * (Math.random() < 0.15 ? config.ttl * 0.8 : 150));
    // A quarter of the holders also write the lock's report through the fenced path.
    if (Math.random() < 0.25) await writeReport(reportWrite(name, lease, false, guard));
    await increment({
      store,
      bucket: config.bucket,
      name: counterObject(name),
      token: counterToken,
      mode: config.counter,
      guard,
      nextId: () => `${log.source}.${writeSeq++}`,
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
    const result = await lease.release().catch(() => null);
    emit({ type: 'released', lock: name, token, result });
    current = undefined;
    holdUntil = 0;
  }
  return true;
}

// A rest of up to 1 s between rounds: without it the releasing worker wins its own lock again at
// once, and waiters that poll more slowly (gcs-lock run, at its default poll) starve.
runWorkerLoop({
  log,
  role: 'lib',
  incarnation: config.incarnation,
  endMono: config.endMono,
  quota: config.quota,
  round: iteration,
  restMs: 1000,
  onCommand,
});
