import type { HistoryEvent, RunConfig, WorkerEvent } from './history.js';
import { collectLeases, leaseEnd, leaseKey, validLeasesByLock, type LeaseRecord } from './leases.js';

export interface Violation {
  kind:
    | 'incomplete-history'
    | 'duplicate-token'
    | 'two-holders'
    | 'overlap'
    | 'token-order'
    | 'acted-after-expiry'
    | 'superseded-write-accepted'
    | 'counter-order'
    | 'lost-update'
    | 'phantom-write'
    | 'missing-signal'
    | 'slow-takeover'
    | 'unfinished-worker'
    | 'lock-left-behind';
  message: string;
  /** The events that show it, for the report and for a human reading the history. */
  evidence: HistoryEvent[];
}

export interface Figures {
  acquisitions: number;
  takeovers: number;
  leasesLost: number;
  lostTaken: number;
  lostExpired: number;
  writesAccepted: number;
  writesRejectedByFencing: number;
  writesNotApplied: number;
  writesInDoubt: number;
  longestGapMs: number;
  kills: number;
  pauses: number;
  delivered: Record<string, number>;
  violations: number;
}

export interface CheckResult {
  ok: boolean;
  violations: Violation[];
  figures: Figures;
}

type Of<T extends HistoryEvent['type']> = Extract<HistoryEvent, { type: T }>;
const ofType = <T extends HistoryEvent['type']>(events: readonly HistoryEvent[], type: T): Array<Of<T>> =>
  events.filter((event): event is Of<T> => event.type === type);

/**
 * Reads a run's history and says whether the lock kept its promises: safety, detection, liveness.
 * A pure function of the history: everything it needs (ttl, poll, slack) is in the run-start event.
 */
export function check(events: readonly HistoryEvent[]): CheckResult {
  const violations: Violation[] = [];
  const flag = (kind: Violation['kind'], message: string, evidence: HistoryEvent[]): void => {
    violations.push({ kind, message, evidence });
  };
  const config = ofType(events, 'run-start')[0]?.config;
  const final = ofType(events, 'final')[0];
  if (!config || !final) flag('incomplete-history', 'no run-start or no final event', []);

  const { leases, duplicates } = collectLeases(events);
  for (const event of duplicates) flag('duplicate-token', `token ${event.token} acquired twice`, [event]);
  const byLock = validLeasesByLock(leases);
  checkExclusion(byLock, flag);
  checkActsWithinLease(leases, byLock, flag);
  const writes = checkCounters(events, leases, final, flag);
  checkPauses(events, leases, flag);
  if (config) checkLiveness(events, config, byLock, final, flag);

  const lost = ofType(events, 'lost');
  let longestGapMs = 0;
  for (const list of byLock.values()) {
    for (let i = 1; i < list.length; i++) {
      longestGapMs = Math.max(longestGapMs, list[i]!.start - leaseEnd(list[i - 1]!));
    }
  }
  return {
    ok: violations.length === 0,
    violations,
    figures: {
      acquisitions: leases.size,
      takeovers: ofType(events, 'acquired').filter((event) => event.tookOver).length,
      leasesLost: lost.length,
      lostTaken: lost.filter((event) => event.reason === 'taken').length,
      lostExpired: lost.filter((event) => event.reason === 'expired').length,
      writesAccepted: writes.accepted,
      writesRejectedByFencing: ofType(events, 'write-rejected').length,
      writesNotApplied: ofType(events, 'write-not-applied').length,
      writesInDoubt: writes.inDoubt,
      longestGapMs: Math.round(longestGapMs),
      kills: ofType(events, 'kill').length,
      pauses: ofType(events, 'pause').length,
      delivered: final?.delivered ?? {},
      violations: violations.length,
    },
  };
}

type Flag = (kind: Violation['kind'], message: string, evidence: HistoryEvent[]) => void;

