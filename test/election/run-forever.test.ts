import { describe, expect, it } from 'vitest';
import { Election } from '../../src/election/election.js';
import { MalformedLockError } from '../../src/errors/malformed-lock-error.js';
import { StorageError } from '../../src/errors/storage-error.js';
import { MemoryStore } from '../../src/testing/memory-store.js';

const make = (store: MemoryStore, object = 'leaders/x'): Election =>
  new Election(`gs://bkt/${object}`, { store, ttl: 2_000, candidate: 'a', poll: { initial: 20, max: 50 } });

describe('election.runForever()', () => {
  it('ends with the error work threw while leading, having resigned', async () => {
    const store = new MemoryStore({ buckets: ['bkt'] });
    const election = make(store);
    await expect(
      election.runForever(() => {
        throw new Error('bug in work');
      }),
    ).rejects.toThrow('bug in work');
    expect(await election.leader()).toBeNull();
  });

  it('rides out a storage failure, tells onError, and leads once storage answers', async () => {
    const store = new MemoryStore({ buckets: ['bkt'] });
    store.faults.add({ kind: 'error', status: 403, ops: ['get'], count: 1 });
    const errors: unknown[] = [];
    const stop = new AbortController();
    let terms = 0;
    await make(store).runForever(
      () => {
        terms += 1;
        stop.abort();
      },
      { signal: stop.signal, backoff: 10, onError: (error) => errors.push(error) },
    );
    expect(terms).toBe(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(StorageError);
  });

  it('campaigns again after work returns, with a new term each time', async () => {
    const store = new MemoryStore({ buckets: ['bkt'] });
    const stop = new AbortController();
    const tokens: bigint[] = [];
    await make(store).runForever(
      (_signal, term) => {
        tokens.push(BigInt(term.token));
        if (tokens.length === 3) stop.abort();
      },
      { signal: stop.signal, backoff: 0 },
    );
    expect(tokens).toEqual([tokens[0], tokens[0]! + 1n, tokens[0]! + 2n]);
  });

  it('does not ride out an object that is not an election', async () => {
    const store = new MemoryStore({ buckets: ['bkt'] });
    store.engine.insertObject('bkt', 'leaders/x', { data: Buffer.from('mine') });
    await expect(make(store).runForever(() => undefined)).rejects.toBeInstanceOf(MalformedLockError);
  });

  it('returns at once when its signal has already aborted, having written nothing', async () => {
    const store = new MemoryStore({ buckets: ['bkt'] });
    await make(store).runForever(() => undefined, { signal: AbortSignal.abort() });
    expect(store.requests.insert).toBe(0);
  });
});
