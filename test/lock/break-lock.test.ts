import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors/configuration-error.js';
import { breakLock } from '../../src/lock/break-lock.js';
import { lockBody, lockMetadata } from '../../src/core/lock-object.js';
import { MemoryStore } from '../../src/testing/memory-store.js';

async function setup() {
  const store = new MemoryStore({ buckets: ['bkt'] });
  const h = { ownerToken: 'o', ttl: 60_000, host: 'h', pid: 1, description: undefined };
  const { object } = await store.insert('bkt', 'lock', { metadata: lockMetadata(h), body: lockBody(h) });
  return { store, token: object.generation };
}

describe('breakLock', () => {
  it('deletes exactly the named lease, in one request', async () => {
    const { store, token } = await setup();
    await expect(breakLock({ bucket: 'bkt', object: 'lock', token, store })).resolves.toEqual({
      status: 'broken',
      token,
    });
    expect(store.requestCount).toBe(2); // the insert in setup, then one delete
    expect((await store.get('bkt', 'lock')).object).toBeNull();
  });

  it('changes nothing with a wrong or old token', async () => {
    const { store, token } = await setup();
    const old = (BigInt(token) - 1n).toString();
    await expect(breakLock({ bucket: 'bkt', object: 'lock', token: old, store })).resolves.toEqual({
      status: 'token-mismatch',
    });
    expect((await store.get('bkt', 'lock')).object?.generation).toBe(token);
  });

  it('says so when there is no lock', async () => {
    const { store, token } = await setup();
    await expect(breakLock({ bucket: 'bkt', object: 'nothing', token, store })).resolves.toEqual({
      status: 'not-found',
    });
  });

  it.each(['', '0', 'abc', '-5', '12 ', '1e9'])('refuses token %j without any request', async (bad) => {
    const { store } = await setup();
    await expect(breakLock({ bucket: 'bkt', object: 'lock', token: bad, store })).rejects.toBeInstanceOf(
      ConfigurationError,
    );
    expect(store.requests.delete).toBe(0);
  });

  it('passes other failures through', async () => {
    const { store, token } = await setup();
    store.faults.add({ kind: 'error', ops: ['delete'], status: 403 });
    await expect(breakLock({ bucket: 'bkt', object: 'lock', token, store })).rejects.toMatchObject({
      status: 403,
    });
  });
});
