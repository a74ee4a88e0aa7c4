import { StorageError } from '../src/errors/storage-error.js';
import type { ObjectStore } from '../src/store/object-store.js';
import type { CounterMode } from './history.js';

/**
 * The protected resource: a counter object, incremented by every holder once per critical section.
 *
 * - `fenced` (the default): the counter enforces fencing itself, as Kleppmann describes. It stores its
 *   value and the highest fencing token (`lease.token`, compared as integers) that ever wrote it; a
 *   writer with a lower token is refused, and the write is an insert pinned to the generation that
 *   was read, so check and increment are one atomic step. It protects itself: with no lock at all it
 *   loses no update, so in this mode a lock failure shows only in the server-order checks.
 * - `unconditional`: a plain read-modify-write with no precondition, relying on the lock alone. Two
 *   holders at once lose an update, which the checker sees in the server's sequence of values.
 */
export interface CounterState {
  value: number;
  /** The highest token seen; 0 for a counter never written. */
  token: bigint;
  /** '0' when the object does not exist yet: `ifGenerationMatch=0` creates it. */
  generation: string;
}

export async function readCounter(store: ObjectStore, bucket: string, name: string): Promise<CounterState> {
  const { object } = await store.get(bucket, name);
  if (object === null) return { value: 0, token: 0n, generation: '0' };
  return {
    value: Number(object.metadata['value'] ?? '0'),
    token: BigInt(object.metadata['token'] ?? '0'),
    generation: object.generation,
  };
}

/** What one increment reports, in the order it happens; the worker turns these into history events. */
export type CounterStep =
  | { type: 'write-sent'; id: string; value: number; mono: number }
  | { type: 'write-accepted'; id: string; value: number; generation: string }
  | { type: 'write-not-applied'; id: string; status: number }
  | { type: 'write-unknown'; id: string; error: string }
  | { type: 'write-rejected'; seen: string };

export interface IncrementRequest {
  store: ObjectStore;
  bucket: string;
  name: string;
  token: string;
  mode: CounterMode;
  /** Throws if the lease is lost; returns the time read just before the check. */
  guard: () => number;
  nextId: () => string;
  report: (step: CounterStep) => void;
}

/** Attempts before giving up on a counter that keeps changing under us (only stale writers do that). */
const MAX_ATTEMPTS = 8;

/**
 * Read-modify-write of the counter. Resolves with how it ended; throws the lease's `LockLostError`
 * when the guard refuses a send (nothing was sent then). The written metadata names the write
 * (`writer`), so the server's stamp of it can be matched with the worker's events.
 */
export async function increment(
  request: IncrementRequest,
): Promise<'accepted' | 'rejected' | 'unknown' | 'gave-up'> {
  const { store, bucket, name, report } = request;
  const mine = BigInt(request.token);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const current = await readCounter(store, bucket, name);
    if (request.mode === 'fenced' && current.token > mine) {
      report({ type: 'write-rejected', seen: String(current.token) });
      return 'rejected';
    }
    // The lease check comes after the time is read, so a recorded send time is never later than a
    // moment at which the lease was still valid: a pause between the two is caught by the check.
    const mono = request.guard();
    const id = request.nextId();
    const value = current.value + 1;
    report({ type: 'write-sent', id, value, mono });
    try {
      const { object } = await store.insert(bucket, name, {
        metadata: { value: String(value), token: request.token, writer: id },
        body: JSON.stringify({ value, token: request.token }),
        contentType: 'application/json',
        ...(request.mode === 'fenced' && { preconditions: { ifGenerationMatch: current.generation } }),
      });
      report({ type: 'write-accepted', id, value, generation: object.generation });
      return 'accepted';
    } catch (error) {
      // 412: someone wrote in between (a stale holder not yet superseded); 429: the rate limit
      // refused it before any change. Both changed nothing, so reading again is safe.
      if (error instanceof StorageError && (error.status === 412 || error.status === 429)) {
        report({ type: 'write-not-applied', id, status: error.status });
        if (error.status === 429) await new Promise((resolve) => setTimeout(resolve, 200 + 300 * attempt));
        continue;
      }
      report({ type: 'write-unknown', id, error: error instanceof Error ? error.message : String(error) });
      return 'unknown';
    }
  }
  return 'gave-up';
}
