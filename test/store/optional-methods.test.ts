// compose, getBucket and testIamPermissions: the same behaviour from MemoryStore (in process) and
// GcsStore (over HTTP to the local server), one request each as the server counts them.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { GcsStore } from '../../src/store/gcs-store.js';
import type { ObjectStore } from '../../src/store/object-store.js';
import { MemoryStore } from '../../src/testing/memory-store.js';
import type { StorageEngine } from '../../src/server/engine/engine.js';
import { storageRefusal } from '../helpers/refusals.js';

const BUCKETS = [
  'plain-bucket',
  {
    name: 'tuned-bucket',
    versioning: true,
    softDeleteRetentionSeconds: 0,
    retentionPeriodSeconds: 60,
    defaultEventBasedHold: true,
    lifecycleRules: [{ action: { type: 'Delete' }, condition: { age: 3 } }],
    requesterPays: true,
    uniformBucketLevelAccess: true,
    storageClass: 'NEARLINE',
  },
];

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ buckets: BUCKETS });
});
afterAll(async () => server.close());

interface Target {
  store: Required<Pick<ObjectStore, 'compose' | 'getBucket' | 'testIamPermissions'>> & ObjectStore;
  engine: StorageEngine;
  requests: () => number;
}

const targets: Array<[string, () => Target]> = [
  [
    'MemoryStore',
    () => {
      const store = new MemoryStore({ buckets: BUCKETS });
      return { store, engine: store.engine, requests: () => store.requestCount };
    },
  ],
  [
    'GcsStore',
    () => {
      server.reset();
      server.engine.setDeniedPermissions('plain-bucket', []);
      server.faults.add({ kind: 'latency', latencyMs: 0 }); // counts every request the server sees
      const store = new GcsStore({ endpoint: server.url, requestTimeout: 5_000 });
      return { store, engine: server.engine, requests: () => server.faults.delivered.latency };
    },
  ],
];

describe.each(targets)('%s: the optional ObjectStore methods', (_name, make) => {
  let t: Target;
  beforeEach(() => {
    t = make();
  });
  const put = (name: string, body: string) =>
    t.store.insert('plain-bucket', name, { metadata: {}, body, contentType: 'text/plain' });

  it('compose: one request; a composite pinned to its sources, with the destination metadata', async () => {
    const fence = (await put('fence', 'a')).object;
    await put('tail', 'b');
    const before = t.requests();
    const { object, serverTime } = await t.store.compose(
      'plain-bucket',
      'out',
      [{ name: 'fence', ifGenerationMatch: fence.generation }, { name: 'tail' }],
      { contentType: 'text/plain', metadata: { by: 'me' }, preconditions: { ifGenerationMatch: '0' } },
    );
    expect(t.requests() - before).toBe(1);
    expect(object).toMatchObject({
      bucket: 'plain-bucket',
      name: 'out',
      metageneration: '1',
      metadata: { by: 'me' },
    });
    expect(serverTime).toBeTypeOf('number');
    const composite = t.engine.getObject('plain-bucket', 'out');
    expect(composite.componentCount).toBe(2);
    expect(composite.md5Hash).toBeUndefined();
    expect(composite.data.toString()).toBe('ab');
  });

  it('compose: a moved source is 412, the destination precondition too; nothing is written', async () => {
    const fence = (await put('fence', 'a')).object;
    await put('fence', 'a2');
    const stale = t.store.compose('plain-bucket', 'out', [
      { name: 'fence', ifGenerationMatch: fence.generation },
    ]);
    expect((await storageRefusal(stale)).status).toBe(412);
    await t.store.compose('plain-bucket', 'out', [{ name: 'fence' }]);
    const taken = t.store.compose('plain-bucket', 'out', [{ name: 'fence' }], {
      preconditions: { ifGenerationMatch: '0' },
    });
    expect((await storageRefusal(taken)).status).toBe(412);
    const missing = t.store.compose('plain-bucket', 'x', [{ name: 'nope' }]);
    expect((await storageRefusal(missing)).status).toBe(404);
  });

  it('getBucket: one request, the settings as a typed subset', async () => {
    const before = t.requests();
    const { object } = await t.store.getBucket('tuned-bucket');
    expect(t.requests() - before).toBe(1);
    expect(object).toEqual({
      name: 'tuned-bucket',
      storageClass: 'NEARLINE',
      location: 'US',
      versioning: true,
      softDeleteRetentionSeconds: 0,
      retentionPeriodSeconds: 60,
      defaultEventBasedHold: true,
      lifecycleRules: [{ action: { type: 'Delete' }, condition: { age: 3 } }],
      requesterPays: true,
      uniformBucketLevelAccess: true,
      metageneration: '1',
    });
    const plain = (await t.store.getBucket('plain-bucket')).object;
    expect(plain).toMatchObject({
      versioning: false,
      softDeleteRetentionSeconds: 604800,
      retentionPeriodSeconds: undefined,
    });
    expect((await storageRefusal(t.store.getBucket('no-such-bucket'))).status).toBe(404);
  });

  it('testIamPermissions: the permissions held, without the denied ones; denied ones refused for real', async () => {
    const asked = ['storage.objects.create', 'storage.objects.delete'];
    expect(await t.store.testIamPermissions('plain-bucket', asked)).toEqual(asked);
    t.engine.setDeniedPermissions('plain-bucket', ['storage.objects.delete']);
    expect(await t.store.testIamPermissions('plain-bucket', asked)).toEqual(['storage.objects.create']);
    expect(await t.store.testIamPermissions('plain-bucket', ['storage.objects.delete'])).toEqual([]);
    await put('kept', 'x');
    const refused = await storageRefusal(t.store.delete('plain-bucket', 'kept'));
    expect(refused.status).toBe(403);
    expect(refused.message).toContain('storage.objects.delete');
    t.engine.setDeniedPermissions('plain-bucket', []);
  });
});
