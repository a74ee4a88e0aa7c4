import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors/configuration-error.js';
import { resolveLockOptions } from '../../src/core/resolve-options.js';

describe('resolveLockOptions', () => {
  it('fills in documented defaults derived from the ttl', () => {
    expect(resolveLockOptions({})).toMatchObject({
      ttl: 60_000,
      refreshInterval: 15_000,
      lossMargin: 12_000,
      pollInitial: 250,
      pollMax: 2_000,
      requestTimeout: 10_000,
    });
    expect(resolveLockOptions({ ttl: 10_000 })).toMatchObject({ refreshInterval: 2_500, lossMargin: 2_000 });
  });

  it('raises poll.max to poll.initial when only initial is given above the default max', () => {
    expect(resolveLockOptions({ poll: { initial: 5_000 } })).toMatchObject({
      pollInitial: 5_000,
      pollMax: 5_000,
    });
  });

  it.each([
    [{ ttl: 999 }, 'ttl', 'from 1000'],
    [{ ttl: Infinity }, 'ttl', 'got Infinity'],
    [{ refreshInterval: 0 }, 'refreshInterval', 'from 1'],
    [{ ttl: 10_000, lossMargin: 5_000, refreshInterval: 5_000 }, 'refreshInterval', 'ttl - lossMargin'],
    [{ poll: { initial: 3_000, max: 1_000 } }, 'poll', 'must not exceed'],
    [{ requestTimeout: -1 }, 'requestTimeout', 'from 1'],
    [{ onEvent: 'log' as unknown as () => void }, 'onEvent', 'function'],
  ])('rejects %j naming %s', (options, option, words) => {
    try {
      resolveLockOptions(options);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as ConfigurationError).option).toBe(option);
      expect((error as ConfigurationError).message).toContain(words);
    }
  });
});
