import { describe, expect, it } from 'vitest';
import {
  AcquireTimeoutError,
  ConfigurationError,
  GcsLockError,
  LockHeldError,
  LockLostError,
  MalformedLockError,
  SemaphoreFullError,
  StorageError,
} from '../../src/errors/index.js';
import { describeHolder } from '../../src/errors/lock-held-error.js';
import type { LockInfo } from '../../src/core/lock-info.js';

const URL = 'gs://bkt/locks/nightly';
const OWNER_TOKEN = 'owner-5b0f7c1e-secret';

const holder = (overrides: Partial<LockInfo> = {}): LockInfo => ({
  url: URL,
  token: '1700000000000123',
  generation: '1700000000000999',
  host: 'worker-1',
  pid: 4242,
  description: 'nightly report',
  candidate: undefined,
  ttl: 60_000,
  refreshInterval: 15_000,
  acquiredAt: new Date(0),
  refreshedAt: new Date(0),
  expiresAt: new Date(60_000),
  expiresInMs: 30_000,
  expired: false,
  ...overrides,
});

describe('error classes', () => {
  const cause = new Error('underlying');
  const cases: Array<[string, GcsLockError, string, string]> = [
    [
      'ConfigurationError',
      new ConfigurationError('ttl', 'ttl must be positive', { cause }),
      'INVALID_CONFIGURATION',
      'ttl must be positive',
    ],
    [
      'StorageError',
      new StorageError('PATCH gs://bkt/x', 503, 'unavailable', { cause }),
      'STORAGE_ERROR',
      'PATCH gs://bkt/x: unavailable',
    ],
    [
      'LockHeldError',
      new LockHeldError(URL, holder(), { cause }),
      'LOCK_HELD',
      `${URL} is held by host worker-1 pid 4242 ("nightly report"), token 1700000000000123`,
    ],
    [
      'AcquireTimeoutError',
      new AcquireTimeoutError(URL, 1234.6, undefined, { cause }),
      'ACQUIRE_TIMEOUT',
      `timed out after 1235 ms waiting for ${URL}`,
    ],
    [
      'LockLostError',
      new LockLostError(URL, '77', 'taken', 'refresh answered 412', { cause }),
      'LOCK_LOST',
      `lost ${URL} (token 77): refresh answered 412`,
    ],
    [
      'MalformedLockError',
      new MalformedLockError(URL, '88', 'metadata gcs-lock-ttl is missing', { cause }),
      'MALFORMED_LOCK',
      `${URL} (generation 88) is not a gcs-lock lock object: metadata gcs-lock-ttl is missing. gcs-lock will not overwrite or delete it; remove it by hand if it is litter, or use another object name`,
    ],
  ];

  it.each(cases)(
    '%s: name, code, message, instanceof GcsLockError and Error, cause kept',
    (name, error, code, message) => {
      expect(error.name).toBe(name);
      expect(error.code).toBe(code);
      expect(error.message).toBe(message);
      expect(error).toBeInstanceOf(GcsLockError);
      expect(error).toBeInstanceOf(Error);
      expect(error.cause).toBe(cause);
      expect(error.stack).toContain(name);
      expect(String(error)).toBe(`${name}: ${message}`);
    },
  );

  it('codes are distinct', () => {
    expect(new Set(cases.map(([, error]) => error.code)).size).toBe(cases.length);
  });

  it('without options there is no cause', () => {
    expect(new ConfigurationError('bucket', 'bad').cause).toBeUndefined();
    expect('cause' in new ConfigurationError('bucket', 'bad')).toBe(false);
  });
});

