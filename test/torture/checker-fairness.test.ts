import { describe, expect, it } from 'vitest';
import { check } from '../../torture/checker.js';
import type { HistoryEvent } from '../../torture/history.js';
import { History, pidOf } from './history-builder.js';

// Issue 16, fair mode: grants in ticket order, waits bounded, no lock left idle while someone waits.
// Each violation kind: a history with the bad behaviour, flagged with exactly that kind, and its good twin.
const kinds = (events: HistoryEvent[]): string[] =>
  [...new Set(check(events).violations.map((v) => v.kind))].sort();
const attempt = { type: 'acquire-attempt', lock: 'L' } as const;

/** The round of `src`, its grant's record naming its pid (as the holder writes it). */
const round = (history: History, src: string, at: number, token: string, value: number): History =>
  history.round(src, at, token, value, { pid: pidOf(src) });

/**
 * Three workers: worker 0 holds token 10 from 100 to its release at 155; worker 1 starts waiting at
 * 105 and takes ticket `a` at 106, worker 2 at 107 and takes ticket `b` at 108 (behind `a`).
 */
function queue(fair = true): History {
  const history = new History({ workers: 3, fair })
    .w('w1.0', 105, attempt)
    .ticket(106, 'insert', 'a', pidOf('w1.0'))
    .w('w2.0', 107, attempt)
    .ticket(108, 'insert', 'b', pidOf('w2.0'));
  return round(history, 'w0.0', 100, '10', 1);
}

/** `first` is granted token 20 at 200 and deletes its ticket, then `second` token 30 at 400. */
function served(history: History, first: 'w1.0' | 'w2.0', second: 'w1.0' | 'w2.0'): History {
  const ticketOf = { 'w1.0': 'a', 'w2.0': 'b' } as const;
  round(history, first, 200, '20', 2).ticket(205, 'delete', ticketOf[first], pidOf(first));
  return round(history, second, 400, '30', 3).ticket(405, 'delete', ticketOf[second], pidOf(second));
}

describe('torture checker: grants in ticket order', () => {
  it('flags a grant to a ticket behind a live older one (queue-jump); ticket order passes', () => {
    expect(kinds(served(queue(), 'w2.0', 'w1.0').build())).toEqual(['queue-jump']);
    expect(kinds(served(queue(), 'w1.0', 'w2.0').build())).toEqual([]);
  });

  it('counts the same jump in an unfair run without flagging it (contenders may barge)', () => {
    const result = check(served(queue(false), 'w2.0', 'w1.0').build());
    expect(result.violations).toEqual([]);
    expect(result.figures.queueJumps).toBe(1);
  });

  it('accepts skipping an older ticket that lapsed, and flags it when its holder kept it refreshed', () => {
    // Worker 1 stops refreshing ticket `a` (inserted at 106): from 2106 it is expired and the queue
    // may skip it; worker 2 refreshes `b` and is granted at 2300.
    const skip = (refreshA: boolean): HistoryEvent[] => {
      const history = queue().ticket(1108, 'patch', 'b', pidOf('w2.0'), 1);
      if (refreshA) history.ticket(1106, 'patch', 'a', pidOf('w1.0'), 1);
      round(history, 'w2.0', 2300, '20', 2).ticket(2305, 'delete', 'b', pidOf('w2.0'));
      return round(history, 'w1.0', 2500, '30', 3).ticket(2505, 'delete', 'a', pidOf('w1.0')).build();
    };
    expect(kinds(skip(false))).toEqual([]);
    expect(kinds(skip(true))).toEqual(['queue-jump']);
  });

  it('flags a ticketless contender taking a freed lock reserved for the queue (gcs-lock-queued)', () => {
    // Worker 1 queued behind token 10 and flagged the record; worker 2 never took a ticket.
    const reserved = (winner: 'w1.0' | 'w2.0'): HistoryEvent[] => {
      const lease = { lock: 'L', token: '10' } as const;
      const history = new History({ workers: 3 })
        .grant(100, '10', 'torture worker', { pid: pidOf('w0.0') })
        .acquired('w0.0', 102, '10')
        .w('w1.0', 105, attempt)
        .ticket(106, 'insert', 'a', pidOf('w1.0'))
        .queued(107, '10')
        .w('w0.0', 110, { type: 'cs-enter', ...lease })
        .w('w0.0', 140, { type: 'cs-leave', ...lease, aborted: false })
        .w('w0.0', 150, { type: 'release-start', ...lease })
        .release(155, '10')
        .w('w0.0', 160, { type: 'released', ...lease, result: true })
        .w('w2.0', 150, attempt);
      round(history, winner, 200, '20', 1);
      const other = winner === 'w1.0' ? 'w2.0' : 'w1.0';
      return round(history, other, 400, '30', 2)
        .ticket(winner === 'w1.0' ? 205 : 405, 'delete', 'a', pidOf('w1.0'))
        .build();
    };
    expect(kinds(reserved('w2.0'))).toEqual(['queue-jump']);
    expect(check(reserved('w2.0')).violations[0]!.message).toContain('reserved for the queue');
    expect(kinds(reserved('w1.0'))).toEqual([]);
  });
});

