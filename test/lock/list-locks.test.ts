import { describe, expect, it } from 'vitest';
import { listLocks } from '../../src/lock/list-locks.js';
import { grantMetadata, META } from '../../src/core/lock-object.js';
import { MemoryStore } from '../../src/testing/memory-store.js';
import { headerMetadata } from '../../src/core/semaphore-header.js';

const holder = (ttl: number, description?: string) => ({
  ownerToken: 'owner-secret',
  ttl,
  refreshInterval: ttl / 4,
  host: 'box',
  pid: 42,
  description,
});

async function putLock(store: MemoryStore, name: string, ttl = 60_000, description?: string, extra = {}) {
  const metadata = { ...grantMetadata(holder(ttl, description), 9n, false), ...extra };
  const { object } = await store.insert('bkt', name, { metadata, body: '' });
  return object;
}

describe('listLocks', () => {
  it('tells held, free and waiting apart, judged by the listing itself (one request)', async () => {
    const store = new MemoryStore({ buckets: ['bkt'] });
    await putLock(store, 'held');
    await putLock(store, 'free', 60_000, undefined, { [META.state]: 'released' });
    await store.insert('bkt', 'held.queue/ticket-1', {
      metadata: grantMetadata({ ...holder(60_000, 'waiter'), kind: 'ticket' }, 1n, false),
      body: '',
    });
    const before = store.requestCount;
    const entries = await listLocks({ bucket: 'bkt', store });
    expect(store.requestCount - before).toBe(1);
    expect(entries.map((entry) => [entry.name, entry.state])).toEqual([
      ['free', 'free'],
      ['held', 'held'],
      ['held.queue/ticket-1', 'waiting'],
    ]);
  });

  it("lists a semaphore's header as a semaphore, with its limit, and its permits as locks", async () => {
    const store = new MemoryStore({ buckets: ['bkt'] });
    await store.insert('bkt', 'limits/x', { metadata: headerMetadata(3), body: '' });
    await putLock(store, 'limits/x.slots/1');
    await store.insert('bkt', 'limits/y', {
      metadata: { ...headerMetadata(3), [META.limit]: '0' },
      body: '',
    });
    const entries = await listLocks({ bucket: 'bkt', store });
    expect(entries.map(({ name, state, limit }) => ({ name, state, limit }))).toEqual([
      { name: 'limits/x', state: 'semaphore', limit: 3 },
      { name: 'limits/x.slots/1', state: 'held', limit: undefined },
      { name: 'limits/y', state: 'not-a-lock', limit: undefined },
    ]);
  });

  it('lists nothing in an empty bucket, with no request beyond the listing', async () => {
    const store = new MemoryStore({ buckets: ['bkt'] });
    expect(await listLocks({ bucket: 'bkt', store })).toEqual([]);
    expect(store.requests.list).toBe(1);
    expect(store.requests.get).toBe(0);
  });

  it('reads every page and keeps only the prefix', async () => {
    const store = new MemoryStore({ buckets: ['bkt'] });
    for (let i = 0; i < 7; i++) await putLock(store, `jobs/j${i}`);
    await putLock(store, 'other/x');
    const entries = await listLocks({ bucket: 'bkt', prefix: 'jobs/', store, pageSize: 2 });
    expect(entries.map((e) => e.name)).toEqual([
      'jobs/j0',
      'jobs/j1',
      'jobs/j2',
      'jobs/j3',
      'jobs/j4',
      'jobs/j5',
      'jobs/j6',
    ]);
    expect(store.requests.list).toBe(4);
    expect(entries[0]).toMatchObject({
      url: 'gs://bkt/jobs/j0',
      state: 'held',
      info: { host: 'box', pid: 42, expired: false, token: '9' },
    });
    expect(JSON.stringify(entries)).not.toContain('owner-secret');
  });

  it('marks stale locks by the server clock, not the local one', async () => {
    const store = new MemoryStore({ buckets: ['bkt'] });
    await putLock(store, 'fresh', 60_000, 'long job');
    await putLock(store, 'stale', 1_000);
    store.engine.clockOffsetMs = 5_000; // the server's clock moves on; the local clock does not
    const entries = await listLocks({ bucket: 'bkt', store });
    const byName = Object.fromEntries(entries.map((e) => [e.name, e]));
    expect(byName.fresh?.info).toMatchObject({ expired: false, description: 'long job' });
    expect(byName.stale?.info?.expired).toBe(true);
    expect(byName.stale!.info!.expiresInMs).toBeLessThan(0);
  });

  it('marks foreign and damaged objects with what is wrong, without failing the listing', async () => {
    const store = new MemoryStore({ buckets: ['bkt'] });
    await putLock(store, 'good');
    await store.insert('bkt', 'readme.txt', { metadata: {}, body: 'hello' });
    await store.insert('bkt', 'bad-ttl', {
      metadata: { ...grantMetadata(holder(1000), 1n, false), 'gcs-lock-ttl-ms': 'soon' },
      body: '',
    });
    const entries = await listLocks({ bucket: 'bkt', store });
    expect(entries.find((e) => e.name === 'good')?.problem).toBeUndefined();
    expect(entries.find((e) => e.name === 'readme.txt')?.state).toBe('not-a-lock');
    expect(entries.find((e) => e.name === 'readme.txt')?.problem).toMatch(/gcs-lock-version is missing/);
    expect(entries.find((e) => e.name === 'bad-ttl')?.problem).toMatch(/gcs-lock-ttl-ms/);
  });

  it('passes storage failures through', async () => {
    const store = new MemoryStore({ buckets: ['bkt'] });
    store.faults.add({ kind: 'error', ops: ['list'], status: 403 });
    await expect(listLocks({ bucket: 'bkt', store })).rejects.toMatchObject({
      name: 'StorageError',
      status: 403,
    });
  });
});
