// GcsStore against the local GCS server over real HTTP: preconditions, server time, faults, aborts,
// and the count of requests as the server saw them.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { GcsStore } from '../../src/store/gcs-store.js';
import { storageRefusal } from '../helpers/refusals.js';

const BUCKET = 'lock-bucket';
let server: RunningServer;
let store: GcsStore;

beforeAll(async () => {
  server = await startServer({ buckets: [BUCKET] });
  store = new GcsStore({ endpoint: server.url, requestTimeout: 5_000 });
});
afterAll(async () => server.close());
beforeEach(() => server.reset());

const create = (name: string, metadata: Record<string, string> = { owner: 'me' }) =>
  store.insert(BUCKET, name, { metadata, body: '{}', preconditions: { ifGenerationMatch: '0' } });

describe('GcsStore on the local server: preconditions', () => {
  it('insert with ifGenerationMatch=0 creates once; the second answers 412', async () => {
    const { object, serverTime } = await create('locks/a');
    expect(object).toMatchObject({
      bucket: BUCKET,
      name: 'locks/a',
      metageneration: '1',
      metadata: { owner: 'me' },
    });
    expect(object.generation).toMatch(/^\d+$/);
    expect(serverTime).toBeTypeOf('number');
    const second = await storageRefusal(create('locks/a'));
    expect(second.status).toBe(412);
    expect(second.isConflict).toBe(true);
  });

  it('an overwrite pinned to the stale generation wins once', async () => {
    const first = (await create('locks/b')).object;
    const pinned = { ifGenerationMatch: first.generation };
    const taken = await store.insert(BUCKET, 'locks/b', {
      metadata: { owner: 'you' },
      body: '{}',
      preconditions: pinned,
    });
    expect(taken.object.generation).not.toBe(first.generation);
    const loser = store.insert(BUCKET, 'locks/b', {
      metadata: { owner: 'them' },
      body: '{}',
      preconditions: pinned,
    });
    expect((await storageRefusal(loser)).status).toBe(412);
  });

  it('get: null when absent, 412 on a failed match, 304 on a failed not-match', async () => {
    const absent = await store.get(BUCKET, 'locks/none');
    expect(absent.object).toBeNull();
    expect(absent.serverTime).toBeTypeOf('number');
    const { object } = await create('locks/c');
    expect((await store.get(BUCKET, 'locks/c')).object).toEqual(object);
    const wrong = store.get(BUCKET, 'locks/c', { preconditions: { ifGenerationMatch: '1' } });
    expect((await storageRefusal(wrong)).status).toBe(412);
    const same = store.get(BUCKET, 'locks/c', { preconditions: { ifGenerationNotMatch: object.generation } });
    expect((await storageRefusal(same)).status).toBe(304);
  });

  it('a missing bucket is an error, never "the lock is free"', async () => {
    const get = await storageRefusal(store.get('no-such-bucket', 'locks/x'));
    expect(get.status).toBe(404);
    expect(get.message).toContain('"no-such-bucket"');
    const insert = await storageRefusal(store.insert('no-such-bucket', 'x', { metadata: {}, body: '' }));
    expect(insert.status).toBe(404);
    expect(insert.message).toContain('bucket "no-such-bucket" does not exist');
  });

  it('patch pinned to generation and metageneration; a stale metageneration answers 412', async () => {
    const { object } = await create('locks/d', { owner: 'me', note: 'x' });
    const pinned = { ifGenerationMatch: object.generation, ifMetagenerationMatch: '1' };
    const patched = await store.patchMetadata(
      BUCKET,
      'locks/d',
      { beat: '1', note: null },
      { preconditions: pinned },
    );
    expect(patched.object.metageneration).toBe('2');
    expect(patched.object.metadata).toEqual({ owner: 'me', beat: '1' });
    expect(patched.object.updated).toBeGreaterThanOrEqual(object.updated);
    const stale = store.patchMetadata(BUCKET, 'locks/d', { beat: '2' }, { preconditions: pinned });
    expect((await storageRefusal(stale)).status).toBe(412);
  });

  it('delete: 412 for another generation, then deletes, then 404', async () => {
    const { object } = await create('locks/e');
    const wrong = store.delete(BUCKET, 'locks/e', { preconditions: { ifGenerationMatch: '12345' } });
    expect((await storageRefusal(wrong)).status).toBe(412);
    await store.delete(BUCKET, 'locks/e', { preconditions: { ifGenerationMatch: object.generation } });
    expect((await store.get(BUCKET, 'locks/e')).object).toBeNull();
    expect((await storageRefusal(store.delete(BUCKET, 'locks/e'))).status).toBe(404);
  });

  it('list pages through a prefix', async () => {
    for (const name of ['p/1', 'p/2', 'p/3', 'q/1']) await create(name);
    const first = await store.list(BUCKET, { prefix: 'p/', maxResults: 2 });
    expect(first.items.map((item) => item.name)).toEqual(['p/1', 'p/2']);
    expect(first.nextPageToken).toBeTypeOf('string');
    const second = await store.list(BUCKET, { prefix: 'p/', maxResults: 2, pageToken: first.nextPageToken! });
    expect(second.items.map((item) => item.name)).toEqual(['p/3']);
    expect(second.nextPageToken).toBeUndefined();
  });

  it("serverTime is the server's clock, not ours", async () => {
    const tenDays = 10 * 86_400_000;
    server.setClockOffset(tenDays);
    try {
      const { serverTime, object } = await create('locks/clock');
      expect(serverTime!).toBeGreaterThan(Date.now() + tenDays - 86_400_000);
      expect(object.updated).toBeGreaterThan(Date.now() + tenDays - 86_400_000);
    } finally {
      server.setClockOffset(0);
    }
  });
});

