import type { ObjectStore } from '../src/store/object-store.js';
import type { Fields } from './process-log.js';
import { lockName } from './worker-config.js';

/**
 * A waiter's view of storage, for the `waiter-pause` fault: once armed, the next read of the lock it
 * waits for that shows a held lease it has already seen (same generation and refresh counter) stops
 * this process (SIGSTOP) right after the answer arrived and before the library gets it, as a GC pause
 * or a stopped VM would. When the orchestrator continues it (1.5 ttl later), the library judges an
 * answer that is 1.5 ttl old, while the holder has refreshed all along: it must not take that lease
 * for expired.
 */
export class StalledReads {
  /** The lock this process waits for now (undefined while it holds or rests). */
  waitingOn: string | undefined;
  armed = false;
  readonly #seen = new Map<string, string>();
  readonly #emit: (fields: Fields) => void;

  constructor(emit: (fields: Fields) => void) {
    this.#emit = emit;
  }

  /** `store` with its `get` watched; everything else passes through. */
  wrap(store: ObjectStore): ObjectStore {
    return new Proxy(store, {
      get: (target, property, receiver) => {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (property !== 'get')
          return typeof value === 'function'
            ? (value as (...args: unknown[]) => unknown).bind(target)
            : value;
        return async (...args: Parameters<ObjectStore['get']>) => {
          const answer = await target.get(...args);
          this.#onAnswer(args[1], answer.object);
          return answer;
        };
      },
    });
  }

  #onAnswer(name: string, object: { generation: string; metadata: Record<string, string> } | null): void {
    const lock = lockName(name);
    if (lock === undefined || object === null) return;
    const version = `${object.generation}/${object.metadata['gcs-lock-refresh'] ?? ''}`;
    const again = this.#seen.get(lock) === version;
    this.#seen.set(lock, version);
    const held = object.metadata['gcs-lock-state'] === 'held';
    if (!this.armed || lock !== this.waitingOn || !held || !again) return;
    this.armed = false;
    this.#emit({
      type: 'waiter-stop',
      lock,
      generation: object.generation,
      refresh: object.metadata['gcs-lock-refresh'] ?? '',
    });
    process.kill(process.pid, 'SIGSTOP');
  }
}
