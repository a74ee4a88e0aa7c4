import { ConfigurationError } from '../errors/configuration-error.js';

/**
 * Checks a duration option: a finite number of milliseconds within [min, max], rounded to whole
 * milliseconds, or a `ConfigurationError` that names the option and its range.
 *
 * Why round: the lock writes durations into the lock object's metadata as decimal integers, where
 * every contender reads them back. `0.1 * 3 * 100_000` is 30000.000000000004: written as it is, no
 * contender could parse the lock, and a crashed holder's lease would never be taken over.
 */
export function duration(name: string, value: unknown, min: number, max: number): number {
  const rounded = typeof value === 'number' && Number.isFinite(value) ? Math.round(value) : undefined;
  if (rounded === undefined || rounded < min || rounded > max) {
    throw new ConfigurationError(
      name,
      `${name} must be a number of milliseconds from ${min} to ${max}, got ${describe(value)}`,
    );
  }
  return rounded;
}

function describe(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  return typeof value;
}
