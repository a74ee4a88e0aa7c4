/**
 * The official `@google-cloud/storage` client against the local server's bucket-level features:
 * bucket metadata (get and set), versions, `combine` (compose) and `iam.testPermissions`.
 */
import { Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/start-server.js';

let server: RunningServer;
let storage: Storage;

beforeAll(async () => {
  server = await startServer({ buckets: ['official-buckets'] });
  storage = new Storage({
    apiEndpoint: server.url,
    projectId: 'test-project',
    retryOptions: { autoRetry: false, maxRetries: 0 },
  });
});
afterAll(async () => server.close());

describe('the official client, bucket level', () => {
  it('reads and sets bucket metadata: versioning on, soft delete off', async () => {
    const bucket = storage.bucket('official-buckets');
    const [before] = await bucket.getMetadata();
    expect(before).toMatchObject({
      versioning: { enabled: false },
      softDeletePolicy: { retentionDurationSeconds: '604800' },
    });
    await bucket.setMetadata({
      versioning: { enabled: true },
      softDeletePolicy: { retentionDurationSeconds: 0 },
    });
    const [after] = await bucket.getMetadata();
    expect(after).toMatchObject({
      versioning: { enabled: true },
      softDeletePolicy: { retentionDurationSeconds: '0' },
    });
    expect(Number(after.metageneration)).toBe(Number(before.metageneration) + 1);
  });

  it('lists versions and reads an old generation once versioning is on', async () => {
    const bucket = storage.bucket('official-buckets');
    await bucket.setMetadata({ versioning: { enabled: true } });
    const file = bucket.file('versioned.txt');
    await file.save('one', { resumable: false });
    const [first] = await file.getMetadata();
    await file.save('two', { resumable: false });
    const [second] = await file.getMetadata();
    const [files] = await bucket.getFiles({ prefix: 'versioned.txt', versions: true });
    expect(files.map((f) => String(f.metadata.generation)).sort()).toEqual(
      [String(first.generation), String(second.generation)].sort(),
    );
    const [old] = await bucket.file('versioned.txt', { generation: first.generation! }).download();
    expect(old.toString()).toBe('one');
  });

  it('combine composes the sources into a composite object', async () => {
    const bucket = storage.bucket('official-buckets');
    await bucket.file('part-1').save('hello ', { resumable: false });
    await bucket.file('part-2').save('world', { resumable: false });
    const [combined] = await bucket.combine(['part-1', 'part-2'], 'whole.txt');
    const [metadata] = await combined.getMetadata();
    expect(metadata.componentCount).toBe(2);
    expect((await combined.download())[0].toString()).toBe('hello world');
  });

  it('iam.testPermissions answers per permission, denied ones false', async () => {
    server.engine.setDeniedPermissions('official-buckets', ['storage.objects.delete']);
    const [result] = await storage
      .bucket('official-buckets')
      .iam.testPermissions(['storage.objects.get', 'storage.objects.delete']);
    expect(result).toEqual({ 'storage.objects.get': true, 'storage.objects.delete': false });
    server.engine.setDeniedPermissions('official-buckets', []);
  });
});
