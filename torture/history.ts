import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Primitive } from './primitives.js';

/**
 * The time every process of a run agrees on: CLOCK_MONOTONIC in ms. `process.hrtime` reads the
 * system-wide monotonic clock on Linux and macOS, so stamps from different processes on one machine
 * compare directly, keep running while a process is SIGSTOPped, and never jump with the wall clock.
 * A worker's clock shim (clock-shim.ts) replaces `performance.now` and `Date.now`, never this.
 */
export function monoNow(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** The wall clock as it was before any shim: for people reading the history, never for the checker. */
const realDateNow = Date.now.bind(Date);
export const wallNow = (): number => realDateNow();

export type CounterMode = 'fenced' | 'unconditional';

/**
 * What the counter is handed as the fencing token: `fence` (`lease.token`, right) or `generation`
 * (`lease.generation`: 0.1's token, wrong once generations are unordered; a mutant the checker must catch).
 */
export type CounterToken = 'fence' | 'generation';

/** What a run was configured with, recorded first so the checker needs nothing but the history. */
export interface RunConfig {
  /** Worker slots in all: library workers first, then `cliWorkers` CLI drivers. */
  workers: number;
  cliWorkers: number;
  locks: string[];
  ttl: number;
  lossMargin: number;
  pollMax: number;
  /** Extra time the checker allows a takeover after a SIGKILL, on top of ttl + one poll. */
  slackMs: number;
  durationMs: number;
  quota: number | null;
  faults: string[];
  counter: CounterMode;
  /** What the workers held (absent in runs from before `--primitive`: locks). */
  primitive?: Primitive;
  /** Each semaphore's permits, in a semaphore run. */
  permits?: number;
  /** How the server numbered generations (absent in older runs: increasing). */
  generations?: 'increasing' | 'unordered';
  /** The bucket had Object Versioning on. */
  versioned?: boolean;
  /** Library workers waited in fair mode (the default; absent in older runs: fair). */
  fair?: boolean;
  /** What workers handed the counter as their token (absent: the fence). */
  counterToken?: CounterToken;
  /** Longest an acquire waits before giving up (absent in older runs: 5 ttl). */
  waitTimeoutMs?: number;
  /** The waiters' first poll, and a fair-mode queue head's poll (absent in older runs: 250). */
  pollInitial?: number;
}

/**
 * Every event carries the wall clock (for people), the shared monotonic clock (for the checker), the
 * file it was written to (`src`) and its place in that file (`seq`, from 0 with no gaps).
 */
interface Stamp {
  t: number;
  mono: number;
  src: string;
  seq: number;
}
/** Events written by a process of worker slot `worker` (a killed worker's replacement keeps the slot). */
interface FromWorker extends Stamp {
  worker: number;
  pid: number;
}
interface OnLease extends FromWorker {
  lock: string;
  token: string;
}

export type WorkerEvent =
  | (FromWorker & { type: 'ready'; incarnation: number; role: 'lib' | 'cli' })
  /** `timeoutMs`: how long this attempt may wait (absent in older runs). */
  | (FromWorker & { type: 'acquire-attempt'; lock: string; timeoutMs?: number })
  | (FromWorker & { type: 'acquire-failed'; lock: string; error: string })
  /** `deadline`: the mono time at which the holder itself will declare the lease lost. */
  | (OnLease & { type: 'acquired'; deadline: number; tookOver: boolean; waitedMs: number })
  | (OnLease & { type: 'refreshed'; deadline: number })
  | (OnLease & { type: 'lost'; reason: string })
  /** A library event the checker only counts: retrying, refresh-failed, release-failed, queued. */
  | (FromWorker & { type: 'lock-event'; lock: string; token?: string; name: string })
  | (OnLease & { type: 'cs-enter' })
  /** The lease still said it was held after the deadline it had reported (sampled while holding). */
  | (OnLease & { type: 'still-held' })
  /** A CLI command still inside its critical section (written every 100 ms). */
  | (OnLease & { type: 'cs-tick' })
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
  /**
   * A fenced write (`lease.fencedWrite`) of the lock's report object, about to be sent; `mono` was read
   * before the lease check that allowed it. A zombie's (`zombie: true`) is sent after its lease ended,
   * on purpose, through the low-level `fencedWrite` if the lease refused it (`via: 'fence'`): GCS must
   * refuse it once a successor was granted. Only a holder's own (not a zombie's) is an act.
   */
  | (OnLease & {
      type: 'fenced-write-sent';
      id: string;
      generation: string;
      zombie: boolean;
      via: 'lease' | 'fence';
    })
  | (OnLease & { type: 'fenced-write-accepted'; id: string })
  /** GCS refused it (`FencedWriteRefusedError`, or the lease refused it before any request). */
  | (OnLease & { type: 'fenced-write-refused'; id: string; reason: string })
  | (OnLease & { type: 'fenced-write-unknown'; id: string; error: string })
  /** The worker stops itself (SIGSTOP) in its critical section: a zombie-write fault. */
  | (OnLease & { type: 'zombie-stop' })
  /**
   * A waiter stops itself (SIGSTOP) right after a read of the lock it waits for, showing a lease it
   * had seen before (`generation`, `refresh`), and before the library gets the answer: a waiter-pause.
   */
  | (FromWorker & { type: 'waiter-stop'; lock: string; generation: string; refresh: string })
  | (OnLease & { type: 'release-start' })
  /** `result`: what `release()` resolved with, or null when it rejected. */
  | (OnLease & { type: 'released'; result: boolean | null })
  /** The worker blocks its event loop for `ms` (and hides it from `performance.now`), or steps `Date.now`. */
  | (FromWorker & { type: 'suspend'; lock?: string; token?: string; variant: string; ms: number })
  | (FromWorker & { type: 'suspend-end'; variant: string })
  /** CLI driver: `gcs-lock run` started (pid `cliPid`), said something on --json, exited. */
  | (FromWorker & { type: 'cli-start'; lock: string; cliPid: number; long: boolean; timeoutMs?: number })
  | (FromWorker & {
      type: 'cli-event';
      lock: string;
      cliPid: number;
      name: string;
      token?: string;
      reason?: string;
    })
  | (FromWorker & {
      type: 'cli-exit';
      lock: string;
      cliPid: number;
      code: number | null;
      signal: string | null;
    })
  /** The command under `gcs-lock run` started with GCS_LOCK_TOKEN = token. */
  | (OnLease & { type: 'cli-acquired'; plannedMs: number; stubborn: boolean })
  | (OnLease & { type: 'sigterm' })
  | (FromWorker & { type: 'done'; iterations: number })
  | (FromWorker & { type: 'worker-error'; message: string });

/** The lock object's custom metadata as the server stored it (the owner token only as a short hash). */
export interface LockRecord {
  version: string | undefined;
  state: string | undefined;
  fence: string | undefined;
  owner: string | undefined;
  refresh: string | undefined;
  ttl: number;
  description: string | undefined;
  /** An election's candidate (absent from a plain lock's record). */
  candidate?: string | undefined;
  /** `1` when fair-mode waiters flagged the lock as queued (absent in older runs). */
  queued?: string | undefined;
  /** The holder's pid (to tie a grant to the holder's fair-mode ticket). */
  pid?: string | undefined;
}

export interface LockSnapshot {
  name: string;
  state: string;
  expired: boolean;
  generation: string;
}

export type OrchestratorEvent =
  | (Stamp & { type: 'run-start'; config: RunConfig })
  | (Stamp & {
      type: 'spawn';
      worker: number;
      pid: number;
      incarnation: number;
      role: 'lib' | 'cli';
      source: string;
    })
  | (Stamp & { type: 'exit'; worker: number; pid: number; code: number | null; signal: string | null })
  | (Stamp & { type: 'kill'; worker: number; pid: number; lock: string; token: string; during: string })
  | (Stamp & { type: 'pause'; worker: number; pid: number; lock: string; token: string; ms: number })
  | (Stamp & { type: 'resume'; worker: number; pid: number })
  | (Stamp & { type: 'fault'; kind: string; detail: string; lock?: string; token?: string; worker?: number })
  /**
   * A committed change to a lock object, stamped by the in-process server as it commits (server
   * order). `serverNow` and `updated` are on the server's clock.
   */
  | (Stamp & {
      type: 'server-lock';
      lock: string;
      op: 'insert' | 'patch' | 'delete';
      generation: string;
      metageneration: string;
      updated: number;
      serverNow: number;
      record: LockRecord;
      /** Metadata keys this change added, removed or altered. */
      changed: string[];
    })
  /** A committed counter write, in server order. */
  | (Stamp & {
      type: 'server-counter';
      lock: string;
      generation: string;
      value: number;
      token: string;
      writer: string;
    })
  /**
   * A compose whose first source is a lock object (a fenced write), in server order: accepted, or
   * refused with `status`. `lockGeneration` is the generation the lock source was pinned to.
   */
  | (Stamp & {
      type: 'server-compose';
      lock: string;
      destination: string;
      lockGeneration: string;
      outcome: 'accepted' | 'refused';
      status?: number;
      /** The lock object's live generation at that moment (absent if there was none). */
      liveGeneration?: string;
      token: string;
      writer: string;
    })
  /**
   * A committed change to a fair-mode ticket (`locks/<lock>.queue/<id>`), in server order: its
   * insert, refreshes and delete; times on the server's clock.
   */
  | (Stamp & {
      type: 'server-ticket';
      lock: string;
      ticket: string;
      op: 'insert' | 'patch' | 'delete';
      timeCreated: number;
      updated: number;
      serverNow: number;
      ttl: number;
      pid: string | undefined;
      refresh: string | undefined;
    })
  /** The server clock's offset changed: what it read right after. */
  | (Stamp & { type: 'server-clock'; serverNow: number })
  /** The highest `seq` of `source` that reached the orchestrator through the notification pipe. */
  | (Stamp & { type: 'seen'; source: string; maxSeq: number })
  | (Stamp & {
      type: 'final';
      counters: Record<string, number>;
      locks: LockSnapshot[];
      liveTickets: string[];
      /** Versions kept noncurrent by Object Versioning, and fenced writes' staged data left over. */
      noncurrent?: number;
      staged?: number;
      delivered: Record<string, number>;
    })
  | (Stamp & { type: 'run-end' })
  /** A line of `source` that did not parse as an event: never skipped, always a violation. */
  | (Stamp & { type: 'unreadable'; source: string; line: number; text: string });

export type HistoryEvent = WorkerEvent | OrchestratorEvent;

/** An event before it is stamped (distributes over the union, unlike a plain Omit). */
export type Unstamped<E> = E extends unknown ? Omit<E, 't' | 'mono' | 'src' | 'seq'> : never;

/**
 * One process's append-only event file: one JSON object per line, each written by one synchronous
 * `write(2)` on a file opened for appending. Once `append` returns, the line is in the kernel's page
 * cache: a SIGKILL of this process right after loses nothing (unlike a pipe, whose writes become
 * asynchronous once it is full).
 */
export class EventFile {
  readonly path: string;
  readonly source: string;
  #fd: number | undefined;
  #seq = 0;

  constructor(path: string, source: string) {
    this.path = path;
    this.source = source;
    mkdirSync(dirname(path), { recursive: true });
    this.#fd = openSync(path, 'a');
  }

  /** Stamps the event with this file's source and next seq, writes it, and returns the line. */
  append<E extends object>(fields: E, mono = monoNow()): E & Stamp {
    const event = { t: wallNow(), mono, src: this.source, seq: this.#seq++, ...fields };
    if (this.#fd !== undefined) writeSync(this.#fd, `${JSON.stringify(event)}\n`);
    return event;
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}

/**
 * Reads a history (or one process's event file). A line that does not parse is not skipped: it
 * becomes an `unreadable` event, which the checker reports as a violation of the run.
 */
export function parseEvents(text: string, source: string): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    if (line === '' && index === lines.length - 1) return; // the newline after the last event
    let event: unknown;
    try {
      event = JSON.parse(line);
    } catch {
      event = undefined;
    }
    if (isEvent(event)) events.push(event);
    else
      events.push({
        t: 0,
        mono: 0,
        src: 'reader',
        seq: -1,
        type: 'unreadable',
        source,
        line: index + 1,
        text: line.slice(0, 200),
      });
  });
  return events;
}

function isEvent(value: unknown): value is HistoryEvent {
  if (typeof value !== 'object' || value === null) return false;
  const event = value as Record<string, unknown>;
  return (
    typeof event['type'] === 'string' &&
    typeof event['mono'] === 'number' &&
    typeof event['src'] === 'string' &&
    typeof event['seq'] === 'number'
  );
}

export function readHistory(path: string): HistoryEvent[] {
  return parseEvents(readFileSync(path, 'utf8'), path);
}
