import { formatMs } from './format-ms.js';
import { median, type ProbeSample } from './probe.js';
import { verdict, type DoctorCheck, type DoctorSettings } from './types.js';

/**
 * What the round trip means for the lease settings. After a refresh fails, its holder has
 * `ttl − lossMargin − refreshInterval` to get one through before it declares the lease lost: that
 * window should hold many round trips (retries back off too). A round trip longer than the refresh
 * interval means the heartbeat cannot keep its pace.
 */
export function roundTripCheck(samples: readonly ProbeSample[], settings: DoctorSettings): DoctorCheck {
  const roundTrips = samples.map((sample) => sample.roundTripMs);
  const medianMs = Math.round(median(roundTrips));
  const maxMs = Math.round(Math.max(...roundTrips));
  const windowMs = settings.ttl - settings.lossMargin - settings.refreshInterval;
  const details = { medianMs, maxMs, samples: roundTrips.length, retryWindowMs: windowMs };
  const facts =
    `median round trip ${formatMs(medianMs)} (max ${formatMs(maxMs)}, ${roundTrips.length} GETs); ` +
    `after a failed refresh a holder has ${formatMs(windowMs)} to get one through`;
  // With the default refresh interval (ttl / 4) and loss margin (ttl / 5) the window is 0.55 ttl:
  // a ttl of 20 round trips leaves about 10 of them for retries.
  const fix = `use a ttl of at least ${formatMs(medianMs * 20)}, or run closer to the bucket's region`;
  if (medianMs * 2 > windowMs || medianMs >= settings.refreshInterval) {
    return verdict(
      'round-trip',
      'round trip',
      'fail',
      `${facts}: too slow for this ttl and refresh interval, a single slow refresh would lose the lease`,
      { fix, details },
    );
  }
  if (medianMs * 10 > windowMs) {
    return verdict(
      'round-trip',
      'round trip',
      'warn',
      `${facts}, fewer than 10 round trips: a short hiccup can end a lease`,
      { fix, details },
    );
  }
  return verdict(
    'round-trip',
    'round trip',
    'pass',
    `${facts} (${Math.floor(windowMs / Math.max(medianMs, 1))} round trips); a waiter takes over a crashed holder about ` +
      `${formatMs(settings.ttl + medianMs)} after its last refresh`,
    { details },
  );
}
