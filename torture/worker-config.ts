/**
 * What the orchestrator and its worker processes agree on; kept apart from worker.ts, which runs as
 * soon as it is imported.
 */
import type { CounterMode, CounterToken } from './history.js';
import type { Primitive } from './primitives.js';

/** What the orchestrator passes a worker (as one JSON argument). */
export interface WorkerConfig {
  worker: number;
  incarnation: number;
  endpoint: string;
  bucket: string;
  locks: string[];
  ttl: number;
  /** The lease's refresh interval; the library's default when absent. */
  refreshInterval?: number;
  /** Fair mode (`fair` of the lock's options). @default true */
  fair?: boolean;
  /** The longest an acquire waits. @default 5 ttl */
  waitTimeout?: number;
  /** What the counter is handed as the token (`--counter-token`). @default 'fence' */
  counterToken?: CounterToken;
  pollInitial: number;
  pollMax: number;
  counter: CounterMode;
  /** What the workers hold (`--primitive`). @default 'lock' */
  primitive?: Primitive;
  /** A semaphore's permits (`--permits`). */
  permits?: number;
  /** Where every process of the run writes its event file. */
  dir: string;
  /** Iterations still to do; null to run until `endMono`. */
  quota: number | null;
  /** When to stop (shared monotonic clock); absent: wait for "go <endMono>" on stdin. */
  endMono?: number;
  /** CLI drivers: how to start `gcs-lock` (node and its arguments before `run`). */
  cli?: string[];
  /** CLI drivers: the script of the command to run under `gcs-lock run` (cli-step.ts, bundled). */
  step?: string;
}

/** What a CLI driver passes the command it runs under `gcs-lock run` (env TORTURE_STEP, JSON). */
export interface StepConfig {
  worker: number;
  endpoint: string;
  bucket: string;
  counter: CounterMode;
  /** `generation`: the command hands the counter GCS_LOCK_GENERATION instead of GCS_LOCK_TOKEN. */
  counterToken?: CounterToken;
  dir: string;
  plannedMs: number;
  /** Ignore SIGTERM (a command that cleans up for a while): only SIGKILL ends it. */
  stubborn: boolean;
}

export const lockObject = (name: string): string => `locks/${name}`;
export const counterObject = (name: string): string => `counters/${name}`;
/**
 * The lock name of a lock object (a semaphore's slot `locks/<name>.slots/<i>` included), or undefined
 * for anything else (tickets, temporary objects).
 */
export const lockName = (object: string): string | undefined =>
  /^locks\/([^/.]+(?:\.slots\/\d+)?)$/.exec(object)?.[1];
/** The lock name of a counter object. */
export const counterName = (object: string): string | undefined =>
  /^counters\/([^/.]+(?:\.slots\/\d+)?)$/.exec(object)?.[1];
export const workerSource = (worker: number, incarnation: number): string => `w${worker}.${incarnation}`;
export const cliSource = (worker: number): string => `c${worker}`;
export const stepSource = (worker: number, pid: number): string => `s${worker}.${pid}`;
