import { describe, expect, it } from 'vitest';
import { check } from '../../torture/checker.js';
import { parseEvents, type HistoryEvent } from '../../torture/history.js';
import { History, pidOf } from './history-builder.js';

const kinds = (events: HistoryEvent[]): string[] =>
  [...new Set(check(events).violations.map((v) => v.kind))].sort();

/**
 * The audit's two-writer history: worker 0 holds token 10 and sends a counter write at 1200; the
 * server granted token 20 to worker 1 at 1000. Complete, it shows the overlap.
 */
function twoWriters(): HistoryEvent[] {
  return new History()
    .grant(100, '10')
    .acquired('w0.0', 102, '10')
    .w('w0.0', 110, { type: 'cs-enter', lock: 'L', token: '10' })
    .w('w0.0', 1200, { type: 'write-sent', lock: 'L', token: '10', id: 'late', value: 2 })
    .counter(1210, '10', 2, 'late')
    .w('w0.0', 1220, {
      type: 'write-accepted',
      lock: 'L',
      token: '10',
      id: 'late',
      value: 2,
      generation: '71210',
    })
    .round('w1.0', 1000, '20', 1)
    .build();
}

describe('torture checker: the history must be whole', () => {
  it('passes two clean rounds', () => {
    const history = new History().round('w0.0', 100, '10', 1).round('w1.0', 300, '20', 2).build();
    const result = check(history);
    expect(result.violations).toEqual([]);
    expect(result.figures).toMatchObject({
      acquisitions: 2,
      takeovers: 0,
      writesAccepted: 2,
      lostUpdates: 0,
    });
  });

  it('shows the two-writer overlap when the history is complete', () => {
    expect(kinds(twoWriters())).toEqual(expect.arrayContaining(['overlap', 'two-holders']));
  });

  it('still fails the run when the acquisition line is missing', () => {
    const missing = twoWriters().filter((e) => !(e.type === 'acquired' && e.src === 'w0.0'));
    // The file's seq numbers have a hole where the line was, and its later events are orphans.
    expect(kinds(missing)).toEqual(expect.arrayContaining(['sequence-gap', 'orphan-event']));
    // Even renumbered (a line never written at all), the orphans fail the run.
    let seq = 0;
    const renumbered = missing.map((e) => (e.src === 'w0.0' ? { ...e, seq: seq++ } : e));
    expect(kinds(renumbered)).toContain('orphan-event');
    expect(kinds(renumbered)).not.toContain('sequence-gap');
  });

  it('still fails the run when a line is torn', () => {
    const lines = twoWriters().map((event) => JSON.stringify(event));
    const at = lines.findIndex((line) => line.includes('"acquired"') && line.includes('w0.0'));
    lines[at] = lines[at]!.slice(0, 40);
    const events = parseEvents(`${lines.join('\n')}\n`, 'history.jsonl');
    expect(events).toHaveLength(lines.length); // nothing skipped: the torn line is an event too
    expect(kinds(events)).toEqual(
      expect.arrayContaining(['unreadable-line', 'sequence-gap', 'orphan-event']),
    );
  });

  it('flags a file that ends before what the orchestrator saw on its pipe, and a worker with no file', () => {
    const history = new History().round('w0.0', 100, '10', 1).round('w1.0', 300, '20', 2).build();
    const last = Math.max(...history.filter((e) => e.src === 'w1.0').map((e) => e.seq));
    const cut = history.filter((e) => !(e.src === 'w1.0' && e.seq === last));
    cut.push({ t: 0, mono: 19_550, src: 'o', seq: 99, type: 'seen', source: 'w1.0', maxSeq: last });
    cut.push({
      t: 0,
      mono: 1,
      src: 'o',
      seq: 98,
      type: 'spawn',
      worker: 1,
      pid: 5,
      incarnation: 1,
      role: 'lib',
      source: 'w1.1',
    });
    const violations = check(cut).violations.filter((v) => v.kind === 'lost-events');
    expect(violations.map((v) => v.message)).toEqual([
      `w1.0: the orchestrator saw seq ${last} on its pipe, but the file ends at seq ${last - 1}`,
      'w1.1: worker 1 (pid 5) was spawned but wrote no event',
    ]);
  });

  it('flags a holder whose token the server never granted, and tokens that go down or repeat', () => {
    const unknown = new History()
      .round('w0.0', 100, '10', 1)
      .acquired('w1.0', 300, '15')
      .w('w1.0', 310, { type: 'release-start', lock: 'L', token: '15' })
      .build();
    expect(kinds(unknown)).toEqual(['unknown-grant']);
    const down = new History().round('w0.0', 100, '20', 1).round('w1.0', 300, '10', 2).build();
    expect(kinds(down)).toContain('token-order');
    const twice = new History().round('w0.0', 100, '10', 1).round('w1.0', 300, '10', 2).build();
    expect(kinds(twice)).toContain('duplicate-token');
  });

  it('flags a history that stops before the end, unfinished workers, and leftovers', () => {
    const [start] = new History().build();
    expect(kinds([start!])).toContain('incomplete-history');
    const history = new History()
      .round('w0.0', 100, '10', 1)
      .build({ locks: [{ name: 'L', state: 'held', expired: false, generation: '1' }] })
      .filter((e) => !(e.type === 'done' && e.worker === 1));
    expect(kinds(history)).toEqual(['lock-left-behind', 'unfinished-worker']);
    // A released (or expired) record is no leftover: lock objects are never deleted in 0.2.
    const released = new History().round('w0.0', 100, '10', 1).round('w1.0', 300, '20', 2);
    expect(
      kinds(released.build({ locks: [{ name: 'L', state: 'released', expired: false, generation: '1' }] })),
    ).toEqual([]);
  });

  it("keeps a killed worker's events: a kill ends its belief, and its successor is on time", () => {
    const history = new History()
      .grant(100, '10')
      .acquired('w0.0', 102, '10')
      .w('w0.0', 110, { type: 'cs-enter', lock: 'L', token: '10' })
      .o(120, {
        type: 'kill',
        worker: 0,
        pid: pidOf('w0.0'),
        lock: 'L',
        token: '10',
        during: 'critical section',
      })
      .round('w1.0', 2200, '20', 1)
      .build();
    expect(check(history).violations).toEqual([]);
    expect(check(history).figures.kills).toBe(1);
  });
});