describe('GcsStore on the local server: faults', () => {
  it('commit-then-drop: a transport error (retryable) although the object was created', async () => {
    server.faults.add({ kind: 'commit-then-drop', ops: ['insert'], count: 1 });
    const error = await storageRefusal(create('locks/f'));
    expect(error.status).toBeUndefined();
    expect(error.retryable).toBe(true);
    expect(server.faults.delivered['commit-then-drop']).toBe(1);
    expect((await store.get(BUCKET, 'locks/f')).object?.metadata).toEqual({ owner: 'me' });
  });

  it('reset: a transport error, nothing created', async () => {
    server.faults.add({ kind: 'reset', ops: ['insert'], count: 1 });
    expect((await storageRefusal(create('locks/g'))).status).toBeUndefined();
    expect((await store.get(BUCKET, 'locks/g')).object).toBeNull();
  });

  it.each([429, 500, 503])('error %i: that status, retryable, nothing changed', async (status) => {
    const { object } = await create('locks/h');
    server.faults.add({ kind: 'error', ops: ['patch'], status, count: 1 });
    const pinned = { ifGenerationMatch: object.generation, ifMetagenerationMatch: '1' };
    const error = await storageRefusal(
      store.patchMetadata(BUCKET, 'locks/h', { beat: '1' }, { preconditions: pinned }),
    );
    expect(error.status).toBe(status);
    expect(error.retryable).toBe(true);
    expect((await store.get(BUCKET, 'locks/h')).object?.metageneration).toBe('1');
  });

  it('stall past requestTimeout: a retryable StorageError with no status', async () => {
    server.faults.add({ kind: 'stall', ops: ['get'], stallMs: 60_000, count: 1 });
    const quick = new GcsStore({ endpoint: server.url, requestTimeout: 100 });
    const error = await storageRefusal(quick.get(BUCKET, 'locks/i'));
    expect(error.status).toBeUndefined();
    expect(error.message).toContain('requestTimeout');
  });

  it("a caller's abort during a stall rejects with the caller's reason", async () => {
    server.faults.add({ kind: 'stall', ops: ['delete'], stallMs: 60_000, count: 1 });
    const controller = new AbortController();
    const reason = new Error('shutting down');
    const pending = store.delete(BUCKET, 'locks/j', { signal: controller.signal });
    await expect.poll(() => server.faults.delivered.stall).toBe(1);
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });
});

describe('GcsStore on the local server: one HTTP request per operation', () => {
  it('counts at the server: insert, get, patch, get-absent, list, delete, and failures too', async () => {
    // A zero-latency rule on every operation: `delivered.latency` counts requests that reached the server.
    server.faults.add({ kind: 'latency', latencyMs: 0 });
    const seen = () => server.faults.delivered.latency;
    const steps: Array<() => Promise<unknown>> = [
      () => create('locks/k'),
      () => store.get(BUCKET, 'locks/k'),
      () => store.get(BUCKET, 'locks/absent'),
      () => store.patchMetadata(BUCKET, 'locks/k', { beat: '1' }),
      () => store.list(BUCKET, { prefix: 'locks/' }),
      () => create('locks/k').catch(() => undefined), // a 412 is one request too: no retries inside
      () => store.delete(BUCKET, 'locks/k'),
    ];
    for (const [index, step] of steps.entries()) {
      await step();
      expect(seen()).toBe(index + 1);
    }
  });

  it('a 503 is not retried by the store', async () => {
    server.faults.add({ kind: 'error', status: 503 });
    await storageRefusal(store.get(BUCKET, 'locks/l'));
    expect(server.faults.delivered.error).toBe(1);
  });
});