/**
 * Two workers (bound (2 − 1) × (hold 2000 + hand-off 250 + 1000) = 3250 ms): worker 0 wins the lock
 * at 100, 1100, 2100 and, unless worker 1 gets it there, 3100; worker 1 waits from 200 and is granted
 * at 3100 (a wait of 2902 ms) or 4100 (3902 ms).
 */
function passedOver(grantedAt: 3100 | 4100, fair = true): History {
  const history = new History({ fair }).w('w1.0', 200, attempt);
  for (const [at, token, value] of [
    [100, '10', 1],
    [1100, '20', 2],
    [2100, '30', 3],
  ] as const)
    history.round('w0.0', at, token, value);
  if (grantedAt === 4100) history.round('w0.0', 3100, '40', 4);
  return history.round('w1.0', grantedAt, '50', grantedAt === 4100 ? 5 : 4);
}

describe('torture checker: bounded waits', () => {
  it('flags a wait past its bound in a fair run (starvation); within it passes', () => {
    expect(kinds(passedOver(4100).build())).toEqual(['starvation']);
    expect(check(passedOver(4100).build()).violations[0]!.message).toContain('over its bound of 3250 ms');
    expect(kinds(passedOver(3100).build())).toEqual([]);
  });

  it('reports the long wait in an unfair run without flagging it', () => {
    const result = check(passedOver(4100, false).build());
    expect(result.violations).toEqual([]);
    expect([result.figures.waits.overBound, result.figures.waits.longestWaitMs]).toEqual([1, 3902]);
  });

  it('allows for a fault on a grant during the wait, a stop of the waiter, a new ticket', () => {
    // A stranger's patch of the lock while token 20 held it: that grant may run 2 ttl longer.
    const struck = passedOver(4100).o(1110, { type: 'fault', kind: 'foreign-patch', detail: 'x', lock: 'L' });
    expect(kinds(struck.build())).toEqual([]);
    // Worker 1 stopped itself after a read (waiter-pause) while the lock was free: 1.5 ttl more.
    const stopped = passedOver(4100)
      .w('w1.0', 1060, { type: 'waiter-stop', lock: 'L', generation: '910', refresh: '0' })
      .o(1070, { type: 'fault', kind: 'waiter-pause', detail: 'stopped', worker: 1, lock: 'L' });
    expect(kinds(stopped.build())).toEqual([]);
    // Worker 1's ticket lapsed and it took a new one: its turn starts over.
    const requeued = passedOver(4100)
      .ticket(210, 'insert', 'a', pidOf('w1.0'))
      .ticket(2500, 'insert', 'a2', pidOf('w1.0'));
    expect(kinds(requeued.build())).toEqual([]);
  });
});

describe('torture checker: no lock left idle while someone waits', () => {
  // Three workers (a wait bound of 6500 ms): only the idle time is over its bound of
  // ttl 2000 + poll 1000 + slack 1000 = 4000 ms.
  it('flags a released lock nobody was granted for 4100 ms of a wait (idle-lock); 3900 ms passes', () => {
    const released = (grantedAt: number, fair = true): HistoryEvent[] =>
      new History({ workers: 3, fair })
        .round('w0.0', 100, '10', 1)
        .w('w1.0', 200, attempt)
        .round('w1.0', grantedAt, '20', 2)
        .build();
    expect(kinds(released(4300))).toEqual(['idle-lock']);
    expect(kinds(released(4300, false))).toEqual(['idle-lock']); // in unfair runs too
    expect(kinds(released(4100))).toEqual([]);
    expect(check(released(4100)).figures.waits.longestIdleMs).toBe(3900);
  });

  it('counts an expired lease as free from its expiry on the server', () => {
    // Worker 0's last refresh at 600: the lock is free from 2600; worker 1 takes it over. (Its wait,
    // 6502 ms at most, is within its bound: the expired grant it waited behind adds 2 ttl.)
    const expired = (grantedAt: number): HistoryEvent[] =>
      new History({ workers: 3 })
        .holder()
        .w('w0.0', 2200, { type: 'lost', lock: 'L', token: '10', reason: 'expired' })
        .w('w1.0', 200, attempt)
        .round('w1.0', grantedAt, '20', 1)
        .build();
    expect(kinds(expired(6700))).toEqual(['idle-lock']);
    expect(kinds(expired(6500))).toEqual([]);
  });
});