/** No two valid leases of one lock at once, and never two holders inside the critical section. */
function checkExclusion(byLock: Map<string, LeaseRecord[]>, flag: Flag): void {
  for (const [lock, list] of byLock) {
    for (let i = 0; i < list.length; i++) {
      const a = list[i]!;
      for (let j = i + 1; j < list.length && list[j]!.start < leaseEnd(a); j++) {
        const b = list[j]!;
        const csA = csInterval(a);
        const csB = csInterval(b);
        const both = csA && csB && csA[0] < csB[1] && csB[0] < csA[1];
        flag(
          both ? 'overlap' : 'two-holders',
          `${lock}: worker ${b.worker} (token ${b.token}) acquired at ${b.start.toFixed(1)} while worker ` +
            `${a.worker}'s lease (token ${a.token}) was valid until ${leaseEnd(a).toFixed(1)}` +
            (both ? ', and both were inside the critical section' : ''),
          [...a.events, ...b.events].sort((x, y) => x.mono - y.mono),
        );
      }
      const next = list[i + 1];
      if (next && BigInt(next.token) <= BigInt(a.token)) {
        flag('token-order', `${lock}: token ${next.token} followed ${a.token}`, [
          a.events[0]!,
          next.events[0]!,
        ]);
      }
    }
  }
}

/** The critical section, cut at the end of the lease: after that, the holder is not "inside" by right. */
function csInterval(lease: LeaseRecord): [number, number] | undefined {
  if (lease.csEnter === undefined) return undefined;
  const end = Math.min(lease.csLeave ?? Infinity, leaseEnd(lease));
  return lease.csEnter < end ? [lease.csEnter, end] : undefined;
}

/**
 * Nothing done on a lease after its end (the loss check before each step must have caught it), and no
 * accepted write sent after a newer token had been granted.
 */
function checkActsWithinLease(
  leases: Map<string, LeaseRecord>,
  byLock: Map<string, LeaseRecord[]>,
  flag: Flag,
): void {
  for (const lease of leases.values()) {
    const end = leaseEnd(lease);
    for (const event of lease.events) {
      if ((event.type === 'cs-enter' || event.type === 'write-sent') && event.mono > end) {
        flag(
          'acted-after-expiry',
          `worker ${lease.worker}: ${event.type} on token ${lease.token} after its lease ended`,
          lease.events,
        );
      }
    }
    const sent = new Map<string, WorkerEvent>();
    for (const event of lease.events) {
      if (event.type === 'write-sent') sent.set(event.id, event);
      if (event.type !== 'write-accepted') continue;
      const at = sent.get(event.id)?.mono ?? event.mono;
      const newer = (byLock.get(lease.lock) ?? []).find(
        (other) => BigInt(other.token) > BigInt(lease.token) && other.start < at,
      );
      if (newer) {
        flag(
          'superseded-write-accepted',
          `${lease.lock}: write ${event.id} with token ${lease.token} accepted, sent after token ${newer.token} was granted`,
          [...lease.events, newer.events[0]!],
        );
      }
    }
  }
}

/** The counter: accepted writes in order, none lost, none invented. */
function checkCounters(
  events: readonly HistoryEvent[],
  leases: Map<string, LeaseRecord>,
  final: Of<'final'> | undefined,
  flag: Flag,
): { accepted: number; inDoubt: number } {
  const accepted = ofType(events, 'write-accepted');
  const settled = new Set<string>();
  for (const event of events) {
    if (event.type === 'write-accepted' || event.type === 'write-not-applied') settled.add(event.id);
  }
  let inDoubt = 0;
  const locks = new Set([...leases.values()].map((lease) => lease.lock));
  for (const lock of locks) {
    const mine = accepted.filter((event) => event.lock === lock);
    mine.sort((a, b) => (BigInt(a.generation) < BigInt(b.generation) ? -1 : 1));
    for (let i = 1; i < mine.length; i++) {
      const [a, b] = [mine[i - 1]!, mine[i]!];
      if (b.value <= a.value)
        flag('lost-update', `${lock}: two accepted writes both set the counter to ${b.value}`, [a, b]);
      if (BigInt(b.token) < BigInt(a.token)) {
        flag('counter-order', `${lock}: token ${b.token} accepted after token ${a.token}`, [a, b]);
      }
    }
    const doubt = events.filter(
      (event) => event.type === 'write-sent' && event.lock === lock && !settled.has(event.id),
    ).length;
    inDoubt += doubt;
    const value = final?.counters[lock];
    if (value === undefined) continue;
    if (value < mine.length) {
      flag('lost-update', `${lock}: counter is ${value} after ${mine.length} accepted increments`, [final!]);
    } else if (value > mine.length + doubt) {
      flag(
        'phantom-write',
        `${lock}: counter is ${value}, more than ${mine.length} accepted + ${doubt} in doubt`,
        [final!],
      );
    }
  }
  return { accepted: accepted.length, inDoubt };
}

