import type { FaultRule } from '../src/server/fault-plan.js';
import type { RunningServer } from '../src/server/start-server.js';
import { SUSPEND_VARIANTS } from './clock-shim.js';
import type { CounterMode, WorkerEvent } from './history.js';
import { counterObject, lockObject } from './worker-config.js';

/** Faults aimed at one holder, each delivered at the moment it waits for. */
// The CLI faults come first: a long command under `gcs-lock run` has to win a lock before it can
// be struck, which takes the longest.
export const HOLDER_FAULTS = [
  'cli-kill',
  'cli-loss',
  'kill',
  'suspend',
  'foreign-patch',
  'pause',
  'release-outage',
] as const;
export type HolderFault = (typeof HOLDER_FAULTS)[number];

/** A process holding a lease, as the orchestrator knows it from its events. */
export interface Holder {
  worker: number;
  pid: number;
  lock: string;
  token: string;
}

/** What the schedule needs from the orchestrator. */
export interface FaultHost {
  server: RunningServer;
  bucket: string;
  ttl: number;
  lossMargin: number;
  counter: CounterMode;
  /** CLI driver slots, to ask one for a long command when a CLI fault waits. */
  cliWorkers: number[];
  record(kind: string, detail: string, about?: { lock?: string; token?: string; worker?: number }): void;
  /** The server clock's offset was just changed. */
  clockChanged(): void;
  kill(holder: Holder, during: string): void;
  pause(holder: Holder, ms: number): void;
  /**
   * A worker stopped itself (SIGSTOP): continue it after `ms`, or sooner by calling the function
   * returned. With `holder`, recorded as a pause of that holder's lease (the checker judges it).
   */
  stopped(worker: number, pid: number, ms: number, holder?: Holder): () => void;
  /** A line to a worker process's stdin. */
  send(worker: number, line: string): void;
}

interface Pending {
  kind: HolderFault;
  variant: string;
}

/**
 * Holder faults wait for their moment, each in its own way:
 * - `kill`, `pause`: a library holder entering its critical section, or sending its counter write
 *   (alternately; a pause at the write also delays that write at the server past its successor's);
 * - `suspend`: a library holder in its critical section is told to simulate a laptop suspend (its
 *   event loop blocked 1.5 ttl, its monotonic clock set back by as much) at its next lease check or at
 *   once, or to step its wall clock forward or back by a ttl (clock-shim.ts);
 * - `foreign-patch`: a library holder entering its critical section is asked to hold on for 2 ttl;
 *   right after its next refresh commits, someone else patches the lock object's metadata (as
 *   `gcloud storage objects update` would); once the holder's next refresh is refused (412), the
 *   object's patches fail for a ttl, so a holder that took the foreign change for its own refresh
 *   believes past the lease's real end;
 * - `release-outage`: a library holder starting its release finds the lock object's writes stalled
 *   (or reset) for 2 ttl;
 * - `cli-kill`, `cli-loss`: a command under `gcs-lock run` that holds for 3 ttl (asked of a CLI
 *   driver) either has its gcs-lock SIGKILLed, or its lock object's patches fail for a ttl, so gcs-lock
 *   loses the lease and must end the whole command, grandchildren included.
 */
export class HolderFaults {
  readonly #host: FaultHost;
  readonly #delivered: Record<string, number>;
  readonly #pending: Pending[] = [];
  readonly #variant: Record<string, number> = {};
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  /** Rules to lift when the lock they are on is granted again. */
  readonly #windows = new Map<string, string[]>();
  /** Locks whose holder was asked to hold on: a stranger patches the object after its next refresh. */
  readonly #foreignTarget = new Set<string>();
  /** Locks whose object was patched by a stranger, waiting for the holder's refused refresh. */
  readonly #foreign = new Set<string>();
  /** Library worker processes whose wall clock was stepped forward and not back yet. */
  readonly #wallAhead = new Set<number>();
  /** The gcs-lock process each CLI driver runs now. */
  readonly #cliPid = new Map<number, number>();
  #armedPause: { worker: number; ruleId: string } | undefined;
  #labels = 0;
  #stopped = false;

  constructor(host: FaultHost, delivered: Record<string, number>) {
    this.#host = host;
    this.#delivered = delivered;
  }

