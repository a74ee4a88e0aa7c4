import { describe, expect, it } from 'vitest';
import { check } from '../../torture/checker.js';
import type { HistoryEvent, RunConfig, WorkerEvent } from '../../torture/history.js';

// Hand-written histories: one clean run, then the same run with one thing broken each time. Times
// are mono ms; ttl 2000, so a deadline sits 1600 ms after the acquisition.
const config: RunConfig = {
  workers: 2,
  locks: ['L'],
  ttl: 2000,
  lossMargin: 400,
  pollMax: 1000,
  slackMs: 1000,
  durationMs: 10_000,
  quota: null,
  faults: [],
};

type Fields = WorkerEvent extends infer E
  ? E extends WorkerEvent
    ? Omit<E, 't' | 'mono' | 'worker' | 'pid'>
    : never
  : never;
const w = (worker: number, mono: number, fields: Fields): HistoryEvent => ({
  t: mono,
  mono,
  worker,
  pid: 100 + worker,
  ...fields,
});
const o = (mono: number, fields: Record<string, unknown>): HistoryEvent =>
  ({ t: mono, mono, ...fields }) as HistoryEvent;

/** One holder's round on lock L: acquire, enter, write `value`, leave, release. */
function round(worker: number, at: number, token: string, value: number, generation: string): HistoryEvent[] {
  const id = `${worker}.${token}`;
  return [
    w(worker, at, { type: 'acquired', lock: 'L', token, deadline: at + 1600, tookOver: false, waitedMs: 0 }),
    w(worker, at + 10, { type: 'cs-enter', lock: 'L', token }),
    w(worker, at + 20, { type: 'write-sent', lock: 'L', token, id, value }),
    w(worker, at + 30, { type: 'write-accepted', lock: 'L', token, id, value, generation }),
    w(worker, at + 40, { type: 'cs-leave', lock: 'L', token, aborted: false }),
    w(worker, at + 50, { type: 'release-start', lock: 'L', token }),
    w(worker, at + 60, { type: 'released', lock: 'L', token, deleted: true }),
  ];
}

function run(body: HistoryEvent[], counter: number, extra: { leftover?: string[] } = {}): HistoryEvent[] {
  const sorted = [...body].sort((a, b) => a.mono - b.mono);
  return [
    o(0, { type: 'run-start', config }),
    ...sorted,
    w(0, 9000, { type: 'done', iterations: 1 }),
    w(1, 9000, { type: 'done', iterations: 1 }),
    o(9500, { type: 'final', counters: { L: counter }, leftover: extra.leftover ?? [], delivered: {} }),
    o(9600, { type: 'run-end' }),
  ];
}

const kinds = (events: HistoryEvent[]): string[] => check(events).violations.map((v) => v.kind);

