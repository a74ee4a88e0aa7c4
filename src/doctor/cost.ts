import type { DoctorSettings } from './types.js';

/**
 * GCS list prices for a regional Standard bucket, in USD per operation (pricing page): Class A
 * (insert, patch, list) $0.005 per 1000, Class B (get) $0.0004 per 1000; deletes are free.
 */
export const GCS_PRICES = { classA: 0.005 / 1000, classB: 0.0004 / 1000 } as const;

const HOUR = 3_600_000;
/** A month is taken as 30 days. */
const HOURS_PER_MONTH = 720;
/** The mean of "equal jitter" backoff (half fixed, half random): three quarters of the ceiling. */
const JITTER_MEAN = 0.75;

/**
 * Requests per hour of one activity, and what they cost.
 *
 * @example
 * ```ts
 * const { classAPerHour, usdPerMonth } = report.cost.held;
 * ```
 */
export interface RequestRate {
  /** Inserts, patches and lists per hour. */
  classAPerHour: number;
  /** Gets per hour. */
  classBPerHour: number;
  usdPerHour: number;
  /** 720 hours. */
  usdPerMonth: number;
}

/**
 * What locks cost at the doctor's settings: holding one for an hour, waiting for one for an hour
 * (in fair mode, at the head of the queue and behind someone; otherwise polling), and one
 * uncontended acquire + release.
 *
 * @example
 * ```ts
 * console.log(`a lock held all month: $${report.cost.held.usdPerMonth.toFixed(2)}`);
 * ```
 */
export interface CostSummary {
  /** USD per operation, and what they are for. */
  prices: { classA: number; classB: number; basis: string };
  /** A holder: one refresh patch per refresh interval. */
  held: RequestRate;
  /**
   * A waiter. Fair mode: `head` polls the lock every `poll.initial` and refreshes its ticket;
   * `behind` reads its predecessor's ticket every `poll.max` and refreshes its own. Otherwise
   * `polling`: one GET about every `poll.max`.
   */
  waiting: { head: RequestRate; behind: RequestRate } | { polling: RequestRate };
  /** An uncontended acquire and release: insert + patch (Class A), plus one GET when cold. */
  acquireRelease: { classA: number; classB: number; usd: number };
  /** The round trip used for the poll rates (0 when not measured). */
  roundTripMs: number;
}

/** The cost of locks at `settings`; `roundTripMs` (measured) slows polling a little. */
export function costSummary(settings: DoctorSettings, roundTripMs = 0): CostSummary {
  const refreshes = HOUR / settings.refreshInterval;
  const polls = (every: number): number => HOUR / (every * JITTER_MEAN + roundTripMs);
  const waiting = settings.fair
    ? { head: rate(refreshes, polls(settings.pollInitial)), behind: rate(refreshes, polls(settings.pollMax)) }
    : { polling: rate(0, polls(settings.pollMax)) };
  return {
    prices: { ...GCS_PRICES, basis: 'USD, regional Standard bucket, list prices' },
    held: rate(refreshes, 0),
    waiting,
    acquireRelease: { classA: 2, classB: 1, usd: 2 * GCS_PRICES.classA + GCS_PRICES.classB },
    roundTripMs,
  };
}

function rate(classAPerHour: number, classBPerHour: number): RequestRate {
  const usdPerHour = classAPerHour * GCS_PRICES.classA + classBPerHour * GCS_PRICES.classB;
  return {
    classAPerHour: Math.round(classAPerHour),
    classBPerHour: Math.round(classBPerHour),
    usdPerHour,
    usdPerMonth: usdPerHour * HOURS_PER_MONTH,
  };
}