describe('fields', () => {
  it('ConfigurationError names the option', () => {
    expect(new ConfigurationError('bucket', 'bad bucket').option).toBe('bucket');
  });

  it('StorageError carries operation, status and reason', () => {
    const error = new StorageError('GET gs://bkt/x', 429, 'slow down', { reason: 'rateLimitExceeded' });
    expect(error).toMatchObject({ operation: 'GET gs://bkt/x', status: 429, reason: 'rateLimitExceeded' });
    expect(new StorageError('GET gs://bkt/x', undefined, 'reset')).toMatchObject({
      status: undefined,
      reason: undefined,
    });
  });

  it('LockHeldError carries the url and holder', () => {
    const info = holder();
    const error = new LockHeldError(URL, info);
    expect(error.url).toBe(URL);
    expect(error.holder).toBe(info);
  });

  it('SemaphoreFullError is a LockHeldError naming every holder, the soonest to expire as holder', () => {
    const holders = Array.from({ length: 4 }, (_, i) =>
      holder({ host: `w${i}`, token: String(10 + i), expiresInMs: [900, 300, 600, 800][i]! }),
    );
    const error = new SemaphoreFullError(URL, 4, [holders[0]!, ...holders.slice(1)]);
    expect(error).toBeInstanceOf(LockHeldError);
    expect(error).toMatchObject({ name: 'SemaphoreFullError', code: 'LOCK_HELD', limit: 4, url: URL });
    expect(error.holder).toBe(holders[1]);
    expect(error.holders).toHaveLength(4);
    expect(error.message).toBe(
      `all 4 permits of ${URL} are held: host w0 pid 4242 ("nightly report"), token 10; ` +
        'host w1 pid 4242 ("nightly report"), token 11; host w2 pid 4242 ("nightly report"), token 12; and 1 more',
    );
    expect(String(error)).toMatch(/^SemaphoreFullError: all 4 permits/);
  });

  it('AcquireTimeoutError carries url, waitedMs unrounded and the last holder', () => {
    const info = holder();
    expect(new AcquireTimeoutError(URL, 1000.4, info)).toMatchObject({
      url: URL,
      waitedMs: 1000.4,
      holder: info,
    });
    expect(new AcquireTimeoutError(URL, 5, undefined).holder).toBeUndefined();
  });

  it('LockLostError carries url, token and reason', () => {
    expect(new LockLostError(URL, '9', 'expired', 'no refresh in time')).toMatchObject({
      url: URL,
      token: '9',
      reason: 'expired',
    });
  });

  it('MalformedLockError carries url, generation and problem', () => {
    expect(new MalformedLockError(URL, '5', 'no ttl')).toMatchObject({
      url: URL,
      generation: '5',
      problem: 'no ttl',
    });
  });
});

describe('StorageError.retryable and isConflict', () => {
  it.each([
    [undefined, true],
    [408, true],
    [429, true],
    [500, true],
    [502, true],
    [503, true],
    [504, true],
    [599, true],
    [304, false],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [409, false],
    [412, false],
  ])('status %s: retryable %s', (status, retryable) => {
    expect(new StorageError('GET gs://bkt/x', status, 'm').retryable).toBe(retryable);
  });

  it.each([
    [412, true],
    [404, true],
    [409, true],
    [403, false],
    [429, false],
    [500, false],
    [undefined, false],
  ])('status %s: isConflict %s', (status, conflict) => {
    expect(new StorageError('GET gs://bkt/x', status, 'm').isConflict).toBe(conflict);
  });
});

describe('describeHolder', () => {
  it('names host, pid, description and fencing token', () => {
    expect(describeHolder(holder())).toBe(
      'host worker-1 pid 4242 ("nightly report"), token 1700000000000123',
    );
  });

  it('copes with missing host, pid or description', () => {
    expect(describeHolder(holder({ host: undefined }))).toBe(
      'pid 4242 ("nightly report"), token 1700000000000123',
    );
    expect(describeHolder(holder({ pid: undefined, description: undefined }))).toBe(
      'host worker-1, token 1700000000000123',
    );
    expect(describeHolder(holder({ host: undefined, pid: undefined, description: undefined }))).toBe(
      'an unknown holder, token 1700000000000123',
    );
    expect(describeHolder(holder({ pid: 0 }))).toContain('pid 0');
  });

  it('quotes the description, so a hostile one cannot forge the line', () => {
    expect(describeHolder(holder({ description: 'x"), token 1\nfake' }))).toContain(
      '("x\\"), token 1\\nfake")',
    );
  });

  it('never prints an owner token, even when the holder object carries one', () => {
    const withSecret = { ...holder(), ownerToken: OWNER_TOKEN, owner: OWNER_TOKEN } as LockInfo;
    expect(describeHolder(withSecret)).not.toContain(OWNER_TOKEN);
    const error = new LockHeldError(URL, withSecret);
    expect(error.message).not.toContain(OWNER_TOKEN);
    expect(String(error)).not.toContain(OWNER_TOKEN);
  });
});
