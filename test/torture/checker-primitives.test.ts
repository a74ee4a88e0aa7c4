import { describe, expect, it } from 'vitest';
import { check } from '../../torture/checker.js';
import type { HistoryEvent } from '../../torture/history.js';
import { History, TTL } from './history-builder.js';

const kinds = (events: HistoryEvent[]): string[] =>
  [...new Set(check(events).violations.map((v) => v.kind))].sort();

/** The builder writes one lock, `L`; here each token's events move to the lock object it names. */
function onObjects(events: HistoryEvent[], objectOf: Record<string, string>): HistoryEvent[] {
  return events.map((event) => {
    // The builder's final counters are L's; the slots' counters are checked by their stamps.
    if (event.type === 'final') return { ...event, counters: {} };
    if (!('lock' in event) || event.lock !== 'L') return event;
    const token =
      event.type === 'server-lock'
        ? event.record.fence
        : 'token' in event && typeof event.token === 'string'
          ? event.token
          : undefined;
    const lock = (token && objectOf[token]) ?? event.lock;
    return { ...event, lock };
  });
}

const semaphore = (): History => new History({ primitive: 'semaphore', permits: 2, locks: ['S'] });

describe('torture checker: semaphores', () => {
  it('accepts two permits held at once, each on its own slot', () => {
    const history = semaphore()
      .round('w0.0', 100, '10', 1)
      .round('w1.0', 120, '20', 1)
      .round('w0.0', 400, '11', 2)
      .build();
    expect(kinds(onObjects(history, { '10': 'S.slots/0', '11': 'S.slots/0', '20': 'S.slots/1' }))).toEqual(
      [],
    );
  });

  it('flags a third permit held at once: a slot beyond the limit, too many permits', () => {
    const history = semaphore()
      .round('w0.0', 100, '10', 1)
      .round('w1.0', 105, '20', 1)
      .round('w2.0', 110, '30', 1)
      .build();
    const events = onObjects(history, { '10': 'S.slots/0', '20': 'S.slots/1', '30': 'S.slots/2' });
    expect(kinds(events)).toEqual(['slot-out-of-range', 'too-many-permits']);
  });

  it('flags a semaphore left without a permit after its holder was killed (slow-permit)', () => {
    const bound = TTL + 1000 + 1000; // ttl + pollMax + slack of the builder's config
    const killed = (next: number): HistoryEvent[] =>
      onObjects(
        semaphore()
          .grant(100, '10')
          .acquired('w0.0', 102, '10')
          .o(300, { type: 'kill', worker: 0, pid: 1000, lock: 'L', token: '10', during: 'cs' })
          .w('w1.0', 310, { type: 'acquire-attempt', lock: 'S' })
          .grant(next, '11')
          .acquired('w1.0', next + 2, '11', true)
          .build(),
        { '10': 'S.slots/0', '11': 'S.slots/0' },
      );
    expect(kinds(killed(310 + bound - 100))).not.toContain('slow-permit');
    expect(kinds(killed(310 + bound + 500))).toContain('slow-permit');
  });
});

describe('torture checker: elections', () => {
  const election = (candidates: Record<string, string | undefined>): HistoryEvent[] =>
    new History({ primitive: 'election' })
      .round('w0.0', 100, '10', 1)
      .round('w1.0', 400, '20', 2)
      .build()
      .map((event) =>
        event.type === 'server-lock'
          ? { ...event, record: { ...event.record, candidate: candidates[event.record.fence ?? ''] } }
          : event,
      );

  it('accepts terms that name their holders', () => {
    expect(kinds(election({ '10': 'w0', '20': 'w1' }))).toEqual([]);
  });

  it('flags a term that names no candidate, or another than its holder', () => {
    expect(kinds(election({ '10': 'w0', '20': undefined }))).toEqual(['wrong-candidate']);
    expect(kinds(election({ '10': 'w1', '20': 'w1' }))).toEqual(['wrong-candidate']);
  });
});
