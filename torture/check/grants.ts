import type { HistoryEvent } from '../history.js';
import { leaseKey, ofType, type Flag, type Of } from './types.js';

/** A change the holder made itself to its record: the grant, or a refresh (its counter moved). */
export interface Commit {
  mono: number;
  /** The record's `updated` and the server's clock at the commit, both on the server's clock. */
  updated: number;
  serverNow: number;
  event: Of<'server-lock'>;
}

/** One grant of a lock, as the server committed it: from its insert to what ended it. */
export interface Grant {
  lock: string;
  /** The fence (`gcs-lock-fence`); for a version-1 record (0.1), its generation. */
  token: string;
  generation: string;
  start: number;
  ttl: number;
  description: string | undefined;
  /** The insert, then every refresh of this generation, in server order. */
  commits: Commit[];
  /** When the server ended it: released (state patch), deleted (0.1), replaced (next insert), broken. */
  end: number | undefined;
  endKind: 'released' | 'deleted' | 'replaced' | 'broken' | undefined;
  /** It replaced a record that was still held: a takeover of an expired lease. */
  tookOver: boolean;
  successor: Grant | undefined;
}

/**
 * Reads the grant chain of every lock from the server's stamps, in server order. The checker reads
 * grants, releases and states from these records (spec §1), not from what holders believed, and does
 * not assume that release deletes the object.
 */
export function collectGrants(events: readonly HistoryEvent[], flag: Flag): Map<string, Grant[]> {
  const chains = new Map<string, Grant[]>();
  const seen = new Set<string>();
  for (const event of ofType(events, 'server-lock')) {
    const chain = chains.get(event.lock) ?? [];
    chains.set(event.lock, chain);
    const current = chain.at(-1);
    const commit = { mono: event.mono, updated: event.updated, serverNow: event.serverNow, event };
    if (event.op === 'insert') {
      const grant: Grant = {
        lock: event.lock,
        token: event.record.fence ?? event.generation,
        generation: event.generation,
        start: event.mono,
        ttl: event.record.ttl,
        description: event.record.description,
        commits: [commit],
        end: undefined,
        endKind: undefined,
        tookOver: current !== undefined && current.end === undefined,
        successor: undefined,
      };
      if (current) {
        if (current.end === undefined) [current.end, current.endKind] = [event.mono, 'replaced'];
        current.successor = grant;
        if (BigInt(grant.token) <= BigInt(current.token)) {
          flag('token-order', `${event.lock}: token ${grant.token} granted after token ${current.token}`, [
            current.commits[0]!.event,
            event,
          ]);
        }
      }
      const key = leaseKey(event.lock, grant.token);
      if (seen.has(key))
        flag('duplicate-token', `${event.lock}: token ${grant.token} granted twice`, [event]);
      seen.add(key);
      chain.push(grant);
      continue;
    }
    if (!current || current.generation !== event.generation || current.end !== undefined) continue;
    if (event.op === 'delete') [current.end, current.endKind] = [event.mono, 'deleted'];
    else if (event.changed.includes('gcs-lock-state') && event.record.state === 'released') {
      [current.end, current.endKind] = [event.mono, 'released'];
    } else if (event.changed.includes('gcs-lock-owner'))
      [current.end, current.endKind] = [event.mono, 'broken'];
    else if (event.changed.includes('gcs-lock-refresh')) current.commits.push(commit);
    // Anything else (a stranger's label, a waiter's queued flag) extends nothing.
  }
  return chains;
}

/** The server clock at a moment: from the last reference point (a clock change) before it. */
export type ServerClock = Array<{ mono: number; serverNow: number }>;

export function serverClock(events: readonly HistoryEvent[]): ServerClock {
  return ofType(events, 'server-clock').map(({ mono, serverNow }) => ({ mono, serverNow }));
}

/**
 * The earliest moment (mono) at which anyone could take over after this commit, had no later one
 * come: a waiter's own clock can judge the record expired a ttl after it first saw it (no sooner than
 * the commit), and the server's clock when it passes `updated + ttl`. Clock changes between the two
 * are followed (a step forward brings the server-clock expiry closer).
 */
export function expiryOf(
  commit: Pick<Commit, 'mono' | 'updated' | 'serverNow'>,
  ttl: number,
  clock: ServerClock,
): number {
  const target = commit.updated + ttl;
  let candidate = commit.mono + (target - commit.serverNow);
  for (const point of clock) {
    if (point.mono <= commit.mono) continue;
    if (point.mono >= candidate) break;
    candidate = point.mono + (target - point.serverNow);
    if (candidate <= point.mono) {
      candidate = point.mono;
      break;
    }
  }
  return Math.min(commit.mono + ttl, candidate);
}

/** The last commit at or before `mono`. */
export function commitAt(grant: Grant, mono: number): Commit | undefined {
  let found: Commit | undefined;
  for (const commit of grant.commits) {
    if (commit.mono > mono) break;
    found = commit;
  }
  return found;
}
