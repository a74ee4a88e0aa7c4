import type { HistoryEvent, WorkerEvent } from './history.js';

/** One lease as the history shows it: from its acquisition to the first of loss, release, deadline. */
export interface LeaseRecord {
  key: string;
  lock: string;
  token: string;
  worker: number;
  pid: number;
  /** Mono time the holder recorded the acquisition (after the create committed). */
  start: number;
  /** The latest deadline the holder reported (acquired or refreshed). */
  deadline: number;
  lostAt: number | undefined;
  lostReason: string | undefined;
  releaseAt: number | undefined;
  csEnter: number | undefined;
  csLeave: number | undefined;
  /** Every event of the holder about this lease, in history order. */
  events: WorkerEvent[];
}

type LeaseEvent = Extract<WorkerEvent, { token: string }>;

export const leaseKey = (lock: string, token: string): string => `${lock}#${token}`;

/** The end of a lease's validity: loss signal, release, or its own deadline, whichever came first. */
export function leaseEnd(lease: LeaseRecord): number {
  return Math.min(lease.lostAt ?? Infinity, lease.releaseAt ?? Infinity, lease.deadline);
}

function hasToken(event: HistoryEvent): event is LeaseEvent {
  return 'token' in event && 'pid' in event && event.type !== 'kill' && event.type !== 'pause';
}

/**
 * Groups the workers' events by lease. Returns the leases and the tokens acquired more than once
 * (a token must be unique to one lease).
 */
export function collectLeases(events: readonly HistoryEvent[]): {
  leases: Map<string, LeaseRecord>;
  duplicates: LeaseEvent[];
} {
  const leases = new Map<string, LeaseRecord>();
  const duplicates: LeaseEvent[] = [];
  for (const event of events) {
    if (!hasToken(event)) continue;
    const key = leaseKey(event.lock, event.token);
    let lease = leases.get(key);
    if (event.type === 'acquired') {
      if (lease) {
        duplicates.push(event);
        continue;
      }
      lease = {
        key,
        lock: event.lock,
        token: event.token,
        worker: event.worker,
        pid: event.pid,
        start: event.mono,
        deadline: event.deadline,
        lostAt: undefined,
        lostReason: undefined,
        releaseAt: undefined,
        csEnter: undefined,
        csLeave: undefined,
        events: [],
      };
      leases.set(key, lease);
    }
    if (!lease) continue;
    lease.events.push(event);
    switch (event.type) {
      case 'refreshed':
        lease.deadline = Math.max(lease.deadline, event.deadline);
        break;
      case 'lost':
        lease.lostAt ??= event.mono;
        lease.lostReason ??= event.reason;
        break;
      case 'release-start':
        lease.releaseAt ??= event.mono;
        break;
      case 'cs-enter':
        lease.csEnter ??= event.mono;
        break;
      case 'cs-leave':
        lease.csLeave ??= event.mono;
        break;
      default:
        break;
    }
  }
  return { leases, duplicates };
}

/** The leases of each lock that were valid for some time, in order of acquisition. */
export function validLeasesByLock(leases: Map<string, LeaseRecord>): Map<string, LeaseRecord[]> {
  const byLock = new Map<string, LeaseRecord[]>();
  for (const lease of leases.values()) {
    if (leaseEnd(lease) <= lease.start) continue;
    const list = byLock.get(lease.lock) ?? [];
    list.push(lease);
    byLock.set(lease.lock, list);
  }
  for (const list of byLock.values()) list.sort((a, b) => a.start - b.start);
  return byLock;
}
