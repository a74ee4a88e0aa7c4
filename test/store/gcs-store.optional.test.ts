// GcsStore's compose, getBucket and testIamPermissions against the stub: the exact requests, one per
// call, and every failure a StorageError with the status (or a ConfigurationError before any request).
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors/configuration-error.js';
import { GcsStore } from '../../src/store/gcs-store.js';
import { storageRefusal } from '../helpers/refusals.js';
import { DATE_MS, json, resource, useStub } from './stub-server.js';

const current = useStub();

const store = () => new GcsStore({ endpoint: current().url, requestTimeout: 5_000 });

describe('GcsStore.compose', () => {
  it('one POST to .../o/DEST/compose: sources with objectPreconditions, destination, query preconditions', async () => {
    current().setHandler((_, res) => json(res, 200, resource('out/a b', { componentCount: 2 })));
    const { object, serverTime } = await store().compose(
      'my-bucket',
      'out/a b',
      [{ name: 'fence', ifGenerationMatch: '17' }, { name: 'tail' }],
      {
        contentType: 'text/plain',
        metadata: { by: 'me' },
        preconditions: { ifGenerationMatch: '0', ifMetagenerationMatch: '1' },
      },
    );
    expect(current().requests).toHaveLength(1);
    const [seen] = current().requests;
    expect(seen!.method).toBe('POST');
    const url = new URL(seen!.url, current().url);
    expect(url.pathname).toBe('/storage/v1/b/my-bucket/o/out%2Fa%20b/compose');
    expect(url.searchParams.get('ifGenerationMatch')).toBe('0');
    expect(url.searchParams.get('ifMetagenerationMatch')).toBe('1');
    expect(seen!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(seen!.body)).toEqual({
      sourceObjects: [{ name: 'fence', objectPreconditions: { ifGenerationMatch: '17' } }, { name: 'tail' }],
      destination: { contentType: 'text/plain', metadata: { by: 'me' } },
    });
    expect(object).toMatchObject({ name: 'out/a b', generation: '1704164645123456' });
    expect(serverTime).toBe(DATE_MS);
  });

  it('refuses the *NotMatch preconditions before any request, naming them', async () => {
    const refused = store().compose('my-bucket', 'o', [{ name: 's' }], {
      preconditions: { ifGenerationNotMatch: '1' },
    });
    await expect(refused).rejects.toBeInstanceOf(ConfigurationError);
    await expect(refused).rejects.toThrow(/ifGenerationNotMatch/);
    expect(current().requests).toHaveLength(0);
  });

  it('a 412 and a 403 are StorageErrors with the status; a 200 without an object is unusable', async () => {
    current().setHandler((_, res) =>
      json(res, 412, { error: { code: 412, message: 'Precondition Failed' } }),
    );
    expect((await storageRefusal(store().compose('b', 'o', [{ name: 's' }]))).status).toBe(412);
    current().setHandler((_, res) =>
      json(res, 403, { error: { code: 403, message: 'Caller does not have...' } }),
    );
    const denied = await storageRefusal(store().compose('b', 'o', [{ name: 's' }]));
    expect(denied.status).toBe(403);
    expect(denied.message).toContain('storage.objects.create and storage.objects.get');
    current().setHandler((_, res) => json(res, 200, { kind: 'storage#object' }));
    const unusable = await storageRefusal(store().compose('b', 'o', [{ name: 's' }]));
    expect(unusable.status).toBeUndefined();
    expect(current().requests).toHaveLength(3);
  });
});

describe('GcsStore.getBucket', () => {
  it('one GET asking for few fields; defaults where GCS leaves fields out', async () => {
    current().setHandler((_, res) =>
      json(res, 200, {
        name: 'my-bucket',
        metageneration: '4',
        location: 'EU',
        storageClass: 'STANDARD',
        softDeletePolicy: { retentionDurationSeconds: '604800' },
        retentionPolicy: { retentionPeriod: '86400' },
        lifecycle: { rule: [{ action: { type: 'Delete' }, condition: { age: 1 } }, { bogus: true }] },
      }),
    );
    const { object, serverTime } = await store().getBucket('my-bucket');
    expect(current().requests).toHaveLength(1);
    const url = new URL(current().requests[0]!.url, current().url);
    expect(url.pathname).toBe('/storage/v1/b/my-bucket');
    expect(url.searchParams.get('fields')).toContain('softDeletePolicy');
    expect(object).toEqual({
      name: 'my-bucket',
      storageClass: 'STANDARD',
      location: 'EU',
      versioning: false,
      softDeleteRetentionSeconds: 604800,
      retentionPeriodSeconds: 86400,
      defaultEventBasedHold: false,
      lifecycleRules: [{ action: { type: 'Delete' }, condition: { age: 1 } }],
      requesterPays: false,
      uniformBucketLevelAccess: false,
      metageneration: '4',
    });
    expect(serverTime).toBe(DATE_MS);
  });

  it('a 404 says the bucket is missing; a response without name or metageneration is unusable', async () => {
    current().setHandler((_, res) => json(res, 404, { error: { code: 404, message: 'Not Found' } }));
    const missing = await storageRefusal(store().getBucket('gone'));
    expect(missing.status).toBe(404);
    expect(missing.message).toContain('bucket "gone" does not exist');
    current().setHandler((_, res) => json(res, 200, { name: 'b' }));
    expect((await storageRefusal(store().getBucket('b'))).message).toMatch(/no bucket resource/);
  });
});

describe('GcsStore.testIamPermissions', () => {
  it('one GET with each permission repeated; the granted list, or [] when GCS leaves it out', async () => {
    current().setHandler((_, res) =>
      json(res, 200, { kind: 'storage#testIamPermissionsResponse', permissions: ['storage.objects.get'] }),
    );
    const granted = await store().testIamPermissions('my-bucket', [
      'storage.objects.get',
      'storage.objects.delete',
    ]);
    expect(granted).toEqual(['storage.objects.get']);
    expect(current().requests.map((r) => r.url)).toEqual([
      '/storage/v1/b/my-bucket/iam/testPermissions?permissions=storage.objects.get&permissions=storage.objects.delete',
    ]);
    current().setHandler((_, res) => json(res, 200, { kind: 'storage#testIamPermissionsResponse' }));
    expect(await store().testIamPermissions('my-bucket', ['storage.objects.delete'])).toEqual([]);
  });

  it('no permissions is a ConfigurationError before any request; a bad answer is unusable', async () => {
    await expect(store().testIamPermissions('b', [])).rejects.toBeInstanceOf(ConfigurationError);
    expect(current().requests).toHaveLength(0);
    current().setHandler((_, res) => json(res, 200, { permissions: 'all' }));
    expect(
      (await storageRefusal(store().testIamPermissions('b', ['storage.objects.get']))).status,
    ).toBeUndefined();
  });
});