  enqueue(kind: HolderFault): void {
    const variants: Record<HolderFault, readonly string[]> = {
      kill: ['cs', 'write'],
      // A holder paused between its lease check and its send is the documented non-guarantee that
      // only fencing covers: not with a counter that relies on the lock alone.
      pause: this.#host.counter === 'fenced' ? ['cs', 'write'] : ['cs'],
      suspend: SUSPEND_VARIANTS,
      'foreign-patch': ['label'],
      'release-outage': ['stall', 'reset'],
      'cli-kill': ['sigkill'],
      'cli-loss': ['refresh-503'],
    };
    const list = variants[kind];
    const variant = list[(this.#variant[kind] = (this.#variant[kind] ?? -1) + 1) % list.length]!;
    this.#pending.push({ kind, variant });
    if (kind === 'cli-kill' || kind === 'cli-loss') {
      const drivers = this.#host.cliWorkers;
      // Every driver's next command is long: whichever wins a lock first takes the fault.
      for (const worker of drivers) this.#host.send(worker, 'long');
    }
  }

  #take(kind: HolderFault, variant?: string): Pending | undefined {
    const at = this.#pending.findIndex(
      (p) => p.kind === kind && (variant === undefined || p.variant === variant),
    );
    return at === -1 ? undefined : this.#pending.splice(at, 1)[0];
  }

