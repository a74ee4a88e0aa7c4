import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The time every process of a run agrees on: CLOCK_MONOTONIC in ms. `process.hrtime` reads the
 * system-wide monotonic clock on Linux and macOS, so stamps from different processes on one machine
 * compare directly, keep running while a process is SIGSTOPped, and never jump with the wall clock.
 */
export function monoNow(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** What a run was configured with, recorded first so the checker needs nothing but the history. */
export interface RunConfig {
  workers: number;
  locks: string[];
  ttl: number;
  lossMargin: number;
  pollMax: number;
  /** Extra time the checker allows a takeover after a SIGKILL, on top of ttl + one poll. */
  slackMs: number;
  durationMs: number;
  quota: number | null;
  faults: string[];
}

/** Every event carries the wall clock (for people) and the shared monotonic clock (for the checker). */
interface Stamp {
  t: number;
  mono: number;
}
/** Events written by worker `worker` (a slot; a killed worker's replacement keeps the slot). */
interface FromWorker extends Stamp {
  worker: number;
  pid: number;
}
interface OnLease extends FromWorker {
  lock: string;
  token: string;
}

export type WorkerEvent =
  | (FromWorker & { type: 'ready'; incarnation: number })
  | (FromWorker & { type: 'acquire-attempt'; lock: string })
  | (FromWorker & { type: 'acquire-failed'; lock: string; error: string })
  /** `deadline`: the mono time at which the holder itself will declare the lease lost. */
  | (OnLease & { type: 'acquired'; deadline: number; tookOver: boolean; waitedMs: number })
  | (OnLease & { type: 'refreshed'; deadline: number })
  | (OnLease & { type: 'lost'; reason: string })
  | (OnLease & { type: 'cs-enter' })
  | (OnLease & { type: 'cs-leave'; aborted: boolean })
  /** A counter write about to be sent; `mono` was read before the lease check that allowed it. */
  | (OnLease & { type: 'write-sent'; id: string; value: number })
  | (OnLease & { type: 'write-accepted'; id: string; value: number; generation: string })
  /** The write was answered and changed nothing (412 from the CAS, or 429). */
  | (OnLease & { type: 'write-not-applied'; id: string; status: number })
  /** No answer that tells: the write may or may not have been applied. */
  | (OnLease & { type: 'write-unknown'; id: string; error: string })
  /** The counter had already seen a newer token: the resource refused this holder. */
  | (OnLease & { type: 'write-rejected'; seen: string })
  | (OnLease & { type: 'release-start' })
  | (OnLease & { type: 'released'; deleted: boolean | null })
  | (FromWorker & { type: 'done'; iterations: number })
  | (FromWorker & { type: 'worker-error'; message: string });

export type OrchestratorEvent =
  | (Stamp & { type: 'run-start'; config: RunConfig })
  | (Stamp & { type: 'spawn'; worker: number; pid: number; incarnation: number })
  | (Stamp & { type: 'exit'; worker: number; pid: number; code: number | null; signal: string | null })
  | (Stamp & { type: 'kill'; worker: number; pid: number; lock: string; token: string; during: string })
  | (Stamp & { type: 'pause'; worker: number; pid: number; lock: string; token: string; ms: number })
  | (Stamp & { type: 'resume'; worker: number; pid: number })
  | (Stamp & { type: 'fault'; kind: string; detail: string })
  | (Stamp & {
      type: 'final';
      counters: Record<string, number>;
      leftover: string[];
      delivered: Record<string, number>;
    })
  | (Stamp & { type: 'run-end' });

export type HistoryEvent = WorkerEvent | OrchestratorEvent;

/**
 * The append-only history: one JSON object per line, written synchronously in arrival order, so a
 * crash of the orchestrator loses nothing already received and the file can be inspected mid-run.
 */
export class HistoryWriter {
  readonly path: string;
  readonly events: HistoryEvent[] = [];
  #fd: number | undefined;

  constructor(path: string) {
    this.path = path;
    mkdirSync(dirname(path), { recursive: true });
    this.#fd = openSync(path, 'w');
  }

  append(event: HistoryEvent): void {
    this.events.push(event);
    if (this.#fd !== undefined) writeSync(this.#fd, `${JSON.stringify(event)}\n`);
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}

/** Reads a history file back; a torn last line (the writer was killed mid-write) is skipped. */
export function readHistory(path: string): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      events.push(JSON.parse(line) as HistoryEvent);
    } catch {
      // only the last line can be torn; anything else is still worth reading
    }
  }
  return events;
}

/** An orchestrator event before it is stamped (distributes over the union, unlike a plain Omit). */
export type Unstamped<E> = E extends unknown ? Omit<E, 't' | 'mono'> : never;
