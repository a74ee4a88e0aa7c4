import type { HistoryEvent, WorkerEvent } from '../history.js';
import { leaseKey, type Flag } from './types.js';

/**
 * One lease as its holder recorded it. A library worker's lease runs from its `acquired` event; a
 * command under `gcs-lock run` (`cli`) from its `cli-acquired` event, and it has no deadline of its
 * own: its promise is that gcs-lock ends it in time, so only what it did (its acts) is judged.
 */
export interface LeaseRecord {
  key: string;
  kind: 'lib' | 'cli';
  lock: string;
  token: string;
  worker: number;
  pid: number;
  src: string;
  start: number;
  /** Every deadline the holder reported (acquired, refreshed): [when, until]. Library leases only. */
  deadlines: Array<[number, number]>;
  lostAt: number | undefined;
  releaseAt: number | undefined;
  releasedAt: number | undefined;
  /** When its process was SIGKILLed or exited, if it did while holding. */
  processEnd: number | undefined;
  /** What the holder did under the lease: entering, sending a counter write, a command's tick. */
  acts: WorkerEvent[];
  events: WorkerEvent[];
}

type LeaseEvent = Extract<WorkerEvent, { token: string }>;

/** What a holder does under the lease, or (still-held) its lease's own word that it holds. */
const ACTS = new Set(['cs-enter', 'cs-tick', 'write-sent', 'still-held']);

/** Events that belong to one lease (and so must follow its acquisition in the same file). */
const LEASE_EVENTS = new Set([
  'acquired',
  'cli-acquired',
  'refreshed',
  'lost',
  'cs-enter',
  'cs-tick',
  'still-held',
  'cs-leave',
  'write-sent',
  'write-accepted',
  'write-not-applied',
  'write-unknown',
  'write-rejected',
  'release-start',
  'released',
  'sigterm',
  'fenced-write-sent',
  'fenced-write-accepted',
  'fenced-write-refused',
  'fenced-write-unknown',
  'zombie-stop',
]);

function onLease(event: HistoryEvent): event is LeaseEvent {
  return LEASE_EVENTS.has(event.type) && event.src !== 'o';
}

/**
 * Groups the processes' events by lease. An event about a lease whose opening event its own file
 * does not hold before it is an orphan: reported, never dropped.
 */
export function collectLeases(events: readonly HistoryEvent[], flag: Flag): Map<string, LeaseRecord> {
  const leases = new Map<string, LeaseRecord>();
  const ends = processEnds(events);
  for (const event of events) {
    if (!onLease(event)) continue;
    const key = leaseKey(event.lock, event.token);
    let lease = leases.get(key);
    if (event.type === 'acquired' || event.type === 'cli-acquired') {
      if (lease) {
        flag(
          'duplicate-token',
          `${event.lock}: token ${event.token} acquired twice (${lease.src}, ${event.src})`,
          [lease.events[0]!, event],
        );
        continue;
      }
      lease = {
        key,
        kind: event.type === 'acquired' ? 'lib' : 'cli',
        lock: event.lock,
        token: event.token,
        worker: event.worker,
        pid: event.pid,
        src: event.src,
        start: event.mono,
        deadlines: event.type === 'acquired' ? [[event.mono, event.deadline]] : [],
        lostAt: undefined,
        releaseAt: undefined,
        releasedAt: undefined,
        processEnd: ends.get(event.pid)?.find((end) => end >= event.mono),
        acts: [],
        events: [],
      };
      leases.set(key, lease);
    } else if (!lease || lease.src !== event.src) {
      flag(
        'orphan-event',
        `${event.src}: ${event.type} of token ${event.token} on ${event.lock} with no acquisition before it in that file`,
        [event],
      );
      continue;
    }
    lease.events.push(event);
    // A holder's own fenced write is an act; a zombie's, sent past its lease on purpose, is judged by
    // what GCS did with it (check/fenced.ts).
    if (ACTS.has(event.type) || (event.type === 'fenced-write-sent' && !event.zombie)) lease.acts.push(event);
    if (event.type === 'refreshed') lease.deadlines.push([event.mono, event.deadline]);
    if (event.type === 'lost') lease.lostAt ??= event.mono;
    if (event.type === 'release-start') lease.releaseAt ??= event.mono;
    if (event.type === 'released') lease.releasedAt ??= event.mono;
  }
  return leases;
}

/** When each pid was SIGKILLed by the orchestrator or exited (the orchestrator's stamps). */
function processEnds(events: readonly HistoryEvent[]): Map<number, number[]> {
  const ends = new Map<number, number[]>();
  for (const event of events) {
    if (event.type !== 'kill' && event.type !== 'exit') continue;
    ends.set(event.pid, [...(ends.get(event.pid) ?? []), event.mono]);
  }
  return ends;
}

/** The deadline the holder believed in at `mono` (its last report at or before then). */
export function deadlineAt(lease: LeaseRecord, mono: number): number | undefined {
  let found: number | undefined;
  for (const [at, until] of lease.deadlines) {
    if (at > mono) break;
    found = found === undefined ? until : Math.max(found, until);
  }
  return found;
}

/** When the holder's belief ended by its own account: loss, release, death, whichever came first. */
export function beliefEnd(lease: LeaseRecord): number {
  return Math.min(lease.lostAt ?? Infinity, lease.releaseAt ?? Infinity, lease.processEnd ?? Infinity);
}

/** Whether a library holder believed at `mono` that its lease was valid. */
export function believesAt(lease: LeaseRecord, mono: number): boolean {
  if (lease.kind !== 'lib' || mono < lease.start || mono >= beliefEnd(lease)) return false;
  const deadline = deadlineAt(lease, mono);
  return deadline !== undefined && mono < deadline;
}