  #count(kind: HolderFault): void {
    this.#delivered[kind] = (this.#delivered[kind] ?? 0) + 1;
  }

  /** Every event a worker process sent on its notification pipe. */
  onWorkerEvent(event: WorkerEvent): void {
    if (this.#stopped) return;
    if (event.type === 'cli-start') this.#cliPid.set(event.worker, event.cliPid);
    if (event.type === 'cli-acquired' && event.plannedMs >= 2 * this.#host.ttl) this.#onLongCommand(event);
    if (!event.src.startsWith('w')) return; // the rest is about library workers
    const holder =
      'token' in event && event.token !== undefined && 'lock' in event
        ? { worker: event.worker, pid: event.pid, lock: event.lock, token: event.token }
        : undefined;
    if (!holder) return;
    if (event.type === 'cs-enter') this.#onEnter(holder);
    else if (event.type === 'write-sent') this.#onWrite(holder);
    else if (event.type === 'release-start') this.#onRelease(holder);
  }

  #onEnter(holder: Holder): void {
    // The oldest pending fault that strikes at this moment goes first: none waits behind the others.
    const foreignOk = !this.#foreignTarget.has(holder.lock) && !this.#foreign.has(holder.lock);
    // A step back goes to a worker whose wall clock was stepped forward, if any: NTP undoing it.
    const backOk = this.#wallAhead.size === 0 || this.#wallAhead.has(holder.pid);
    const at = this.#pending.findIndex(
      (p) =>
        ((p.kind === 'kill' || p.kind === 'pause') && p.variant === 'cs') ||
        (p.kind === 'foreign-patch' && foreignOk) ||
        (p.kind === 'suspend' && (backOk || p.variant !== 'wall-back')),
    );
    const fault = at === -1 ? undefined : this.#pending.splice(at, 1)[0];
    if (fault?.kind === 'kill' || fault?.kind === 'pause')
      return this.#strike(fault.kind, holder, 'critical section');
    if (fault?.kind === 'foreign-patch') {
      // Long enough for a refresh, the stranger's patch, the next (refused) refresh, and a ttl.
      this.#foreignTarget.add(holder.lock);
      this.#host.send(holder.worker, `hold ${2 * this.#host.ttl}`);
      return;
    }
    if (fault?.kind === 'suspend') {
      if (fault.variant === 'wall-forward') this.#wallAhead.add(holder.pid);
      if (fault.variant === 'wall-back') this.#wallAhead.delete(holder.pid);
      this.#count('suspend');
      this.#host.record('suspend', fault.variant, holder);
      this.#host.send(holder.worker, `suspend ${Math.round(this.#host.ttl * 1.5)} ${fault.variant}`);
      // After a step back, a clock kept non-decreasing stalls for as long as the step: the holder
      // holds on across it, refreshing, so that a lease outliving its reported deadline shows.
      if (fault.variant === 'wall-back') this.#host.send(holder.worker, `hold ${2 * this.#host.ttl}`);
      return;
    }
    if (
      this.#armedPause === undefined &&
      this.#pending.some((p) => p.kind === 'pause' && p.variant === 'write')
    ) {
      // Delay this holder's counter write past its successor's, then pause it while it waits:
      // the write lands late, and the counter must refuse it.
      const ruleId = this.#host.server.faults.add({
        kind: 'latency',
        object: counterObject(holder.lock),
        ops: ['insert'],
        count: 1,
        latencyMs: Math.round(this.#host.ttl * 2.5),
      });
      this.#armedPause = { worker: holder.worker, ruleId };
    }
  }

  #onWrite(holder: Holder): void {
    if (this.#armedPause?.worker === holder.worker && this.#take('pause', 'write')) {
      this.#armedPause = undefined;
      return this.#strike('pause', holder, 'counter write');
    }
    if (this.#take('kill', 'write')) this.#strike('kill', holder, 'counter write');
  }

  #onRelease(holder: Holder): void {
    if (this.#armedPause?.worker === holder.worker) {
      this.#host.server.faults.remove(this.#armedPause.ruleId);
      this.#armedPause = undefined;
    }
    const outage = this.#take('release-outage');
    if (!outage) return;
    this.#count('release-outage');
    const rule: FaultRule =
      outage.variant === 'stall'
        ? {
            kind: 'stall',
            stallMs: 2 * this.#host.ttl,
            ops: ['patch', 'delete'],
            object: lockObject(holder.lock),
          }
        : { kind: 'reset', ops: ['patch', 'delete'], object: lockObject(holder.lock) };
    this.#host.record('release-outage', outage.variant, holder);
    this.#window(holder.lock, rule, 2 * this.#host.ttl);
  }

  #onLongCommand(event: Extract<WorkerEvent, { type: 'cli-acquired' }>): void {
    const at = this.#pending.findIndex((p) => p.kind === 'cli-kill' || p.kind === 'cli-loss');
    const fault = at === -1 ? undefined : this.#pending.splice(at, 1)[0];
    if (!fault) return;
    const holder = { worker: event.worker, pid: event.pid, lock: event.lock, token: event.token };
    this.#count(fault.kind);
    if (fault.kind === 'cli-kill') {
      const cliPid = this.#cliPid.get(event.worker);
      if (cliPid !== undefined)
        this.#host.kill({ ...holder, pid: cliPid }, 'command running (gcs-lock itself)');
      return;
    }
    this.#host.record('cli-loss', 'the lock object refuses patches (503) for a ttl', holder);
    this.#window(
      holder.lock,
      { kind: 'error', status: 503, ops: ['patch'], object: lockObject(holder.lock) },
      this.#host.ttl + 1000,
    );
  }

  #strike(kind: HolderFault, holder: Holder, during: string): void {
    this.#count(kind);
    if (kind === 'kill') this.#host.kill(holder, during);
    else this.#host.pause(holder, Math.round(this.#host.ttl * 1.5));
  }

  /** A rule on one lock object until `ms` have passed or the lock is granted again. */
  #window(lock: string, rule: FaultRule, ms: number): void {
    const id = this.#host.server.faults.add(rule);
    this.#windows.set(lock, [...(this.#windows.get(lock) ?? []), id]);
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.#host.server.faults.remove(id);
    }, ms);
    this.#timers.add(timer);
  }

  /** The stamps' report of a committed change to a lock object. */
  onLockCommitted(lock: string, op: 'insert' | 'patch' | 'delete', changed: string[]): void {
    if (op === 'insert') {
      // A new grant: the outage aimed at the previous holder is over.
      for (const id of this.#windows.get(lock) ?? []) this.#host.server.faults.remove(id);
      this.#windows.delete(lock);
      this.#foreign.delete(lock);
      // The holder asked to hold on lost the lock before its next refresh: try another holder.
      if (this.#foreignTarget.delete(lock))
        this.#pending.unshift({ kind: 'foreign-patch', variant: 'label' });
    }
    if (this.#stopped || op !== 'patch' || !changed.includes('gcs-lock-refresh')) return;
    if (!this.#foreignTarget.delete(lock)) return;
    // Right after the holder's refresh: the longest time until its next one, which will be refused.
    const label = `torture-${++this.#labels}`;
    try {
      this.#host.server.engine.patchObject(this.#host.bucket, lockObject(lock), {
        metadata: { 'torture-label': label },
      });
    } catch {
      this.#foreignTarget.add(lock); // refused by the rate limit: after the next refresh, then
      return;
    }
    this.#count('foreign-patch');
    this.#foreign.add(lock);
    this.#host.record('foreign-patch', `torture-label: ${label}`, { lock });
  }

  /** The stamps' report of a refused mutation of a lock object. */
  onLockRefused(lock: string, op: 'insert' | 'patch' | 'delete', status: number): void {
    if (op !== 'patch' || status !== 412 || !this.#foreign.delete(lock) || this.#stopped) return;
    this.#host.record(
      'foreign-patch',
      'a refresh was refused (412): the lock object refuses patches for a ttl',
      { lock },
    );
    this.#window(
      lock,
      { kind: 'error', status: 503, ops: ['patch'], object: lockObject(lock) },
      this.#host.ttl + 500,
    );
  }

  stop(): void {
    this.#stopped = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#pending.length = 0;
    this.#windows.clear();
    this.#foreign.clear();
    this.#foreignTarget.clear();
    this.#armedPause = undefined;
  }
}
