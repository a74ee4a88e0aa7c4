import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors/configuration-error.js';
import { duration } from '../../src/util/duration.js';

describe('duration', () => {
  it('returns a number of milliseconds inside the range', () => {
    expect(duration('ttl', 1_000, 1_000, 2_000)).toBe(1_000);
    expect(duration('ttl', 2_000, 1_000, 2_000)).toBe(2_000);
  });

  it('rounds to whole milliseconds, because lock metadata carries integers', () => {
    expect(duration('ttl', 0.1 * 3 * 100_000, 1_000, 60_000)).toBe(30_000);
    expect(duration('ttl', 1_000.6, 1_000, 2_000)).toBe(1_001);
  });

  it.each([
    [999, 'got 999'],
    [999.4, 'got 999.4'],
    [2_001, 'got 2001'],
    [Number.NaN, 'got NaN'],
    [Infinity, 'got Infinity'],
    ['1s', 'got "1s"'],
    [undefined, 'got undefined'],
  ])('rejects %j with a ConfigurationError naming the option and its range', (value, got) => {
    const error = (() => {
      try {
        duration('ttl', value, 1_000, 2_000);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).option).toBe('ttl');
    expect((error as ConfigurationError).message).toBe(
      `ttl must be a number of milliseconds from 1000 to 2000, ${got}`,
    );
  });
});
