import { ConfigurationError } from '../errors/configuration-error.js';
import { DEFAULT_REQUEST_TIMEOUT } from '../store/gcs-store.js';
import { duration } from '../util/duration.js';
import type { LeaseOptions, ResolvedLockOptions } from './options.js';

export const DEFAULT_TTL = 60_000;
export const MIN_TTL = 1_000;
export const MAX_TTL = 7 * 24 * 60 * 60 * 1000;
export const DEFAULT_POLL_INITIAL = 250;
export const DEFAULT_POLL_MAX = 2_000;
export const MAX_DESCRIPTION_LENGTH = 1024;
/**
 * The smallest loss margin: it must cover a late timer, a busy event loop and the rate difference
 * between the holder's clock and the server's over one ttl. A millisecond covers none of them.
 */
export const MIN_LOSS_MARGIN = 100;

/**
 * Refuses a refresh interval shorter than the storage sustains between writes to one object
 * (`ObjectStore.writeInterval`: GCS allows about one a second): its refreshes would be refused with 429.
 */
export function checkWriteInterval(options: ResolvedLockOptions, writeInterval: number | undefined): void {
  const { refreshInterval } = options;
  if (writeInterval === undefined || refreshInterval >= writeInterval) return;
  throw new ConfigurationError(
    'refreshInterval',
    `refreshInterval (${refreshInterval} ms) is shorter than this storage allows between writes to one ` +
      `object (${writeInterval} ms; GCS allows about one write per second to an object): refreshes would ` +
      `be refused with 429. Use a refreshInterval of at least ${writeInterval} ms (a ttl of at least ` +
      `${writeInterval * 4} ms with the default refreshInterval of ttl / 4)`,
  );
}

/** `AcquireOptions.timeout`, checked: a whole number of ms from 0, or Infinity (the default). */
export function resolveAcquireTimeout(timeout: number | undefined): number {
  return timeout === undefined || timeout === Infinity
    ? Infinity
    : duration('timeout', timeout, 0, Number.MAX_SAFE_INTEGER);
}

/** Checks every option and fills in the defaults; throws `ConfigurationError` naming the bad one. */
export function resolveLockOptions(options: LeaseOptions): ResolvedLockOptions {
  const ttl = duration('ttl', options.ttl ?? DEFAULT_TTL, MIN_TTL, MAX_TTL);
  const refreshInterval = duration(
    'refreshInterval',
    options.refreshInterval ?? Math.floor(ttl / 4),
    1,
    ttl - 1,
  );
  const lossMargin = duration(
    'lossMargin',
    options.lossMargin ?? Math.max(MIN_LOSS_MARGIN, Math.floor(ttl / 5)),
    MIN_LOSS_MARGIN,
    ttl - 1,
  );
  if (refreshInterval >= ttl - lossMargin) {
    throw new ConfigurationError(
      'refreshInterval',
      `refreshInterval (${refreshInterval} ms) must be less than ttl - lossMargin (${ttl - lossMargin} ms), ` +
        'so that a refresh can fail and be retried before the lease is declared lost',
    );
  }
  const pollInitial = duration('poll.initial', options.poll?.initial ?? DEFAULT_POLL_INITIAL, 1, MAX_TTL);
  const pollMax = duration(
    'poll.max',
    options.poll?.max ?? Math.max(DEFAULT_POLL_MAX, pollInitial),
    1,
    MAX_TTL,
  );
  if (pollInitial > pollMax) {
    throw new ConfigurationError(
      'poll',
      `poll.initial (${pollInitial}) must not exceed poll.max (${pollMax})`,
    );
  }
  const description = options.description;
  if (
    description !== undefined &&
    (typeof description !== 'string' || description.length > MAX_DESCRIPTION_LENGTH)
  ) {
    throw new ConfigurationError(
      'description',
      `description must be a string of at most ${MAX_DESCRIPTION_LENGTH} characters`,
    );
  }
  for (const name of ['onLost', 'onEvent'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') {
      throw new ConfigurationError(name, `${name} must be a function`);
    }
  }
  if (options.fair !== undefined && typeof options.fair !== 'boolean') {
    throw new ConfigurationError('fair', `fair must be true or false, got ${JSON.stringify(options.fair)}`);
  }
  return {
    ttl,
    fair: options.fair ?? true,
    refreshInterval,
    lossMargin,
    pollInitial,
    pollMax,
    description,
    requestTimeout: duration('requestTimeout', options.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT, 1, MAX_TTL),
    onLost: options.onLost,
    onEvent: options.onEvent,
  };
}
