import { createHash } from 'node:crypto';
import { EngineError } from '../src/server/engine/engine-error.js';
import type { EngineObject, StorageEngine } from '../src/server/engine/engine.js';
import type { LockRecord, OrchestratorEvent, Unstamped } from './history.js';
import { counterName, lockName } from './worker-config.js';

/** What the stamps report besides the history: for the fault schedule. */
export interface StampListener {
  /** A committed change to a lock object (already recorded). */
  lockCommitted?(
    lock: string,
    op: 'insert' | 'patch' | 'delete',
    changed: string[],
    record: LockRecord,
  ): void;
  /** A mutation of a lock object refused with this status (412, 429...); nothing changed. */
  lockRefused?(lock: string, op: 'insert' | 'patch' | 'delete', status: number): void;
  /** Any mutation refused by the per-object rate limit. */
  rateLimited?(): void;
}

type Record_ = (event: Unstamped<OrchestratorEvent>) => void;
type Mutation = 'insert' | 'patch' | 'delete';
const METHODS: Array<[string, Mutation]> = [
  ['insertObject', 'insert'],
  ['patchObject', 'patch'],
  ['deleteObject', 'delete'],
];

/**
 * Stamps every committed change to the lock objects and counters at the server, in the order the
 * server commits them: the engine is synchronous and runs in the orchestrator's process, so a change
 * and its stamp are one step, and the stamps are the server's order. This is what the checker's
 * server-order checks read: who was granted what, when, and which counter writes landed.
 *
 * It wraps the engine's three mutations (the engine offers no commit hook to its embedder).
 */
export function stampServer(
  engine: StorageEngine,
  bucket: string,
  record: Record_,
  listener: StampListener,
): void {
  const target = engine as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const [method, op] of METHODS) {
    const original = target[method];
    if (typeof original !== 'function') {
      throw new Error(`the storage engine has no ${method}: torture/stamps.ts must follow the engine's API`);
    }
    const bound = original.bind(engine);
    target[method] = (...args: unknown[]) => {
      const [bucketName, name] = args as [string, string];
      const lock = bucketName === bucket ? lockName(name) : undefined;
      const counter = bucketName === bucket ? counterName(name) : undefined;
      const before = lock === undefined ? undefined : engine.getBucket(bucket).objects.get(name);
      let result: unknown;
      try {
        result = bound(...args);
      } catch (error) {
        if (error instanceof EngineError) {
          if (error.status === 429) listener.rateLimited?.();
          if (lock !== undefined) listener.lockRefused?.(lock, op, error.status);
        }
        throw error;
      }
      if (lock !== undefined)
        stampLock(engine, lock, op, before, result as EngineObject | undefined, record, listener);
      if (counter !== undefined && op === 'insert') {
        const object = result as EngineObject;
        record({
          type: 'server-counter',
          lock: counter,
          generation: String(object.generation),
          value: Number(object.metadata['value'] ?? NaN),
          token: object.metadata['token'] ?? '',
          writer: object.metadata['writer'] ?? '',
        });
      }
      return result;
    };
  }
}

function stampLock(
  engine: StorageEngine,
  lock: string,
  op: Mutation,
  before: EngineObject | undefined,
  after: EngineObject | undefined,
  record: Record_,
  listener: StampListener,
): void {
  const object = after ?? before;
  // A semaphore's header is no lock object: its permits are the slots beside it.
  if (!object || object.metadata['gcs-lock-kind'] === 'semaphore') return;
  const previous = op === 'insert' ? {} : (before?.metadata ?? {});
  const current = op === 'delete' ? {} : object.metadata;
  const keys = new Set([...Object.keys(previous), ...Object.keys(current)]);
  const changed = [...keys].filter((key) => previous[key] !== current[key]).sort();
  const lockRecord = readRecord(object.metadata);
  record({
    type: 'server-lock',
    lock,
    op,
    generation: String(object.generation),
    metageneration: String(object.metageneration),
    updated: object.updated,
    serverNow: engine.now(),
    record: lockRecord,
    changed,
  });
  listener.lockCommitted?.(lock, op, changed, lockRecord);
}

/** The gcs-lock keys of a lock object (spec §1); the owner token only as a hash, never itself. */
export function readRecord(metadata: Record<string, string>): LockRecord {
  const owner = metadata['gcs-lock-owner'];
  return {
    version: metadata['gcs-lock-version'],
    state: metadata['gcs-lock-state'],
    fence: metadata['gcs-lock-fence'],
    owner: owner === undefined ? undefined : createHash('sha256').update(owner).digest('hex').slice(0, 8),
    refresh: metadata['gcs-lock-refresh'],
    ttl: Number(metadata['gcs-lock-ttl-ms'] ?? NaN),
    description: metadata['gcs-lock-description'],
    candidate: metadata['gcs-lock-candidate'],
    queued: metadata['gcs-lock-queued'],
    pid: metadata['gcs-lock-pid'],
  };
}