describe('torture checker', () => {
  it('passes a clean history with a pause that was noticed and a kill taken over in time', () => {
    const token = '30';
    const history = run(
      [
        ...round(0, 100, '10', 1, '1000'),
        ...round(1, 200, '20', 2, '1001'),
        // Worker 0 is paused in its critical section past its deadline, and notices on resuming.
        w(0, 300, { type: 'acquired', lock: 'L', token, deadline: 1900, tookOver: false, waitedMs: 0 }),
        w(0, 310, { type: 'cs-enter', lock: 'L', token }),
        o(320, { type: 'pause', worker: 0, pid: 100, lock: 'L', token, ms: 3000 }),
        o(3320, { type: 'resume', worker: 0, pid: 100 }),
        w(0, 3321, { type: 'lost', lock: 'L', token, reason: 'expired' }),
        w(0, 3322, { type: 'cs-leave', lock: 'L', token, aborted: true }),
        w(0, 3323, { type: 'release-start', lock: 'L', token }),
        w(0, 3324, { type: 'released', lock: 'L', token, deleted: false }),
        // Meanwhile worker 1 took over, then was killed in its critical section; worker 0 took over.
        w(1, 2400, {
          type: 'acquired',
          lock: 'L',
          token: '40',
          deadline: 4000,
          tookOver: true,
          waitedMs: 2000,
        }),
        w(1, 2410, { type: 'cs-enter', lock: 'L', token: '40' }),
        o(2420, { type: 'kill', worker: 1, pid: 101, lock: 'L', token: '40', during: 'critical section' }),
        ...round(0, 4500, '50', 3, '1002'),
      ],
      3,
    );
    const result = check(history);
    expect(result.violations).toEqual([]);
    expect(result.figures).toMatchObject({
      acquisitions: 5,
      takeovers: 1,
      writesAccepted: 3,
      kills: 1,
      pauses: 1,
    });
    // From worker 0's deadline (1900) to the takeover (2400), and from the killed lease's deadline
    // (4000) to the next acquisition (4500).
    expect(result.figures.longestGapMs).toBe(500);
  });

  it('flags two holders inside the critical section at once', () => {
    const history = run([...round(0, 100, '10', 1, '1000'), ...round(1, 125, '20', 2, '1001')], 2);
    expect(kinds(history)).toContain('overlap');
  });

  it('flags a lost update: the counter is short of the accepted increments', () => {
    const history = run([...round(0, 100, '10', 1, '1000'), ...round(1, 200, '20', 2, '1001')], 1);
    expect(kinds(history)).toEqual(['lost-update']);
  });

  it('flags two accepted writes that set the same value', () => {
    const history = run([...round(0, 100, '10', 1, '1000'), ...round(1, 200, '20', 1, '1001')], 2);
    expect(kinds(history)).toContain('lost-update');
  });

  it('flags an accepted write from a holder whose token was superseded', () => {
    const history = run(
      [
        w(0, 100, { type: 'acquired', lock: 'L', token: '10', deadline: 1700, tookOver: false, waitedMs: 0 }),
        w(0, 110, { type: 'cs-enter', lock: 'L', token: '10' }),
        ...round(1, 1800, '20', 1, '1000'),
        w(0, 1900, { type: 'write-sent', lock: 'L', token: '10', id: 'stale', value: 2 }),
        w(0, 1910, {
          type: 'write-accepted',
          lock: 'L',
          token: '10',
          id: 'stale',
          value: 2,
          generation: '1001',
        }),
      ],
      2,
    );
    expect(kinds(history)).toEqual(
      expect.arrayContaining(['superseded-write-accepted', 'acted-after-expiry', 'counter-order']),
    );
  });

  it('flags a paused holder that wrote on resuming without its signal firing', () => {
    const token = '10';
    const history = run(
      [
        w(0, 100, { type: 'acquired', lock: 'L', token, deadline: 1700, tookOver: false, waitedMs: 0 }),
        w(0, 110, { type: 'cs-enter', lock: 'L', token }),
        o(120, { type: 'pause', worker: 0, pid: 100, lock: 'L', token, ms: 3000 }),
        o(3120, { type: 'resume', worker: 0, pid: 100 }),
        w(0, 3130, { type: 'write-sent', lock: 'L', token, id: 'late', value: 1 }),
        w(0, 3140, { type: 'write-accepted', lock: 'L', token, id: 'late', value: 1, generation: '1000' }),
        w(0, 3150, { type: 'cs-leave', lock: 'L', token, aborted: false }),
      ],
      1,
    );
    expect(kinds(history)).toContain('missing-signal');
  });

  it('flags a paused holder that never saw its signal fire, even if it did nothing', () => {
    const token = '10';
    const history = run(
      [
        w(0, 100, { type: 'acquired', lock: 'L', token, deadline: 1700, tookOver: false, waitedMs: 0 }),
        o(120, { type: 'pause', worker: 0, pid: 100, lock: 'L', token, ms: 3000 }),
        o(3120, { type: 'resume', worker: 0, pid: 100 }),
      ],
      0,
    );
    expect(kinds(history)).toEqual(['missing-signal']);
  });

  it('accepts a resumed holder that records its loss just before the orchestrator stamps the resume', () => {
    // From the 10-minute run: SIGCONT, the worker's timer fires and records the loss, and only then
    // does the orchestrator stamp 'resume'. The write was sent before the pause, inside the lease.
    const token = '10';
    const history = run(
      [
        w(0, 100, { type: 'acquired', lock: 'L', token, deadline: 1700, tookOver: false, waitedMs: 0 }),
        w(0, 110, { type: 'cs-enter', lock: 'L', token }),
        w(0, 119, { type: 'write-sent', lock: 'L', token, id: 'inflight', value: 1 }),
        o(120, { type: 'pause', worker: 0, pid: 100, lock: 'L', token, ms: 3000 }),
        w(0, 3119.9, { type: 'lost', lock: 'L', token, reason: 'expired' }),
        o(3120, { type: 'resume', worker: 0, pid: 100 }),
        w(0, 3121, {
          type: 'write-accepted',
          lock: 'L',
          token,
          id: 'inflight',
          value: 1,
          generation: '1000',
        }),
        w(0, 3122, { type: 'cs-leave', lock: 'L', token, aborted: false }),
        w(0, 3123, { type: 'release-start', lock: 'L', token }),
      ],
      1,
    );
    expect(check(history).violations).toEqual([]);
  });

  it('accepts a paused holder whose late write the counter rejected', () => {
    const token = '10';
    const history = run(
      [
        w(0, 100, { type: 'acquired', lock: 'L', token, deadline: 1700, tookOver: false, waitedMs: 0 }),
        w(0, 110, { type: 'cs-enter', lock: 'L', token }),
        w(0, 115, { type: 'write-sent', lock: 'L', token, id: 'slow', value: 1 }),
        o(120, { type: 'pause', worker: 0, pid: 100, lock: 'L', token, ms: 3000 }),
        ...round(1, 2200, '20', 1, '1000'),
        o(3120, { type: 'resume', worker: 0, pid: 100 }),
        w(0, 3200, { type: 'write-not-applied', lock: 'L', token, id: 'slow', status: 412 }),
        w(0, 3210, { type: 'write-rejected', lock: 'L', token, seen: '20' }),
      ],
      1,
    );
    expect(check(history).violations).toEqual([]);
  });

  it('flags a slow takeover after a SIGKILL', () => {
    const history = run(
      [
        w(0, 100, { type: 'acquired', lock: 'L', token: '10', deadline: 1700, tookOver: false, waitedMs: 0 }),
        o(200, { type: 'kill', worker: 0, pid: 100, lock: 'L', token: '10', during: 'critical section' }),
        // bound: ttl 2000 + poll 1000 + slack 1000 = 4000 ms after the kill
        w(1, 4300, {
          type: 'acquired',
          lock: 'L',
          token: '20',
          deadline: 5900,
          tookOver: true,
          waitedMs: 4000,
        }),
        w(1, 4310, { type: 'release-start', lock: 'L', token: '20' }),
      ],
      0,
    );
    expect(kinds(history)).toEqual(['slow-takeover']);
  });

  it('flags duplicate or decreasing tokens, unfinished workers and a lock left behind', () => {
    const history = run([...round(0, 100, '20', 1, '1000'), ...round(1, 200, '10', 2, '1001')], 2, {
      leftover: ['locks/L'],
    }).filter((event) => !(event.type === 'done' && event.worker === 1));
    expect(kinds(history)).toEqual(
      expect.arrayContaining(['token-order', 'counter-order', 'unfinished-worker', 'lock-left-behind']),
    );
    const twice = run([...round(0, 100, '10', 1, '1000'), ...round(1, 200, '10', 2, '1001')], 2);
    expect(kinds(twice)).toContain('duplicate-token');
  });

  it('flags a history that stops before the end', () => {
    expect(kinds([o(0, { type: 'run-start', config })])).toContain('incomplete-history');
  });
});
