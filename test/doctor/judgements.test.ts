/**
 * The doctor's arithmetic, on made-up readings: the skew bounds from second-resolution Date headers,
 * the round-trip verdicts against the ttl, and the cost of holding and waiting.
 */
import { describe, expect, it } from 'vitest';
import { clockCheck, estimateSkew } from '../../src/doctor/clock.js';
import { costSummary, GCS_PRICES } from '../../src/doctor/cost.js';
import type { ProbeSample } from '../../src/doctor/probe.js';
import { median } from '../../src/doctor/probe.js';
import { roundTripCheck } from '../../src/doctor/round-trip.js';
import type { DoctorSettings } from '../../src/doctor/types.js';

const DEFAULTS: DoctorSettings = {
  ttl: 60_000,
  refreshInterval: 15_000,
  lossMargin: 12_000,
  pollInitial: 250,
  pollMax: 2_000,
  fair: true,
};

function sample(sentAt: number, roundTripMs: number, serverTime: number | undefined): ProbeSample {
  return { sentAt, receivedAt: sentAt + roundTripMs, roundTripMs, serverTime };
}

describe('the skew estimate', () => {
  it('bounds local minus server time from each reading and intersects the bounds', () => {
    // Local clock 2.5 s ahead: at local 10_000.5 s the server reads 9_998 s (its true time 9_998.0).
    const estimate = estimateSkew([sample(10_000_400, 200, 9_998_000), sample(10_001_400, 200, 9_999_000)]);
    expect(estimate).toBeDefined();
    expect(estimate!.lowMs).toBeLessThanOrEqual(2_500);
    expect(estimate!.highMs).toBeGreaterThanOrEqual(2_500);
    expect(estimate!.highMs - estimate!.lowMs).toBeLessThanOrEqual(1_200);
  });

  it('has nothing to say without a Date header, and the clock check warns', () => {
    const samples = [sample(1_000, 10, undefined)];
    expect(estimateSkew(samples)).toBeUndefined();
    expect(clockCheck(samples)).toMatchObject({ id: 'clock', status: 'warn' });
  });

  it('passes a skew within the warning threshold, and warns beyond it in either direction', () => {
    expect(clockCheck([sample(100_000, 10, 99_000)]).status).toBe('pass');
    expect(clockCheck([sample(100_000, 10, 90_000)]).reason).toMatch(/ahead of/);
    expect(clockCheck([sample(100_000, 10, 110_000)]).reason).toMatch(/behind/);
  });
});

describe('the round-trip verdict', () => {
  const at = (ms: number): ProbeSample[] => [1, 2, 3, 4, 5].map((i) => sample(i * 1000, ms, undefined));

  it('passes a fast service, warns when the retry window holds fewer than 10 round trips, fails below 2', () => {
    // Defaults: 60 s − 12 s − 15 s = 33 s after a failed refresh.
    expect(roundTripCheck(at(30), DEFAULTS).status).toBe('pass');
    expect(roundTripCheck(at(4_000), DEFAULTS).status).toBe('warn');
    expect(roundTripCheck(at(17_000), DEFAULTS).status).toBe('fail');
    expect(roundTripCheck(at(30), DEFAULTS).details).toMatchObject({ medianMs: 30, retryWindowMs: 33_000 });
  });

  it('fails a round trip as long as the refresh interval, whatever the window', () => {
    const settings = { ...DEFAULTS, refreshInterval: 1_000 };
    expect(roundTripCheck(at(1_000), settings).status).toBe('fail');
  });

  it('takes the median, so one slow read does not decide', () => {
    expect(median([5, 1, 900, 3, 4])).toBe(4);
    expect(median([1, 2, 3, 4])).toBe(2.5);
  });
});

describe('the cost summary', () => {
  it('prices a held hour at one patch per refresh interval', () => {
    const { held } = costSummary(DEFAULTS);
    expect(held).toMatchObject({ classAPerHour: 240, classBPerHour: 0 });
    expect(held.usdPerHour).toBeCloseTo(240 * GCS_PRICES.classA, 10);
    expect(held.usdPerMonth).toBeCloseTo(0.864, 6);
  });

  it('prices fair waiting at the head (poll.initial) and behind (poll.max), each refreshing a ticket', () => {
    const { waiting } = costSummary(DEFAULTS);
    if (!('head' in waiting)) throw new Error('fair mode has a head and a tail');
    // Equal jitter: polls average three quarters of the interval.
    expect(waiting.head).toMatchObject({ classAPerHour: 240, classBPerHour: 19_200 });
    expect(waiting.behind).toMatchObject({ classAPerHour: 240, classBPerHour: 2_400 });
  });

  it('prices polling without fairness, slowed by the round trip', () => {
    const { waiting, roundTripMs } = costSummary({ ...DEFAULTS, fair: false }, 500);
    expect(roundTripMs).toBe(500);
    expect(waiting).toMatchObject({ polling: { classAPerHour: 0, classBPerHour: 1_800 } });
  });
});
