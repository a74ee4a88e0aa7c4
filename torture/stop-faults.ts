import type { FaultHost, Holder } from './holder-faults.js';
import type { WorkerEvent } from './history.js';

/** Faults where a worker process stops itself (SIGSTOP) at the worst moment, and we continue it. */
export const STOP_FAULTS = ['zombie-write', 'waiter-pause'] as const;
export type StopFault = (typeof STOP_FAULTS)[number];

interface Zombie {
  lock: string;
  variant: 'successor' | 'expired';
  resume: (() => void) | undefined;
}

/**
 * - `zombie-write`: a library holder entering its critical section is told to stop itself there (the
 *   worker does, at its next lease check: worker.ts). It is continued right after a successor's grant
 *   of that lock (variant `successor`, at most 4 ttl later) or after 1.5 ttl whatever happened
 *   (`expired`), and its first act is a fenced write with its old lease (fenced-report.ts): GCS must
 *   refuse it once a successor was granted, and may accept it before.
 * - `waiter-pause`: a library worker starting to wait is told to stop itself right after a read of
 *   that lock showing a lease it has already seen (stalled-reads.ts); it is continued 1.5 ttl later,
 *   when the library judges that old answer: it must not take a lease that was refreshed meanwhile for
 *   expired.
 */
export class StopFaults {
  readonly #host: FaultHost;
  readonly #delivered: Record<string, number>;
  readonly #pending: StopFault[] = [];
  /** Workers told to stop, by fault, until they do (one at a time per fault). */
  readonly #armed = new Map<StopFault, number>();
  readonly #zombies = new Map<number, Zombie>();
  #variants = 0;
  #stopped = false;

  constructor(host: FaultHost, delivered: Record<string, number>) {
    this.#host = host;
    this.#delivered = delivered;
  }

  enqueue(kind: StopFault): void {
    if (!this.#pending.includes(kind)) this.#pending.push(kind);
  }

  #arm(kind: StopFault, worker: number, command: string): void {
    if (this.#stopped || this.#armed.has(kind)) return;
    const at = this.#pending.indexOf(kind);
    if (at === -1) return;
    this.#pending.splice(at, 1);
    this.#armed.set(kind, worker);
    this.#host.send(worker, command);
  }

  /** Every event a worker process sent on its notification pipe. */
  onWorkerEvent(event: WorkerEvent): void {
    if (!event.src.startsWith('w')) return; // library workers only
    // A new incarnation: the process a fault was armed in is gone (killed before its moment came), and
    // the fault with it. Queue it again, or it would stay armed for a process that no longer exists
    // and never be delivered (the short torture run missed `waiter-pause` that way).
    if (event.type === 'ready') {
      for (const [kind, worker] of this.#armed) {
        if (worker !== event.worker) continue;
        this.#armed.delete(kind);
        this.enqueue(kind);
      }
    }
    if (event.type === 'cs-enter') this.#arm('zombie-write', event.worker, 'zombie');
    if (event.type === 'acquire-attempt') this.#arm('waiter-pause', event.worker, 'stall-read');
    if (event.type === 'zombie-stop') this.#onZombie(event);
    if (event.type === 'waiter-stop') {
      // Even after the schedule stopped: a stopped worker must be continued.
      if (this.#armed.get('waiter-pause') === event.worker) this.#armed.delete('waiter-pause');
      this.#count('waiter-pause');
      this.#host.record('waiter-pause', `stopped after a read of refresh ${event.refresh}`, {
        worker: event.worker,
        lock: event.lock,
      });
      this.#host.stopped(event.worker, event.pid, Math.round(this.#host.ttl * 1.5));
    }
  }

  #onZombie(event: Extract<WorkerEvent, { type: 'zombie-stop' }>): void {
    if (this.#armed.get('zombie-write') === event.worker) this.#armed.delete('zombie-write');
    const holder: Holder = { worker: event.worker, pid: event.pid, lock: event.lock, token: event.token };
    // Once the schedule stopped (the quiet tail), no waiting for a successor: the run is ending.
    const variant = this.#variants++ % 2 === 0 && !this.#stopped ? 'successor' : 'expired';
    const { ttl } = this.#host;
    const zombie: Zombie = { lock: event.lock, variant, resume: undefined };
    this.#zombies.set(event.worker, zombie);
    this.#count('zombie-write');
    this.#host.record('zombie-write', variant, holder);
    zombie.resume = this.#host.stopped(
      event.worker,
      event.pid,
      Math.round(variant === 'successor' ? 4 * ttl : 1.5 * ttl),
      holder,
    );
  }

  #count(kind: StopFault): void {
    this.#delivered[kind] = (this.#delivered[kind] ?? 0) + 1;
  }

  /** The stamps' report of a committed change to a lock object: a successor's grant wakes its zombie. */
  onLockCommitted(lock: string, op: 'insert' | 'patch' | 'delete'): void {
    if (op !== 'insert') return;
    for (const [worker, zombie] of this.#zombies) {
      if (zombie.lock !== lock || zombie.variant !== 'successor') continue;
      this.#zombies.delete(worker);
      // After the engine's commit returns: the successor's grant is stamped before the zombie runs.
      setImmediate(() => zombie.resume?.());
    }
  }

  /** No new faults; workers that stop themselves still get continued. */
  stop(): void {
    this.#stopped = true;
    this.#pending.length = 0;
  }
}
