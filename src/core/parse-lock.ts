import type { StoredObject } from '../store/object-store.js';
import { FORMAT_VERSION, META } from './lock-object.js';
import type { LockInfo } from './lock-info.js';

/** A lock object as read: its public info, and what only the lock compares (owner token, counter). */
export interface LockRecord {
  /** 1 for an object written by gcs-lock 0.1, 2 for 0.2. */
  format: 1 | 2;
  /** A lock, or a fair-mode waiter's ticket (a lease of its own, next to the lock). */
  kind: 'lock' | 'ticket';
  /** `released` means free; a held lease may still be expired (`info.expired`). */
  state: 'held' | 'released';
  /** The fencing token of the grant that wrote this generation (for 0.1's objects: the generation). */
  fence: bigint;
  ownerToken: string;
  generation: string;
  metageneration: string;
  /** The refresh counter: a refresh writes the next value, so `updated` moves and we know our write. */
  refreshCount: number;
  /** Fair-mode waiters are queued: a free lock goes to the queue's head. */
  queued: boolean;
  /** The holder (for a released lock: its last holder), judged on the server's clock. */
  info: LockInfo;
}

export type ParseResult = { ok: true; record: LockRecord } | { ok: false; problem: string };

const POSITIVE_INTEGER = /^[1-9]\d{0,14}$/;
const FENCE = /^[1-9]\d{0,30}$/;
const COUNTER = /^(0|[1-9]\d{0,14})$/;

/**
 * Reads a lock object, or says what is wrong with it (a `MalformedLockError` for the caller: an object
 * gcs-lock did not write is never touched). Expiry is judged on the server's clock: `serverTime` (the
 * response's `Date`) against `updated`, plus the holder's own ttl. Without a server time, a lease is
 * judged unexpired here; the waiter's own clock decides instead (`StalenessTracker`).
 */
export function parseLockObject(
  url: string,
  object: StoredObject,
  serverTime: number | undefined,
): ParseResult {
  const metadata = object.metadata;
  const version = metadata[META.version];
  if (version === undefined) return { ok: false, problem: `metadata ${META.version} is missing` };
  if (version !== '1' && version !== FORMAT_VERSION) {
    return {
      ok: false,
      problem: `metadata ${META.version} is ${JSON.stringify(version)}, expected "1" or "${FORMAT_VERSION}"`,
    };
  }
  const kindText = metadata[META.kind];
  if (kindText === 'semaphore') {
    return {
      ok: false,
      problem: `it is a semaphore's header (${META.limit} ${JSON.stringify(metadata[META.limit] ?? '')}): use Semaphore`,
    };
  }
  if (kindText !== undefined && kindText !== 'ticket') {
    return {
      ok: false,
      problem: `metadata ${META.kind} is ${JSON.stringify(kindText)}, expected none or "ticket"`,
    };
  }
  const ownerToken = metadata[META.owner];
  if (!ownerToken) return { ok: false, problem: `metadata ${META.owner} is missing` };
  const ttlText = metadata[META.ttl] ?? '';
  if (!POSITIVE_INTEGER.test(ttlText)) {
    return {
      ok: false,
      problem: `metadata ${META.ttl} is ${JSON.stringify(ttlText)}, expected a positive integer`,
    };
  }
  const format = version === '1' ? 1 : 2;
  // 0.1 wrote no state (a 0.1 lock object exists only while held); `break` may have marked one released.
  const stateText = metadata[META.state] ?? (format === 1 ? 'held' : undefined);
  if (stateText !== 'held' && stateText !== 'released') {
    return {
      ok: false,
      problem: `metadata ${META.state} is ${JSON.stringify(stateText)}, expected "held" or "released"`,
    };
  }
  const state: LockRecord['state'] = stateText;
  let fence = BigInt(object.generation);
  if (format === 2) {
    const fenceText = metadata[META.fence] ?? '';
    if (!FENCE.test(fenceText)) {
      return {
        ok: false,
        problem: `metadata ${META.fence} is ${JSON.stringify(fenceText)}, expected a positive integer`,
      };
    }
    fence = BigInt(fenceText);
  }
  const counterText = metadata[META.refresh] ?? '0';
  if (!COUNTER.test(counterText)) {
    return {
      ok: false,
      problem: `metadata ${META.refresh} is ${JSON.stringify(counterText)}, expected an integer`,
    };
  }
  const ttl = Number(ttlText);
  const refreshText = metadata[META.refreshInterval];
  const refreshInterval =
    refreshText !== undefined && POSITIVE_INTEGER.test(refreshText) ? Number(refreshText) : undefined;
  const pidText = metadata[META.pid];
  const pid = pidText !== undefined && /^\d{1,10}$/.test(pidText) ? Number(pidText) : undefined;
  const expiresAt = object.updated + ttl;
  const expiresInMs = serverTime === undefined ? ttl : expiresAt - serverTime;
  return {
    ok: true,
    record: {
      format,
      kind: kindText === 'ticket' ? 'ticket' : 'lock',
      state,
      fence,
      ownerToken,
      generation: object.generation,
      metageneration: object.metageneration,
      refreshCount: Number(counterText),
      queued: metadata[META.queued] === '1',
      info: {
        url,
        token: fence.toString(),
        generation: object.generation,
        host: metadata[META.host],
        pid,
        description: metadata[META.description],
        candidate: metadata[META.candidate],
        ttl,
        refreshInterval,
        acquiredAt: new Date(object.timeCreated),
        refreshedAt: new Date(object.updated),
        expiresAt: new Date(expiresAt),
        expiresInMs,
        expired: state === 'held' && expiresInMs < 0,
      },
    },
  };
}
