import { describe, expect, it } from 'vitest';
import { check } from '../../torture/checker.js';
import type { HistoryEvent } from '../../torture/history.js';
import { History, pidOf } from './history-builder.js';

// One test per fault kind: a hand-written history of what the old code (0.1) did under the fault,
// which the checker must flag, and of what the fixed code does, which it must accept.
const kinds = (events: HistoryEvent[]): string[] =>
  [...new Set(check(events).violations.map((v) => v.kind))].sort();
const lease = { lock: 'L', token: '10' } as const;

/** Worker 0 holds token 10 from 100 and refreshes at 600 (its deadline: 2200). */
const libHolder = (history = new History()): History => history.holder();

/** Worker 1 takes over with token 20 at `at` and writes the counter. */
const successor = (history: History, at: number): History => history.round('w1.0', at, '20', 1);

/** A command under `gcs-lock run` (CLI worker 1, pid 77) holding token 10, ticking every 100 ms until `until`. */
function cliCommand(history: History, until: number, stubborn = false): History {
  history
    .grant(100, '10', 'torture cli 1')
    .w('c1', 90, { type: 'cli-start', lock: 'L', cliPid: 555, long: true })
    .w('s1.77', 150, { type: 'cli-acquired', ...lease, plannedMs: 5000, stubborn })
    .w('s1.77', 151, { type: 'cs-enter', ...lease });
  for (let at = 251; at < until; at += 100) history.w('s1.77', at, { type: 'cs-tick', ...lease });
  return history;
}

