/**
 * What the orchestrator and a worker agree on; kept apart from worker.ts, which runs as soon as it is
 * imported.
 */
/** What the orchestrator passes a worker (as one JSON argument). */
export interface WorkerConfig {
  worker: number;
  incarnation: number;
  endpoint: string;
  bucket: string;
  locks: string[];
  ttl: number;
  pollInitial: number;
  pollMax: number;
  /** Iterations still to do; null to run until `endMono`. */
  quota: number | null;
  /** When to stop (shared monotonic clock); absent: wait for "go <endMono>" on stdin. */
  endMono?: number;
}

export const lockObject = (name: string): string => `locks/${name}`;
export const counterObject = (name: string): string => `counters/${name}`;