/**
 * Every holder paused past its deadline learned of the loss before it acted again: its signal fired
 * when it next ran, or its counter write was refused.
 */
function checkPauses(events: readonly HistoryEvent[], leases: Map<string, LeaseRecord>, flag: Flag): void {
  for (const pause of ofType(events, 'pause')) {
    const resume = events.find((e) => e.type === 'resume' && e.pid === pause.pid && e.mono >= pause.mono);
    const lease = leases.get(leaseKey(pause.lock, pause.token));
    if (!resume || !lease) continue;
    const endBefore = Math.min(lease.lostAt ?? Infinity, lease.releaseAt ?? Infinity);
    if (endBefore <= pause.mono || lease.deadline >= resume.mono) continue; // not expired by the pause
    const killed = events.some((e) => e.type === 'kill' && e.pid === pause.pid && e.mono >= resume.mono);
    // Noticing counts from the pause on: the resumed worker may record its loss a moment before the
    // orchestrator, which sent SIGCONT, gets to stamp the resume. Acting counts from the deadline:
    // a step taken after the pause was stamped but before the signal landed is still within the lease.
    const noticed = lease.events.find(
      (event) => event.mono >= pause.mono && (event.type === 'lost' || event.type === 'write-rejected'),
    );
    const acted = lease.events.find(
      (event) => event.mono >= lease.deadline && (event.type === 'cs-enter' || event.type === 'write-sent'),
    );
    if ((!noticed && !killed) || (acted && (!noticed || acted.mono < noticed.mono))) {
      flag(
        'missing-signal',
        `worker ${pause.worker} was paused past the deadline of token ${pause.token} and ` +
          (acted ? 'acted on resuming without noticing the loss' : 'never saw its signal fire'),
        [pause, resume, ...lease.events],
      );
    }
  }
}

/** Every worker finished; a killed holder's lock was taken within ttl + one poll + slack; no litter. */
function checkLiveness(
  events: readonly HistoryEvent[],
  config: RunConfig,
  byLock: Map<string, LeaseRecord[]>,
  final: Of<'final'> | undefined,
  flag: Flag,
): void {
  const done = new Set(ofType(events, 'done').map((event) => event.worker));
  for (let worker = 0; worker < config.workers; worker++) {
    if (!done.has(worker)) flag('unfinished-worker', `worker ${worker} never finished`, []);
  }
  const bound = config.ttl + config.pollMax + config.slackMs;
  const end = ofType(events, 'run-end')[0]?.mono ?? Infinity;
  for (const kill of ofType(events, 'kill')) {
    const next = (byLock.get(kill.lock) ?? []).find((lease) => lease.start > kill.mono);
    const waited = (next?.start ?? end) - kill.mono;
    if (waited > bound) {
      flag(
        'slow-takeover',
        `${kill.lock}: ${next ? `next acquisition ${Math.round(waited)} ms` : 'no acquisition'} after worker ` +
          `${kill.worker} was killed (bound ${bound} ms)`,
        next ? [kill, next.events[0]!] : [kill],
      );
    }
  }
  if (final && final.leftover.length > 0) {
    flag('lock-left-behind', `lock objects left at the end: ${final.leftover.join(', ')}`, [final]);
  }
}
