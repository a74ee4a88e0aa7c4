import { describe, expect, it } from 'vitest';
import { check } from '../../torture/checker.js';
import type { HistoryEvent } from '../../torture/history.js';
import { History } from './history-builder.js';

const kinds = (events: HistoryEvent[]): string[] =>
  [...new Set(check(events).violations.map((v) => v.kind))].sort();

/** Worker 0 holds token 10 from 100, refreshing at 600 (deadline 2200); worker 1 is granted 20 at `successor`. */
function holder(successor: number, deadlineAfterRefresh = 2200): History {
  return new History()
    .holder(deadlineAfterRefresh)
    .grant(successor, '20')
    .acquired('w1.0', successor + 2, '20', true);
}

describe('torture checker: safety in server order', () => {
  it("accepts a takeover after the holder's own deadline, before the server expiry", () => {
    const history = holder(2650)
      .w('w0.0', 2200, { type: 'lost', lock: 'L', token: '10', reason: 'expired' })
      .w('w0.0', 2210, { type: 'release-start', lock: 'L', token: '10' })
      .w('w0.0', 2220, { type: 'released', lock: 'L', token: '10', result: false })
      .build();
    expect(check(history).violations).toEqual([]);
    expect(check(history).figures.takeovers).toBe(1);
  });

  it("flags a successor granted while the holder still believes (two-holders), cut at the server's grant", () => {
    // Worker 1 records its acquisition only at 2302, after worker 0's deadline (2200): judged by what
    // the holders believed, nothing overlaps. The server granted at 2100, while worker 0 believed.
    const history = holder(2100)
      .w('w0.0', 2200, { type: 'lost', lock: 'L', token: '10', reason: 'expired' })
      .build();
    const shifted = history.map((e) =>
      e.type === 'acquired' && e.token === '20' ? { ...e, mono: 2302 } : e,
    );
    expect(kinds(shifted)).toEqual(expect.arrayContaining(['two-holders']));
  });

  it('flags a belief past the moment anyone could take over, even with no successor (held-past-expiry)', () => {
    // The refresh at 600 was the last own write; the holder believes until 2700 > 600 + ttl.
    const history = holder(5000, 2700)
      .w('w0.0', 2700, { type: 'lost', lock: 'L', token: '10', reason: 'expired' })
      .build();
    const found = check(history).violations.filter((v) => v.kind === 'held-past-expiry');
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toContain('from 2.600 s anyone could take over');
  });

  it('follows server clock steps: a step forward brings the expiry closer', () => {
    // Deadline 2200 is fine against 600 + ttl = 2600; but the server clock jumps 500 ms ahead at
    // 1000, so its clock passes updated + ttl at 2100.
    const history = holder(5000).w('w0.0', 2200, { type: 'lost', lock: 'L', token: '10', reason: 'expired' });
    expect(kinds(history.build())).toEqual([]);
    history.o(1000, { type: 'server-clock', serverNow: 1_000_000 + 1500 });
    expect(kinds(history.build())).toEqual(['held-past-expiry']);
  });

  it("flags an act after the successor's grant (overlap) and after the expiry with no successor", () => {
    const overlap = holder(2650)
      .w('w0.0', 2700, { type: 'write-sent', lock: 'L', token: '10', id: 'x', value: 1 })
      .build();
    expect(kinds(overlap)).toEqual(expect.arrayContaining(['overlap']));
    const late = holder(9000).w('w0.0', 2650, { type: 'cs-enter', lock: 'L', token: '10' }).build();
    expect(kinds(late)).toEqual(expect.arrayContaining(['acted-after-expiry']));
  });

  it("flags an act after the holder's own deadline, even while the server would still wait", () => {
    const history = holder(9000)
      .w('w0.0', 2300, { type: 'write-sent', lock: 'L', token: '10', id: 'x', value: 1 })
      .build();
    expect(kinds(history)).toEqual(['acted-after-deadline']);
  });
});

describe('torture checker: the counter, in server order', () => {
  it('fenced: tokens compared as numbers must not go down; values must climb by one', () => {
    const history = new History()
      .round('w0.0', 100, '9', 1)
      .round('w1.0', 300, '10', 2)
      .counter(700, '9', 3, 'stale') // token 9 after token 10: fencing let it through
      .build();
    expect(kinds(history)).toEqual(expect.arrayContaining(['counter-order']));
    const lost = new History().round('w0.0', 100, '10', 1).round('w1.0', 300, '20', 1).build();
    expect(kinds(lost)).toEqual(['lost-update']);
    expect(check(lost).figures.lostUpdates).toBe(1);
  });

  it('fenced: a write of an older grant that lands before the newer holder writes is ordered by the tokens', () => {
    const history = slowWrite(holder(2650), 2800, 2).build();
    expect(check(history).violations).toEqual([]);
    expect(check(history).figures.lateWrites).toBe(1);
  });

  it('unconditional: the same late write is a violation, and a lost update when both read the same value', () => {
    // Worker 1 read the counter (0) before worker 0's slow write landed.
    const build = (history: History): HistoryEvent[] => slowWrite(history, 2660, 1).build();
    expect(kinds(build(holderWith('fenced')))).toEqual(['lost-update']);
    const unconditional = build(holderWith('unconditional'));
    expect(kinds(unconditional)).toEqual(['late-write', 'lost-update']);
  });

  it('flags a write accepted by a worker that the server never stored, and a final value off the stamps', () => {
    const phantom = new History().round('w0.0', 100, '10', 1).w('w0.0', 50, {
      type: 'write-accepted',
      lock: 'L',
      token: '10',
      id: 'ghost',
      value: 9,
      generation: '1',
    });
    expect(kinds(phantom.build())).toContain('phantom-write');
    expect(kinds(new History().round('w0.0', 100, '10', 1).build({ counter: 0 }))).toEqual(['lost-update']);
  });
});

/**
 * Worker 0's write, sent at 1500 inside its lease, lands at 2700, after worker 1's grant (2650); then
 * worker 1 writes `value` (sent at `at`, landing 10 ms later).
 */
function slowWrite(history: History, at: number, value: number): History {
  return history
    .w('w0.0', 1500, { type: 'write-sent', lock: 'L', token: '10', id: 'slow', value: 1 })
    .counter(2700, '10', 1, 'slow')
    .w('w1.0', at, { type: 'write-sent', lock: 'L', token: '20', id: 'next', value })
    .counter(at + 50, '20', value, 'next')
    .w('w0.0', 2200, { type: 'lost', lock: 'L', token: '10', reason: 'expired' });
}

function holderWith(counter: 'fenced' | 'unconditional'): History {
  return new History({ counter }).holder().grant(2650, '20').acquired('w1.0', 2652, '20', true);
}
