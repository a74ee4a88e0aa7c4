import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EngineError } from '../../src/server/engine/engine-error.js';
import { StorageEngine } from '../../src/server/engine/engine.js';
import { FaultPlan } from '../../src/server/fault-plan.js';
import { MemoryStore, toStored } from '../../src/testing/memory-store.js';
import { storageRefusal } from '../helpers/refusals.js';

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const BODY = { body: '{"x":1}', metadata: { owner: 'me' } };

describe('MemoryStore', () => {
  let store: MemoryStore;

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    vi.setSystemTime(T0 + 999);
    store = new MemoryStore({ buckets: ['bkt'] });
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  describe('operations', () => {
    it('insert creates the object and returns it with the server time', async () => {
      const { object, serverTime } = await store.insert('bkt', 'locks/a', BODY);
      expect(object).toEqual({
        bucket: 'bkt',
        name: 'locks/a',
        generation: (BigInt(T0 + 999) * 1000n).toString(),
        metageneration: '1',
        timeCreated: T0 + 999,
        updated: T0 + 999,
        metadata: { owner: 'me' },
      });
      expect(serverTime).toBe(T0);
      const stored = store.engine.getObject('bkt', 'locks/a');
      expect(stored.data.toString()).toBe('{"x":1}');
      expect(stored.contentType).toBe('application/json');
    });

    it('insert keeps a given content type', async () => {
      await store.insert('bkt', 'a', { ...BODY, contentType: 'text/plain' });
      expect(store.engine.getObject('bkt', 'a').contentType).toBe('text/plain');
    });

    it('get returns the object; a missing object resolves null with the server time', async () => {
      const { object: inserted } = await store.insert('bkt', 'a', BODY);
      expect((await store.get('bkt', 'a')).object).toEqual(inserted);
      expect(await store.get('bkt', 'missing')).toEqual({ object: null, serverTime: T0 });
    });

    it('get of a missing bucket throws 404, not null', async () => {
      const error = await storageRefusal(store.get('nobucket', 'a'));
      expect(error).toMatchObject({ status: 404, reason: 'notFound', operation: 'GET gs://nobucket/a' });
      expect(error.message).toBe('GET gs://nobucket/a: No such bucket.');
    });

    it('get with a failing precondition throws 412', async () => {
      await store.insert('bkt', 'a', BODY);
      const error = await storageRefusal(
        store.get('bkt', 'a', { preconditions: { ifGenerationMatch: '1' } }),
      );
      expect(error).toMatchObject({ status: 412, reason: 'conditionNotMet' });
    });

    it('patchMetadata merges, null deletes, and bumps the metageneration', async () => {
      await store.insert('bkt', 'a', { body: '', metadata: { a: '1', b: '2' } });
      const { object } = await store.patchMetadata('bkt', 'a', { a: null, c: '3' });
      expect(object.metadata).toEqual({ b: '2', c: '3' });
      expect(object.metageneration).toBe('2');
    });

    it('delete removes the object', async () => {
      const { object } = await store.insert('bkt', 'a', BODY);
      await store.delete('bkt', 'a', { preconditions: { ifGenerationMatch: object.generation } });
      expect((await store.get('bkt', 'a')).object).toBeNull();
    });

    it('list pages through objects under a prefix', async () => {
      for (const name of ['locks/b', 'locks/a', 'other']) await store.insert('bkt', name, BODY);
      const first = await store.list('bkt', { prefix: 'locks/', maxResults: 1 });
      expect(first.items.map((o) => o.name)).toEqual(['locks/a']);
      expect(first.items[0]!.generation).toMatch(/^\d+$/);
      const second = await store.list('bkt', {
        prefix: 'locks/',
        maxResults: 1,
        pageToken: first.nextPageToken!,
      });
      expect(second).toMatchObject({ items: [{ name: 'locks/b' }], nextPageToken: undefined });
      expect((await store.list('bkt')).items).toHaveLength(3);
    });

    it('returns copies: changing a result does not change the store', async () => {
      const { object } = await store.insert('bkt', 'a', BODY);
      object.metadata['owner'] = 'someone else';
      expect((await store.get('bkt', 'a')).object!.metadata).toEqual({ owner: 'me' });
    });
  });

  describe('engine errors become StorageErrors with status, reason, operation and cause', () => {
    it.each<[string, (s: MemoryStore) => Promise<unknown>, number, string, string]>([
      [
        'insert 412',
        (s) => s.insert('bkt', 'a', { ...BODY, preconditions: { ifGenerationMatch: '0' } }),
        412,
        'conditionNotMet',
        'POST gs://bkt/a',
      ],
      ['insert 400', (s) => s.insert('bkt', '', BODY), 400, 'invalid', 'POST gs://bkt/'],
      ['insert 404', (s) => s.insert('nobucket', 'a', BODY), 404, 'notFound', 'POST gs://nobucket/a'],
      [
        'patch 304',
        (s) => s.patchMetadata('bkt', 'a', {}, { preconditions: { ifMetagenerationNotMatch: '1' } }),
        304,
        'notModified',
        'PATCH gs://bkt/a',
      ],
      ['patch 404', (s) => s.patchMetadata('bkt', 'missing', {}), 404, 'notFound', 'PATCH gs://bkt/missing'],
      [
        'patch 400',
        (s) => s.patchMetadata('bkt', 'a', { big: 'x'.repeat(9000) }),
        400,
        'invalid',
        'PATCH gs://bkt/a',
      ],
      [
        'delete 412',
        (s) => s.delete('bkt', 'a', { preconditions: { ifGenerationMatch: '1' } }),
        412,
        'conditionNotMet',
        'DELETE gs://bkt/a',
      ],
      ['delete 404', (s) => s.delete('bkt', 'missing'), 404, 'notFound', 'DELETE gs://bkt/missing'],
      ['list 400', (s) => s.list('bkt', { pageToken: '!' }), 400, 'invalid', 'GET gs://bkt/'],
      ['list 404', (s) => s.list('nobucket', { prefix: 'p/' }), 404, 'notFound', 'GET gs://nobucket/p/'],
    ])('%s', async (_what, call, status, reason, operation) => {
      await store.insert('bkt', 'a', BODY);
      const error = await storageRefusal(call(store));
      expect(error).toMatchObject({ status, reason, operation });
      expect(error.cause).toBeInstanceOf(EngineError);
      expect(error.message).toBe(`${operation}: ${(error.cause as Error).message}`);
    });

    it('a 429 from the engine rate limit is rateLimitExceeded and retryable', async () => {
      const limited = new MemoryStore({ buckets: ['bkt'], rateLimit: { perSecond: 1, burst: 1 } });
      await limited.insert('bkt', 'a', BODY);
      const error = await storageRefusal(limited.patchMetadata('bkt', 'a', { k: 'v' }));
      expect(error).toMatchObject({ status: 429, reason: 'rateLimitExceeded', retryable: true });
    });
  });

  describe('server time', () => {
    it('is whole seconds, rounded down, on the engine clock', async () => {
      vi.setSystemTime(T0 + 1999);
      expect((await store.get('bkt', 'a')).serverTime).toBe(T0 + 1000);
      store.engine.clockOffsetMs = -1;
      vi.setSystemTime(T0 + 1000);
      expect((await store.get('bkt', 'a')).serverTime).toBe(T0);
      store.engine.clockOffsetMs = 60_500;
      const { object, serverTime } = await store.insert('bkt', 'a', BODY);
      expect(serverTime).toBe(T0 + 61_000);
      expect(object.updated).toBe(T0 + 61_500);
    });
  });

  describe('request counts', () => {
    it('counts each request by operation, failed ones included', async () => {
      expect(store.requestCount).toBe(0);
      await store.insert('bkt', 'a', BODY);
      await store.get('bkt', 'a');
      await store.get('bkt', 'missing');
      await store.patchMetadata('bkt', 'a', {});
      await storageRefusal(store.delete('bkt', 'missing'));
      await store.delete('bkt', 'a');
      await store.list('bkt');
      expect(store.requests).toEqual({ insert: 1, get: 2, patch: 1, delete: 2, list: 1, bucket: 0 });
      expect(store.requestCount).toBe(7);
    });
  });

  describe('faults', () => {
    it('error: the injected status, reason by status, nothing changed', async () => {
      store.faults.add({ kind: 'error', status: 503, ops: ['insert'], count: 1 });
      store.faults.add({ kind: 'error', status: 429, ops: ['insert'], count: 1 });
      const unavailable = await storageRefusal(store.insert('bkt', 'a', BODY));
      expect(unavailable).toMatchObject({
        status: 503,
        reason: 'backendError',
        operation: 'POST gs://bkt/a',
      });
      expect(unavailable.message).toBe('POST gs://bkt/a: injected HTTP 503');
      const limited = await storageRefusal(store.insert('bkt', 'a', BODY));
      expect(limited).toMatchObject({ status: 429, reason: 'rateLimitExceeded' });
      expect((await store.get('bkt', 'a')).object).toBeNull();
      expect(store.faults.delivered.error).toBe(2);
    });

    it('reset: status undefined, retryable, nothing changed', async () => {
      store.faults.add({ kind: 'reset', ops: ['insert'], count: 1 });
      const error = await storageRefusal(store.insert('bkt', 'a', BODY));
      expect(error.status).toBeUndefined();
      expect(error.retryable).toBe(true);
      expect(error.message).toContain('connection reset');
      expect(store.engine.listObjects('bkt').items).toEqual([]);
    });

    it('commit-then-drop: the change is applied, the caller sees a transport error', async () => {
      await store.insert('bkt', 'a', BODY);
      store.faults.add({ kind: 'commit-then-drop', ops: ['patch'], count: 1 });
      const error = await storageRefusal(store.patchMetadata('bkt', 'a', { k: 'v' }));
      expect(error.status).toBeUndefined();
      expect(error.message).toContain('after the change was applied');
      const { object } = await store.get('bkt', 'a');
      expect(object).toMatchObject({ metageneration: '2', metadata: { owner: 'me', k: 'v' } });
    });

    it('commit-then-drop on a create leaves the object created', async () => {
      store.faults.add({ kind: 'commit-then-drop', ops: ['insert'], count: 1 });
      const error = await storageRefusal(
        store.insert('bkt', 'a', { ...BODY, preconditions: { ifGenerationMatch: '0' } }),
      );
      expect(error.status).toBeUndefined();
      const retry = await storageRefusal(
        store.insert('bkt', 'a', { ...BODY, preconditions: { ifGenerationMatch: '0' } }),
      );
      expect(retry.status).toBe(412);
      expect((await store.get('bkt', 'a')).object!.metadata).toEqual({ owner: 'me' });
    });

    it('commit-then-drop loses a refusal too, as the HTTP server does', async () => {
      await store.insert('bkt', 'a', BODY);
      store.faults.add({ kind: 'commit-then-drop', ops: ['insert'], count: 1 });
      const error = await storageRefusal(
        store.insert('bkt', 'a', { ...BODY, preconditions: { ifGenerationMatch: '0' } }),
      );
      expect(error.status).toBeUndefined();
    });

    it('stall: no answer until stallMs, then a transport error, nothing changed', async () => {
      store.faults.add({ kind: 'stall', stallMs: 5000, ops: ['insert'], count: 1 });
      let settled = false;
      const pending = store.insert('bkt', 'a', BODY).finally(() => (settled = true));
      const caught = storageRefusal(pending);
      await vi.advanceTimersByTimeAsync(4999);
      expect(settled).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      const error = await caught;
      expect(error.status).toBeUndefined();
      expect(error.message).toContain('stall');
      expect((await store.get('bkt', 'a')).object).toBeNull();
    });

    it('stall ends as soon as the request is aborted, with the signal reason', async () => {
      store.faults.add({ kind: 'stall', ops: ['get'] });
      const controller = new AbortController();
      const pending = store.get('bkt', 'a', { signal: controller.signal });
      const outcome = pending.then(
        () => 'resolved',
        (error: unknown) => error,
      );
      await vi.advanceTimersByTimeAsync(10_000);
      const reason = new Error('gave up');
      controller.abort(reason);
      expect(await outcome).toBe(reason);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('a request whose signal is already aborted rejects with its reason and changes nothing', async () => {
      const reason = new Error('too late');
      const error = await store
        .insert('bkt', 'a', { ...BODY, signal: AbortSignal.abort(reason) })
        .catch((e: unknown) => e);
      expect(error).toBe(reason);
      expect(store.engine.listObjects('bkt').items).toEqual([]);
    });

    it('latency delays the request, then serves it', async () => {
      store.faults.add({ kind: 'latency', latencyMs: 2000, ops: ['insert'] });
      let done = false;
      const pending = store.insert('bkt', 'a', BODY).then((result) => {
        done = true;
        return result;
      });
      await vi.advanceTimersByTimeAsync(1999);
      expect(done).toBe(false);
      expect(store.engine.listObjects('bkt').items).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      const { object, serverTime } = await pending;
      expect(object.updated).toBe(T0 + 999 + 2000);
      expect(serverTime).toBe(T0 + 2000);
    });

    it('latency then error: the error comes after the delay', async () => {
      store.faults.add({ kind: 'latency', latencyMs: 100 });
      store.faults.add({ kind: 'error', status: 500 });
      let settled = false;
      const caught = storageRefusal(store.get('bkt', 'a').finally(() => (settled = true)));
      await vi.advanceTimersByTimeAsync(99);
      expect(settled).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect((await caught).status).toBe(500);
    });

    it('abort during latency rejects with the reason and changes nothing', async () => {
      store.faults.add({ kind: 'latency', latencyMs: 1000 });
      const controller = new AbortController();
      const outcome = store
        .insert('bkt', 'a', { ...BODY, signal: controller.signal })
        .catch((e: unknown) => e);
      await vi.advanceTimersByTimeAsync(500);
      controller.abort(new Error('stop'));
      expect(await outcome).toMatchObject({ message: 'stop' });
      await vi.advanceTimersByTimeAsync(1000);
      expect(store.engine.listObjects('bkt').items).toEqual([]);
    });

    it('faults match the object name; list matches by its prefix', async () => {
      store.faults.add({ kind: 'error', status: 500, object: 'locks/a' });
      store.faults.add({ kind: 'reset', ops: ['list'], objectPrefix: 'locks/' });
      expect((await storageRefusal(store.get('bkt', 'locks/a'))).status).toBe(500);
      expect((await store.get('bkt', 'locks/b')).object).toBeNull();
      expect((await storageRefusal(store.list('bkt', { prefix: 'locks/' }))).status).toBeUndefined();
      expect((await store.list('bkt', { prefix: 'other/' })).items).toEqual([]);
    });

    it('uses a fault plan handed in', async () => {
      const faults = new FaultPlan();
      faults.add({ kind: 'reset' });
      const withPlan = new MemoryStore({ buckets: ['bkt'], faults });
      expect(withPlan.faults).toBe(faults);
      expect((await storageRefusal(withPlan.get('bkt', 'a'))).status).toBeUndefined();
    });
  });

  describe('sharing one engine', () => {
    it('two stores see one state, and keep their own counts and faults', async () => {
      const engine = new StorageEngine({ buckets: ['bkt'] });
      const machineA = new MemoryStore({ engine });
      const machineB = new MemoryStore({ engine });
      expect(machineA.engine).toBe(machineB.engine);
      const { object } = await machineA.insert('bkt', 'lock', {
        ...BODY,
        preconditions: { ifGenerationMatch: '0' },
      });
      expect((await machineB.get('bkt', 'lock')).object).toEqual(object);
      expect(
        (
          await storageRefusal(
            machineB.insert('bkt', 'lock', { ...BODY, preconditions: { ifGenerationMatch: '0' } }),
          )
        ).status,
      ).toBe(412);
      machineB.faults.add({ kind: 'reset' });
      await machineB.get('bkt', 'lock').catch(() => undefined);
      await machineA.delete('bkt', 'lock', { preconditions: { ifGenerationMatch: object.generation } });
      expect(engine.listObjects('bkt').items).toEqual([]);
      expect(machineA.requests).toMatchObject({ insert: 1, get: 0, delete: 1 });
      expect(machineB.requests).toMatchObject({ insert: 1, get: 2 });
    });

    it('an engine option is ignored when an engine is handed in', async () => {
      const engine = new StorageEngine({ buckets: ['bkt'] });
      const store2 = new MemoryStore({ engine, buckets: ['other'] });
      expect((await storageRefusal(store2.get('other', 'a'))).status).toBe(404);
    });
  });

  it('toStored converts generations to decimal strings and copies metadata', () => {
    const engineObject = store.engine.insertObject('bkt', 'a', {
      data: Buffer.from(''),
      metadata: { k: 'v' },
    });
    const stored = toStored(engineObject);
    expect(stored.generation).toBe(engineObject.generation.toString());
    expect(stored.metadata).not.toBe(engineObject.metadata);
    expect(stored).not.toHaveProperty('data');
  });
});
