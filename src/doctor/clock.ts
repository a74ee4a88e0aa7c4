import type { ProbeSample } from './probe.js';
import { verdict, type DoctorCheck } from './types.js';

/** Skew beyond this is reported: people reading `status` against their own clock would be misled. */
export const SKEW_WARN_MS = 5_000;

/** The local clock minus the server's, bounded: `[low, high]` in ms, and the estimate between them. */
export interface SkewEstimate {
  skewMs: number;
  lowMs: number;
  highMs: number;
}

/**
 * Bounds the skew from each reading and intersects them. The server stamped `Date` at some local
 * time in [sentAt, receivedAt], and its true time then was in [Date, Date + 1 s) (Date is rounded
 * down to the second); so local − server lies in (sentAt − Date − 1000, receivedAt − Date].
 */
export function estimateSkew(samples: readonly ProbeSample[]): SkewEstimate | undefined {
  let low = -Infinity;
  let high = Infinity;
  for (const { sentAt, receivedAt, serverTime } of samples) {
    if (serverTime === undefined) continue;
    low = Math.max(low, sentAt - serverTime - 1000);
    high = Math.min(high, receivedAt - serverTime);
  }
  if (!Number.isFinite(low) || !Number.isFinite(high)) return undefined;
  // Readings that disagree (a clock stepped between them) leave an empty interval: take its middle.
  if (low > high) [low, high] = [high, low];
  return { skewMs: Math.round((low + high) / 2), lowMs: Math.round(low), highMs: Math.round(high) };
}

/**
 * Clock skew never breaks the lock (expiry is judged on the server's clock alone), but a large one
 * makes `gcs-lock status` and the lock's timestamps disagree with the reader's own clock.
 */
export function clockCheck(samples: readonly ProbeSample[]): DoctorCheck {
  const estimate = estimateSkew(samples);
  if (estimate === undefined) {
    return verdict(
      'clock',
      'server clock',
      'warn',
      'the service sends no Date header: waiters cannot judge expiry on its clock, so each waiter ' +
        'watches a lease unchanged for a whole ttl on its own clock before it takes over',
      { fix: 'check the endpoint: GCS and gcs-lock emulator both send Date' },
    );
  }
  const { skewMs, lowMs, highMs } = estimate;
  const details = { skewMs, lowMs, highMs };
  const seconds = (Math.abs(skewMs) / 1000).toFixed(1);
  const direction = skewMs > 0 ? 'ahead of' : 'behind';
  if (lowMs > SKEW_WARN_MS || highMs < -SKEW_WARN_MS) {
    return verdict(
      'clock',
      'server clock',
      'warn',
      `this machine's clock is about ${seconds} s ${direction} the service's. The lock does not care ` +
        "(expiry is judged on the service's clock), but times shown by `gcs-lock status` are the " +
        "service's and will look off by that much",
      { fix: 'synchronise this clock (chrony, systemd-timesyncd, or `timedatectl set-ntp true`)', details },
    );
  }
  return verdict(
    'clock',
    'server clock',
    'pass',
    `this machine's clock is within ${Math.max(Math.abs(lowMs), Math.abs(highMs), 1000) / 1000} s of the ` +
      "service's (measured to the second the Date header gives); expiry is judged on the service's clock anyway",
    { details },
  );
}
