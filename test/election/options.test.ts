import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { Election } from '../../src/election/election.js';
import { ConfigurationError } from '../../src/errors/configuration-error.js';
import { MemoryStore } from '../../src/testing/memory-store.js';

const store = new MemoryStore({ buckets: ['bkt'] });

describe('new Election()', () => {
  it('takes a URL or { bucket, object }, and names this process as its default candidate', () => {
    const election = new Election('gs://bkt/leaders/x', { store });
    expect(election.url).toBe('gs://bkt/leaders/x');
    expect(election.candidate).toBe(`${hostname()}:${process.pid}`);
    expect(new Election({ bucket: 'bkt', object: 'leaders/y', store, candidate: 'r7' })).toMatchObject({
      url: 'gs://bkt/leaders/y',
      candidate: 'r7',
    });
    expect(store.requestCount).toBe(0);
  });

  it.each([
    ['', 'empty'],
    ['x'.repeat(257), 'too long'],
    ['a\nb', 'a control character'],
    [42, 'not a string'],
  ] as Array<[unknown, string]>)('refuses a candidate %j (%s), naming the option', (candidate) => {
    const error = (() => {
      try {
        new Election('gs://bkt/leaders/x', { store, candidate: candidate as string });
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error).toMatchObject({ option: 'candidate' });
    expect(String(error)).toMatch(/candidate must be a string of 1 to 256 characters/);
  });

  it('refuses a bad URL, and a bad observe interval or backoff', async () => {
    expect(() => new Election('gs://bkt/', { store })).toThrow(ConfigurationError);
    const election = new Election('gs://bkt/leaders/x', { store });
    expect(() => election.observe({ interval: 0 })).toThrow(/interval/);
    await expect(election.runForever(() => undefined, { backoff: -1 })).rejects.toThrow(/backoff/);
    await expect(election.runForever(undefined as never)).rejects.toThrow(/work must be a function/);
  });
});
