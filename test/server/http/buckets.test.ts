import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ControlClient } from '../../../src/server/control-client.js';
import { startServer, type RunningServer } from '../../../src/server/start-server.js';
import { insertMedia, objectUrl, request } from '../support.js';

let server: RunningServer;
let base: string;
const bucketUrl = (bucket: string, query = ''): string =>
  `${base}/storage/v1/b/${bucket}${query ? `?${query}` : ''}`;
// The control endpoint asks every caller for its header; GCS routes ignore it.
const send = (method: string, url: string, body: unknown) =>
  request(url, {
    method,
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', 'x-gcs-lock-control': '1' },
  });

beforeAll(async () => {
  server = await startServer({ buckets: ['bkt1'] });
  base = server.url;
});
afterAll(async () => server.close());
beforeEach(() => {
  server.reset();
  server.engine.setDeniedPermissions('bkt1', []);
});

describe('bucket resource over HTTP', () => {
  it("GET answers GCS's shape with the defaults", async () => {
    const answer = await request(bucketUrl('bkt1'));
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({
      kind: 'storage#bucket',
      name: 'bkt1',
      storageClass: 'STANDARD',
      location: 'US',
      locationType: 'multi-region',
      metageneration: '1',
      etag: 'CAE=',
      versioning: { enabled: false },
      softDeletePolicy: { retentionDurationSeconds: '604800' },
      iamConfiguration: { uniformBucketLevelAccess: { enabled: false }, publicAccessPrevention: 'inherited' },
    });
    expect(answer.json.retentionPolicy).toBeUndefined();
  });

  it('POST creates a bucket with the settings in its body', async () => {
    const body = {
      name: `made-${Date.now()}`,
      location: 'us-east1',
      storageClass: 'nearline',
      versioning: { enabled: true },
      retentionPolicy: { retentionPeriod: '3600' },
      defaultEventBasedHold: true,
      lifecycle: { rule: [{ action: { type: 'Delete' }, condition: { age: 1 } }] },
      billing: { requesterPays: true },
      iamConfiguration: { uniformBucketLevelAccess: { enabled: true }, publicAccessPrevention: 'enforced' },
      labels: { team: 'infra' },
    };
    const answer = await send('POST', `${base}/storage/v1/b?project=p`, body);
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({
      location: 'US-EAST1',
      locationType: 'region',
      storageClass: 'NEARLINE',
      versioning: { enabled: true },
      retentionPolicy: { retentionPeriod: '3600', isLocked: false },
      defaultEventBasedHold: true,
      lifecycle: body.lifecycle,
      billing: { requesterPays: true },
      iamConfiguration: { uniformBucketLevelAccess: { enabled: true }, publicAccessPrevention: 'enforced' },
      labels: { team: 'infra' },
    });
    expect((await request(bucketUrl(body.name))).json).toMatchObject({ versioning: { enabled: true } });
  });

  it('PATCH changes only the fields sent, bumps metageneration and etag, merges labels', async () => {
    await send('PATCH', bucketUrl('bkt1'), { labels: { a: '1', b: '2' } });
    const answer = await send('PATCH', bucketUrl('bkt1'), {
      versioning: { enabled: true },
      labels: { a: null },
    });
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({
      metageneration: '3',
      versioning: { enabled: true },
      labels: { b: '2' },
    });
    expect(answer.json.etag).not.toBe('CAE=');
    expect(answer.json.softDeletePolicy).toEqual(
      expect.objectContaining({ retentionDurationSeconds: '604800' }),
    );
  });

  it("accepts gcloud's PATCH shapes: --versioning, --clear-soft-delete, and a resource sent back whole", async () => {
    const read = (await request(bucketUrl('bkt1'))).json;
    const whole = { ...read, versioning: { enabled: true } };
    expect((await send('PATCH', bucketUrl('bkt1', 'alt=json&projection=noAcl'), whole)).status).toBe(200);
    const cleared = await send('PATCH', bucketUrl('bkt1', 'alt=json'), {
      softDeletePolicy: { retentionDurationSeconds: '0' },
    });
    expect(cleared.json).toMatchObject({
      softDeletePolicy: { retentionDurationSeconds: '0' },
      versioning: { enabled: true },
    });
    const nulled = await send('PATCH', bucketUrl('bkt1'), { softDeletePolicy: null, retentionPolicy: null });
    expect(nulled.json).toMatchObject({ softDeletePolicy: { retentionDurationSeconds: '0' } });
  });

  it('PUT sets every writable field: what is absent goes back to its default', async () => {
    await send('PATCH', bucketUrl('bkt1'), { versioning: { enabled: true }, labels: { a: '1' } });
    const answer = await send('PUT', bucketUrl('bkt1'), { name: 'bkt1', storageClass: 'COLDLINE' });
    expect(answer.json).toMatchObject({
      storageClass: 'COLDLINE',
      versioning: { enabled: false },
      location: 'US',
    });
    expect(answer.json.labels).toBeUndefined();
  });

  it('ifMetagenerationMatch / NotMatch on GET, PATCH and PUT: 412 / 304, nothing changed', async () => {
    const now = (await request(bucketUrl('bkt1'))).json.metageneration as string;
    const other = String(Number(now) + 7);
    expect((await send('PATCH', bucketUrl('bkt1', `ifMetagenerationMatch=${other}`), {})).status).toBe(412);
    expect((await send('PUT', bucketUrl('bkt1', `ifMetagenerationMatch=${other}`), {})).status).toBe(412);
    expect((await request(bucketUrl('bkt1', `ifMetagenerationNotMatch=${now}`))).status).toBe(304);
    expect((await request(bucketUrl('bkt1'))).json.metageneration).toBe(now);
    const patched = await send('PATCH', bucketUrl('bkt1', `ifMetagenerationMatch=${now}`), {});
    expect(patched.json.metageneration).toBe(String(Number(now) + 1));
  });

  it('a bad value is 400 naming it; a new location is 400', async () => {
    const bad = await send('PATCH', bucketUrl('bkt1'), {
      softDeletePolicy: { retentionDurationSeconds: '60' },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error?.message).toMatch(/retentionDurationSeconds 60/);
    expect((await send('PATCH', bucketUrl('bkt1'), { location: 'EU' })).status).toBe(400);
  });
});

describe('testIamPermissions and denied permissions', () => {
  const testUrl = (...permissions: string[]): string =>
    `${base}/storage/v1/b/bkt1/iam/testPermissions?${permissions.map((p) => `permissions=${p}`).join('&')}`;

  it('answers the permissions held; denied ones are left out, an empty answer has no list', async () => {
    const all = await request(testUrl('storage.objects.create', 'storage.objects.delete'));
    expect(all.json).toEqual({
      kind: 'storage#testIamPermissionsResponse',
      permissions: ['storage.objects.create', 'storage.objects.delete'],
    });
    await new ControlClient(base).setDeniedPermissions('bkt1', ['storage.objects.delete']);
    expect(
      (await request(testUrl('storage.objects.create', 'storage.objects.delete'))).json.permissions,
    ).toEqual(['storage.objects.create']);
    expect((await request(testUrl('storage.objects.delete'))).json).toEqual({
      kind: 'storage#testIamPermissionsResponse',
    });
    expect((await request(`${base}/storage/v1/b/bkt1/iam/testPermissions`)).status).toBe(400);
  });

  it('a denied permission is enforced: DELETE answers 403 in GCS shape and the object stays', async () => {
    await insertMedia(base, 'bkt1', 'kept');
    await new ControlClient(base).setDeniedPermissions('bkt1', ['storage.objects.delete']);
    const answer = await request(objectUrl(base, 'bkt1', 'kept'), { method: 'DELETE' });
    expect(answer.status).toBe(403);
    expect(answer.json.error).toMatchObject({
      code: 403,
      message:
        'Caller does not have storage.objects.delete access to the Google Cloud Storage object. ' +
        "Permission 'storage.objects.delete' denied on resource (or it may not exist).",
      errors: [{ reason: 'forbidden' }],
    });
    expect((await request(objectUrl(base, 'bkt1', 'kept'))).status).toBe(200);
  });

  it('the control endpoint refuses a malformed permission list with 400', async () => {
    const answer = await send('PUT', `${base}/_gcs-lock/buckets/bkt1/denied-permissions`, {
      permissions: 'all',
    });
    expect(answer.status).toBe(400);
    const unknown = await send('PUT', `${base}/_gcs-lock/buckets/nope/denied-permissions`, {
      permissions: [],
    });
    expect(unknown.status).toBe(404);
  });
});
