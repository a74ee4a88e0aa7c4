import { ConfigurationError } from '../errors/configuration-error.js';

/**
 * Checks a duration option: a finite number of milliseconds within [min, max], or a
 * `ConfigurationError` that names the option and its range.
 */
export function duration(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new ConfigurationError(
      name,
      `${name} must be a number of milliseconds from ${min} to ${max}, got ${describe(value)}`,
    );
  }
  return value;
}

function describe(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  return typeof value;
}
