import type { HistoryEvent, RunConfig } from '../history.js';
import { expiryOf, type Grant, type ServerClock } from './grants.js';
import { ms, ofType, type Flag } from './types.js';
import { waitBound } from './wait-bound.js';

/** One acquisition attempt, from its start to its grant (or its end without one). */
export interface Wait {
  src: string;
  worker: number;
  /** The process that waited (a library worker, or gcs-lock for a CLI worker): its tickets' pid. */
  pid: number;
  lock: string;
  start: number;
  end: number;
  granted: boolean;
  events: HistoryEvent[];
}

export interface WaitFigures {
  waits: number;
  longestWaitMs: number;
  /** Who waited longest, where, and against which bound (for the report). */
  longest: string;
  p50WaitMs: number;
  p99WaitMs: number;
  baseBoundMs: number;
  overBound: number;
  /** The most grants of a lock to others during one wait. */
  mostPassedOver: number;
  /** The longest a lock stayed free (released or expired) while someone waited for it. */
  longestIdleMs: number;
}

/**
 * Waiting (issue 16). Every acquisition attempt, from `acquire-attempt` (a library worker) or the
 * start of `gcs-lock run` (a CLI worker) to its grant, or to its end without one (a timeout counts as
 * a wait of its length):
 * - `starvation` (fair runs): a wait longer than its bound: (N − 1) × (hold + hand-off) for the run's N
 *   workers (wait-bound.ts), once more for each time the waiter had to take a new ticket (its old one
 *   lapsed under a fault), plus 2 ttl for each grant to another during the wait that a fault struck
 *   (or that ran a long command, or expired), 1.5 ttl for each time the waiter itself was stopped, and
 *   the time GCS's rate limit was on;
 * - `idle-lock` (every run): a waiter waited more than ttl + poll.max + slack while its lock was free
 *   (released, or expired on the server's clock) and nobody was granted it: a stalled queue.
 * In unfair runs the wait figures are reported for comparison and starvation is not flagged.
 */
export function checkWaits(
  events: readonly HistoryEvent[],
  config: RunConfig | undefined,
  grants: Map<string, Grant[]>,
  clock: ServerClock,
  flag: Flag,
): WaitFigures {
  const run = config ?? { workers: 0, ttl: 0, fair: true, pollMax: 0, slackMs: 0 };
  const bound = waitBound({ workers: run.workers, ttl: run.ttl, pollInitial: config?.pollInitial ?? 250 });
  const waits = collectWaits(events);
  const limited = rateLimitWindows(events);
  const faulted = faultedGrants(events, grants);
  const tickets = ofType(events, 'server-ticket').filter((stamp) => stamp.op === 'insert');
  const stops = ofType(events, 'fault').filter((event) => event.kind === 'waiter-pause');
  const figures: WaitFigures = {
    waits: waits.length,
    longestWaitMs: 0,
    longest: '',
    p50WaitMs: 0,
    p99WaitMs: 0,
    baseBoundMs: Math.round(bound.baseMs),
    overBound: 0,
    mostPassedOver: 0,
    longestIdleMs: 0,
  };
  for (const wait of waits) {
    const during = (mono: number): boolean => mono > wait.start && mono < wait.end;
    const others = (grants.get(wait.lock) ?? []).filter(
      (grant) => during(grant.start) && grant.commits[0]!.event.record.pid !== String(wait.pid),
    );
    // The grant that held the lock when the wait began counts too: a holder killed or stopped there
    // keeps the lock for up to a ttl whatever the queue does (that is a slow takeover if too long).
    const holding = (grants.get(wait.lock) ?? []).find(
      (grant) => grant.start <= wait.start && (grant.end ?? Infinity) > wait.start,
    );
    const struck =
      others.filter((grant) => faulted.has(grant)).length + (holding && faulted.has(holding) ? 1 : 0);
    const requeues = Math.max(
      0,
      tickets.filter((t) => t.lock === wait.lock && t.pid === String(wait.pid) && during(t.mono)).length - 1,
    );
    const stopped = stops.filter((event) => event.worker === wait.worker && during(event.mono)).length;
    const rateLimited = overlap(limited, wait.start, wait.end);
    const boundMs =
      bound.baseMs * (1 + requeues) +
      struck * bound.perFaultedGrantMs +
      stopped * bound.perOwnStopMs +
      rateLimited;
    const took = wait.end - wait.start;
    figures.mostPassedOver = Math.max(figures.mostPassedOver, others.length);
    if (took > figures.longestWaitMs) {
      figures.longestWaitMs = Math.round(took);
      figures.longest =
        `${wait.src} on ${wait.lock} at ${ms(wait.start)}${wait.granted ? '' : ' (no grant)'}, ` +
        `passed over ${others.length} times; its bound ${Math.round(boundMs)} ms`;
    }
    if (took <= boundMs) continue;
    figures.overBound++;
    if (!(run.fair ?? true)) continue;
    flag(
      'starvation',
      `${wait.src} waited ${Math.round(took)} ms for ${wait.lock} from ${ms(wait.start)}` +
        `${wait.granted ? '' : ' and never got it'}, passed over ${others.length} times: over its bound of ` +
        `${Math.round(boundMs)} ms (${Math.round(bound.baseMs)} ms for ${run.workers} workers, ${requeues} new ` +
        `tickets, ${struck} grants struck by faults, ${stopped} stops, ${Math.round(rateLimited)} ms of rate limit)`,
      wait.events,
    );
  }
  figures.longestIdleMs = checkIdle(waits, grants, clock, run.ttl + run.pollMax + run.slackMs, flag);
  const sorted = waits.map((wait) => wait.end - wait.start).sort((a, b) => a - b);
  figures.p50WaitMs = Math.round(sorted[Math.floor(sorted.length * 0.5)] ?? 0);
  figures.p99WaitMs = Math.round(sorted[Math.floor(sorted.length * 0.99)] ?? 0);
  return figures;
}

