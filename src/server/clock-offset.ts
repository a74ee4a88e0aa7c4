/**
 * The largest clock offset the server accepts, either way: a year. A real clock that is wrong is off
 * by seconds (no NTP), hours (a wrong time zone) or, at worst, months (a dead RTC battery); nothing a
 * test needs to model is further off. The bound keeps every server date valid (an offset of 1e20 ms
 * made `toISOString()` throw, so GET and LIST answered 500) and keeps generations, which are the
 * server clock in microseconds, 16 digits long, as GCS's are (a huge offset made them 21 digits, which
 * every precondition then refused with 400).
 * @example
 * server.setClockOffset(-MAX_CLOCK_OFFSET_MS); // the server's clock, a year behind: as far as it goes
 */
export const MAX_CLOCK_OFFSET_MS = 365 * 24 * 3_600_000;

/** Generations are microseconds since the epoch: 16 digits from 2001 to 2286. */
export const MAX_GENERATION = 10n ** 16n - 1n;

/** `ms` if it is a clock offset the server accepts; a `RangeError` naming `name` and the bound otherwise. */
export function checkClockOffset(name: string, ms: unknown): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || Math.abs(ms) > MAX_CLOCK_OFFSET_MS) {
    throw new RangeError(
      `${name} must be a number of milliseconds from -${MAX_CLOCK_OFFSET_MS} to ${MAX_CLOCK_OFFSET_MS} ` +
        `(a year either way, more than any real clock is off by), got ${typeof ms === 'number' ? ms : typeof ms}`,
    );
  }
  return ms;
}
