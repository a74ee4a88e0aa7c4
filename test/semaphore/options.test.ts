import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors/configuration-error.js';
import { Semaphore } from '../../src/semaphore/semaphore.js';
import { MemoryStore } from '../../src/testing/memory-store.js';

const store = new MemoryStore({ buckets: ['bkt'] });

const thrown = (make: () => unknown): unknown => {
  try {
    make();
  } catch (error) {
    return error;
  }
  return undefined;
};

describe('new Semaphore()', () => {
  it('takes a URL and a limit, or { bucket, object, limit }, with no request', () => {
    expect(new Semaphore('gs://bkt/limits/x', { store, limit: 3 })).toMatchObject({
      url: 'gs://bkt/limits/x',
      limit: 3,
    });
    expect(new Semaphore({ bucket: 'bkt', object: 'limits/y', limit: 1, store }).url).toBe(
      'gs://bkt/limits/y',
    );
    expect(store.requestCount).toBe(0);
  });

  it.each([0, -1, 1.5, 1001, NaN, '3', undefined])('refuses a limit of %j, naming the option', (limit) => {
    const error = thrown(() => new Semaphore('gs://bkt/limits/x', { store, limit: limit as number }));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error).toMatchObject({ option: 'limit' });
    expect(String(error)).toMatch(/limit must be a whole number of permits from 1 to 1000/);
  });

  it('refuses to be made without options, and a bad readSlotsWith', () => {
    expect(
      thrown(() => new (Semaphore as unknown as new (url: string) => Semaphore)('gs://bkt/x')),
    ).toMatchObject({
      option: 'limit',
      message: expect.stringContaining('needs a limit') as string,
    });
    expect(
      thrown(() => new Semaphore('gs://bkt/x', { store, limit: 2, readSlotsWith: 'scan' as 'get' })),
    ).toMatchObject({ option: 'readSlotsWith' });
  });

  it('refuses a name whose permit objects would be too long', () => {
    const name = 'x'.repeat(1020);
    expect(thrown(() => new Semaphore(`gs://bkt/${name}`, { store, limit: 10 }))).toMatchObject({
      option: 'url',
      message: expect.stringContaining('would be invalid: must be at most 1024 bytes') as string,
    });
  });
});
