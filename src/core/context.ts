import { hostname } from 'node:os';
import type { ObjectStore } from '../store/object-store.js';
import type { DebugLog } from '../util/debug.js';
import type { LockEvent } from './events.js';
import type { NameState } from './name-state.js';
import type { ResolvedLockOptions } from './options.js';

/** What every step of the protocol needs to know about its lock. No HTTP in here: only the store. */
export interface LockContext {
  readonly store: ObjectStore;
  readonly bucket: string;
  readonly object: string;
  /** `gs://bucket/object`. */
  readonly url: string;
  readonly options: ResolvedLockOptions;
  readonly host: string;
  readonly pid: number;
  readonly debug: DebugLog;
  /** Shared by every lock of this name in this process. */
  readonly name: NameState;
  /** What the object is: a lock, or a fair-mode waiter's ticket. @default 'lock' */
  readonly kind?: 'lock' | 'ticket';
  /** An election's candidate: written into each grant, so that everyone can read who leads. */
  readonly candidate?: string | undefined;
  /** Reports an event to `onEvent`; a throwing listener cannot break the lock. */
  emit(event: LockEvent): void;
}

export function createContext(fields: Omit<LockContext, 'emit' | 'host' | 'pid'>): LockContext {
  const { onEvent } = fields.options;
  return {
    ...fields,
    host: hostname(),
    pid: process.pid,
    emit(event) {
      if (!onEvent) return;
      try {
        onEvent(event);
      } catch (error) {
        fields.debug(`onEvent threw on ${event.type}: ${String(error)}`);
      }
    },
  };
}
