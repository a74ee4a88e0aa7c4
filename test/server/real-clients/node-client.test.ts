/**
 * The same operations as the gcloud suite, through `@google-cloud/storage`, the official Node client:
 * uploads (one request, resumable in chunks, a stream of unknown length), listings (a level, paged),
 * downloads (whole, a range), metadata, copy, move, delete, and buckets (create, get, set, list).
 * (official-client.test.ts checks its preconditions; this file checks that its everyday calls work.)
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { officialClientForFile } from '../support.js';

const BUCKET = 'node-suite';
const { server, storage } = officialClientForFile({ buckets: [BUCKET] });

describe('@google-cloud/storage against the local server', () => {
  const bucket = () => storage().bucket(BUCKET);
  const large = randomBytes(3 * 256 * 1024 + 99);

  it('uploads in one request, in resumable chunks, and as a stream of unknown length', async () => {
    await bucket()
      .file('docs/small.txt')
      .save('hello, node', { resumable: false, contentType: 'text/plain' });
    await bucket()
      .file('data/chunked.bin')
      .save(large, { resumable: true, chunkSize: 256 * 1024 });
    await pipeline(
      Readable.from([large.subarray(0, 1000), large.subarray(1000)]),
      bucket().file('data/streamed.bin').createWriteStream(),
    );
    expect(server().engine.getObject(BUCKET, 'docs/small.txt').data.toString()).toBe('hello, node');
    expect(server().engine.getObject(BUCKET, 'data/chunked.bin').data.equals(large)).toBe(true);
    expect(server().engine.getObject(BUCKET, 'data/streamed.bin').data.equals(large)).toBe(true);
  });

  it('lists a level (prefixes), everything, and page by page', async () => {
    const [, , level] = await bucket().getFiles({ delimiter: '/', autoPaginate: false });
    expect((level as { prefixes?: string[] }).prefixes).toEqual(['data/', 'docs/']);
    const [all] = await bucket().getFiles();
    expect(all.map((file) => file.name)).toEqual(['data/chunked.bin', 'data/streamed.bin', 'docs/small.txt']);
    const [first, next] = await bucket().getFiles({ maxResults: 2, autoPaginate: false });
    expect(first.map((file) => file.name)).toEqual(['data/chunked.bin', 'data/streamed.bin']);
    const [second, last] = await bucket().getFiles({ ...next, autoPaginate: false });
    expect(second.map((file) => file.name)).toEqual(['docs/small.txt']);
    expect(last).toBeNull();
  });

  it('downloads whole (hashes checked) or a range', async () => {
    expect(
      (await bucket().file('data/chunked.bin').download({ validation: 'crc32c' }))[0].equals(large),
    ).toBe(true);
    const [range] = await bucket().file('docs/small.txt').download({ start: 7, end: 10 });
    expect(range.toString()).toBe('node');
  });

  it('reads and patches metadata; copies, moves and deletes', async () => {
    const file = bucket().file('docs/small.txt');
    await file.setMetadata({ metadata: { owner: 'me' } });
    const [metadata] = await file.getMetadata();
    expect(metadata).toMatchObject({
      contentType: 'text/plain',
      metageneration: '2',
      metadata: { owner: 'me' },
    });
    await file.copy(bucket().file('docs/copy.txt'));
    expect(server().engine.getObject(BUCKET, 'docs/copy.txt').metadata).toEqual({ owner: 'me' });
    await bucket().file('docs/copy.txt').move('docs/moved.txt');
    expect((await bucket().file('docs/copy.txt').exists())[0]).toBe(false);
    expect((await bucket().file('docs/moved.txt').download())[0].toString()).toBe('hello, node');
    await bucket().file('docs/moved.txt').delete();
    await bucket().deleteFiles({ prefix: 'data/' });
    expect([...server().engine.getBucket(BUCKET).objects.keys()]).toEqual(['docs/small.txt']);
  });

  it('creates, reads, changes and lists buckets', async () => {
    const [made] = await storage().createBucket('node-made');
    const [metadata] = await made.getMetadata();
    expect(metadata).toMatchObject({ name: 'node-made', storageClass: 'STANDARD', location: 'US' });
    await made.setMetadata({
      versioning: { enabled: true },
      softDeletePolicy: { retentionDurationSeconds: 0 },
    });
    expect(server().engine.getBucket('node-made').settings).toMatchObject({
      versioning: true,
      softDeleteRetentionSeconds: 0,
    });
    expect((await made.getMetadata())[0]).toMatchObject({
      versioning: { enabled: true },
      metageneration: '2',
    });
    const [buckets] = await storage().getBuckets();
    expect(buckets.map((b) => b.name).sort()).toEqual(['node-made', BUCKET]);
  });
});
