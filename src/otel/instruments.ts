import type { Counter, Histogram, Meter, UpDownCounter } from '@opentelemetry/api';

/** Bucket boundaries in seconds for waits and holds: from milliseconds to hours. */
const LONG_BOUNDARIES = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400,
];
/** Bucket boundaries in seconds for single requests. */
const SHORT_BOUNDARIES = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The metric names `gcs-lock/otel` records, as OpenTelemetry names them (a Prometheus exporter turns
 * `gcs_lock.wait.duration` into `gcs_lock_wait_duration_seconds`, counters get `_total`).
 *
 * @example
 * ```ts
 * import { METRIC_NAMES } from 'gcs-lock/otel';
 * console.log(METRIC_NAMES.losses); // 'gcs_lock.losses'
 * ```
 */
export const METRIC_NAMES = {
  wait: 'gcs_lock.wait.duration',
  hold: 'gcs_lock.hold.duration',
  refresh: 'gcs_lock.refresh.duration',
  handoff: 'gcs_lock.handoff.duration',
  held: 'gcs_lock.leases.held',
  contentions: 'gcs_lock.contentions',
  takeovers: 'gcs_lock.takeovers',
  losses: 'gcs_lock.losses',
  retries: 'gcs_lock.retries',
  releaseFailures: 'gcs_lock.release.failures',
} as const;

/** Every instrument, created once per telemetry. */
export interface Instruments {
  wait: Histogram;
  hold: Histogram;
  refresh: Histogram;
  handoff: Histogram;
  held: UpDownCounter;
  contentions: Counter;
  takeovers: Counter;
  losses: Counter;
  retries: Counter;
  releaseFailures: Counter;
}

export function createInstruments(meter: Meter): Instruments {
  const seconds = (name: string, description: string, boundaries: number[]): Histogram =>
    meter.createHistogram(name, { description, unit: 's', advice: { explicitBucketBoundaries: boundaries } });
  return {
    wait: seconds(METRIC_NAMES.wait, 'Time from acquire() to the grant', LONG_BOUNDARIES),
    hold: seconds(METRIC_NAMES.hold, 'Time from a grant to its release or loss', LONG_BOUNDARIES),
    refresh: seconds(METRIC_NAMES.refresh, "Latency of a holder's refresh request", SHORT_BOUNDARIES),
    handoff: seconds(
      METRIC_NAMES.handoff,
      'Time a lock sat free between a release and the next grant, both in this process (0 for a direct hand-off)',
      LONG_BOUNDARIES,
    ),
    held: meter.createUpDownCounter(METRIC_NAMES.held, { description: 'Leases held by this process now' }),
    contentions: meter.createCounter(METRIC_NAMES.contentions, {
      description: 'Acquires that found the lock held by someone else (once per holder)',
    }),
    takeovers: meter.createCounter(METRIC_NAMES.takeovers, {
      description: 'Grants that replaced an expired lease (its holder had crashed or stalled)',
    }),
    losses: meter.createCounter(METRIC_NAMES.losses, { description: 'Leases lost while held, by reason' }),
    retries: meter.createCounter(METRIC_NAMES.retries, {
      description: 'Requests that failed transiently and were retried, by operation and status',
    }),
    releaseFailures: meter.createCounter(METRIC_NAMES.releaseFailures, {
      description: 'Releases that gave up; the lock was left to expire',
    }),
  };
}