/** Flags waits that went on longer than `boundMs` while their lock was free; the longest such time. */
function checkIdle(
  waits: readonly Wait[],
  grants: Map<string, Grant[]>,
  clock: ServerClock,
  boundMs: number,
  flag: Flag,
): number {
  let longest = 0;
  for (const chain of grants.values()) {
    for (const grant of chain) {
      const last = grant.commits.at(-1)!;
      const free = Math.min(grant.end ?? Infinity, expiryOf(last, grant.ttl, clock));
      const until = grant.successor?.start ?? Infinity;
      for (const wait of waits.filter((w) => w.lock === grant.lock)) {
        const idle = Math.min(wait.end, until) - Math.max(wait.start, free);
        if (idle <= 0) continue;
        longest = Math.max(longest, idle);
        if (idle <= boundMs) continue;
        flag(
          'idle-lock',
          `${grant.lock}: free from ${ms(free)} (token ${grant.token} ${grant.endKind ?? 'expired'}), and ` +
            `${wait.src} waited ${Math.round(idle)} ms of that for it, from ${ms(Math.max(wait.start, free))}: ` +
            `nobody was granted it (bound ${boundMs} ms)`,
          [last.event, ...wait.events, ...(grant.successor ? [grant.successor.commits[0]!.event] : [])],
        );
      }
    }
  }
  return Math.round(longest);
}

/** Every acquisition attempt of every worker, paired with what ended it in the same file. */
export function collectWaits(events: readonly HistoryEvent[]): Wait[] {
  const open = new Map<string, Wait>();
  const waits: Wait[] = [];
  const close = (src: string, end: HistoryEvent, granted: boolean): void => {
    const wait = open.get(src);
    if (!wait) return;
    open.delete(src);
    waits.push({ ...wait, end: end.mono, granted, events: [...wait.events, end] });
  };
  for (const event of events) {
    if (event.type === 'acquire-attempt' || event.type === 'cli-start') {
      open.set(event.src, {
        src: event.src,
        worker: event.worker,
        pid: event.type === 'cli-start' ? event.cliPid : event.pid,
        lock: event.lock,
        start: event.mono,
        end: event.mono,
        granted: false,
        events: [event],
      });
    } else if (event.type === 'acquired') close(event.src, event, true);
    else if (event.type === 'acquire-failed') close(event.src, event, false);
    else if (event.type === 'cli-event' && event.name === 'acquired') close(event.src, event, true);
    else if (event.type === 'cli-exit') close(event.src, event, false);
  }
  return waits;
}

/**
 * Grants whose holder a fault struck (its lock and token named by a kill, pause or holder fault, or a
 * fault on its lock during its tenure), that ran a long command, or that ended by expiry.
 */
function faultedGrants(events: readonly HistoryEvent[], grants: Map<string, Grant[]>): Set<Grant> {
  const struck = new Set<Grant>();
  const marks = events.filter(
    (event) =>
      event.type === 'kill' ||
      event.type === 'pause' ||
      (event.type === 'fault' && event.lock !== undefined) ||
      (event.type === 'cli-acquired' && event.plannedMs >= 1000),
  );
  for (const chain of grants.values()) {
    for (const grant of chain) {
      const end = grant.end ?? Infinity;
      const hit = marks.some(
        (event) =>
          'lock' in event &&
          event.lock === grant.lock &&
          ('token' in event && event.token !== undefined
            ? event.token === grant.token
            : event.mono >= grant.start && event.mono <= end),
      );
      if (hit || grant.successor?.tookOver === true) struck.add(grant);
    }
  }
  return struck;
}

/** When GCS's per-object rate limit was on: [on, off] pairs (open at the end: until the run ended). */
function rateLimitWindows(events: readonly HistoryEvent[]): Array<[number, number]> {
  const windows: Array<[number, number]> = [];
  let on: number | undefined;
  for (const event of ofType(events, 'fault')) {
    if (event.kind !== 'rate-limit') continue;
    if (event.detail === 'on') on ??= event.mono;
    else if (event.detail === 'off' && on !== undefined) {
      windows.push([on, event.mono]);
      on = undefined;
    }
  }
  if (on !== undefined) windows.push([on, Infinity]);
  return windows;
}

function overlap(windows: ReadonlyArray<[number, number]>, from: number, to: number): number {
  return windows.reduce((sum, [on, off]) => sum + Math.max(0, Math.min(off, to) - Math.max(on, from)), 0);
}