describe('torture checker: each new fault kind, old behaviour flagged, fixed behaviour accepted', () => {
  it("foreign-patch: a stranger's patch taken for our own refresh extends the belief past the lease", () => {
    const base = (): History =>
      successor(libHolder().foreign(601, '10'), 2650)
        .w('w0.0', 1300, { type: 'lock-event', ...lease, name: 'refresh-failed' })
        .w('w0.0', 2700, { type: 'lost', ...lease, reason: 'expired' });
    // 0.1: the refresh at 1100 is refused (412), the re-read shows our owner with a new metageneration,
    // and it counts as our refresh: deadline 1100 + 1600. Its refreshes then fail.
    const old = base()
      .w('w0.0', 1110, { type: 'refreshed', ...lease, deadline: 2700 })
      .build();
    expect(kinds(old)).toEqual(['held-past-expiry', 'two-holders']);
    // 0.2: the foreign change is adopted and extends nothing: the deadline stays 2200.
    const fixed = base()
      .build()
      .map((e) => (e.type === 'lost' && e.token === '10' ? { ...e, mono: 2200 } : e));
    expect(kinds(fixed)).toEqual([]);
  });

  it('suspend: a holder suspended past its deadline must notice before it acts', () => {
    const base = (): History =>
      successor(new History(), 2150)
        .grant(100, '10')
        .acquired('w0.0', 102, '10')
        .w('w0.0', 110, { type: 'cs-enter', ...lease })
        .w('w0.0', 200, { type: 'suspend', ...lease, variant: 'guard', ms: 3000 })
        .w('w0.0', 3200, { type: 'suspend-end', variant: 'guard' });
    // 0.1: the monotonic clock did not see the suspend; throwIfLost() passes and the write goes out.
    const old = base()
      .w('w0.0', 3201, { type: 'write-sent', ...lease, id: 'late', value: 2 })
      .w('w0.0', 3210, { type: 'write-rejected', ...lease, seen: '20' })
      .build();
    expect(kinds(old)).toEqual(['missing-signal', 'overlap']);
    // 0.2: elapsed time counts the suspend (wall-clock delta): the lease is lost at the check.
    const fixed = base()
      .w('w0.0', 3201, { type: 'lost', ...lease, reason: 'expired' })
      .w('w0.0', 3202, { type: 'cs-leave', ...lease, aborted: true })
      .w('w0.0', 3210, { type: 'suspend', variant: 'wall-forward', ms: 3000 })
      .w('w0.0', 3211, { type: 'suspend-end', variant: 'wall-forward' })
      .build();
    expect(kinds(fixed)).toEqual([]);
  });

  it('suspend (wall steps): a lease must not hold past its own deadline when the wall clock steps back', () => {
    // The wall clock was stepped forward, then back (NTP undoing it): an elapsed clock built as
    // max(monotonic, wall) since one start, kept non-decreasing, stalls after the step back, and a
    // lease refreshed meanwhile outlives the deadline it reported. The worker samples its lease while
    // holding and records it still held.
    const base = (): History =>
      libHolder()
        .w('w0.0', 300, { type: 'suspend', ...lease, variant: 'wall-back', ms: 3000 })
        .w('w0.0', 301, { type: 'suspend-end', variant: 'wall-back' });
    expect(
      kinds(
        base()
          .w('w0.0', 2250, { type: 'still-held', ...lease })
          .build(),
      ),
    ).toEqual(['acted-after-deadline']);
    expect(
      kinds(
        base()
          .w('w0.0', 2200, { type: 'lost', ...lease, reason: 'expired' })
          .build(),
      ),
    ).toEqual([]);
  });

  it("release-outage: a release must end by the lease's deadline, and the lock pass on within ~ttl", () => {
    const base = (): History =>
      successor(libHolder(), 2700)
        .w('w0.0', 1000, { type: 'release-start', ...lease })
        .o(1000, { type: 'fault', kind: 'release-outage', detail: 'stall', ...lease, worker: 0 });
    // 0.1: the delete is retried for a whole ttl, and a stalled request for its own timeout: 4 s.
    const old = base()
      .w('w0.0', 5000, { type: 'released', ...lease, result: null })
      .build();
    expect(kinds(old)).toEqual(['slow-release']);
    // 0.2: bounded by the deadline (2200); it says the lock is left to expire.
    const fixed = base()
      .w('w0.0', 2200, { type: 'lock-event', ...lease, name: 'release-failed' })
      .w('w0.0', 2201, { type: 'released', ...lease, result: null })
      .build();
    expect(kinds(fixed)).toEqual([]);
    expect(check(fixed).figures.releasesFailed).toBe(2); // the event, and the rejected release()
    // A lease that expired before its release has no time left to retry in: 5 s is too long.
    const expired = (releasedAt: number): HistoryEvent[] =>
      successor(libHolder(), 2700)
        .w('w0.0', 2200, { type: 'lost', ...lease, reason: 'expired' })
        .w('w0.0', 2210, { type: 'release-start', ...lease })
        .w('w0.0', releasedAt, { type: 'released', ...lease, result: false })
        .build();
    expect(kinds(expired(7210))).toEqual(['slow-release']);
    expect(kinds(expired(2300))).toEqual([]);
  });

  it('cli-kill: a command must not outlive a SIGKILLed gcs-lock past the lease', () => {
    const kill = { type: 'kill', worker: 1, pid: 555, lock: 'L', token: '10', during: 'command running' };
    // 0.1: gcs-lock dies at 300; its command, reparented to init, ticks on until 5100.
    const old = successor(cliCommand(new History({ cliWorkers: 1 }), 5100).o(300, kill), 2150).build();
    expect(kinds(old)).toEqual(['overlap']);
    // With the watchdog, the command's process group dies with gcs-lock.
    const fixed = successor(cliCommand(new History({ cliWorkers: 1 }), 320).o(300, kill), 2150).build();
    expect(kinds(fixed)).toEqual([]);
  });

  it('cli-loss: on a loss, the whole command dies, grandchildren included, before the lease can pass on', () => {
    const base = (until: number, stubborn = false): History =>
      successor(cliCommand(new History({ cliWorkers: 1 }), until).refresh(600, '10'), 2650)
        .w('c1', 2200, {
          type: 'cli-event',
          lock: 'L',
          cliPid: 555,
          name: 'lost',
          token: '10',
          reason: 'expired',
        })
        .w('s1.77', 2202, { type: 'sigterm', ...lease, ...(stubborn && {}) });
    // 0.1: SIGTERM reaches `sh` only; the pipeline's commands run on (and its kill grace is 10 s).
    expect(kinds(base(5100).build())).toEqual(['overlap']);
    // Fixed: the group gets SIGTERM, and a command that ignores it SIGKILL before the lease can
    // expire (2600).
    expect(kinds(base(2210).build())).toEqual([]);
    expect(kinds(base(2550, true).build())).toEqual([]);
  });

  it('kill: the lock is taken over within ttl + one poll + slack of a SIGKILL, once someone wants it', () => {
    const killed = (): History =>
      new History()
        .grant(100, '10')
        .acquired('w0.0', 102, '10')
        .o(200, { type: 'kill', worker: 0, pid: pidOf('w0.0'), ...lease, during: 'critical section' });
    // bound: ttl 2000 + poll 1000 + slack 1000 = 4000 ms after worker 1 wants the lock
    const waiting = successor(killed().w('w1.0', 300, { type: 'acquire-attempt', lock: 'L' }), 4400);
    expect(kinds(waiting.build())).toEqual(['slow-takeover']);
    // Nobody wanted it until 4000: a grant at 4400 is on time.
    const late = successor(killed().w('w1.0', 4000, { type: 'acquire-attempt', lock: 'L' }), 4400);
    expect(kinds(late.build())).toEqual([]);
  });

  it('pause: a holder SIGSTOPped past its deadline must notice on resuming, and the noticing may come first', () => {
    const paused = (noticeAt: number | undefined): HistoryEvent[] => {
      const history = successor(libHolder(), 2650)
        .o(700, { type: 'pause', worker: 0, pid: pidOf('w0.0'), ...lease, ms: 3000 })
        .o(3700, { type: 'resume', worker: 0, pid: pidOf('w0.0') });
      if (noticeAt !== undefined) history.w('w0.0', noticeAt, { type: 'lost', ...lease, reason: 'expired' });
      return history.build();
    };
    expect(kinds(paused(undefined))).toEqual(['missing-signal']);
    // Recorded 0.1 ms before the orchestrator stamped the resume: still noticed.
    expect(kinds(paused(3699.9))).toEqual([]);
  });
});
