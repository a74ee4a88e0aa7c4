import { checkCounters } from './check/counter.js';
import { checkCounterTokens } from './check/counter-tokens.js';
import { checkFencedWrites, type FencedFigures } from './check/fenced.js';
import { checkQueueOrder } from './check/queue-order.js';
import { checkWaits, type WaitFigures } from './check/waits.js';
import { collectGrants, expiryOf, serverClock, type Grant } from './check/grants.js';
import { checkIntegrity } from './check/integrity.js';
import { collectLeases } from './check/leases.js';
import { checkLiveness } from './check/liveness.js';
import { checkCandidates, checkSemaphores } from './check/primitives.js';
import { checkServerOrder, checkStops } from './check/safety.js';
import { ofType, type Flag, type Violation } from './check/types.js';
import type { HistoryEvent } from './history.js';

export type { Violation, ViolationKind } from './check/types.js';

export interface Figures {
  /** Grants the server committed (inserts of a held record). */
  acquisitions: number;
  /** Grants that replaced a record still held (a takeover of an expired lease). */
  takeovers: number;
  /** Commands that ran under `gcs-lock run`. */
  cliCommands: number;
  /** Leases their holders declared lost, by reason (library workers and gcs-lock alike). */
  lostByReason: Record<string, number>;
  releasesFailed: number;
  writesAccepted: number;
  writesRejectedByFencing: number;
  writesNotApplied: number;
  writesInDoubt: number;
  /** Counter writes that landed after their grant had ended at the server. */
  lateWrites: number;
  lostUpdates: number;
  longestGapMs: number;
  kills: number;
  pauses: number;
  suspends: number;
  /** Library events counted: retrying, refresh-failed, release-failed, queued. */
  lockEvents: Record<string, number>;
  delivered: Record<string, number>;
  /** Fenced writes (compose pinned to the lock's generation) and the zombies among them. */
  fenced: FencedFigures;
  /** Acquisition attempts, from start to grant (check/waits.ts). */
  waits: WaitFigures;
  /** Grants out of ticket order (violations in fair runs; barging in unfair ones). */
  queueJumps: number;
  /** Versions left noncurrent (Object Versioning), and fenced writes' staged objects left over. */
  noncurrent: number;
  staged: number;
  events: number;
  violations: number;
}

export interface CheckResult {
  ok: boolean;
  violations: Violation[];
  figures: Figures;
}

/**
 * Reads a run's history and says whether the lock kept its promises: that the history is whole,
 * safety in server order, the counter, detection of losses, liveness. A pure function of the history:
 * everything it needs (ttl, poll, slack, counter mode) is in the run-start event.
 */
export function check(events: readonly HistoryEvent[]): CheckResult {
  const violations: Violation[] = [];
  const flag: Flag = (kind, message, evidence) => void violations.push({ kind, message, evidence });
  const config = ofType(events, 'run-start')[0]?.config;
  const final = ofType(events, 'final')[0];
  const grants = collectGrants(events, flag);
  const leases = collectLeases(events, flag);
  const clock = serverClock(events);
  checkIntegrity(events, grants, leases, flag);
  checkServerOrder(grants, leases, clock, flag);
  checkStops(events, leases, flag);
  const counter = checkCounters(events, grants, config?.counter ?? 'fenced', final, flag);
  if (config) checkLiveness(events, config, grants, leases, final, flag);
  // --primitive: the checks of an election's or a semaphore's own promises (check/primitives.ts).
  if (config?.primitive === 'semaphore') checkSemaphores(events, config, grants, leases, clock, flag);
  if (config?.primitive === 'election') checkCandidates(grants, leases, flag);
  // Issue 12 and 16: the counter's tokens, fenced writes, fair mode.
  checkCounterTokens(events, grants, flag);
  const fenced = checkFencedWrites(events, grants, flag);
  const waits = checkWaits(events, config, grants, clock, flag);
  const queueJumps = checkQueueOrder(events, grants, clock, config?.fair ?? true, flag);

  const all = [...grants.values()].flat();
  const lostByReason: Record<string, number> = {};
  for (const event of events) {
    const reason =
      event.type === 'lost'
        ? event.reason
        : event.type === 'cli-event' && event.name === 'lost'
          ? event.reason
          : undefined;
    if (reason !== undefined) lostByReason[reason] = (lostByReason[reason] ?? 0) + 1;
  }
  const lockEvents: Record<string, number> = {};
  for (const event of ofType(events, 'lock-event'))
    lockEvents[event.name] = (lockEvents[event.name] ?? 0) + 1;
  const settled = new Set<string>();
  for (const event of events) {
    if (event.type === 'write-accepted' || event.type === 'write-not-applied') settled.add(event.id);
  }
  return {
    ok: violations.length === 0,
    violations,
    figures: {
      acquisitions: all.length,
      takeovers: all.filter((grant) => grant.tookOver).length,
      cliCommands: ofType(events, 'cli-acquired').length,
      lostByReason,
      releasesFailed:
        ofType(events, 'released').filter((event) => event.result === null).length +
        (lockEvents['release-failed'] ?? 0),
      writesAccepted: counter.accepted,
      writesRejectedByFencing: ofType(events, 'write-rejected').length,
      writesNotApplied: ofType(events, 'write-not-applied').length,
      writesInDoubt: ofType(events, 'write-sent').filter((event) => !settled.has(event.id)).length,
      lateWrites: counter.lateWrites,
      lostUpdates: counter.lostUpdates,
      longestGapMs: longestGap(grants, clock),
      kills: ofType(events, 'kill').length,
      pauses: ofType(events, 'pause').length,
      suspends: ofType(events, 'suspend').length,
      lockEvents,
      delivered: final?.delivered ?? {},
      fenced,
      waits,
      queueJumps,
      noncurrent: final?.noncurrent ?? 0,
      staged: final?.staged ?? 0,
      events: events.length,
      violations: violations.length,
    },
  };
}

/** The longest time a lock was free or expired before its next grant (release or expiry to grant). */
function longestGap(grants: Map<string, Grant[]>, clock: ReturnType<typeof serverClock>): number {
  let longest = 0;
  for (const chain of grants.values()) {
    for (const grant of chain) {
      const next = grant.successor;
      if (!next) continue;
      const freeFrom =
        grant.endKind === 'replaced'
          ? expiryOf(grant.commits.at(-1)!, grant.ttl, clock)
          : (grant.end ?? next.start);
      longest = Math.max(longest, next.start - freeFrom);
    }
  }
  return Math.round(longest);
}
