import { EngineError } from '../src/server/engine/engine-error.js';
import type { ComposeSource, EngineObject, StorageEngine } from '../src/server/engine/engine.js';
import type { OrchestratorEvent, Unstamped } from './history.js';
import { lockName } from './worker-config.js';

type Record_ = (event: Unstamped<OrchestratorEvent>) => void;
type Target = Record<string, (...args: unknown[]) => unknown>;

/** The lock and ticket of a fair-mode ticket object (`locks/<lock>.queue/<id>`), or undefined. */
export function ticketOf(object: string): { lock: string; ticket: string } | undefined {
  const match = /^locks\/([^/.]+)\.queue\/([^/]+)$/.exec(object);
  return match ? { lock: match[1]!, ticket: match[2]! } : undefined;
}

/**
 * Stamps, in server order like stamps.ts, what the fairness and fenced-write checks read:
 * - every committed change to a fair-mode ticket (insert, refresh, delete), with its `timeCreated`
 *   (the queue's order) and the server clock, so that the checker knows which tickets were live when;
 * - every compose whose first source is a lock object (a fenced write), accepted or refused, with the
 *   generation the lock source was pinned to and the lock object's live generation at that moment.
 *
 * It wraps the engine's methods once more, after `stampServer` (each wrapper stamps other objects).
 */
export function stampQueueAndComposes(engine: StorageEngine, bucket: string, record: Record_): void {
  const target = engine as unknown as Target;
  for (const [method, op] of [
    ['insertObject', 'insert'],
    ['patchObject', 'patch'],
    ['deleteObject', 'delete'],
  ] as const) {
    const original = wrapped(target, method);
    target[method] = (...args: unknown[]) => {
      const [bucketName, name] = args as [string, string];
      const ticket = bucketName === bucket ? ticketOf(name) : undefined;
      const before = ticket && engine.getBucket(bucket).objects.get(name);
      const result = original(...args);
      const object = (result as EngineObject | undefined) ?? before;
      if (ticket && object) {
        record({
          type: 'server-ticket',
          ...ticket,
          op,
          timeCreated: object.timeCreated,
          updated: object.updated,
          serverNow: engine.now(),
          ttl: Number(object.metadata['gcs-lock-ttl-ms'] ?? NaN),
          pid: object.metadata['gcs-lock-pid'],
          refresh: object.metadata['gcs-lock-refresh'],
        });
      }
      return result;
    };
  }
  const compose = wrapped(target, 'composeObject');
  target['composeObject'] = (...args: unknown[]) => {
    const [bucketName, destination, sources, content] = args as [
      string,
      string,
      ComposeSource[] | undefined,
      { metadata?: Record<string, string> } | undefined,
    ];
    const first = sources?.[0];
    const lock = bucketName === bucket && first ? lockName(first.name) : undefined;
    if (lock === undefined || first === undefined) return compose(...args);
    const live = engine.getBucket(bucket).objects.get(first.name);
    const stamp = {
      type: 'server-compose' as const,
      lock,
      destination,
      lockGeneration: first.ifGenerationMatch ?? first.generation ?? '',
      ...(live && { liveGeneration: String(live.generation) }),
      token: content?.metadata?.['gcs-lock-token'] ?? '',
      writer: content?.metadata?.['writer'] ?? '',
    };
    try {
      const result = compose(...args);
      record({ ...stamp, outcome: 'accepted' });
      return result;
    } catch (error) {
      if (error instanceof EngineError) record({ ...stamp, outcome: 'refused', status: error.status });
      throw error;
    }
  };
}

function wrapped(target: Target, method: string): (...args: unknown[]) => unknown {
  const original = target[method];
  if (typeof original !== 'function') {
    throw new Error(
      `the storage engine has no ${method}: torture/stamps-queue-compose.ts must follow the engine's API`,
    );
  }
  return original.bind(target);
}
